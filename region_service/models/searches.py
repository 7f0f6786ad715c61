"""Saved and recent issue searches, and issue views."""

from __future__ import annotations

import hashlib

from region_service.models.metadata import metadata
from silo_engine.context import BatchContext
from silo_engine.declare import (
    boolean,
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
from silo_engine.modelspec import Collision, Row
from wire.scopes import ImportScope, RelocationScope, Silo

ORGANIZATION = RelocationScope.ORGANIZATION


def _global_only_in_global_scope(row: Row, ctx: BatchContext) -> bool:
    """Sentry: a global saved search (one every organization sees) is part of the instance, so
    only a Global import brings it along."""
    return not row["is_global"] or ctx.scope is ImportScope.GLOBAL


savedsearch = model(
    "sentry.savedsearch", "sentry_savedsearch", metadata, Silo.REGION, ORGANIZATION,
    columns=[
        integer("type", default=0, small=True),
        string("name", 128),
        string("query", None),
        string("sort", None, nullable=True, default="date"),
        when("date_added", auto=True),
        boolean("is_global", nullable=True, default=False),
        string("visibility", 16, default="owner"),
    ],
    refs=[
        ref("organization", "sentry.organization", "sentry_organization", nullable=True),
        hybrid("owner_id", "sentry.user", nullable=True),
    ],
    # Both of Sentry's keys are partial: one name per global search, one pinned search per
    # owner and search type. One that exists here already is kept.
    uniques=[
        unique("is_global", "name", on=Collision.EXISTING, where=(("is_global", True),)),
        unique("organization", "owner_id", "type", on=Collision.EXISTING,
               where=(("visibility", "owner_pinned"),)),
    ],
    normalize=_global_only_in_global_scope,
)


def _fill_query_hash(row: Row, ctx: BatchContext) -> None:
    """Sentry's pre-save hook: an empty query hash is the md5 of the query."""
    if not row["query_hash"]:
        row["query_hash"] = hashlib.md5(row["query"].encode(), usedforsecurity=False).hexdigest()


recentsearch = model(
    "sentry.recentsearch", "sentry_recentsearch", metadata, Silo.REGION, ORGANIZATION,
    columns=[
        integer("type", small=True),
        string("query", None),
        string("query_hash", 32, default=""),
        when("last_seen", auto=True),
        when("date_added", auto=True),
    ],
    refs=[ref("organization", "sentry.organization", "sentry_organization"),
          hybrid("user_id", "sentry.user")],
    uniques=[unique("organization", "query_hash", "type", "user_id")],
    normalize=_fill_query_hash,
)

# Issue views. `position` exists only in exports up to early 2025, the view settings only in
# newer ones: each is optional.
groupsearchview = model(
    "sentry.groupsearchview", "sentry_groupsearchview", metadata, Silo.REGION, ORGANIZATION,
    columns=[
        string("name", None),
        string("query", None),
        string("query_sort", 16, nullable=True, default="date"),
        integer("position", nullable=True, small=True),
        string("visibility", 16, default="organization"),
        boolean("is_all_projects", default=False),
        text_array("environments", nullable=False, default=list),
        json_text("time_filters", nullable=False, default=lambda: {"period": "14d"}),
        when("date_updated", auto=True),
        when("date_added", nullable=True, auto=True),
    ],
    refs=[ref("organization", "sentry.organization", "sentry_organization"),
          hybrid("user_id", "sentry.user")],
    uniques=[unique("organization_id", "position", "user_id")],
)

SPECS = [savedsearch, recentsearch, groupsearchview]
