"""The chunk ledger: one row per written batch, keyed by (import_uuid, model, min_ordinal).

A retried batch finds its row and gets the stored answer back without writing again, which is
what makes every batch idempotent and an interrupted import resumable.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg

from wire.accounting import DropReason
from wire.errors import ErrorKind, ImportFailure
from wire.pkwire import CODE_OF_KIND
from wire.scopes import ImportKind


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
        # Not Sentry's: the last ordinal of the batch as sent (max_ordinal counts only the
        # records it mapped), so a resume can tell a batch cut otherwise exactly; null in rows
        # written before it was added.
        sa.Column("batch_last_ordinal", sa.BigInteger, nullable=True),
        sa.Column("min_source_pk", sa.BigInteger, nullable=False),
        sa.Column("max_source_pk", sa.BigInteger, nullable=False),
        sa.Column("min_inserted_pk", sa.BigInteger, nullable=True),
        sa.Column("max_inserted_pk", sa.BigInteger, nullable=True),
        # json, not Sentry's jsonb: written once per batch and only ever read back whole, so
        # PostgreSQL need not take each map apart (control_0005, region_0004).
        sa.Column("inserted_map", sa.JSON, nullable=False),
        sa.Column("existing_map", sa.JSON, nullable=False),
        sa.Column("overwrite_map", sa.JSON, nullable=False),
        sa.Column("inserted_identifiers", sa.JSON, nullable=False),
        # Not Sentry's: the rest of the batch's answer, for the import's report: its records
        # left out by reason, and the secrets regenerated ({"dropped": {reason: count},
        # "regenerated": [[old pk, field, old value, new value], ...]}); null in rows written
        # before it was added (control_0007, region_0006).
        sa.Column("accounting", sa.JSON, nullable=True),
        # Not Sentry's: each row the batch wrote over, as it was before (target pk -> the row's
        # row_to_json text), so a rollback restores it; null when the batch overwrote nothing.
        sa.Column("before_images", sa.JSON(none_as_null=True), nullable=True),
        # Not Sentry's: set once a rollback has undone this batch (a rerun skips it).
        sa.Column("rolled_back", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("date_added", sa.DateTime(timezone=True), nullable=False,
                  server_default=sa.func.now()),
        sa.Column("date_updated", sa.DateTime(timezone=True), nullable=False,
                  server_default=sa.func.now()),
        sa.UniqueConstraint("import_uuid", "model", "min_ordinal",
                            name=f"{name}_chunk_key_uniq"),
    )


@dataclass
class Mapped:
    """Where each mapped old pk of a batch went, as parallel plain columns in input order
    (server.py makes them the answer's PkMapColumns, once)."""

    model: str
    old_pks: list[int] = field(default_factory=list)
    new_pks: list[int] = field(default_factory=list)
    kinds: list[int] = field(default_factory=list)  # each entry's ImportKind, by its code
    identifiers: dict[int, str] = field(default_factory=dict)  # an inserted record's name


class Regenerated(NamedTuple):
    """A record's unique key given a new secret on a collision. The values are kept only for a
    key that is no secret (UniqueSpec.public: a DSN's public key)."""

    old_pk: int
    field: str
    old_value: str | None = None
    new_value: str | None = None


@dataclass
class Chunk:
    """The answer for one batch: where each mapped old pk went, and the ledger's numbers."""

    import_uuid: str
    model: str
    mapped: Mapped
    min_ordinal: int | None = None
    max_ordinal: int | None = None
    min_source_pk: int | None = None
    max_source_pk: int | None = None
    min_inserted_pk: int | None = None
    max_inserted_pk: int | None = None
    from_ledger: bool = False
    batch_last_ordinal: int | None = None  # the batch's last ordinal as sent
    dropped: dict[str, int] = field(default_factory=dict)  # records left out, by DropReason
    regenerated: list[Regenerated] = field(default_factory=list)
    # Rows the batch wrote over, as they were: target pk -> row_to_json text (a rollback's).
    before_images: dict[int, str] | None = None

    @classmethod
    def summarise(cls, import_uuid: str, model: str, min_ordinal: int, mapped: Mapped) -> Chunk:
        """Fill the numbers Sentry records from the mapped records of a batch."""
        chunk = cls(import_uuid, model, mapped)
        if not mapped.old_pks:
            return chunk
        inserted = [new for new, kind in zip(mapped.new_pks, mapped.kinds, strict=True)
                    if kind == _INSERTED]
        chunk.min_ordinal = min_ordinal
        chunk.max_ordinal = min_ordinal + len(mapped.old_pks) - 1
        chunk.min_source_pk, chunk.max_source_pk = min(mapped.old_pks), max(mapped.old_pks)
        if inserted:
            chunk.min_inserted_pk, chunk.max_inserted_pk = min(inserted), max(inserted)
        return chunk

    def to_row(self) -> dict:
        """The ledger row. Its maps are keyed by old pk as an int, which the engine's JSON
        serializer writes as the string Sentry's maps are keyed by (database.json_text)."""
        mapped = self.mapped
        by_kind: dict[int, dict[int, int]] = {code: {} for code in _COLUMN_OF_KIND}
        if set(mapped.kinds) == {_INSERTED}:  # most batches: every record inserted
            by_kind[_INSERTED] = dict(zip(mapped.old_pks, mapped.new_pks, strict=True))
        else:
            for old, new, kind in zip(mapped.old_pks, mapped.new_pks, mapped.kinds,
                                      strict=True):
                by_kind[kind][old] = new
        inserted = by_kind[_INSERTED]
        identifiers = {old: name for old, name in mapped.identifiers.items() if old in inserted}
        return {
            "import_uuid": self.import_uuid,
            "model": self.model,
            "min_ordinal": self.min_ordinal,
            "max_ordinal": self.max_ordinal,
            "batch_last_ordinal": self.batch_last_ordinal,
            "min_source_pk": self.min_source_pk,
            "max_source_pk": self.max_source_pk,
            "min_inserted_pk": self.min_inserted_pk,
            "max_inserted_pk": self.max_inserted_pk,
            **{column: by_kind[code] for code, column in _COLUMN_OF_KIND.items()},
            "inserted_identifiers": identifiers,
            "accounting": {"dropped": self.dropped,
                           "regenerated": [list(entry) for entry in self.regenerated]},
            "before_images": self.before_images or None,
        }

    @classmethod
    def from_row(cls, row: sa.Row) -> Chunk:
        entries = sorted((int(old), int(new), code) for code, column in _COLUMN_OF_KIND.items()
                         for old, new in (getattr(row, column) or {}).items())
        mapped = Mapped(row.model, [old for old, _, _ in entries], [new for _, new, _ in entries],
                        [code for _, _, code in entries],
                        {int(old): name for old, name in (row.inserted_identifiers or {}).items()})
        chunk = cls(
            import_uuid=str(row.import_uuid), model=row.model,
            min_ordinal=row.min_ordinal, max_ordinal=row.max_ordinal,
            min_source_pk=row.min_source_pk, max_source_pk=row.max_source_pk,
            min_inserted_pk=row.min_inserted_pk, max_inserted_pk=row.max_inserted_pk,
            mapped=mapped, from_ledger=True, batch_last_ordinal=row.batch_last_ordinal,
        )
        if row.accounting is not None:
            chunk.dropped = dict(row.accounting["dropped"])
            chunk.regenerated = [Regenerated(*entry) for entry in row.accounting["regenerated"]]
        elif row.batch_last_ordinal is not None:  # a row from before reasons were kept
            left_out = row.batch_last_ordinal - row.min_ordinal + 1 - len(mapped.old_pks)
            if left_out:
                chunk.dropped = {DropReason.UNRECORDED.value: left_out}
        return chunk


_INSERTED = CODE_OF_KIND[ImportKind.INSERTED]
# The ledger column holding each kind's old pk -> new pk map (Sentry's names).
_COLUMN_OF_KIND = {_INSERTED: "inserted_map", CODE_OF_KIND[ImportKind.EXISTING]: "existing_map",
                   CODE_OF_KIND[ImportKind.OVERWRITE]: "overwrite_map"}


def find_chunk(conn: sa.Connection, table: sa.Table, import_uuid: str, model: str,
               min_ordinal: int, last_ordinal: int) -> Chunk | None:
    """The stored answer for the batch of ordinals [min_ordinal, last_ordinal], if an earlier
    call wrote exactly that batch; an InvalidMinOrdinal ImportFailure if an earlier run of the
    import cut the model into other batches: answering from a chunk that covers fewer records
    would skip the rest silently, and writing over one would write records twice."""
    rows = conn.execute(_find_query(table), {"uuid": import_uuid, "model": model,
                                             "first": min_ordinal, "last": last_ordinal}).all()
    if not rows:
        return None
    row = rows[0]
    # Rows from before batch_last_ordinal was recorded can only be told by their mapped range.
    if (len(rows) > 1 or row.min_ordinal != min_ordinal or row.max_ordinal > last_ordinal
            or row.batch_last_ordinal not in (None, last_ordinal)):
        stored_end = row.max_ordinal if row.batch_last_ordinal is None else row.batch_last_ordinal
        raise ImportFailure(
            ErrorKind.INVALID_MIN_ORDINAL, model,
            f"import {import_uuid} already wrote {model} records {row.min_ordinal} to "
            f"{stored_end} as one batch, which this batch of records {min_ordinal} to "
            f"{last_ordinal} does not match. The import's source file, scope and flags are "
            "the first run's (its binding is checked before any batch), so the first run cut "
            "the model into other batches: it ran another relocate version or another "
            "--batch-size. Resume with the version and --batch-size it was started with, or "
            "import under a new --import-uuid.")
    return Chunk.from_row(row)


@functools.cache
def _find_query(table: sa.Table) -> sa.Select:
    """Built once per table: every batch starts with this lookup. A chunk stored under this
    batch's first ordinal is its answer; one starting later within its ordinals, or ending
    past them, was a batch cut otherwise (two rows are enough to tell)."""
    return (sa.select(table)
            .where(table.c.import_uuid == sa.bindparam("uuid"),
                   table.c.model == sa.bindparam("model"),
                   table.c.min_ordinal.between(sa.bindparam("first"), sa.bindparam("last")))
            .order_by(table.c.min_ordinal).limit(2))


def record_chunk(conn: sa.Connection, table: sa.Table, chunk: Chunk) -> None:
    conn.execute(table.insert(), chunk.to_row())


def store_chunk_if_absent(conn: sa.Connection, table: sa.Table, chunk: Chunk) -> bool:
    """Insert the chunk unless one with the same key exists; True when it was inserted (told by
    RETURNING: the driver reports a rowcount of -1 for INSERT ... ON CONFLICT here)."""
    stmt = pg.insert(table).values(**chunk.to_row()).on_conflict_do_nothing(
        index_elements=["import_uuid", "model", "min_ordinal"]
    ).returning(table.c.id)
    return conn.execute(stmt).first() is not None
