"""The chunk ledger: one row per written batch, keyed by (import_uuid, model, min_ordinal).

A retried batch finds its row and gets the stored answer back without writing again, which is
what makes every batch idempotent and an interrupted import resumable.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg

from silo_engine.context import PkEntry
from silo_engine.scopes import ImportKind


def chunk_table(metadata: sa.MetaData, name: str) -> sa.Table:
    """Sentry's import-chunk table shape (shared by the control, region and replica tables)."""
    return sa.Table(
        name,
        metadata,
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=True),
        sa.Column("import_uuid", sa.Uuid(as_uuid=False), nullable=False),
        sa.Column("model", sa.String(64), nullable=False),
        sa.Column("min_ordinal", sa.BigInteger, nullable=False),
        sa.Column("max_ordinal", sa.BigInteger, nullable=False),
        sa.Column("min_source_pk", sa.BigInteger, nullable=False),
        sa.Column("max_source_pk", sa.BigInteger, nullable=False),
        sa.Column("min_inserted_pk", sa.BigInteger, nullable=True),
        sa.Column("max_inserted_pk", sa.BigInteger, nullable=True),
        sa.Column("inserted_map", pg.JSONB, nullable=False),
        sa.Column("existing_map", pg.JSONB, nullable=False),
        sa.Column("overwrite_map", pg.JSONB, nullable=False),
        sa.Column("inserted_identifiers", pg.JSONB, nullable=False),
        sa.Column("date_added", sa.DateTime(timezone=True), nullable=False,
                  server_default=sa.func.now()),
        sa.Column("date_updated", sa.DateTime(timezone=True), nullable=False,
                  server_default=sa.func.now()),
        sa.UniqueConstraint("import_uuid", "model", "min_ordinal",
                            name=f"{name}_chunk_key_uniq"),
    )


@dataclass
class Chunk:
    """The answer for one batch: old pk -> entry, in input order, and the ledger's numbers."""

    import_uuid: str
    model: str
    min_ordinal: int | None = None
    max_ordinal: int | None = None
    min_source_pk: int | None = None
    max_source_pk: int | None = None
    min_inserted_pk: int | None = None
    max_inserted_pk: int | None = None
    mapped: list[tuple[int, PkEntry]] = field(default_factory=list)
    from_ledger: bool = False

    @classmethod
    def summarise(cls, import_uuid: str, model: str, min_ordinal: int,
                  mapped: list[tuple[int, PkEntry]]) -> Chunk:
        """Fill the numbers Sentry records from the mapped records of a batch."""
        chunk = cls(import_uuid, model, mapped=mapped)
        if not mapped:
            return chunk
        inserted = [entry.new_pk for _, entry in mapped if entry.kind is ImportKind.INSERTED]
        sources = [old for old, _ in mapped]
        chunk.min_ordinal = min_ordinal
        chunk.max_ordinal = min_ordinal + len(mapped) - 1
        chunk.min_source_pk, chunk.max_source_pk = min(sources), max(sources)
        if inserted:
            chunk.min_inserted_pk, chunk.max_inserted_pk = min(inserted), max(inserted)
        return chunk

    def to_row(self) -> dict:
        by_kind: dict[ImportKind, dict[str, int]] = {kind: {} for kind in ImportKind}
        identifiers: dict[str, str] = {}
        for old, entry in self.mapped:
            by_kind[entry.kind][str(old)] = entry.new_pk
            if entry.kind is ImportKind.INSERTED and entry.identifier is not None:
                identifiers[str(old)] = entry.identifier
        return {
            "import_uuid": self.import_uuid,
            "model": self.model,
            "min_ordinal": self.min_ordinal,
            "max_ordinal": self.max_ordinal,
            "min_source_pk": self.min_source_pk,
            "max_source_pk": self.max_source_pk,
            "min_inserted_pk": self.min_inserted_pk,
            "max_inserted_pk": self.max_inserted_pk,
            "inserted_map": by_kind[ImportKind.INSERTED],
            "existing_map": by_kind[ImportKind.EXISTING],
            "overwrite_map": by_kind[ImportKind.OVERWRITE],
            "inserted_identifiers": identifiers,
        }

    @classmethod
    def from_row(cls, row: sa.Row) -> Chunk:
        identifiers = row.inserted_identifiers or {}
        mapped: list[tuple[int, PkEntry]] = []
        for kind, column in ((ImportKind.INSERTED, row.inserted_map),
                             (ImportKind.EXISTING, row.existing_map),
                             (ImportKind.OVERWRITE, row.overwrite_map)):
            for old, new in (column or {}).items():
                mapped.append((int(old), PkEntry(int(new), kind, identifiers.get(old))))
        mapped.sort(key=lambda item: item[0])
        return cls(
            import_uuid=str(row.import_uuid), model=row.model,
            min_ordinal=row.min_ordinal, max_ordinal=row.max_ordinal,
            min_source_pk=row.min_source_pk, max_source_pk=row.max_source_pk,
            min_inserted_pk=row.min_inserted_pk, max_inserted_pk=row.max_inserted_pk,
            mapped=mapped, from_ledger=True,
        )


def find_chunk(conn: sa.Connection, table: sa.Table, import_uuid: str, model: str,
               min_ordinal: int) -> Chunk | None:
    row = conn.execute(
        sa.select(table).where(table.c.import_uuid == import_uuid, table.c.model == model,
                               table.c.min_ordinal == min_ordinal)
    ).first()
    return Chunk.from_row(row) if row is not None else None


def record_chunk(conn: sa.Connection, table: sa.Table, chunk: Chunk) -> None:
    conn.execute(sa.insert(table).values(**chunk.to_row()))


def store_chunk_if_absent(conn: sa.Connection, table: sa.Table, chunk: Chunk) -> bool:
    """Insert the chunk unless one with the same key exists; True when it was inserted."""
    stmt = pg.insert(table).values(**chunk.to_row()).on_conflict_do_nothing(
        index_elements=["import_uuid", "model", "min_ordinal"]
    )
    return conn.execute(stmt).rowcount == 1
