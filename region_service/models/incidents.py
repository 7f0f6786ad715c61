"""Metric alert incidents: triggers, activity and the snapshots taken when they closed."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import sqlalchemy as sa

from region_service.models.metadata import metadata
from silo_engine.context import BatchContext
from silo_engine.declare import hybrid, integer, json_text, model, ref, string, unique, when
from silo_engine.modelspec import OnMissing, Row
from wire.scopes import RelocationScope, Silo

GLOBAL = RelocationScope.GLOBAL


def _uuid(name: str) -> sa.Column:
    return sa.Column(name, sa.Uuid(as_uuid=False), nullable=True)


def _fresh_uuid(column: str) -> Callable[[Row, BatchContext], None]:
    """Sentry mints a new uuid for this column when the record has one."""

    def normalize(row: Row, ctx: BatchContext) -> None:
        if row[column] is not None:
            row[column] = str(uuid.uuid4())

    return normalize


incident = model(
    "sentry.incident", "sentry_incident", metadata, Silo.REGION, GLOBAL,
    columns=[
        integer("identifier"),
        _uuid("detection_uuid"),
        integer("status", default=1, small=True),
        integer("status_method", default=3, small=True),
        integer("type", small=True),
        string("title", None),
        when("date_started", auto=True),
        when("date_detected", auto=True),
        when("date_added", auto=True),
        when("date_closed", nullable=True),
    ],
    refs=[
        ref("organization", "sentry.organization", "sentry_organization"),
        ref("alert_rule", "sentry.alertrule", "sentry_alertrule"),
        ref("subscription", "sentry.querysubscription", "sentry_querysubscription",
            nullable=True),
        # Alert rule activations are never exported: keep the incident, forget the activation.
        ref("activation", "sentry.alertruleactivations", None, nullable=True,
            on_missing=OnMissing.NULLIFY),
    ],
    uniques=[unique("identifier", "organization")],
    normalize=_fresh_uuid("detection_uuid"),
)

incidenttrigger = model(
    "sentry.incidenttrigger", "sentry_incidenttrigger", metadata, Silo.REGION, GLOBAL,
    columns=[
        integer("status", small=True),
        when("date_modified", auto=True),
        when("date_added", auto=True),
    ],
    refs=[ref("incident", "sentry.incident", "sentry_incident"),
          ref("alert_rule_trigger", "sentry.alertruletrigger", "sentry_alertruletrigger")],
    uniques=[unique("alert_rule_trigger", "incident")],
)

incidentactivity = model(
    "sentry.incidentactivity", "sentry_incidentactivity", metadata, Silo.REGION, GLOBAL,
    columns=[
        integer("type"),
        string("value", None, nullable=True),
        string("previous_value", None, nullable=True),
        string("comment", None, nullable=True),
        when("date_added", auto=True),
        _uuid("notification_uuid"),
    ],
    refs=[ref("incident", "sentry.incident", "sentry_incident"),
          hybrid("user_id", "sentry.user", nullable=True, on_missing=OnMissing.NULLIFY)],
    normalize=_fresh_uuid("notification_uuid"),
)

# The three snapshot models were removed from newer Sentry; older exports carry them.
# `values` is a list of [timestamp, value] pairs (older exports write it as a Python literal):
# stored as exported.
timeseriessnapshot = model(
    "sentry.timeseriessnapshot", "sentry_timeseriessnapshot", metadata, Silo.REGION, GLOBAL,
    columns=[
        when("start"),
        when("end"),
        json_text("values", nullable=True),
        integer("period"),
        when("date_added", auto=True),
    ],
    relocation_dependencies=("sentry.incident",),
)

incidentsnapshot = model(
    "sentry.incidentsnapshot", "sentry_incidentsnapshot", metadata, Silo.REGION, GLOBAL,
    columns=[integer("unique_users"), integer("total_events"), when("date_added", auto=True)],
    refs=[ref("incident", "sentry.incident", "sentry_incident"),
          ref("event_stats_snapshot", "sentry.timeseriessnapshot", "sentry_timeseriessnapshot")],
    uniques=[unique("incident")],
)

pendingincidentsnapshot = model(
    "sentry.pendingincidentsnapshot", "sentry_pendingincidentsnapshot", metadata, Silo.REGION,
    GLOBAL,
    columns=[when("target_run_date", auto=True), when("date_added", auto=True)],
    refs=[ref("incident", "sentry.incident", "sentry_incident")],
    uniques=[unique("incident")],
)

SPECS = [incident, incidenttrigger, incidentactivity, timeseriessnapshot, incidentsnapshot,
         pendingincidentsnapshot]
