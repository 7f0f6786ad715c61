"""A batch written under the chunk ledger: the stored answer, and the write again with every
lookup as a typed outcome of the first attempt (real PostgreSQL)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import sqlalchemy as sa

from region_service.models import controlimportchunkreplica, regionimportchunk
from silo_engine.collisions import Action, Lookups
from silo_engine.ledger import Chunk, Mapped, store_chunk_if_absent
from silo_engine.ledgered import BatchKey, write_ledgered
from tests.conftest import Silos
from wire.errors import ErrorKind, ImportFailure

MODEL = "sentry.probe"


@dataclass
class _Probe:
    """A batch of one row of the probe table: `value` on an attempt that looks up every key,
    else `trusting_value`; `left_to_constraint` keys are reported left to the constraint."""

    lookups: Lookups
    key: BatchKey
    trusting_value: str
    left_to_constraint: int

    @property
    def turn(self) -> str | None:
        return "ledgered_probe"

    def resolve(self, conn: sa.Connection) -> int:
        return self.left_to_constraint if self.lookups is Lookups.TRUST_NEW_REFERENCES else 0

    def write(self, conn: sa.Connection) -> Chunk:
        value = self.trusting_value if self.lookups is Lookups.TRUST_NEW_REFERENCES else "fresh"
        new_pk = conn.execute(sa.text("INSERT INTO ledgered_probe (value) VALUES (:v) "
                                      "RETURNING id"), {"v": value}).scalar_one()
        return Chunk.summarise(self.key.import_uuid, MODEL, self.key.min_ordinal,
                               Mapped(MODEL, [7], [new_pk], [Action.INSERT.code]))


@pytest.fixture
def probe_db(silos: Silos) -> Iterator[sa.Engine]:
    with silos.region_db.begin() as conn:
        conn.execute(sa.text("CREATE TABLE ledgered_probe (id serial PRIMARY KEY, "
                             "value text UNIQUE)"))
        conn.execute(sa.text("INSERT INTO ledgered_probe (value) VALUES ('taken')"))
    yield silos.region_db


def _write(engine: sa.Engine, key: BatchKey, trusting_value: str, left_to_constraint: int,
           seen: list[Lookups]) -> Chunk:
    def prepare(conn: sa.Connection, lookups: Lookups) -> _Probe:
        seen.append(lookups)
        return _Probe(lookups, key, trusting_value, left_to_constraint)

    return write_ledgered(engine, regionimportchunk, key, prepare)


def test_a_refused_key_left_to_the_constraint_is_written_again_with_every_lookup(
        probe_db: sa.Engine) -> None:
    key = BatchKey(str(uuid.uuid4()), MODEL, 1, 1)
    seen: list[Lookups] = []
    chunk = _write(probe_db, key, "taken", 1, seen)
    assert seen == [Lookups.TRUST_NEW_REFERENCES, Lookups.EVERY_KEY]
    assert not chunk.from_ledger and chunk.mapped.old_pks == [7]
    with probe_db.connect() as conn:
        values = conn.execute(sa.text("SELECT value FROM ledgered_probe ORDER BY id")).scalars()
        assert list(values) == ["taken", "fresh"]  # the refused attempt left nothing
    # Sent again, the batch is answered from the ledger without being prepared.
    again: list[Lookups] = []
    stored = _write(probe_db, key, "taken", 1, again)
    assert again == [] and stored.from_ledger and stored.mapped == chunk.mapped


def test_a_refused_key_that_was_looked_up_is_an_integrity_error(probe_db: sa.Engine) -> None:
    key = BatchKey(str(uuid.uuid4()), MODEL, 1, 1)
    seen: list[Lookups] = []
    with pytest.raises(ImportFailure) as caught:
        _write(probe_db, key, "taken", 0, seen)
    assert caught.value.kind is ErrorKind.INTEGRITY_ERROR and caught.value.model == MODEL
    assert seen == [Lookups.TRUST_NEW_REFERENCES]
    with probe_db.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(regionimportchunk)
                            ).scalar_one() == 0


def test_a_stored_chunk_shorter_than_the_batch_is_refused_naming_both_ranges(
        probe_db: sa.Engine) -> None:
    """A resume whose batch ends past the stored chunk's used to be answered from it, and the
    records past the chunk were never written; a stored chunk must cover exactly the batch."""
    import_uuid = str(uuid.uuid4())
    _write(probe_db, BatchKey(import_uuid, MODEL, 1, 3), "first", 0, [])
    seen: list[Lookups] = []
    with pytest.raises(ImportFailure) as refused:
        _write(probe_db, BatchKey(import_uuid, MODEL, 1, 5), "second", 0, seen)
    assert refused.value.kind is ErrorKind.INVALID_MIN_ORDINAL
    assert "records 1 to 3 as one batch, which this batch of records 1 to 5" in \
        refused.value.reason
    assert seen == []  # nothing was prepared, nothing written
    with probe_db.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM ledgered_probe")).scalar() == 2


def test_a_replica_chunk_is_stored_once_and_says_so(silos: Silos) -> None:
    """StoreControlChunkReplica's `created`: true for the first copy only (it was always
    false: the driver's rowcount for INSERT ... ON CONFLICT is -1)."""
    chunk = Chunk.summarise(str(uuid.uuid4()), "sentry.user", 1,
                            Mapped("sentry.user", [1], [2], [Action.INSERT.code]))
    stored = []
    for _ in range(2):
        with silos.region_db.begin() as conn:
            stored.append(store_chunk_if_absent(conn, controlimportchunkreplica, chunk))
    assert stored == [True, False]
    assert silos.count("region", "sentry_controlimportchunkreplica") == 1
