"""Plain values both ends of the wire build from its messages: where an old pk went, and a
filter on one model's records."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from wire.scopes import ImportKind


class PkEntry(NamedTuple):
    """Where one old pk went (a tuple: thousands are made per batch)."""

    new_pk: int
    kind: ImportKind
    identifier: str | None = None


@dataclass(frozen=True)
class RecordFilter:
    """An allow-list on one model's field; an empty set lets nothing through."""

    model: str
    field: str
    values: frozenset[str]
