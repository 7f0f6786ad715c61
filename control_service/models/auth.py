"""Credentials: authenticators, API applications and tokens, organization auth tokens."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from control_service.models.metadata import metadata
from silo_engine.context import BatchContext
from silo_engine.declare import (
    boolean,
    flags,
    hybrid,
    integer,
    json_text,
    model,
    now,
    ref,
    string,
    text_array,
    unique,
    when,
)
from silo_engine.modelspec import Collision, OnMissing, Row
from silo_engine.randomness import hex_token, sha256_hex
from wire.scopes import RelocationScope, Silo

CONFIG, GLOBAL, ORGANIZATION = (RelocationScope.CONFIG, RelocationScope.GLOBAL,
                                RelocationScope.ORGANIZATION)

authenticator = model(
    "sentry.authenticator", "auth_authenticator", metadata, Silo.CONTROL, GLOBAL,
    columns=[
        when("created_at", auto=True),
        when("last_used_at", nullable=True),
        integer("type"),
        json_text("config", nullable=True),
    ],
    refs=[ref("user", "sentry.user", "auth_user")],
    uniques=[unique("type", "user")],
    merged_user_field="user",
    pk_type=sa.Integer,
)


def _new_client_credentials(row: Row) -> None:
    row["client_id"] = hex_token(32)
    row["client_secret"] = hex_token(32)


apiapplication = model(
    "sentry.apiapplication", "sentry_apiapplication", metadata, Silo.CONTROL, GLOBAL,
    columns=[
        string("client_id", 64, default=lambda: hex_token(32)),
        sa.Column("client_secret", sa.Text, nullable=False, default=lambda: hex_token(32)),
        string("name", 64, default=""),
        integer("status", default=0),
        sa.Column("allowed_origins", sa.Text, nullable=True),
        sa.Column("redirect_uris", sa.Text, nullable=False, default=""),
        string("homepage_url", 200, nullable=True),
        string("privacy_url", 200, nullable=True),
        string("terms_url", 200, nullable=True),
        when("date_added", auto=True),
        boolean("requires_org_level_access", default=False),
        text_array("scopes", nullable=False, default=list),
        integer("version", default=0),
    ],
    refs=[ref("owner", "sentry.user", "auth_user", nullable=True)],
    uniques=[unique("client_id", on=Collision.REGENERATE, regenerate=_new_client_credentials)],
)


def _token_like(old: str | None) -> str:
    """A fresh token in the same style as `old` (Sentry's user tokens carry a prefix)."""
    prefix = old.split("_", 1)[0] + "_" if old and "_" in old[:8] else ""
    return prefix + hex_token(32)


def _new_api_token(row: Row) -> None:
    """Mint a new token, refresh token and expiry for a colliding ApiToken."""
    row["token"] = _token_like(row["token"])
    row["hashed_token"] = sha256_hex(row["token"])
    row["token_last_characters"] = row["token"][-4:]
    if row["refresh_token"] is not None:
        row["refresh_token"] = _token_like(row["refresh_token"])
        row["hashed_refresh_token"] = sha256_hex(row["refresh_token"])
    if row["expires_at"] is not None:
        row["expires_at"] = now() + timedelta(days=30)


def _api_token_scope(row: Row) -> RelocationScope:
    """Tokens of an OAuth application are instance-bound (Global); personal ones are Config."""
    return GLOBAL if row.get("application_id") is not None else CONFIG


apitoken = model(
    "sentry.apitoken", "sentry_apitoken", metadata, Silo.CONTROL, {CONFIG, GLOBAL},
    columns=[
        string("name", 255, nullable=True),
        string("token", 71, default=lambda: hex_token(32)),
        string("hashed_token", 128, nullable=True),
        string("token_type", 7, nullable=True),
        string("token_last_characters", 4, nullable=True),
        string("refresh_token", 71, nullable=True),
        string("hashed_refresh_token", 128, nullable=True),
        when("expires_at", nullable=True),
        flags("scopes", default=0),
        text_array("scope_list", nullable=True, default=list),
        when("date_added", auto=True),
    ],
    refs=[
        ref("user", "sentry.user", "auth_user"),
        ref("application", "sentry.apiapplication", "sentry_apiapplication", nullable=True),
        hybrid("scoping_organization_id", "sentry.organization", nullable=True),
    ],
    uniques=[
        unique("token", on=Collision.REGENERATE, regenerate=_new_api_token),
        unique("refresh_token", on=Collision.REGENERATE, regenerate=_new_api_token),
        unique("hashed_token", on=Collision.REGENERATE, regenerate=_new_api_token),
        unique("hashed_refresh_token", on=Collision.REGENERATE, regenerate=_new_api_token),
    ],
    instance_scope=_api_token_scope,
)


def _new_org_token(row: Row) -> None:
    """A colliding org token gets an unguessable new hash: nobody knows its plaintext anyway."""
    secret = "sntrys_" + hex_token(32)
    row["token_hashed"] = sha256_hex(secret)
    row["token_last_characters"] = secret[-4:]


def _require_org_token(row: Row, ctx: BatchContext) -> None:
    if not row.get("token_hashed"):
        _new_org_token(row)


orgauthtoken = model(
    "sentry.orgauthtoken", "sentry_orgauthtoken", metadata, Silo.CONTROL, ORGANIZATION,
    columns=[
        sa.Column("token_hashed", sa.Text, nullable=False),
        string("token_last_characters", 4, nullable=True),
        string("name", 255),
        text_array("scope_list", nullable=False, default=list),
        when("date_added", auto=True),
        when("date_last_used", nullable=True),
        when("date_deactivated", nullable=True),
    ],
    refs=[
        hybrid("organization_id", "sentry.organization"),
        ref("created_by", "sentry.user", "auth_user", nullable=True,
            on_missing=OnMissing.NULLIFY),
        hybrid("project_last_used_id", "sentry.project", nullable=True,
               on_missing=OnMissing.NULLIFY),
    ],
    uniques=[unique("token_hashed", on=Collision.REGENERATE, regenerate=_new_org_token)],
    deferred=True,
    normalize=_require_org_token,
)

SPECS = [authenticator, apiapplication, apitoken, orgauthtoken]
