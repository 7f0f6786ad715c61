"""Control's record of organization members (Sentry's OrganizationMemberMapping).

Sentry keeps one mapping per member in control, so that control-side features (a user's
organizations, invites) work without asking every region. The orchestrator sends the mappings
of the members a region has just imported; writing them again changes nothing.
"""

from __future__ import annotations

import functools
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg

from control_service.models.organizations import organization_member_mapping

_COLUMNS = ("organization_id", "organizationmember_id", "role", "user_id", "email",
            "inviter_id", "invite_status")


def map_members(conn: sa.Connection, members: list[dict[str, Any]]) -> int:
    """Insert the mappings not written yet; how many were new."""
    if not members:
        return 0
    return conn.execute(_insert_mappings(), {"members": orjson.dumps(members).decode()}).rowcount


@functools.cache
def _insert_mappings() -> sa.Insert:
    """Built once: the mappings arrive as one JSON array of objects that PostgreSQL turns into
    typed rows, so neither the statement nor the driver's work grows per column and row."""
    table = organization_member_mapping
    incoming = sa.func.jsonb_to_recordset(sa.cast(sa.bindparam("members"), pg.JSONB)) \
        .table_valued(*(sa.column(name, table.c[name].type) for name in _COLUMNS)) \
        .render_derived(name="incoming", with_types=True)
    return pg.insert(table).from_select(list(_COLUMNS), sa.select(incoming)) \
        .on_conflict_do_nothing(index_elements=["organization_id", "organizationmember_id"])
