"""Instance options and Relay registrations kept in the region."""

from region_service.models.metadata import metadata
from silo_engine.declare import boolean, json_text, model, string, unique, when
from silo_engine.modelspec import Collision
from wire.scopes import RelocationScope, Silo

CONFIG = RelocationScope.CONFIG

option = model(
    "sentry.option", "sentry_option", metadata, Silo.REGION, CONFIG,
    columns=[
        string("key", 128),
        when("last_updated", auto=True),
        string("last_updated_by", 16, default="unknown"),
        json_text("value", nullable=True),
    ],
    uniques=[unique("key", on=Collision.OVERWRITE_CONFIG)],
)

relay = model(
    "sentry.relay", "sentry_relay", metadata, Silo.REGION, CONFIG,
    columns=[
        string("relay_id", 64),
        string("public_key", 200),
        when("first_seen", nullable=True),
        when("last_seen", nullable=True),
        boolean("is_internal", nullable=True, default=False),
    ],
    uniques=[unique("relay_id", on=Collision.OVERWRITE_CONFIG)],
)

relayusage = model(
    "sentry.relayusage", "sentry_relayusage", metadata, Silo.REGION, CONFIG,
    columns=[
        string("relay_id", 64),
        string("version", 32, default="0.0.1"),
        when("first_seen", auto=True),
        when("last_seen", auto=True),
        string("public_key", 200, nullable=True),
    ],
    uniques=[unique("relay_id", "version", on=Collision.OVERWRITE_CONFIG)],
)

SPECS = [option, relay, relayusage]
