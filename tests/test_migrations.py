"""Each silo's Alembic history produces exactly the tables its models declare."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from control_service import app as control_app
from control_service.models import metadata as control_metadata
from region_service import app as region_app
from region_service.models import metadata as region_metadata
from silo_engine import ledger
from silo_engine.database import alembic_config, head_revision, make_engine
from silo_engine.server import chunk_to_response
from tests.conftest import _admin, _db_url
from wire.pkwire import from_columns
from wire.scopes import ImportKind

IMPORT_UUID = "5a1b2c3d4e5f40718293a4b5c6d7e8f9"


@pytest.mark.parametrize(("silo", "metadata", "app"), [
    ("control", control_metadata, control_app), ("region", region_metadata, region_app)])
def test_migrations_match_the_declared_models(silo: str, metadata: sa.MetaData, app: object,
                                              pg_admin_url: str,
                                              templates: dict[str, str]) -> None:
    engine = make_engine(_db_url(pg_admin_url, templates[silo]), pool_size=1)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            assert context.get_current_revision() == head_revision(app.MIGRATIONS)
            differences = compare_metadata(context, metadata)
    finally:
        engine.dispose()
    assert differences == [], f"run an autogenerate revision for the {silo} silo"


@pytest.mark.parametrize(("app", "before", "table"), [
    (control_app, "control_0004", "sentry_controlimportchunk"),
    (region_app, "region_0003", "sentry_regionimportchunk"),
    (region_app, "region_0003", "sentry_controlimportchunkreplica")])
def test_chunks_written_before_the_maps_became_json_still_answer_a_retry(
        app: object, before: str, table: str, pg_admin_url: str) -> None:
    """A chunk ledger from before control_0005/region_0004 (jsonb maps) keeps every entry, so
    an import started then resumes after the upgrade with the answers it had."""
    name = f"t_migrate_{uuid.uuid4().hex[:8]}"
    _admin(pg_admin_url, f'CREATE DATABASE "{name}"')
    url = _db_url(pg_admin_url, name)
    engine = make_engine(url, pool_size=1)
    try:
        command.upgrade(alembic_config(app.MIGRATIONS, url), before)
        with engine.begin() as conn:
            conn.execute(sa.text(
                f"INSERT INTO {table} (import_uuid, model, min_ordinal, max_ordinal, "
                "min_source_pk, max_source_pk, min_inserted_pk, max_inserted_pk, inserted_map, "
                "existing_map, overwrite_map, inserted_identifiers) VALUES (:u, 'sentry.user', "
                "1, 3, 5, 7, 10, 10, CAST(:inserted AS jsonb), CAST(:existing AS jsonb), "
                "'{}', CAST(:names AS jsonb))"),
                {"u": IMPORT_UUID, "inserted": '{"5": 10}', "existing": '{"6": 2, "7": 3}',
                 "names": '{"5": "ada"}'})
        command.upgrade(alembic_config(app.MIGRATIONS, url), "head")
        chunk_table = sa.Table(table, sa.MetaData(), autoload_with=engine)
        with engine.connect() as conn:
            chunk = ledger.find_chunk(conn, chunk_table, IMPORT_UUID, "sentry.user", 1, 3)
    finally:
        engine.dispose()
        _admin(pg_admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    assert chunk is not None and chunk.from_ledger
    assert [(old, entry.new_pk, entry.kind, entry.identifier)
            for old, entry in from_columns(chunk_to_response(chunk).mapped)] == [
        (5, 10, ImportKind.INSERTED, "ada"), (6, 2, ImportKind.EXISTING, None),
        (7, 3, ImportKind.EXISTING, None)]
    assert (chunk.min_inserted_pk, chunk.max_inserted_pk) == (10, 10)
