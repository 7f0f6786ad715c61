"""Projects, their keys (DSNs), options, team assignments, templates, redirects, ownership rules,
bookmarks and issue counters."""

from __future__ import annotations

import uuid

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
    unique,
    when,
)
from silo_engine.modelspec import Collision, Row
from wire.scopes import RelocationScope, Silo

ORGANIZATION = RelocationScope.ORGANIZATION

project = model(
    "sentry.project", "sentry_project", metadata, Silo.REGION, ORGANIZATION,
    columns=[
        string("slug", 100),
        string("name", 200),
        string("forced_color", 6, nullable=True),
        boolean("public", default=False),
        when("date_added", auto=True),
        integer("status", default=0),
        when("first_event", nullable=True),
        flags("flags", default=10),
        string("platform", 64, nullable=True),
        string("external_id", 256, nullable=True),
    ],
    refs=[
        ref("organization", "sentry.organization", "sentry_organization"),
        ref("template", "sentry.projecttemplate", "sentry_projecttemplate", nullable=True),
    ],
    uniques=[unique("organization", "slug")],
    keep_pk_in_global=True,
)


def _new_key(row: Row, column: str) -> None:
    row[column] = uuid.uuid4().hex


def _require_keys(row: Row, ctx: BatchContext) -> None:
    for column in ("public_key", "secret_key"):
        if not row.get(column):
            _new_key(row, column)


projectkey = model(
    "sentry.projectkey", "sentry_projectkey", metadata, Silo.REGION, ORGANIZATION,
    columns=[
        string("label", 64, nullable=True),
        string("public_key", 32, nullable=True),
        string("secret_key", 32, nullable=True),
        flags("roles", default=1),
        integer("status", default=0),
        when("date_added", nullable=True, auto=True),
        integer("rate_limit_count", nullable=True),
        integer("rate_limit_window", nullable=True),
        json_text("data", nullable=False, default=dict),
        string("use_case", 32, default="user"),
    ],
    refs=[ref("project", "sentry.project", "sentry_project")],
    uniques=[
        unique("public_key", on=Collision.REGENERATE, public=True,
               regenerate=lambda row: _new_key(row, "public_key")),
        unique("secret_key", on=Collision.REGENERATE,
               regenerate=lambda row: _new_key(row, "secret_key")),
    ],
    normalize=_require_keys,
)

projectoption = model(
    "sentry.projectoption", "sentry_projectoptions", metadata, Silo.REGION, ORGANIZATION,
    columns=[string("key", 64), json_text("value", nullable=True)],
    refs=[ref("project", "sentry.project", "sentry_project")],
    uniques=[unique("key", "project")],
)

projectteam = model(
    "sentry.projectteam", "sentry_projectteam", metadata, Silo.REGION, ORGANIZATION,
    columns=[],
    refs=[ref("project", "sentry.project", "sentry_project"),
          ref("team", "sentry.team", "sentry_team")],
    uniques=[unique("project", "team")],
)

projecttemplate = model(
    "sentry.projecttemplate", "sentry_projecttemplate", metadata, Silo.REGION, ORGANIZATION,
    columns=[
        string("name", 200),
        when("date_updated", auto=True),
        when("date_added", nullable=True, auto=True),
    ],
    refs=[ref("organization", "sentry.organization", "sentry_organization")],
    uniques=[unique("name", "organization")],
)

projecttemplateoption = model(
    "sentry.projecttemplateoption", "sentry_projecttemplateoption", metadata, Silo.REGION,
    ORGANIZATION,
    columns=[string("key", 64), json_text("value", nullable=True)],
    refs=[ref("project_template", "sentry.projecttemplate", "sentry_projecttemplate")],
    uniques=[unique("key", "project_template")],
)

projectredirect = model(
    "sentry.projectredirect", "sentry_projectredirect", metadata, Silo.REGION, ORGANIZATION,
    columns=[string("redirect_slug", 50), when("date_added", auto=True)],
    refs=[ref("organization", "sentry.organization", "sentry_organization"),
          ref("project", "sentry.project", "sentry_project")],
    uniques=[unique("organization", "redirect_slug")],
)

projectownership = model(
    "sentry.projectownership", "sentry_projectownership", metadata, Silo.REGION, ORGANIZATION,
    columns=[
        string("raw", None, nullable=True),
        json_text("schema", nullable=True),
        boolean("fallthrough", default=True),
        boolean("auto_assignment", default=True),
        when("date_created", auto=True),
        when("last_updated", auto=True),
        boolean("is_active", default=True),
        boolean("codeowners_auto_sync", nullable=True, default=True),
        boolean("suspect_committer_auto_assignment", default=False),
    ],
    refs=[ref("project", "sentry.project", "sentry_project")],
    uniques=[unique("project")],
)

projectbookmark = model(
    "sentry.projectbookmark", "sentry_projectbookmark", metadata, Silo.REGION, ORGANIZATION,
    columns=[when("date_added", nullable=True, auto=True)],
    refs=[ref("project", "sentry.project", "sentry_project", nullable=True),
          hybrid("user_id", "sentry.user")],
    uniques=[unique("project", "user_id")],
)

# Sentry's `sentry.counter`: the next short id of a project's issues.
counter = model(
    "sentry.counter", "sentry_projectcounter", metadata, Silo.REGION, ORGANIZATION,
    columns=[integer("value", big=True)],
    refs=[ref("project", "sentry.project", "sentry_project")],
    uniques=[unique("project")],
)

SPECS = [project, projectkey, projectoption, projectteam, projecttemplate, projecttemplateoption,
         projectredirect, projectownership, projectbookmark, counter]
