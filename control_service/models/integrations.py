"""Third-party integrations installed on the instance."""

from control_service.models.metadata import metadata
from silo_engine.declare import hybrid, integer, json_text, model, ref, string, unique, when
from silo_engine.modelspec import Collision
from wire.scopes import RelocationScope, Silo

integration = model(
    "sentry.integration", "sentry_integration", metadata, Silo.CONTROL, RelocationScope.GLOBAL,
    columns=[
        string("provider", 64),
        string("external_id", 64),
        string("name", 200),
        json_text("metadata", nullable=True, default=dict),
        integer("status", nullable=True, default=0),
        when("date_added", nullable=True, auto=True),
        when("date_updated", nullable=True, auto=True),
    ],
    # The same external installation already connected here: reuse it rather than fail.
    uniques=[unique("external_id", "provider", on=Collision.EXISTING)],
)

# The organization is always a new row, so (integration, organization_id) collides only within a
# faulty export: Sentry's IntegrityError (the default policy) stands.
organizationintegration = model(
    "sentry.organizationintegration", "sentry_organizationintegration", metadata, Silo.CONTROL,
    RelocationScope.GLOBAL,
    columns=[
        when("date_updated", auto=True),
        when("date_added", nullable=True, auto=True),
        json_text("config", nullable=False, default=dict),
        integer("default_auth_id", nullable=True),  # an Identity id, kept as exported
        integer("status", default=0),
        when("grace_period_end", nullable=True),
    ],
    refs=[
        hybrid("organization_id", "sentry.organization"),
        ref("integration", "sentry.integration", "sentry_integration"),
    ],
    uniques=[unique("integration", "organization_id")],
)

SPECS = [integration, organizationintegration]
