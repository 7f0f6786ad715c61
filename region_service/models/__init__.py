"""Every model a region silo owns, grouped by domain."""

from region_service.models import (
    alert_rules,
    alerts,
    dashboards,
    environments,
    incidents,
    integrations,
    monitors,
    notifications,
    options,
    organizations,
    projects,
    sampling,
    searches,
    snuba,
    workflows,
)
from region_service.models.metadata import (
    controlimportchunkreplica,
    importbinding,
    metadata,
    regionimportchunk,
)
from silo_engine.modelspec import ModelRegistry
from wire.scopes import Silo

REGISTRY = ModelRegistry(
    Silo.REGION,
    [*options.SPECS, *organizations.SPECS, *projects.SPECS, *alerts.SPECS, *environments.SPECS,
     *searches.SPECS, *dashboards.SPECS, *sampling.SPECS, *monitors.SPECS, *snuba.SPECS,
     *alert_rules.SPECS, *incidents.SPECS, *notifications.SPECS, *integrations.SPECS,
     *workflows.SPECS])

__all__ = ["REGISTRY", "controlimportchunkreplica", "importbinding", "metadata",
           "regionimportchunk"]
