"""The workflow engine (`workflow_engine.*`): detectors, workflows, their conditions and data
sources, and the links to the alert rules they replace."""

from __future__ import annotations

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


def _dates() -> list[sa.Column]:
    """Sentry's DefaultFieldsModel."""
    return [when("date_added", auto=True), when("date_updated", auto=True)]


def _owner_check(table: str) -> sa.CheckConstraint:
    return sa.CheckConstraint("owner_user_id IS NULL OR owner_team_id IS NULL",
                              name=f"{table}_owner_constraints")


dataconditiongroup = model(
    "workflow_engine.dataconditiongroup", "workflow_engine_dataconditiongroup", metadata,
    Silo.REGION, ORGANIZATION,
    columns=[string("logic_type", 200, default="any"), *_dates()],
    refs=[ref("organization", "sentry.organization", "sentry_organization")],
)

# `source_id` names a row of the model that `type` selects (a query subscription, a monitor...).
# Newer Sentry remaps it through that model's pk map; a reference whose target depends on
# another field cannot be declared, so it is kept as exported.
datasource = model(
    "workflow_engine.datasource", "workflow_engine_datasource", metadata, Silo.REGION,
    ORGANIZATION,
    columns=[string("source_id", None), string("type", None), *_dates()],
    refs=[ref("organization", "sentry.organization", "sentry_organization")],
)

datacondition = model(
    "workflow_engine.datacondition", "workflow_engine_datacondition", metadata, Silo.REGION,
    ORGANIZATION,
    columns=[
        json_text("comparison", nullable=False),
        json_text("condition_result", nullable=False),
        string("type", 200, default="eq"),
        *_dates(),
    ],
    refs=[ref("condition_group", "workflow_engine.dataconditiongroup",
              "workflow_engine_dataconditiongroup")],
)

workflow = model(
    "workflow_engine.workflow", "workflow_engine_workflow", metadata, Silo.REGION, ORGANIZATION,
    columns=[
        string("name", 256),
        json_text("config", nullable=False, default=dict),
        boolean("enabled", default=True),
        integer("status", default=0, small=True),
        *_dates(),
    ],
    refs=[
        ref("organization", "sentry.organization", "sentry_organization"),
        ref("when_condition_group", "workflow_engine.dataconditiongroup",
            "workflow_engine_dataconditiongroup", nullable=True),
        ref("environment", "sentry.environment", "sentry_environment", nullable=True),
        # Owner and author are forgotten when not imported, as for issue alert rules.
        hybrid("owner_user_id", "sentry.user", nullable=True, on_missing=OnMissing.NULLIFY),
        ref("owner_team", "sentry.team", "sentry_team", nullable=True,
            on_missing=OnMissing.NULLIFY),
        hybrid("created_by_id", "sentry.user", nullable=True, on_missing=OnMissing.NULLIFY),
    ],
    uniques=[unique("name", "organization")],
    constraints=[_owner_check("workflow_engine_workflow")],
)

detector = model(
    "workflow_engine.detector", "workflow_engine_detector", metadata, Silo.REGION, ORGANIZATION,
    columns=[
        string("name", 200),
        string("type", 200),
        json_text("config", nullable=False, default=dict),
        boolean("enabled", default=True),
        integer("status", default=0, small=True),
        string("description", None, nullable=True),
        *_dates(),
    ],
    refs=[
        ref("organization", "sentry.organization", "sentry_organization", nullable=True),
        ref("project", "sentry.project", "sentry_project", nullable=True),
        ref("workflow_condition_group", "workflow_engine.dataconditiongroup",
            "workflow_engine_dataconditiongroup", nullable=True),
        hybrid("owner_user_id", "sentry.user", nullable=True, on_missing=OnMissing.NULLIFY),
        ref("owner_team", "sentry.team", "sentry_team", nullable=True,
            on_missing=OnMissing.NULLIFY),
        hybrid("created_by_id", "sentry.user", nullable=True, on_missing=OnMissing.NULLIFY),
    ],
    uniques=[unique("name", "organization"), unique("workflow_condition_group")],
    constraints=[_owner_check("workflow_engine_detector")],
)

datasourcedetector = model(
    "workflow_engine.datasourcedetector", "workflow_engine_datasourcedetector", metadata,
    Silo.REGION, ORGANIZATION,
    columns=_dates(),
    refs=[ref("data_source", "workflow_engine.datasource", "workflow_engine_datasource"),
          ref("detector", "workflow_engine.detector", "workflow_engine_detector")],
    uniques=[unique("data_source", "detector")],
)

# Replaced in newer Sentry. Issues (`sentry.group`) are never exported, so Sentry and we drop
# every record of it: its group is never in the pk map.
workflowgroupstatus = model(
    "workflow_engine.workflowgroupstatus", "workflow_engine_workflowgroupstatus", metadata,
    Silo.REGION, ORGANIZATION,
    columns=[integer("status", default=0, small=True), *_dates()],
    refs=[ref("workflow", "workflow_engine.workflow", "workflow_engine_workflow"),
          ref("group", "sentry.group", None)],
    uniques=[unique("group", "workflow")],
)

workflowdataconditiongroup = model(
    "workflow_engine.workflowdataconditiongroup", "workflow_engine_workflowdataconditiongroup",
    metadata, Silo.REGION, ORGANIZATION,
    columns=_dates(),
    refs=[ref("condition_group", "workflow_engine.dataconditiongroup",
              "workflow_engine_dataconditiongroup"),
          ref("workflow", "workflow_engine.workflow", "workflow_engine_workflow")],
    uniques=[unique("condition_group")],
)

detectorworkflow = model(
    "workflow_engine.detectorworkflow", "workflow_engine_detectorworkflow", metadata,
    Silo.REGION, ORGANIZATION,
    columns=_dates(),
    refs=[ref("detector", "workflow_engine.detector", "workflow_engine_detector"),
          ref("workflow", "workflow_engine.workflow", "workflow_engine_workflow")],
)

alertruleworkflow = model(
    "workflow_engine.alertruleworkflow", "workflow_engine_alertruleworkflow", metadata,
    Silo.REGION, ORGANIZATION,
    columns=_dates(),
    refs=[ref("alert_rule", "sentry.alertrule", "sentry_alertrule", nullable=True),
          ref("rule", "sentry.rule", "sentry_rule", nullable=True),
          ref("workflow", "workflow_engine.workflow", "workflow_engine_workflow")],
    uniques=[unique("alert_rule", "workflow"), unique("rule", "workflow")],
)

alertruledetector = model(
    "workflow_engine.alertruledetector", "workflow_engine_alertruledetector", metadata,
    Silo.REGION, ORGANIZATION,
    columns=_dates(),
    refs=[ref("alert_rule", "sentry.alertrule", "sentry_alertrule", nullable=True),
          ref("detector", "workflow_engine.detector", "workflow_engine_detector"),
          ref("rule", "sentry.rule", "sentry_rule", nullable=True)],
    uniques=[unique("alert_rule", "detector"), unique("detector", "rule")],
)

# Replaced in newer Sentry by `workflow_engine.dataconditionalertruletrigger`.
alertruletriggerdatacondition = model(
    "workflow_engine.alertruletriggerdatacondition",
    "workflow_engine_alertruletriggerdatacondition", metadata, Silo.REGION, ORGANIZATION,
    columns=_dates(),
    refs=[ref("alert_rule_trigger", "sentry.alertruletrigger", "sentry_alertruletrigger"),
          ref("data_condition", "workflow_engine.datacondition",
              "workflow_engine_datacondition")],
)

SPECS = [dataconditiongroup, datasource, datacondition, workflow, detector, datasourcedetector,
         workflowgroupstatus, workflowdataconditiongroup, detectorworkflow, alertruleworkflow,
         alertruledetector, alertruletriggerdatacondition]
