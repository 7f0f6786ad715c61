"""The running primary-key map: for each model, old pk -> (new pk, kind).

Kept compactly (three typed arrays per model, searched by bisection) and only for models that a
model still to be imported references (MapLifetimes), so a large import's map stays small: pks
are held in 32 bits until one needs 64, so an entry takes 9 bytes on any installation with fewer
than 2**31 rows a table (17 after that). Entries come in and go out as packed columns
(PkMapColumns), so no per-entry objects are made on the way through.
"""

from __future__ import annotations

import threading
from array import array
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable, Sequence
from itertools import pairwise

from wire.relocation.v1 import models_pb2


def _ascending(values: Sequence[int]) -> bool:
    return all(a < b for a, b in pairwise(values))


def _extended(values: array, more: Sequence[int]) -> array:
    """`values` with `more` appended, widened from 32 to 64 bits when one does not fit."""
    size = len(values)
    try:
        values.extend(more)
    except OverflowError:  # array.extend keeps what it took before the value that failed
        del values[size:]
        values = array("q", values)
        values.extend(more)
    return values


class _ModelMap:
    """One model's entries: old pks ascending (sorted lazily if they arrived out of order)."""

    def __init__(self) -> None:
        self.old = array("i")
        self.new = array("i")
        self.kind = array("b")  # ImportKind wire codes
        self.ordered = True
        self.lock = threading.Lock()  # lookups of a finished model may come from several threads

    def extend(self, old: Sequence[int], new: Sequence[int], kind: Sequence[int]) -> None:
        if old and ((self.old and old[0] <= self.old[-1]) or not _ascending(old)):
            self.ordered = False
        self.old = _extended(self.old, old)
        self.new = _extended(self.new, new)
        self.kind.extend(kind)

    def _ensure_ordered(self) -> None:
        """Order by old pk; for a pk seen twice the later answer wins."""
        if self.ordered:
            return
        with self.lock:
            if self.ordered:
                return
            latest = {old: index for index, old in enumerate(self.old)}
            order = sorted(latest.values(), key=self.old.__getitem__)
            old, new, kind = self.old, self.new, self.kind
            self.new = array(new.typecode, (new[i] for i in order))
            self.kind = array("b", (kind[i] for i in order))
            self.old = array(old.typecode, (old[i] for i in order))
            self.ordered = True

    def columns(self, model: str, wanted: Sequence[int]) -> models_pb2.PkMapColumns:
        """The entries for `wanted` (ascending old pks) that exist, as one message."""
        self._ensure_ordered()
        olds, keys, size = self.old, [], len(self.old)
        if wanted:
            # Most often a batch references a run of pks the map holds with nothing between
            # (a model's options, their project): that run is one slice of each array.
            low = bisect_left(olds, wanted[0])
            high = low + len(wanted)
            if high <= size and olds[low] == wanted[0] and olds[high - 1] == wanted[-1] \
                    and olds[low:high] == array(olds.typecode, wanted):
                msg = models_pb2.PkMapColumns(model=model)
                msg.old_pks.extend(olds[low:high])
                msg.new_pks.extend(self.new[low:high])
                msg.kinds.extend(self.kind[low:high])
                return msg
        positions = []
        start = 0
        for old in wanted:
            start = bisect_left(olds, old, start)
            if start == size:
                break
            if olds[start] == old:
                keys.append(old)
                positions.append(start)
        msg = models_pb2.PkMapColumns(model=model)
        msg.old_pks.extend(keys)
        msg.new_pks.extend([self.new[i] for i in positions])
        msg.kinds.extend([self.kind[i] for i in positions])
        return msg

    def __len__(self) -> int:
        return len(self.old)


class PkMap:
    def __init__(self, keep: Iterable[str]) -> None:
        self.keep = frozenset(keep)
        self._maps: dict[str, _ModelMap] = {}

    def drop(self, model: str) -> None:
        """Forget a model's entries: no model still to be imported references it."""
        self.keep = self.keep - {model}
        self._maps.pop(model, None)

    def add(self, mapped: models_pb2.PkMapColumns) -> None:
        """Take a batch's answer; kept only when some foreign key points at the model."""
        if mapped.model in self.keep:
            self._maps.setdefault(mapped.model, _ModelMap()).extend(
                mapped.old_pks, mapped.new_pks, mapped.kinds)

    def columns(self, model: str, wanted: Sequence[int]) -> models_pb2.PkMapColumns | None:
        """The known entries of `model` among `wanted` (ascending), or None if none are."""
        found = self._maps.get(model)
        msg = found.columns(model, wanted) if found is not None else None
        return msg if msg is not None and msg.old_pks else None

    def new_pks(self, model: str, olds: Iterable[object]) -> dict[int, int]:
        """Old pk -> new pk for those of `olds` (any order, repeats and non-integers allowed)
        that the map holds."""
        found = self.columns(model, sorted({o for o in olds if type(o) is int}))
        return dict(zip(found.old_pks, found.new_pks, strict=True)) if found is not None else {}

    def size(self) -> int:
        return sum(len(m) for m in self._maps.values())


class MapLifetimes:
    """Which models' pk maps an import still needs: a model's entries are kept while some model
    that references it (itself included) has yet to finish, so the map holds what is ahead of
    the import, not everything behind it."""

    def __init__(self, models: Iterable[tuple[str, Iterable[str]]]) -> None:
        """`models`: each model to import, with the models its foreign keys point at."""
        self._targets = {name: frozenset(targets) for name, targets in models}
        self._referrers = Counter(t for targets in self._targets.values() for t in targets)

    def needed(self) -> frozenset[str]:
        return frozenset(self._referrers)

    def finished(self, model: str) -> list[str]:
        """The models whose maps are no longer needed once `model` has finished."""
        released = []
        for target in self._targets.pop(model, ()):
            self._referrers[target] -= 1
            if not self._referrers[target]:
                del self._referrers[target]
                released.append(target)
        return sorted(released)
