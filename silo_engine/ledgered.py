"""A batch written under the chunk ledger: at most once per import, whoever sends it.

`write_ledgered` owns everything around a batch's rows: the ledger lookup that answers a batch
written before, the turn batches of one table take before their collision lookups (an advisory
lock) and the second lookup after it, the twin call that wrote the same batch first (the lost
race), and the write again with every lookup when the table's unique constraint refused a key
that was left to it. The batch itself (prepare, resolve, write) is the engine's.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple, Protocol

import psycopg
import sqlalchemy as sa
from psycopg import errors as pg_errors
from sqlalchemy import exc as sa_exc

from silo_engine import ledger
from silo_engine.collisions import Lookups
from silo_engine.redact import database_message
from wire.errors import ErrorKind, ImportFailure

log = logging.getLogger("relocation.silo")


class BatchKey(NamedTuple):
    """What the chunk ledger knows a batch by: its first ordinal, and its last, which tells a
    batch cut otherwise by an earlier run (ledger.find_chunk)."""

    import_uuid: str
    model: str
    min_ordinal: int
    last_ordinal: int


class PreparedBatch(Protocol):
    """A batch's records made rows, ready to be checked for collisions and written."""

    @property
    def turn(self) -> str | None:
        """The table whose batches must take turns from collision lookup to commit (their
        lookups read what the others write); None when there is nothing to look up."""

    def resolve(self, conn: sa.Connection) -> int:
        """Decide each row's action; how many keys were left to the unique constraint."""

    def write(self, conn: sa.Connection) -> ledger.Chunk:
        """Write the rows; the batch's answer."""


# Makes a batch's rows in the batch's transaction, looking up the keys Lookups says.
Prepare = Callable[[sa.Connection, Lookups], PreparedBatch]


@dataclass(frozen=True)
class WriteAgain:
    """The outcome of an attempt whose keys left to the unique constraint were refused by it:
    the batch is to be written again with every lookup, so the collision policy decides."""

    unchecked_keys: int


def write_ledgered(engine: sa.Engine, chunk_table: sa.Table, key: BatchKey,
                   prepare: Prepare) -> ledger.Chunk:
    """The batch's answer: stored by an earlier call, or written now and recorded, in one
    transaction; an ImportFailure when it cannot be written."""
    outcome = _attempt(engine, chunk_table, key, prepare, Lookups.TRUST_NEW_REFERENCES)
    if isinstance(outcome, WriteAgain):
        # A key left to the unique constraint was taken after all: by another record of this
        # import, in this batch or an earlier one (the export repeats it), or by a row written
        # beside the import.
        log.info("unique_key_retry model=%s min_ordinal=%s unchecked_keys=%d", key.model,
                 key.min_ordinal, outcome.unchecked_keys)
        outcome = _attempt(engine, chunk_table, key, prepare, Lookups.EVERY_KEY)
        assert not isinstance(outcome, WriteAgain), "every key was looked up"
    return outcome


def _attempt(engine: sa.Engine, chunk_table: sa.Table, key: BatchKey, prepare: Prepare,
             lookups: Lookups) -> ledger.Chunk | WriteAgain:
    """One attempt at the batch, in one transaction."""
    unchecked = 0
    try:
        with engine.begin() as conn:
            stored = ledger.find_chunk(conn, chunk_table, *key)
            if stored is not None:  # written before, by an earlier run or call
                return stored
            batch = prepare(conn, lookups)
            if batch.turn is not None:
                conn.execute(_TABLE_LOCK, {"table": batch.turn})
                # The same batch sent twice at once (one import run twice) may have committed
                # while this one waited: its rows would collide with this copy's, and its
                # answer is this batch's answer.
                stored = ledger.find_chunk(conn, chunk_table, *key)
                if stored is not None:
                    _lost_race(key)
                    return stored
            unchecked = batch.resolve(conn)
            chunk = batch.write(conn)
            chunk.batch_last_ordinal = key.last_ordinal
            if chunk.mapped.old_pks:
                ledger.record_chunk(conn, chunk_table, chunk)
            return chunk
    except ImportFailure:
        raise
    except (sa_exc.DBAPIError, psycopg.Error) as exc:
        # COPY runs on the driver connection, so its errors arrive unwrapped.
        error = exc.orig if isinstance(exc, sa_exc.DBAPIError) else exc
        if isinstance(error, pg_errors.UniqueViolation):
            with engine.connect() as conn:
                stored = ledger.find_chunk(conn, chunk_table, *key)
            if stored is not None:
                _lost_race(key)
                return stored
            if unchecked:
                return WriteAgain(unchecked)
        raise ImportFailure(_error_kind(error), key.model, _db_reason(exc)) from exc


_TABLE_LOCK = sa.text("SELECT pg_advisory_xact_lock(hashtext(:table))")


def _lost_race(key: BatchKey) -> None:
    """The same batch was written by a twin call first; the twin's answer is returned."""
    log.info("lost_import_race model=%s min_ordinal=%s", key.model, key.min_ordinal)


def _error_kind(error: BaseException | None) -> ErrorKind:
    """IntegrityError for constraint violations (bad or colliding data), else DatabaseError."""
    if isinstance(error, psycopg.IntegrityError):
        return ErrorKind.INTEGRITY_ERROR
    return ErrorKind.DATABASE_ERROR


def _db_reason(exc: BaseException) -> str:
    orig = exc.orig if isinstance(exc, sa_exc.DBAPIError) else exc
    text = str(orig).strip() if orig is not None else str(exc)
    return database_message(" ".join(text.splitlines()[:2])) if text else type(exc).__name__


__all__ = ["BatchKey", "PreparedBatch", "WriteAgain", "write_ledgered"]
