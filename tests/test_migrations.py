"""Each silo's Alembic history produces exactly the tables its models declare."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from control_service import app as control_app
from control_service.models import metadata as control_metadata
from region_service import app as region_app
from region_service.models import metadata as region_metadata
from silo_engine.database import head_revision, make_engine
from tests.conftest import _db_url


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
