"""What one ImportByModel call carries: scope, flags, filters and the pk-map entries it needs."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from wire.scopes import ImportScope
from wire.values import RecordFilter


@dataclass(frozen=True)
class ImportFlags:
    import_uuid: str
    merge_users: bool = False
    overwrite_configs: bool = False
    hide_organizations: bool = False


@dataclass
class SentPks:
    """The pk-map entries sent with a batch: per model, old pk -> new pk, and the old pks that
    went to a row that already existed (a merged user). Plain ints, no entry objects: a batch
    is sent thousands of them."""

    new_pks: dict[str, dict[int, int]] = field(default_factory=dict)
    existing: dict[str, set[int]] = field(default_factory=dict)
    # Per model, the new pks of rows the import inserted: no row from before it points at them.
    inserted: dict[str, set[int]] = field(default_factory=dict)


@dataclass
class BatchContext:
    model: str
    scope: ImportScope
    flags: ImportFlags
    filters: list[RecordFilter]
    pk_map: SentPks
    region_name: str = ""
    now: datetime = field(default_factory=lambda: datetime.now(UTC))
