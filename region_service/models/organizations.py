"""Organizations, their options, members, teams, access requests and data secrecy waivers."""

from __future__ import annotations

import sqlalchemy as sa

from region_service.models.metadata import metadata
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
from silo_engine.slugs import RESERVED_ORGANIZATION_SLUGS, SLUG_MAX_LENGTH, normalize_slug
from wire.scopes import RelocationScope, Silo

ORGANIZATION = RelocationScope.ORGANIZATION
RELOCATION_PENDING_APPROVAL = 3
def _prepare_organization(row: Row, ctx: BatchContext) -> None:
    row["slug"] = normalize_slug(row["slug"])
    if ctx.flags.hide_organizations:
        row["status"] = RELOCATION_PENDING_APPROVAL


organization = model(
    "sentry.organization", "sentry_organization", metadata, Silo.REGION, ORGANIZATION,
    columns=[
        string("name", 64),
        string("slug", SLUG_MAX_LENGTH),
        integer("status", default=0),
        when("date_added", auto=True),
        string("default_role", 32, default="member"),
        boolean("is_test", default=False),
        flags("flags", default=1),
    ],
    uniques=[unique("slug", on=Collision.RENAME, case_insensitive=True,
                    reserved=RESERVED_ORGANIZATION_SLUGS)],
    identifier="slug",
    normalize=_prepare_organization,
)

organizationoption = model(
    "sentry.organizationoption", "sentry_organizationoptions", metadata, Silo.REGION,
    ORGANIZATION,
    columns=[string("key", 64), json_text("value", nullable=True)],
    refs=[ref("organization", "sentry.organization", "sentry_organization")],
    uniques=[unique("key", "organization")],
)

def _drop_invite_token(row: Row) -> None:
    row["token"] = row["token_expires_at"] = None


organizationmember = model(
    "sentry.organizationmember", "sentry_organizationmember", metadata, Silo.REGION,
    ORGANIZATION,
    columns=[
        string("email", 75, nullable=True),
        string("role", 32, default="member"),
        flags("flags", default=0),
        string("token", 64, nullable=True),
        when("date_added", auto=True),
        when("token_expires_at", nullable=True),
        boolean("has_global_access", default=True),
        integer("invite_status", nullable=True, default=0, small=True),
        integer("type", default=50),
        boolean("user_is_active", default=True),
        string("user_email", 200, nullable=True),
    ],
    refs=[
        ref("organization", "sentry.organization", "sentry_organization"),
        hybrid("user_id", "sentry.user", nullable=True),
        # An inviter who was not imported (filtered out) is forgotten, the member kept.
        hybrid("inviter_id", "sentry.user", nullable=True, on_missing=OnMissing.NULLIFY),
    ],
    uniques=[
        unique("email", "organization"),
        unique("organization", "user_id"),
        # An invite token already in use here is dropped; the invite can be re-sent.
        unique("token", on=Collision.REGENERATE, regenerate=_drop_invite_token),
    ],
)

team = model(
    "sentry.team", "sentry_team", metadata, Silo.REGION, ORGANIZATION,
    columns=[
        string("slug", 50),
        string("name", 64),
        integer("status", default=0),
        boolean("idp_provisioned", default=False),
        when("date_added", nullable=True, auto=True),
    ],
    refs=[ref("organization", "sentry.organization", "sentry_organization")],
    uniques=[unique("organization", "slug")],
)

organizationmemberteam = model(
    "sentry.organizationmemberteam", "sentry_organizationmember_teams", metadata, Silo.REGION,
    ORGANIZATION,
    columns=[boolean("is_active", default=True), string("role", 32, nullable=True)],
    refs=[
        ref("team", "sentry.team", "sentry_team"),
        ref("organizationmember", "sentry.organizationmember", "sentry_organizationmember"),
    ],
    uniques=[unique("organizationmember", "team")],
    pk_type=sa.Integer,
)

organizationaccessrequest = model(
    "sentry.organizationaccessrequest", "sentry_organizationaccessrequest", metadata,
    Silo.REGION, ORGANIZATION,
    columns=[],
    refs=[
        ref("team", "sentry.team", "sentry_team"),
        ref("member", "sentry.organizationmember", "sentry_organizationmember"),
        # Who asked on the member's behalf: incidental, forgotten when not imported.
        hybrid("requester_id", "sentry.user", nullable=True, on_missing=OnMissing.NULLIFY),
    ],
    uniques=[unique("member", "team")],
)

datasecrecywaiver = model(
    "sentry.datasecrecywaiver", "sentry_datasecrecywaiver", metadata, Silo.REGION, ORGANIZATION,
    columns=[
        when("date_updated", auto=True),
        when("date_added", nullable=True, auto=True),
        when("access_start", auto=True),
        when("access_end", auto=True),
        text_array("zendesk_tickets", nullable=False, default=list),
    ],
    refs=[ref("organization", "sentry.organization", "sentry_organization")],
    uniques=[unique("organization")],
)

SPECS = [organization, organizationoption, organizationmember, team, organizationmemberteam,
         organizationaccessrequest, datasecrecywaiver]
