"""Organization single sign-on: each organization's auth provider and its users' identities."""

from __future__ import annotations

import sqlalchemy as sa

from control_service.models.metadata import metadata
from silo_engine.declare import (
    boolean,
    flags,
    hybrid,
    integer,
    json_text,
    model,
    ref,
    string,
    unique,
    when,
)
from wire.scopes import RelocationScope, Silo

GLOBAL = RelocationScope.GLOBAL

# Organizations are always imported as new rows, so the keys below can only collide within a
# faulty export: Sentry's IntegrityError (the default policy) is the right answer.
authprovider = model(
    "sentry.authprovider", "sentry_authprovider", metadata, Silo.CONTROL, GLOBAL,
    columns=[
        string("provider", 128),
        json_text("config", nullable=False, default=dict),
        when("date_added", auto=True),
        integer("sync_time", nullable=True),
        sa.Column("last_sync", sa.DateTime(timezone=True), nullable=True),
        integer("default_role", default=50),
        boolean("default_global_access", default=True),
        flags("flags", default=0),  # allow_unlinked, scim_enabled
    ],
    refs=[hybrid("organization_id", "sentry.organization")],
    uniques=[unique("organization_id")],
)

authidentity = model(
    "sentry.authidentity", "sentry_authidentity", metadata, Silo.CONTROL, GLOBAL,
    columns=[
        string("ident", 128),
        json_text("data", nullable=False, default=dict),
        when("last_verified", auto=True),
        when("last_synced", auto=True),
        when("date_added", auto=True),
    ],
    refs=[
        ref("user", "sentry.user", "auth_user"),
        ref("auth_provider", "sentry.authprovider", "sentry_authprovider"),
    ],
    uniques=[unique("auth_provider", "ident"), unique("auth_provider", "user")],
    secret_fields=frozenset({"data"}),  # holds the identity provider's tokens
)

SPECS = [authprovider, authidentity]
