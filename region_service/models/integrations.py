"""What hangs off integrations and Sentry apps in the region: repositories, project
integrations and service hooks."""

from __future__ import annotations

import secrets
import uuid

from region_service.models.metadata import metadata
from silo_engine.context import BatchContext
from silo_engine.declare import (
    hybrid,
    integer,
    json_text,
    model,
    ref,
    string,
    text_array,
    unique,
    when,
)
from silo_engine.modelspec import Collision, Row
from wire.scopes import RelocationScope, Silo

GLOBAL = RelocationScope.GLOBAL

repository = model(
    "sentry.repository", "sentry_repository", metadata, Silo.REGION, GLOBAL,
    columns=[
        string("name", 200),
        string("url", 200, nullable=True),
        string("provider", 64, nullable=True),
        string("external_id", 64, nullable=True),
        json_text("config", nullable=False, default=dict),
        integer("status", default=0),
        when("date_added", auto=True),
        text_array("languages", nullable=False, default=list),  # newer exports only
    ],
    refs=[
        ref("organization_id", "sentry.organization", "sentry_organization"),
        # An implicit reference (a plain id column) to the control silo's integration.
        ref("integration_id", "sentry.integration", None, nullable=True),
    ],
    uniques=[unique("external_id", "organization_id", "provider")],
)

# Removed from newer Sentry; older exports carry it.
projectintegration = model(
    "sentry.projectintegration", "sentry_projectintegration", metadata, Silo.REGION, GLOBAL,
    columns=[json_text("config", nullable=False, default=dict)],
    refs=[ref("project", "sentry.project", "sentry_project"),
          hybrid("integration_id", "sentry.integration")],
    uniques=[unique("integration_id", "project")],
)


def _new_guid(row: Row) -> None:
    row["guid"] = uuid.uuid4().hex


def _require_guid(row: Row, ctx: BatchContext) -> None:
    """Sentry's ServiceHook gives itself a guid when it has none."""
    if not row["guid"]:
        _new_guid(row)


# `actor_id` is not a reference in Sentry's dependency graph: it is copied as exported.
servicehook = model(
    "sentry.servicehook", "sentry_servicehook", metadata, Silo.REGION, GLOBAL,
    columns=[
        string("guid", 32, nullable=True),
        integer("actor_id", big=True),
        string("url", 512),
        string("secret", None, default=lambda: secrets.token_hex()),
        text_array("events", nullable=False, default=list),
        integer("status", default=0),
        integer("version", default=0),
        when("date_added", auto=True),
    ],
    refs=[
        hybrid("application_id", "sentry.apiapplication", nullable=True),
        hybrid("installation_id", "sentry.sentryappinstallation", nullable=True),
        ref("organization_id", "sentry.organization", "sentry_organization", nullable=True),
        ref("project_id", "sentry.project", "sentry_project", nullable=True),
    ],
    uniques=[unique("guid", on=Collision.REGENERATE, regenerate=_new_guid)],
    normalize=_require_guid,
)

SPECS = [repository, projectintegration, servicehook]
