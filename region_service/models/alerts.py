"""Issue alert rules, their snoozes, history and neglect notices."""

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

rule = model(
    "sentry.rule", "sentry_rule", metadata, Silo.REGION, ORGANIZATION,
    columns=[
        string("label", 256),
        json_text("data", nullable=True),
        integer("status", default=0),
        integer("source", default=0),
        when("date_added", auto=True),
    ],
    refs=[
        ref("project", "sentry.project", "sentry_project"),
        ref("environment_id", "sentry.environment", "sentry_environment", nullable=True),
        # Owners who were not imported are forgotten; the rule is kept without an owner.
        hybrid("owner_user_id", "sentry.user", nullable=True, on_missing=OnMissing.NULLIFY),
        ref("owner_team", "sentry.team", "sentry_team", nullable=True,
            on_missing=OnMissing.NULLIFY),
    ],
    constraints=[sa.CheckConstraint("owner_user_id IS NULL OR owner_team_id IS NULL",
                                    name="rule_owner_user_or_team_check")],
)

neglectedrule = model(
    "sentry.neglectedrule", "sentry_neglectedrule", metadata, Silo.REGION, ORGANIZATION,
    columns=[
        when("disable_date"),
        boolean("opted_out", default=False),
        when("sent_initial_email_date", nullable=True),
        when("sent_final_email_date", nullable=True),
    ],
    refs=[ref("organization", "sentry.organization", "sentry_organization"),
          ref("rule", "sentry.rule", "sentry_rule")],
)

# A snooze of an issue alert rule or of a metric alert rule, for one user (`user_id`) or for
# everyone (no user). `owner_id` is who snoozed it.
rulesnooze = model(
    "sentry.rulesnooze", "sentry_rulesnooze", metadata, Silo.REGION, ORGANIZATION,
    columns=[when("until", nullable=True), when("date_added", auto=True)],
    refs=[
        ref("rule", "sentry.rule", "sentry_rule", nullable=True),
        ref("alert_rule", "sentry.alertrule", "sentry_alertrule", nullable=True),
        hybrid("user_id", "sentry.user", nullable=True),
        hybrid("owner_id", "sentry.user", nullable=True, on_missing=OnMissing.NULLIFY),
    ],
    # One snooze per user, and (Sentry's partial keys) one for everyone, per rule.
    uniques=[unique("rule", "user_id"), unique("alert_rule", "user_id"),
             unique("rule", where=(("user_id", None),)),
             unique("alert_rule", where=(("user_id", None),))],
    constraints=[sa.CheckConstraint(
        "(rule_id IS NOT NULL AND alert_rule_id IS NULL) OR "
        "(rule_id IS NULL AND alert_rule_id IS NOT NULL)", name="rule_or_alert_rule")],
)

ruleactivity = model(
    "sentry.ruleactivity", "sentry_ruleactivity", metadata, Silo.REGION, ORGANIZATION,
    columns=[integer("type"), when("date_added", auto=True)],
    refs=[ref("rule", "sentry.rule", "sentry_rule"),
          hybrid("user_id", "sentry.user", nullable=True, on_missing=OnMissing.NULLIFY)],
)

SPECS = [rule, neglectedrule, rulesnooze, ruleactivity]
