"""Snuba queries behind metric alerts and their subscriptions."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg

from region_service.models.metadata import metadata
from silo_engine.declare import integer, json_text, model, ref, string, unique, when
from silo_engine.modelspec import Collision, Row
from wire.scopes import RelocationScope, Silo

ORGANIZATION = RelocationScope.ORGANIZATION
SUBSCRIPTION_CREATING = 1

snubaquery = model(
    "sentry.snubaquery", "sentry_snubaquery", metadata, Silo.REGION, ORGANIZATION,
    columns=[
        integer("type", small=True),
        string("dataset", None),
        string("query", None),
        sa.Column("group_by", pg.ARRAY(sa.String(200)), nullable=True),  # newer exports only
        string("aggregate", None),
        integer("time_window"),
        integer("resolution"),
        integer("extrapolation_mode", default=0),  # newer exports only
        json_text("query_snapshot", nullable=True),  # newer exports only
        when("date_added", auto=True),
    ],
    refs=[ref("environment", "sentry.environment", "sentry_environment", nullable=True)],
    relocation_dependencies=("sentry.organization", "sentry.project"),
)

snubaqueryeventtype = model(
    "sentry.snubaqueryeventtype", "sentry_snubaqueryeventtype", metadata, Silo.REGION,
    ORGANIZATION,
    columns=[integer("type", small=True)],
    refs=[ref("snuba_query", "sentry.snubaquery", "sentry_snubaquery")],
    uniques=[unique("snuba_query", "type")],
)


def _resubscribe(row: Row) -> None:
    """The Snuba subscription id is taken: clear it and mark the subscription as being created,
    so Sentry's subscription checker creates a new Snuba subscription and stores its id."""
    row["subscription_id"] = None
    row["status"] = SUBSCRIPTION_CREATING


querysubscription = model(
    "sentry.querysubscription", "sentry_querysubscription", metadata, Silo.REGION, ORGANIZATION,
    columns=[
        string("type", None),
        integer("status", default=0, small=True),
        string("subscription_id", None, nullable=True),
        when("date_added", auto=True),
        when("date_updated", nullable=True, auto=True),
        string("query_extra", None, nullable=True),
    ],
    refs=[ref("project", "sentry.project", "sentry_project"),
          ref("snuba_query", "sentry.snubaquery", "sentry_snubaquery", nullable=True)],
    uniques=[unique("subscription_id", on=Collision.REGENERATE, regenerate=_resubscribe)],
)

SPECS = [snubaquery, snubaqueryeventtype, querysubscription]
