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


def map_members(conn: sa.Connection, members: list[dict[str, Any]]) -> int:
    """Insert the mappings not written yet; how many were new."""
    if not members:
        return 0
    # One multi-row statement: an executemany here sent (and logged) one INSERT per member.
    stmt = pg.insert(organization_member_mapping).values(members).on_conflict_do_nothing(
        index_elements=["organization_id", "organizationmember_id"])
    return conn.execute(stmt).rowcount
