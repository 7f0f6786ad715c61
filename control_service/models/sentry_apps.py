"""Sentry apps (integration platform): the apps, their installations and UI components."""

from __future__ import annotations

import uuid

import sqlalchemy as sa

from control_service.models.duplicates import renew_duplicates
from control_service.models.metadata import metadata
from silo_engine.context import BatchContext
from silo_engine.declare import (
    boolean,
    flags,
    hybrid,
    integer,
    json_text,
    model,
    ref,
    string,
    text_array,
    unique,
    when,
)
from silo_engine.modelspec import Collision, OnMissing, Row
from wire.scopes import RelocationScope, Silo

GLOBAL = RelocationScope.GLOBAL
SENTRY_APP_SLUG_MAX_LENGTH = 64


def _new_uuid() -> str:
    return str(uuid.uuid4())


def _renew_app_uuids(conn: sa.Connection, inserted: list[tuple[int, Row]],
                     ctx: BatchContext) -> None:
    """Apps are looked up by uuid: a uuid already in use here gets a fresh one."""
    renew_duplicates(conn, sentryapp.table, "uuid", [pk for pk, _ in inserted], _new_uuid)


sentryapp = model(
    "sentry.sentryapp", "sentry_sentryapp", metadata, Silo.CONTROL, GLOBAL,
    columns=[
        when("date_deleted", nullable=True),
        flags("scopes", default=0),
        text_array("scope_list", nullable=True, default=list),
        sa.Column("name", sa.Text, nullable=False),
        string("slug", SENTRY_APP_SLUG_MAX_LENGTH),
        sa.Column("author", sa.Text, nullable=True),
        integer("status", default=0),
        string("uuid", 64, default=_new_uuid),
        string("redirect_url", 200, nullable=True),
        string("webhook_url", 512, nullable=True),
        boolean("is_alertable", default=False),
        boolean("verify_install", default=True),
        text_array("events", nullable=True, default=list),
        sa.Column("overview", sa.Text, nullable=True),
        json_text("schema", nullable=False, default=dict),
        when("date_added", auto=True),
        when("date_updated", auto=True),
        when("date_published", nullable=True),
        sa.Column("creator_label", sa.Text, nullable=True),
        integer("popularity", nullable=True, default=1, small=True),
        json_text("metadata", nullable=False, default=dict),
    ],
    refs=[
        # The application is always a new row (its client id is re-keyed on collision), so
        # this one-to-one key collides only within a faulty export: Sentry's IntegrityError.
        ref("application", "sentry.apiapplication", "sentry_apiapplication", nullable=True),
        ref("proxy_user", "sentry.user", "auth_user", nullable=True),
        hybrid("owner_id", "sentry.organization"),
        # No constraint in Sentry either (db_constraint=False); who created the app is
        # incidental, so a creator that was not imported is cleared, not the app dropped.
        ref("creator_user", "sentry.user", None, nullable=True, on_missing=OnMissing.NULLIFY),
    ],
    uniques=[
        unique("application"),
        # A proxy user already standing for another app (two apps naming one user): the
        # later app goes without one rather than share it (Sentry: IntegrityError).
        unique("proxy_user", on=Collision.NULLIFY),
        unique("slug", on=Collision.RENAME),
    ],
    after_insert=_renew_app_uuids,
)


def _renew_installation_uuids(conn: sa.Connection, inserted: list[tuple[int, Row]],
                              ctx: BatchContext) -> None:
    """Installations are addressed by uuid: a uuid already in use here gets a fresh one."""
    renew_duplicates(conn, sentryappinstallation.table, "uuid", [pk for pk, _ in inserted],
                     _new_uuid)


sentryappinstallation = model(
    "sentry.sentryappinstallation", "sentry_sentryappinstallation", metadata, Silo.CONTROL,
    GLOBAL,
    columns=[
        when("date_deleted", nullable=True),
        string("uuid", 64, default=_new_uuid),
        integer("status", default=0),
        when("date_added", auto=True),
        when("date_updated", auto=True),
    ],
    refs=[
        ref("sentry_app", "sentry.sentryapp", "sentry_sentryapp"),
        hybrid("organization_id", "sentry.organization"),
        # The grant is a short-lived code to exchange for a token: an installation whose
        # grant was not imported keeps existing without it.
        ref("api_grant", "sentry.apigrant", "sentry_apigrant", nullable=True,
            on_missing=OnMissing.NULLIFY),
        ref("api_token", "sentry.apitoken", "sentry_apitoken", nullable=True),
    ],
    # Grants and tokens are always new rows, so these one-to-one keys collide only within a
    # faulty export: Sentry's IntegrityError.
    uniques=[unique("api_grant"), unique("api_token")],
    after_insert=_renew_installation_uuids,
)


def _new_component_uuid(row: Row) -> None:
    row["uuid"] = _new_uuid()


sentryappcomponent = model(
    "sentry.sentryappcomponent", "sentry_sentryappcomponent", metadata, Silo.CONTROL, GLOBAL,
    columns=[
        sa.Column("uuid", sa.Uuid(as_uuid=False), nullable=False, default=_new_uuid),
        string("type", 64),
        json_text("schema", nullable=False),
    ],
    refs=[ref("sentry_app", "sentry.sentryapp", "sentry_sentryapp")],
    uniques=[unique("uuid", on=Collision.REGENERATE, regenerate=_new_component_uuid)],
)

SPECS = [sentryapp, sentryappinstallation, sentryappcomponent]
