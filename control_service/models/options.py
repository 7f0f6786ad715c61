"""Instance options kept in the control silo."""

from control_service.models.metadata import metadata
from silo_engine.declare import json_text, model, string, unique, when
from silo_engine.modelspec import Collision
from wire.scopes import RelocationScope, Silo

controloption = model(
    "sentry.controloption", "sentry_controloption", metadata, Silo.CONTROL,
    RelocationScope.CONFIG,
    columns=[
        string("key", 128),
        when("last_updated", auto=True),
        string("last_updated_by", 16, default="unknown"),
        json_text("value", nullable=True),
    ],
    uniques=[unique("key", on=Collision.OVERWRITE_CONFIG)],
)

SPECS = [controloption]
