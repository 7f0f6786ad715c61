"""Environments of an organization and the projects that use them."""

from region_service.models.metadata import metadata
from silo_engine.declare import boolean, model, ref, string, unique, when
from wire.scopes import RelocationScope, Silo

ORGANIZATION = RelocationScope.ORGANIZATION

environment = model(
    "sentry.environment", "sentry_environment", metadata, Silo.REGION, ORGANIZATION,
    columns=[string("name", 64), when("date_added", auto=True)],
    refs=[ref("organization_id", "sentry.organization", "sentry_organization")],
    uniques=[unique("name", "organization_id")],
)

environmentproject = model(
    "sentry.environmentproject", "sentry_environmentproject", metadata, Silo.REGION,
    ORGANIZATION,
    columns=[boolean("is_hidden", nullable=True)],
    refs=[ref("environment", "sentry.environment", "sentry_environment"),
          ref("project", "sentry.project", "sentry_project")],
    uniques=[unique("environment", "project")],
)

SPECS = [environment, environmentproject]
