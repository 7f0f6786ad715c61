"""What one ImportByModel call carries: scope, flags, filters and the pk-map entries it needs."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import NamedTuple

from silo_engine.scopes import ImportKind, ImportScope


class PkEntry(NamedTuple):
    """Where one old pk went (a tuple: thousands are made per batch)."""

    new_pk: int
    kind: ImportKind
    identifier: str | None = None


@dataclass(frozen=True)
class ImportFlags:
    import_uuid: str
    merge_users: bool = False
    overwrite_configs: bool = False
    hide_organizations: bool = False


@dataclass(frozen=True)
class RecordFilter:
    """An allow-list on one model's field; an empty set lets nothing through."""

    model: str
    field: str
    values: frozenset[str]


@dataclass
class BatchContext:
    model: str
    scope: ImportScope
    flags: ImportFlags
    filters: list[RecordFilter]
    pk_map: dict[str, dict[int, PkEntry]]
    region_name: str = ""
    now: datetime = field(default_factory=lambda: datetime.now(UTC))

    def lookup(self, model: str, old_pk: int) -> PkEntry | None:
        return self.pk_map.get(model, {}).get(old_pk)
