"""The pk map on the wire: one model's entries as packed parallel columns (PkMapColumns).

A batch answers with up to thousands of entries and the next batch sends back those it
references; packed columns make that a few array copies instead of one message per entry. The
silos build the columns straight from their candidates and the ledger; the orchestrator reads
them into its pk map.
"""

from __future__ import annotations

from wire.relocation.v1 import models_pb2
from wire.scopes import ImportKind
from wire.values import PkEntry

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
