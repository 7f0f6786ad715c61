"""Every model the control silo owns, grouped by domain."""

from control_service.models import (
    api_access,
    auth,
    auth_providers,
    integrations,
    options,
    organizations,
    sentry_apps,
    users,
)
from control_service.models.metadata import controlimportchunk, importbinding, metadata
from silo_engine.modelspec import ModelRegistry
from wire.scopes import Silo

REGISTRY = ModelRegistry(
    Silo.CONTROL,
    [*users.SPECS, *auth.SPECS, *options.SPECS, *integrations.SPECS, *auth_providers.SPECS,
     *api_access.SPECS, *sentry_apps.SPECS])

__all__ = ["REGISTRY", "controlimportchunk", "importbinding", "metadata", "organizations"]
