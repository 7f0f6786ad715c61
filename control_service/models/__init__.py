"""Every model the control silo owns, grouped by domain."""

from control_service.models import auth, integrations, options, organizations, users
from control_service.models.metadata import controlimportchunk, metadata
from silo_engine.modelspec import ModelRegistry
from silo_engine.scopes import Silo

REGISTRY = ModelRegistry(
    Silo.CONTROL, [*users.SPECS, *auth.SPECS, *options.SPECS, *integrations.SPECS])

__all__ = ["REGISTRY", "controlimportchunk", "metadata", "organizations"]
