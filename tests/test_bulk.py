"""Binary COPY: values go in as their columns' types, and a value too wide for a 2- or 4-byte
integer column is refused (the binary format would wrap it silently)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from psycopg import errors as pg_errors

from region_service.models.organizations import organizationmember, organizationmemberteam
from silo_engine.bulk import allocate_ids, copy_rows
from silo_engine.modelspec import ModelSpec
from tests.conftest import Silos

WHEN = datetime(2023, 6, 22, 22, 54, 28, 773000, tzinfo=UTC)


def _row(spec: ModelSpec, **values: object) -> dict[str, object]:
    return {c.key: values.get(c.key) for c in spec.table.columns if c.key != "id"}


@pytest.mark.parametrize(("spec", "new_id", "values", "column"), [
    (organizationmemberteam, 2**31, {}, "id"),  # an int4 primary key
    (organizationmember, 1, {"invite_status": 2**15}, "invite_status"),  # a smallint
    (organizationmember, 1, {"invite_status": -2**15 - 1}, "invite_status"),
])
def test_a_value_too_wide_for_its_integer_column_is_refused(
        silos: Silos, spec: ModelSpec, new_id: int, values: dict, column: str) -> None:
    with silos.region_db.connect() as conn, pytest.raises(pg_errors.NumericValueOutOfRange,
                                                          match=column):
        copy_rows(conn, spec.table, [new_id], [_row(spec, **values)])
    assert silos.count("region", spec.table.name) == 0


def test_the_widest_values_that_fit_land_unchanged(silos: Silos) -> None:
    with silos.region_db.begin() as conn:
        # No organization 1 here: its foreign key is not what is being tested.
        conn.exec_driver_sql("ALTER TABLE sentry_organizationmember DISABLE TRIGGER ALL")
        ids = allocate_ids(conn, organizationmember.table, 2)
        rows = [_row(organizationmember, organization_id=1, role="member", flags=2**63 - 1,
                     invite_status=status, type=-2**31, has_global_access=True,
                     user_is_active=False, date_added=WHEN) for status in (2**15 - 1, -2**15)]
        copy_rows(conn, organizationmember.table, ids, rows)
        conn.exec_driver_sql("ALTER TABLE sentry_organizationmember ENABLE TRIGGER ALL")
    found = silos.rows("region", "SELECT invite_status, type, flags, has_global_access, "
                       "user_is_active, role, date_added FROM sentry_organizationmember "
                       "ORDER BY id")
    assert [tuple(r) for r in found] == [
        (2**15 - 1, -2**31, 2**63 - 1, True, False, "member", WHEN),
        (-2**15, -2**31, 2**63 - 1, True, False, "member", WHEN)]
