"""The pk map on the wire: one model's entries as packed parallel columns (PkMapColumns).

A batch answers with up to thousands of entries and the next batch sends back those it
references; packed columns make that a few array copies instead of one message per entry. The
silos build the columns straight from their candidates (engine) and the ledger (ledger).
"""

from __future__ import annotations

from collections.abc import Iterable

from silo_engine.context import PkEntry, SentPks
from silo_engine.contract.relocation.v1 import models_pb2
from silo_engine.scopes import ImportKind

KIND_OF_CODE: dict[int, ImportKind] = {kind.to_proto(): kind for kind in ImportKind}
CODE_OF_KIND: dict[ImportKind, int] = {kind: code for code, kind in KIND_OF_CODE.items()}


def from_columns(msg: models_pb2.PkMapColumns) -> list[tuple[int, PkEntry]]:
    """The entries, in the order they were sent."""
    kinds = [KIND_OF_CODE[code] for code in msg.kinds]
    identifiers = msg.identifiers
    if identifiers:
        return [(old, PkEntry(new, kind, identifiers.get(old)))
                for old, new, kind in zip(msg.old_pks, msg.new_pks, kinds, strict=True)]
    return [(old, PkEntry(new, kind))
            for old, new, kind in zip(msg.old_pks, msg.new_pks, kinds, strict=True)]


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
