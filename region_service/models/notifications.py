"""Notification actions (spike protection, audit log) and the projects they apply to."""

from region_service.models.metadata import metadata
from silo_engine.declare import hybrid, integer, model, ref, string
from silo_engine.modelspec import Row
from wire.scopes import RelocationScope, Silo

ORGANIZATION, GLOBAL = RelocationScope.ORGANIZATION, RelocationScope.GLOBAL


def _action_scope(row: Row) -> RelocationScope:
    """Sentry: an action that goes through an integration or a Sentry app is Global."""
    return GLOBAL if row["integration_id"] or row["sentry_app_id"] else ORGANIZATION


def _action_project_scope(row: Row) -> RelocationScope:
    """Sentry gives a link its action's scope, read from the action's row. A hook sees only this
    record, so Organization is used: on import that is equivalent, because a link whose action
    was left out of the import (a Global action in an organizations import) is dropped with it,
    and any action that was imported had a scope the import accepts."""
    return ORGANIZATION


notificationaction = model(
    "sentry.notificationaction", "sentry_notificationaction", metadata, Silo.REGION,
    {ORGANIZATION, GLOBAL},
    columns=[
        integer("type", small=True),
        integer("target_type", small=True),
        string("target_identifier", None, nullable=True),
        string("target_display", None, nullable=True),
        integer("trigger_type", small=True),
    ],
    refs=[
        hybrid("integration_id", "sentry.integration", nullable=True),
        hybrid("sentry_app_id", "sentry.sentryapp", nullable=True),
        ref("organization", "sentry.organization", "sentry_organization"),
    ],
    instance_scope=_action_scope,
)

notificationactionproject = model(
    "sentry.notificationactionproject", "sentry_notificationactionproject", metadata,
    Silo.REGION, {ORGANIZATION, GLOBAL},
    columns=[],
    refs=[ref("action", "sentry.notificationaction", "sentry_notificationaction"),
          ref("project", "sentry.project", "sentry_project")],
    instance_scope=_action_project_scope,
)

SPECS = [notificationaction, notificationactionproject]
