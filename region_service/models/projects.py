"""Projects, their keys (DSNs), options and team assignments."""

from __future__ import annotations

import uuid

from region_service.models.metadata import metadata
from silo_engine.context import BatchContext
from silo_engine.declare import boolean, flags, integer, json_text, model, ref, string, unique, when
from silo_engine.modelspec import Collision, Row
from silo_engine.scopes import RelocationScope, Silo

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
        ref("template", "sentry.projecttemplate", None, nullable=True),
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
        unique("public_key", on=Collision.REGENERATE,
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

SPECS = [project, projectkey, projectoption, projectteam]
