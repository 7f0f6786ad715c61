"""Issue alert rules."""

import sqlalchemy as sa

from region_service.models.metadata import metadata
from silo_engine.declare import hybrid, integer, json_text, model, ref, string, when
from silo_engine.modelspec import OnMissing
from silo_engine.scopes import RelocationScope, Silo

rule = model(
    "sentry.rule", "sentry_rule", metadata, Silo.REGION, RelocationScope.ORGANIZATION,
    columns=[
        string("label", 256),
        json_text("data", nullable=True),
        integer("status", default=0),
        integer("source", default=0),
        when("date_added", auto=True),
    ],
    refs=[
        ref("project", "sentry.project", "sentry_project"),
        ref("environment_id", "sentry.environment", None, nullable=True),
        # Owners who were not imported are forgotten; the rule is kept without an owner.
        hybrid("owner_user_id", "sentry.user", nullable=True, on_missing=OnMissing.NULLIFY),
        ref("owner_team", "sentry.team", "sentry_team", nullable=True,
            on_missing=OnMissing.NULLIFY),
    ],
    constraints=[sa.CheckConstraint("owner_user_id IS NULL OR owner_team_id IS NULL",
                                    name="rule_owner_user_or_team_check")],
)

SPECS = [rule]
