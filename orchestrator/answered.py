"""How far each model's import has got, so a dependent model need not wait for all of it.

A model's records are sent in ascending pk order and answered in that order, so after each
answer every record up to the batch's last pk is decided: mapped in the pk map, or known to be
skipped. A batch of a dependent model can go as soon as every pk it references is decided in its
target models; it gets exactly the pk-map entries (and misses) it would get after the whole
target model was done, so the outcome is the same, only earlier.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable


class ImportStopped(Exception):
    """Another model failed: a batch waiting for its references gives up."""


class AnsweredThrough:
    """Per model of the running phase: the highest old pk through which all its records have
    their answer. A model not (or no longer) being imported counts as fully answered."""

    def __init__(self) -> None:
        self._through: dict[str, int | None] = {}  # None: nothing answered yet
        self._changed = threading.Condition()
        self._stopped = False

    def expect(self, models: Iterable[str]) -> None:
        """Models about to be imported: nothing of them is answered yet."""
        with self._changed:
            self._through.update(dict.fromkeys(models))

    def advance(self, model: str, pk: int) -> None:
        """Every record of `model` up to `pk` has its answer."""
        with self._changed:
            if model in self._through:
                self._through[model] = pk
                self._changed.notify_all()

    def finish(self, model: str) -> None:
        """Every record of `model` has its answer."""
        with self._changed:
            self._through.pop(model, None)
            self._changed.notify_all()

    def stop(self) -> None:
        """Wake every waiting batch with ImportStopped (the import is failing)."""
        with self._changed:
            self._stopped = True
            self._changed.notify_all()

    def wait_for(self, model: str, pk: int) -> None:
        """Block until the record of `model` with `pk` (if any) has its answer."""
        with self._changed:
            while not self._stopped and not self._answered(model, pk):
                self._changed.wait()
            if self._stopped:
                raise ImportStopped

    def _answered(self, model: str, pk: int) -> bool:
        if model not in self._through:
            return True
        through = self._through[model]
        return through is not None and pk <= through
