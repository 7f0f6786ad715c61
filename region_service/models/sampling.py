"""Custom dynamic sampling rules and the projects they apply to."""

import sqlalchemy as sa

from region_service.models.metadata import metadata
from silo_engine.declare import boolean, hybrid, integer, model, ref, string, unique, when
from silo_engine.modelspec import OnMissing
from wire.scopes import RelocationScope, Silo

ORGANIZATION = RelocationScope.ORGANIZATION

customdynamicsamplingrule = model(
    "sentry.customdynamicsamplingrule", "sentry_customdynamicsamplingrule", metadata,
    Silo.REGION, ORGANIZATION,
    columns=[
        when("date_added", auto=True),
        boolean("is_active", default=True),
        boolean("is_org_level", default=False),
        integer("rule_id", default=0),
        string("condition", None),
        sa.Column("sample_rate", sa.Double, nullable=False, default=0.0),
        when("start_date", auto=True),
        when("end_date"),
        integer("num_samples"),
        string("condition_hash", 40),
        string("query", None, nullable=True),
        boolean("notification_sent", nullable=True),
    ],
    refs=[
        ref("organization", "sentry.organization", "sentry_organization"),
        hybrid("created_by_id", "sentry.user", nullable=True, on_missing=OnMissing.NULLIFY),
    ],
)

customdynamicsamplingruleproject = model(
    "sentry.customdynamicsamplingruleproject", "sentry_customdynamicsamplingruleproject",
    metadata, Silo.REGION, ORGANIZATION,
    columns=[],
    refs=[ref("custom_dynamic_sampling_rule", "sentry.customdynamicsamplingrule",
              "sentry_customdynamicsamplingrule"),
          ref("project", "sentry.project", "sentry_project")],
    uniques=[unique("custom_dynamic_sampling_rule", "project")],
)

SPECS = [customdynamicsamplingrule, customdynamicsamplingruleproject]
