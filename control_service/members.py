"""Control's record of organization members (Sentry's OrganizationMemberMapping).

Sentry keeps one mapping per member in control, so that control-side features (a user's
organizations, invites) work without asking every region. The orchestrator sends the mappings
of the members a region has just imported; writing them again changes nothing.
"""

from __future__ import annotations

import functools
from typing import Any

import sqlalchemy as sa

from control_service.models.organizations import organization_member_mapping
from silo_engine.bulk import insert_from_json, json_rows

_COLUMNS = ("organization_id", "organizationmember_id", "role", "user_id", "email",
            "inviter_id", "invite_status")


def map_members(conn: sa.Connection, members: list[dict[str, Any]]) -> int:
    """Insert the mappings not written yet; how many were new."""
    if not members:
        return 0
    return conn.execute(_insert_mappings(), json_rows(members)).rowcount


@functools.cache
def _insert_mappings() -> sa.Insert:
    return insert_from_json(organization_member_mapping, _COLUMNS).on_conflict_do_nothing(
        index_elements=["organization_id", "organizationmember_id"])
