"""Every model a region silo owns, grouped by domain."""

from region_service.models import alerts, options, organizations, projects
from region_service.models.metadata import controlimportchunkreplica, metadata, regionimportchunk
from silo_engine.modelspec import ModelRegistry
from silo_engine.scopes import Silo

REGISTRY = ModelRegistry(
    Silo.REGION, [*options.SPECS, *organizations.SPECS, *projects.SPECS, *alerts.SPECS])

__all__ = ["REGISTRY", "controlimportchunkreplica", "metadata", "regionimportchunk"]
