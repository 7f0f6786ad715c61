"""API access beside tokens: organization API keys, OAuth grants and authorizations."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from control_service.models.duplicates import renew_duplicates
from control_service.models.metadata import metadata
from silo_engine.context import BatchContext
from silo_engine.declare import (
    flags,
    hybrid,
    integer,
    model,
    now,
    ref,
    string,
    text_array,
    unique,
    when,
)
from silo_engine.modelspec import NOT_NULL, Collision, Row
from silo_engine.randomness import hex_token
from wire.scopes import RelocationScope, Silo

CONFIG, GLOBAL = RelocationScope.CONFIG, RelocationScope.GLOBAL


def _new_api_key() -> str:
    return hex_token(16)  # Sentry's ApiKey.generate_api_key: 32 hex characters


def _new_key(row: Row) -> None:
    row["key"] = _new_api_key()


def _require_key(row: Row, ctx: BatchContext) -> None:
    """Sentry's save() mints a key for a key left empty."""
    if not row["key"]:
        _new_key(row)


apikey = model(
    "sentry.apikey", "sentry_apikey", metadata, Silo.CONTROL, GLOBAL,
    columns=[
        flags("scopes", default=0),
        text_array("scope_list", nullable=True, default=list),
        string("label", 64, default="Default"),
        string("key", 32, default=_new_api_key),
        integer("status", default=0),
        when("date_added", auto=True),
        sa.Column("allowed_origins", sa.Text, nullable=True),
    ],
    refs=[hybrid("organization_id", "sentry.organization")],
    uniques=[unique("key", on=Collision.REGENERATE, regenerate=_new_key)],
    normalize=_require_key,
    secret_fields=frozenset({"key"}),
)


def _new_grant_code() -> str:
    return hex_token(32)  # Sentry's generate_code: 64 hex characters


def _renew_grant_codes(conn: sa.Connection, inserted: list[tuple[int, Row]],
                       ctx: BatchContext) -> None:
    """Grants are looked up by code: a code already in use here gets a fresh one."""
    renew_duplicates(conn, apigrant.table, "code", [pk for pk, _ in inserted], _new_grant_code)


apigrant = model(
    "sentry.apigrant", "sentry_apigrant", metadata, Silo.CONTROL, GLOBAL,
    columns=[
        sa.Column("code", sa.String(64), nullable=False, default=_new_grant_code, index=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False, index=True,
                  default=lambda: now() + timedelta(minutes=10)),
        string("redirect_uri", 255),
        flags("scopes", default=0),
        text_array("scope_list", nullable=True, default=list),
    ],
    refs=[
        ref("user", "sentry.user", "auth_user"),
        ref("application", "sentry.apiapplication", "sentry_apiapplication"),
        hybrid("organization_id", "sentry.organization", nullable=True),
    ],
    after_insert=_renew_grant_codes,
    secret_fields=frozenset({"code"}),
)


def _authorization_scope(row: Row) -> RelocationScope:
    """Authorizations of an OAuth application are instance-bound (Global); others are Config."""
    return GLOBAL if row.get("application_id") is not None else CONFIG


apiauthorization = model(
    "sentry.apiauthorization", "sentry_apiauthorization", metadata, Silo.CONTROL,
    {CONFIG, GLOBAL},
    columns=[
        flags("scopes", default=0),
        text_array("scope_list", nullable=True, default=list),
        when("date_added", auto=True),
    ],
    refs=[
        ref("application", "sentry.apiapplication", "sentry_apiapplication", nullable=True),
        ref("user", "sentry.user", "auth_user"),
        hybrid("organization_id", "sentry.organization", nullable=True),
    ],
    # Sentry's two keys are partial: one authorization per user and application without an
    # organization, and one per organization.
    uniques=[
        unique("user", "application", where=(("organization_id", None),),
               name="apiauthorization_user_app"),
        unique("user", "application", "organization_id", where=(("organization_id", NOT_NULL),),
               name="apiauthorization_user_app_org"),
    ],
    instance_scope=_authorization_scope,
)

SPECS = [apikey, apigrant, apiauthorization]
