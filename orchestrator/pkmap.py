"""The running primary-key map: for each model, old pk -> (new pk, kind).

Kept compactly (three typed arrays per model, about 17 bytes an entry, searched by bisection)
and only for models that something references, so a large import's map stays small.
"""

from __future__ import annotations

import threading
from array import array
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable

from silo_engine.context import PkEntry
from silo_engine.scopes import ImportKind

_KINDS = list(ImportKind)
_KIND_CODE = {kind: code for code, kind in enumerate(_KINDS)}


class _ModelMap:
    """One model's entries: old pks ascending (sorted lazily if they arrived out of order)."""

    def __init__(self) -> None:
        self.old = array("q")
        self.new = array("q")
        self.kind = array("b")
        self.ordered = True
        self.lock = threading.Lock()  # lookups of a finished model may come from several threads

    def add(self, old: int, new: int, kind: ImportKind) -> None:
        if self.old and old <= self.old[-1]:
            self.ordered = False
        self.old.append(old)
        self.new.append(new)
        self.kind.append(_KIND_CODE[kind])

    def _sort(self) -> None:
        """Order by old pk; for a pk seen twice the later answer wins."""
        latest = {old: index for index, old in enumerate(self.old)}
        order = sorted(latest.values(), key=self.old.__getitem__)
        old, new, kind = self.old, self.new, self.kind
        self.new = array("q", (new[i] for i in order))
        self.kind = array("b", (kind[i] for i in order))
        self.old = array("q", (old[i] for i in order))
        self.ordered = True

    def get(self, old: int) -> PkEntry | None:
        if not self.ordered:
            with self.lock:
                if not self.ordered:
                    self._sort()
        index = bisect_left(self.old, old)
        if index == len(self.old) or self.old[index] != old:
            return None
        return PkEntry(self.new[index], _KINDS[self.kind[index]])

    def __len__(self) -> int:
        return len(self.old)


class PkMap:
    def __init__(self, keep: Iterable[str]) -> None:
        self.keep = frozenset(keep)
        self._maps: dict[str, _ModelMap] = {}
        self.counts: dict[str, Counter[ImportKind]] = {}

    def add(self, model: str, mapped: Iterable[tuple[int, PkEntry]]) -> None:
        counts = self.counts.setdefault(model, Counter())
        target = self._maps.setdefault(model, _ModelMap()) if model in self.keep else None
        for old, entry in mapped:
            counts[entry.kind] += 1
            if target is not None:
                target.add(old, entry.new_pk, entry.kind)

    def get(self, model: str, old: int) -> PkEntry | None:
        found = self._maps.get(model)
        return found.get(old) if found is not None else None

    def size(self) -> int:
        return sum(len(m) for m in self._maps.values())
