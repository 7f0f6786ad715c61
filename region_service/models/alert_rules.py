"""Metric alert rules: triggers, trigger actions, projects, history and activation conditions."""

import sqlalchemy as sa

from region_service.models.metadata import metadata
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
from silo_engine.modelspec import OnMissing
from wire.scopes import RelocationScope, Silo

ORGANIZATION = RelocationScope.ORGANIZATION


def _float(name: str, *, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.Double, nullable=nullable)


alertrule = model(
    "sentry.alertrule", "sentry_alertrule", metadata, Silo.REGION, ORGANIZATION,
    columns=[
        string("name", None),
        integer("status", default=0, small=True),
        integer("threshold_type", nullable=True, small=True),
        _float("resolve_threshold", nullable=True),
        integer("threshold_period"),
        integer("comparison_delta", nullable=True),
        when("date_modified", auto=True),
        when("date_added", auto=True),
        integer("monitor_type", default=0),
        string("description", 1000, nullable=True),
        string("detection_type", 32, default="static"),
        string("sensitivity", None, nullable=True),
        string("seasonality", None, nullable=True),
        boolean("include_all_projects", nullable=True, default=False),  # older exports only
    ],
    refs=[
        ref("organization", "sentry.organization", "sentry_organization", nullable=True),
        ref("snuba_query", "sentry.snubaquery", "sentry_snubaquery", nullable=True),
        # The rule's owner, a user or a team: forgotten when not imported, as for issue rules.
        hybrid("user_id", "sentry.user", nullable=True, on_missing=OnMissing.NULLIFY),
        ref("team", "sentry.team", "sentry_team", nullable=True, on_missing=OnMissing.NULLIFY),
    ],
    uniques=[unique("snuba_query")],
)

alertruletrigger = model(
    "sentry.alertruletrigger", "sentry_alertruletrigger", metadata, Silo.REGION, ORGANIZATION,
    columns=[
        string("label", None),
        integer("threshold_type", nullable=True, small=True),
        _float("alert_threshold"),
        _float("resolve_threshold", nullable=True),
        when("date_added", auto=True),
    ],
    refs=[ref("alert_rule", "sentry.alertrule", "sentry_alertrule")],
    uniques=[unique("alert_rule", "label")],
)

alertruletriggeraction = model(
    "sentry.alertruletriggeraction", "sentry_alertruletriggeraction", metadata, Silo.REGION,
    RelocationScope.GLOBAL,
    columns=[
        integer("type", small=True),
        integer("target_type", small=True),
        string("target_identifier", None, nullable=True),
        string("target_display", None, nullable=True),
        when("date_added", auto=True),
        json_text("sentry_app_config", nullable=True),
        integer("status", default=0),
    ],
    refs=[
        ref("alert_rule_trigger", "sentry.alertruletrigger", "sentry_alertruletrigger"),
        hybrid("integration_id", "sentry.integration", nullable=True),
        hybrid("sentry_app_id", "sentry.sentryapp", nullable=True),
    ],
)

alertruleprojects = model(
    "sentry.alertruleprojects", "sentry_alertruleprojects", metadata, Silo.REGION, ORGANIZATION,
    columns=[when("date_added", auto=True)],
    refs=[ref("alert_rule", "sentry.alertrule", "sentry_alertrule"),
          ref("project", "sentry.project", "sentry_project")],
    uniques=[unique("alert_rule", "project")],
)

alertruleactivity = model(
    "sentry.alertruleactivity", "sentry_alertruleactivity", metadata, Silo.REGION, ORGANIZATION,
    columns=[integer("type"), when("date_added", auto=True)],
    refs=[
        ref("alert_rule", "sentry.alertrule", "sentry_alertrule"),
        ref("previous_alert_rule", "sentry.alertrule", "sentry_alertrule", nullable=True),
        hybrid("user_id", "sentry.user", nullable=True, on_missing=OnMissing.NULLIFY),
    ],
)

# Removed from newer Sentry (with activated alert rules); older exports carry it.
alertruleactivationcondition = model(
    "sentry.alertruleactivationcondition", "sentry_alertruleactivationcondition", metadata,
    Silo.REGION, ORGANIZATION,
    columns=[
        string("label", None),
        integer("condition_type", nullable=True, small=True),
        when("date_added", auto=True),
    ],
    refs=[ref("alert_rule", "sentry.alertrule", "sentry_alertrule")],
    uniques=[unique("alert_rule", "label")],
)

SPECS = [alertrule, alertruletrigger, alertruletriggeraction, alertruleprojects,
         alertruleactivity, alertruleactivationcondition]
