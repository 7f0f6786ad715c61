"""Third-party integrations installed on the instance."""

from control_service.models.metadata import metadata
from silo_engine.declare import integer, json_text, model, string, unique, when
from silo_engine.modelspec import Collision
from silo_engine.scopes import RelocationScope, Silo

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

SPECS = [integration]
