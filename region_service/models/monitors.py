"""Cron monitors."""

from __future__ import annotations

import uuid

import sqlalchemy as sa

from region_service.models.metadata import metadata
from silo_engine.context import BatchContext
from silo_engine.declare import (
    boolean,
    hybrid,
    integer,
    json_text,
    model,
    ref,
    string,
    unique,
    when,
)
from silo_engine.modelspec import Collision, OnMissing, Row
from wire.scopes import RelocationScope, Silo


def _new_guid(row: Row) -> None:
    row["guid"] = str(uuid.uuid4())


def _forget_owner_team(row: Row, ctx: BatchContext) -> None:
    """`owner_team_id` is a plain number in Sentry, not a reference it remaps: the source team's
    id would name an unrelated team (or none) here, so the team owner is forgotten."""
    row["owner_team_id"] = None


monitor = model(
    "sentry.monitor", "sentry_monitor", metadata, Silo.REGION, RelocationScope.ORGANIZATION,
    columns=[
        when("date_added", auto=True),
        integer("status", default=0),
        sa.Column("guid", sa.Uuid(as_uuid=False), nullable=False,
                  default=lambda: str(uuid.uuid4())),
        string("slug", 50),
        boolean("is_muted", default=False),
        string("name", 128),
        boolean("is_upserting", default=False),  # newer exports only
        integer("owner_team_id", nullable=True, big=True),
        json_text("config", nullable=False, default=dict),
        integer("type", nullable=True),  # older exports only
    ],
    refs=[
        ref("organization_id", "sentry.organization", "sentry_organization"),
        ref("project_id", "sentry.project", "sentry_project"),
        hybrid("owner_user_id", "sentry.user", nullable=True, on_missing=OnMissing.NULLIFY),
    ],
    uniques=[
        # Sentry gives every imported monitor a new guid; we keep it unless it is taken.
        unique("guid", on=Collision.REGENERATE, regenerate=_new_guid),
        unique("project_id", "slug"),
    ],
    constraints=[sa.CheckConstraint("owner_user_id IS NULL OR owner_team_id IS NULL",
                                    name="monitor_owner_team_or_user_check")],
    normalize=_forget_owner_team,
)

SPECS = [monitor]
