"""The running primary-key map: for each model, old pk -> (new pk, kind, identifier).

Only models that something references (or whose identifiers the cross-silo steps need) are
kept, so the map grows with the referenced models, not with the whole export.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from silo_engine.context import PkEntry
from silo_engine.scopes import ImportKind


class PkMap:
    def __init__(self, keep: Iterable[str]) -> None:
        self.keep = frozenset(keep)
        self._entries: dict[str, dict[int, PkEntry]] = {}
        self.counts: dict[str, Counter[ImportKind]] = {}

    def add(self, model: str, mapped: Iterable[tuple[int, PkEntry]]) -> None:
        counts = self.counts.setdefault(model, Counter())
        target = self._entries.setdefault(model, {}) if model in self.keep else None
        for old, entry in mapped:
            counts[entry.kind] += 1
            if target is not None:
                target[old] = entry

    def get(self, model: str, old: int) -> PkEntry | None:
        return self._entries.get(model, {}).get(old)

    def entries(self, model: str) -> dict[int, PkEntry]:
        return self._entries.get(model, {})

    def set_identifier(self, model: str, old: int, identifier: str) -> None:
        entry = self._entries[model][old]
        self._entries[model][old] = PkEntry(entry.new_pk, entry.kind, identifier)
