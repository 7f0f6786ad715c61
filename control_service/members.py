"""Control's record of organization members (Sentry's OrganizationMemberMapping).

Sentry keeps one mapping per member in control, so that control-side features (a user's
organizations, invites) work without asking every region. The orchestrator sends the mappings
of the members a region has just imported; writing them again changes nothing.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg

from control_service.models.organizations import organization_member_mapping

_COLUMNS = ("organization_id", "organizationmember_id", "role", "user_id", "email",
            "inviter_id", "invite_status")


def map_members(conn: sa.Connection, members: list[dict[str, Any]]) -> int:
    """Insert the mappings not written yet; how many were new."""
    if not members:
        return 0
    # One array per column, unnest'ed into rows: the statement stays the same whatever the
    # batch size (a multi-row VALUES list took SQLAlchemy longer to compile than to run).
    table = organization_member_mapping
    arrays = [sa.cast(sa.bindparam(name, [m[name] for m in members], type_=pg.ARRAY(
        table.c[name].type)), pg.ARRAY(table.c[name].type)) for name in _COLUMNS]
    rows = sa.select(sa.func.unnest(*arrays).table_valued(*_COLUMNS).render_derived(
        name="incoming"))
    stmt = pg.insert(table).from_select(list(_COLUMNS), rows).on_conflict_do_nothing(
        index_elements=["organization_id", "organizationmember_id"])
    return conn.execute(stmt).rowcount
