"""Dashboards: their widgets and widget queries, edit permissions, favourites and tombstones."""

from region_service.models.metadata import metadata
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
from wire.scopes import RelocationScope, Silo

ORGANIZATION = RelocationScope.ORGANIZATION

dashboardtombstone = model(
    "sentry.dashboardtombstone", "sentry_dashboardtombstone", metadata, Silo.REGION,
    ORGANIZATION,
    columns=[string("slug", 255), when("date_added", auto=True)],
    refs=[ref("organization", "sentry.organization", "sentry_organization")],
    uniques=[unique("organization", "slug")],
)

dashboard = model(
    "sentry.dashboard", "sentry_dashboard", metadata, Silo.REGION, ORGANIZATION,
    columns=[
        string("title", 255),
        when("date_added", auto=True),
        integer("visits", nullable=True, default=1, big=True),
        when("last_visited", nullable=True, auto=True),
        json_text("filters", nullable=True),
        integer("prebuilt_id", nullable=True),  # newer exports only
    ],
    refs=[
        hybrid("created_by_id", "sentry.user"),
        ref("organization", "sentry.organization", "sentry_organization"),
    ],
    uniques=[unique("organization", "title")],
)

dashboardwidget = model(
    "sentry.dashboardwidget", "sentry_dashboardwidget", metadata, Silo.REGION, ORGANIZATION,
    columns=[
        integer("order", nullable=True),
        string("title", 255),
        string("description", 255, nullable=True),
        json_text("thresholds", nullable=True),
        string("interval", 10, nullable=True),
        integer("display_type"),
        when("date_added", auto=True),
        integer("widget_type", nullable=True),
        integer("limit", nullable=True),
        json_text("detail", nullable=True),
        integer("discover_widget_split", nullable=True),
        integer("dataset_source", default=0),
        json_text("widget_snapshot", nullable=True),  # newer exports only
        json_text("changed_reason", nullable=True),  # newer exports only
    ],
    refs=[ref("dashboard", "sentry.dashboard", "sentry_dashboard")],
    uniques=[unique("dashboard", "order")],
)

dashboardwidgetquery = model(
    "sentry.dashboardwidgetquery", "sentry_dashboardwidgetquery", metadata, Silo.REGION,
    ORGANIZATION,
    columns=[
        string("name", 255),
        text_array("fields", nullable=True, default=list),
        string("conditions", None),
        text_array("aggregates", nullable=True),
        text_array("columns", nullable=True),
        text_array("field_aliases", nullable=True),
        string("orderby", None, default=""),
        integer("order"),
        when("date_added", auto=True),
        when("date_modified", auto=True),
        boolean("is_hidden", default=False),
        integer("selected_aggregate", nullable=True),
    ],
    refs=[ref("widget", "sentry.dashboardwidget", "sentry_dashboardwidget")],
    uniques=[unique("order", "widget")],
)

dashboardwidgetqueryondemand = model(
    "sentry.dashboardwidgetqueryondemand", "sentry_dashboardwidgetqueryondemand", metadata,
    Silo.REGION, ORGANIZATION,
    columns=[
        text_array("spec_hashes", nullable=False, default=list),
        integer("spec_version", nullable=True),
        string("extraction_state", 30),
        when("date_modified", auto=True),
        when("date_added", auto=True),
    ],
    refs=[ref("dashboard_widget_query", "sentry.dashboardwidgetquery",
              "sentry_dashboardwidgetquery")],
)

dashboardpermissions = model(
    "sentry.dashboardpermissions", "sentry_dashboardpermissions", metadata, Silo.REGION,
    ORGANIZATION,
    columns=[boolean("is_editable_by_everyone", default=True)],
    refs=[ref("dashboard", "sentry.dashboard", "sentry_dashboard")],
    uniques=[unique("dashboard")],
)

dashboardpermissionsteam = model(
    "sentry.dashboardpermissionsteam", "sentry_dashboardpermissionsteam", metadata, Silo.REGION,
    ORGANIZATION,
    columns=[],
    refs=[ref("permissions", "sentry.dashboardpermissions", "sentry_dashboardpermissions"),
          ref("team", "sentry.team", "sentry_team")],
    uniques=[unique("permissions", "team")],
)

# Newer exports also carry `organization` (the dashboard's) and a `position`; the organization
# is not one of this model's references in Sentry's dependency graph, so it is not imported.
dashboardfavoriteuser = model(
    "sentry.dashboardfavoriteuser", "sentry_dashboardfavoriteuser", metadata, Silo.REGION,
    ORGANIZATION,
    columns=[
        integer("position", nullable=True, small=True),
        when("date_added", auto=True),
        when("date_updated", auto=True),
    ],
    refs=[ref("dashboard", "sentry.dashboard", "sentry_dashboard"),
          hybrid("user_id", "sentry.user")],
    uniques=[unique("dashboard", "user_id")],
)

SPECS = [dashboardtombstone, dashboard, dashboardwidget, dashboardwidgetquery,
         dashboardwidgetqueryondemand, dashboardpermissions, dashboardpermissionsteam,
         dashboardfavoriteuser]
