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
    # Whether unique keys that point at a row the import inserted skip the collision lookup
    # (see collisions.resolve), and how many did: a batch that then breaks a unique constraint
    # is written again with every lookup.
    trust_new_references: bool = True
    unchecked_keys: int = 0
