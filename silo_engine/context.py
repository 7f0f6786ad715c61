"""What one ImportByModel call carries: scope, flags, filters and the pk-map entries it needs."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from wire.pkwire import CODE_OF_KIND
from wire.relocation.v1 import models_pb2
from wire.scopes import ImportKind, ImportScope
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
    # Whether unique keys that point at a row the import inserted skip the collision lookup
    # (see collisions.resolve), and how many did: a batch that then breaks a unique constraint
    # is written again with every lookup.
    trust_new_references: bool = True
    unchecked_keys: int = 0


def sent_pks(messages: Iterable[models_pb2.PkMapColumns]) -> SentPks:
    """What a batch's references resolve to, straight from the columns."""
    sent = SentPks()
    existing, inserted = CODE_OF_KIND[ImportKind.EXISTING], CODE_OF_KIND[ImportKind.INSERTED]
    for msg in messages:
        if len(msg.kinds) != len(msg.old_pks):
            raise ValueError(f"pk map of {msg.model}: {len(msg.old_pks)} old pks, "
                             f"{len(msg.kinds)} kinds")
        sent.new_pks.setdefault(msg.model, {}).update(zip(msg.old_pks, msg.new_pks, strict=True))
        kinds = set(msg.kinds)
        sent.inserted.setdefault(msg.model, set()).update(
            msg.new_pks if kinds == {inserted} else  # most often: every entry inserted
            (new for new, kind in zip(msg.new_pks, msg.kinds, strict=True) if kind == inserted))
        if existing in kinds:
            sent.existing.setdefault(msg.model, set()).update(
                old for old, kind in zip(msg.old_pks, msg.kinds, strict=True) if kind == existing)
    return sent
