"""region silo: the other 59 relocatable models

Revision ID: region_0002
Revises: region_0001
Create Date: 2026-11-22 03:31:06.632277
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "region_0002"
down_revision: str | None = "region_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sentry_timeseriessnapshot",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("end", sa.DateTime(timezone=True), nullable=False),
        sa.Column("values", sa.Text(), nullable=True),
        sa.Column("period", sa.Integer(), nullable=False),
        sa.Column("date_added", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "sentry_customdynamicsamplingrule",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("date_added", sa.DateTime(timezone=True), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("is_org_level", sa.Boolean(), nullable=False),
        sa.Column("rule_id", sa.Integer(), nullable=False),
        sa.Column("condition", sa.Text(), nullable=False),
        sa.Column("sample_rate", sa.Double(), nullable=False),
        sa.Column("start_date", sa.DateTime(timezone=True), nullable=False),
        sa.Column("end_date", sa.DateTime(timezone=True), nullable=False),
        sa.Column("num_samples", sa.Integer(), nullable=False),
        sa.Column("condition_hash", sa.String(length=40), nullable=False),
        sa.Column("query", sa.Text(), nullable=True),
        sa.Column("notification_sent", sa.Boolean(), nullable=True),
        sa.Column("organization_id", sa.BigInteger(), nullable=False),
        sa.Column("created_by_id", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["sentry_organization.id"], initially="DEFERRED", deferrable=True
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_sentry_customdynamicsamplingrule_created_by_id"),
        "sentry_customdynamicsamplingrule",
        ["created_by_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_sentry_customdynamicsamplingrule_organization_id"),
        "sentry_customdynamicsamplingrule",
        ["organization_id"],
        unique=False,
    )
    op.create_table(
        "sentry_dashboard",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("title", sa.String(length=255), nullable=False),
        sa.Column("date_added", sa.DateTime(timezone=True), nullable=False),
        sa.Column("visits", sa.BigInteger(), nullable=True),
        sa.Column("last_visited", sa.DateTime(timezone=True), nullable=True),
        sa.Column("filters", sa.Text(), nullable=True),
        sa.Column("prebuilt_id", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.BigInteger(), nullable=False),
        sa.Column("organization_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["sentry_organization.id"], initially="DEFERRED", deferrable=True
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "organization_id", "title", name="sentry_dashboard_organization_id_title_uniq"
        ),
    )
    op.create_index(
        op.f("ix_sentry_dashboard_created_by_id"),
        "sentry_dashboard",
        ["created_by_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_sentry_dashboard_organization_id"),
        "sentry_dashboard",
        ["organization_id"],
        unique=False,
    )
    op.create_table(
        "sentry_dashboardtombstone",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("slug", sa.String(length=255), nullable=False),
        sa.Column("date_added", sa.DateTime(timezone=True), nullable=False),
        sa.Column("organization_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["sentry_organization.id"], initially="DEFERRED", deferrable=True
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "organization_id", "slug", name="sentry_dashboardtombstone_organization_id_slug_uniq"
        ),
    )
    op.create_index(
        op.f("ix_sentry_dashboardtombstone_organization_id"),
        "sentry_dashboardtombstone",
        ["organization_id"],
        unique=False,
    )
    op.create_table(
        "sentry_datasecrecywaiver",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("date_updated", sa.DateTime(timezone=True), nullable=False),
        sa.Column("date_added", sa.DateTime(timezone=True), nullable=True),
        sa.Column("access_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("access_end", sa.DateTime(timezone=True), nullable=False),
        sa.Column("zendesk_tickets", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("organization_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["sentry_organization.id"], initially="DEFERRED", deferrable=True
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "organization_id", name="sentry_datasecrecywaiver_organization_id_uniq"
        ),
    )
    op.create_index(
        op.f("ix_sentry_datasecrecywaiver_organization_id"),
        "sentry_datasecrecywaiver",
        ["organization_id"],
        unique=False,
    )
    op.create_table(
        "sentry_environment",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("date_added", sa.DateTime(timezone=True), nullable=False),
        sa.Column("organization_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["sentry_organization.id"], initially="DEFERRED", deferrable=True
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "name", "organization_id", name="sentry_environment_name_organization_id_uniq"
        ),
    )
    op.create_index(
        op.f("ix_sentry_environment_organization_id"),
        "sentry_environment",
        ["organization_id"],
        unique=False,
    )
    op.create_table(
        "sentry_groupsearchview",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("query", sa.Text(), nullable=False),
        sa.Column("query_sort", sa.String(length=16), nullable=True),
        sa.Column("position", sa.SmallInteger(), nullable=True),
        sa.Column("visibility", sa.String(length=16), nullable=False),
        sa.Column("is_all_projects", sa.Boolean(), nullable=False),
        sa.Column("environments", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("time_filters", sa.Text(), nullable=False),
        sa.Column("date_updated", sa.DateTime(timezone=True), nullable=False),
        sa.Column("date_added", sa.DateTime(timezone=True), nullable=True),
        sa.Column("organization_id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["sentry_organization.id"], initially="DEFERRED", deferrable=True
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "organization_id",
            "position",
            "user_id",
            name="sentry_groupsearchview_organization_id_position_user_id_uniq",
        ),
    )
    op.create_index(
        op.f("ix_sentry_groupsearchview_organization_id"),
        "sentry_groupsearchview",
        ["organization_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_sentry_groupsearchview_user_id"),
        "sentry_groupsearchview",
        ["user_id"],
        unique=False,
    )
    op.create_table(
        "sentry_notificationaction",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("type", sa.SmallInteger(), nullable=False),
        sa.Column("target_type", sa.SmallInteger(), nullable=False),
        sa.Column("target_identifier", sa.Text(), nullable=True),
        sa.Column("target_display", sa.Text(), nullable=True),
        sa.Column("trigger_type", sa.SmallInteger(), nullable=False),
        sa.Column("integration_id", sa.BigInteger(), nullable=True),
        sa.Column("sentry_app_id", sa.BigInteger(), nullable=True),
        sa.Column("organization_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["sentry_organization.id"], initially="DEFERRED", deferrable=True
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_sentry_notificationaction_integration_id"),
        "sentry_notificationaction",
        ["integration_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_sentry_notificationaction_organization_id"),
        "sentry_notificationaction",
        ["organization_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_sentry_notificationaction_sentry_app_id"),
        "sentry_notificationaction",
        ["sentry_app_id"],
        unique=False,
    )
    op.create_table(
        "sentry_projecttemplate",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("date_updated", sa.DateTime(timezone=True), nullable=False),
        sa.Column("date_added", sa.DateTime(timezone=True), nullable=True),
        sa.Column("organization_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["sentry_organization.id"], initially="DEFERRED", deferrable=True
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "name", "organization_id", name="sentry_projecttemplate_name_organization_id_uniq"
        ),
    )
    op.create_index(
        op.f("ix_sentry_projecttemplate_organization_id"),
        "sentry_projecttemplate",
        ["organization_id"],
        unique=False,
    )
    op.create_table(
        "sentry_recentsearch",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("type", sa.SmallInteger(), nullable=False),
        sa.Column("query", sa.Text(), nullable=False),
        sa.Column("query_hash", sa.String(length=32), nullable=False),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("date_added", sa.DateTime(timezone=True), nullable=False),
        sa.Column("organization_id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["sentry_organization.id"], initially="DEFERRED", deferrable=True
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "organization_id",
            "query_hash",
            "type",
            "user_id",
            name="sentry_recentsearch_organization_id_query_hash_type_user_id_uni",
        ),
    )
    op.create_index(
        op.f("ix_sentry_recentsearch_organization_id"),
        "sentry_recentsearch",
        ["organization_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_sentry_recentsearch_user_id"), "sentry_recentsearch", ["user_id"], unique=False
    )
    op.create_table(
        "sentry_repository",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("url", sa.String(length=200), nullable=True),
        sa.Column("provider", sa.String(length=64), nullable=True),
        sa.Column("external_id", sa.String(length=64), nullable=True),
        sa.Column("config", sa.Text(), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("date_added", sa.DateTime(timezone=True), nullable=False),
        sa.Column("languages", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("organization_id", sa.BigInteger(), nullable=False),
        sa.Column("integration_id", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["sentry_organization.id"], initially="DEFERRED", deferrable=True
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "external_id",
            "organization_id",
            "provider",
            name="sentry_repository_external_id_organization_id_provider_uniq",
        ),
    )
    op.create_index(
        op.f("ix_sentry_repository_integration_id"),
        "sentry_repository",
        ["integration_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_sentry_repository_organization_id"),
        "sentry_repository",
        ["organization_id"],
        unique=False,
    )
    op.create_table(
        "sentry_savedsearch",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("type", sa.SmallInteger(), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("query", sa.Text(), nullable=False),
        sa.Column("sort", sa.Text(), nullable=True),
        sa.Column("date_added", sa.DateTime(timezone=True), nullable=False),
        sa.Column("is_global", sa.Boolean(), nullable=True),
        sa.Column("visibility", sa.String(length=16), nullable=False),
        sa.Column("organization_id", sa.BigInteger(), nullable=True),
        sa.Column("owner_id", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["sentry_organization.id"], initially="DEFERRED", deferrable=True
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_sentry_savedsearch_organization_id"),
        "sentry_savedsearch",
        ["organization_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_sentry_savedsearch_owner_id"), "sentry_savedsearch", ["owner_id"], unique=False
    )
    op.create_index(
        "sentry_savedsearch_is_global_name_partial_uniq",
        "sentry_savedsearch",
        ["is_global", "name"],
        unique=True,
        postgresql_where=sa.text("is_global"),
    )
    op.create_index(
        "sentry_savedsearch_organization_id_owner_id_type_partial_uniq",
        "sentry_savedsearch",
        ["organization_id", "owner_id", "type"],
        unique=True,
        postgresql_where=sa.text("visibility = 'owner_pinned'"),
    )
    op.create_table(
        "workflow_engine_dataconditiongroup",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("logic_type", sa.String(length=200), nullable=False),
        sa.Column("date_added", sa.DateTime(timezone=True), nullable=False),
        sa.Column("date_updated", sa.DateTime(timezone=True), nullable=False),
        sa.Column("organization_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["sentry_organization.id"], initially="DEFERRED", deferrable=True
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_workflow_engine_dataconditiongroup_organization_id"),
        "workflow_engine_dataconditiongroup",
        ["organization_id"],
        unique=False,
    )
    op.create_table(
        "workflow_engine_datasource",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("source_id", sa.Text(), nullable=False),
        sa.Column("type", sa.Text(), nullable=False),
        sa.Column("date_added", sa.DateTime(timezone=True), nullable=False),
        sa.Column("date_updated", sa.DateTime(timezone=True), nullable=False),
        sa.Column("organization_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["sentry_organization.id"], initially="DEFERRED", deferrable=True
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_workflow_engine_datasource_organization_id"),
        "workflow_engine_datasource",
        ["organization_id"],
        unique=False,
    )
    op.create_table(
        "sentry_dashboardfavoriteuser",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("position", sa.SmallInteger(), nullable=True),
        sa.Column("date_added", sa.DateTime(timezone=True), nullable=False),
        sa.Column("date_updated", sa.DateTime(timezone=True), nullable=False),
        sa.Column("dashboard_id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["dashboard_id"], ["sentry_dashboard.id"], initially="DEFERRED", deferrable=True
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "dashboard_id", "user_id", name="sentry_dashboardfavoriteuser_dashboard_id_user_id_uniq"
        ),
    )
    op.create_index(
        op.f("ix_sentry_dashboardfavoriteuser_dashboard_id"),
        "sentry_dashboardfavoriteuser",
        ["dashboard_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_sentry_dashboardfavoriteuser_user_id"),
        "sentry_dashboardfavoriteuser",
        ["user_id"],
        unique=False,
    )
    op.create_table(
        "sentry_dashboardpermissions",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("is_editable_by_everyone", sa.Boolean(), nullable=False),
        sa.Column("dashboard_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["dashboard_id"], ["sentry_dashboard.id"], initially="DEFERRED", deferrable=True
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("dashboard_id", name="sentry_dashboardpermissions_dashboard_id_uniq"),
    )
    op.create_index(
        op.f("ix_sentry_dashboardpermissions_dashboard_id"),
        "sentry_dashboardpermissions",
        ["dashboard_id"],
        unique=False,
    )
    op.create_table(
        "sentry_dashboardwidget",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("order", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=255), nullable=False),
        sa.Column("description", sa.String(length=255), nullable=True),
        sa.Column("thresholds", sa.Text(), nullable=True),
        sa.Column("interval", sa.String(length=10), nullable=True),
        sa.Column("display_type", sa.Integer(), nullable=False),
        sa.Column("date_added", sa.DateTime(timezone=True), nullable=False),
        sa.Column("widget_type", sa.Integer(), nullable=True),
        sa.Column("limit", sa.Integer(), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("discover_widget_split", sa.Integer(), nullable=True),
        sa.Column("dataset_source", sa.Integer(), nullable=False),
        sa.Column("widget_snapshot", sa.Text(), nullable=True),
        sa.Column("changed_reason", sa.Text(), nullable=True),
        sa.Column("dashboard_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["dashboard_id"], ["sentry_dashboard.id"], initially="DEFERRED", deferrable=True
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "dashboard_id", "order", name="sentry_dashboardwidget_dashboard_id_order_uniq"
        ),
    )
    op.create_index(
        op.f("ix_sentry_dashboardwidget_dashboard_id"),
        "sentry_dashboardwidget",
        ["dashboard_id"],
        unique=False,
    )
    op.create_table(
        "sentry_organizationaccessrequest",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("team_id", sa.BigInteger(), nullable=False),
        sa.Column("member_id", sa.BigInteger(), nullable=False),
        sa.Column("requester_id", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["member_id"], ["sentry_organizationmember.id"], initially="DEFERRED", deferrable=True
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["sentry_team.id"], initially="DEFERRED", deferrable=True
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "member_id", "team_id", name="sentry_organizationaccessrequest_member_id_team_id_uniq"
        ),
    )
    op.create_index(
        op.f("ix_sentry_organizationaccessrequest_member_id"),
        "sentry_organizationaccessrequest",
        ["member_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_sentry_organizationaccessrequest_requester_id"),
        "sentry_organizationaccessrequest",
        ["requester_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_sentry_organizationaccessrequest_team_id"),
        "sentry_organizationaccessrequest",
        ["team_id"],
        unique=False,
    )
    op.create_table(
        "sentry_projecttemplateoption",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=True),
        sa.Column("project_template_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_template_id"],
            ["sentry_projecttemplate.id"],
            initially="DEFERRED",
            deferrable=True,
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "key",
            "project_template_id",
            name="sentry_projecttemplateoption_key_project_template_id_uniq",
        ),
    )
    op.create_index(
        op.f("ix_sentry_projecttemplateoption_project_template_id"),
        "sentry_projecttemplateoption",
        ["project_template_id"],
        unique=False,
    )
    op.create_table(
        "sentry_snubaquery",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("type", sa.SmallInteger(), nullable=False),
        sa.Column("dataset", sa.Text(), nullable=False),
        sa.Column("query", sa.Text(), nullable=False),
        sa.Column("group_by", postgresql.ARRAY(sa.String(length=200)), nullable=True),
        sa.Column("aggregate", sa.Text(), nullable=False),
        sa.Column("time_window", sa.Integer(), nullable=False),
        sa.Column("resolution", sa.Integer(), nullable=False),
        sa.Column("extrapolation_mode", sa.Integer(), nullable=False),
        sa.Column("query_snapshot", sa.Text(), nullable=True),
        sa.Column("date_added", sa.DateTime(timezone=True), nullable=False),
        sa.Column("environment_id", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["environment_id"], ["sentry_environment.id"], initially="DEFERRED", deferrable=True
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_sentry_snubaquery_environment_id"),
        "sentry_snubaquery",
        ["environment_id"],
        unique=False,
    )
    op.create_table(
        "workflow_engine_datacondition",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("comparison", sa.Text(), nullable=False),
        sa.Column("condition_result", sa.Text(), nullable=False),
        sa.Column("type", sa.String(length=200), nullable=False),
        sa.Column("date_added", sa.DateTime(timezone=True), nullable=False),
        sa.Column("date_updated", sa.DateTime(timezone=True), nullable=False),
        sa.Column("condition_group_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["condition_group_id"],
            ["workflow_engine_dataconditiongroup.id"],
            initially="DEFERRED",
            deferrable=True,
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_workflow_engine_datacondition_condition_group_id"),
        "workflow_engine_datacondition",
        ["condition_group_id"],
        unique=False,
    )
    op.create_table(
        "workflow_engine_workflow",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=256), nullable=False),
        sa.Column("config", sa.Text(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("status", sa.SmallInteger(), nullable=False),
        sa.Column("date_added", sa.DateTime(timezone=True), nullable=False),
        sa.Column("date_updated", sa.DateTime(timezone=True), nullable=False),
        sa.Column("organization_id", sa.BigInteger(), nullable=False),
        sa.Column("when_condition_group_id", sa.BigInteger(), nullable=True),
        sa.Column("environment_id", sa.BigInteger(), nullable=True),
        sa.Column("owner_user_id", sa.BigInteger(), nullable=True),
        sa.Column("owner_team_id", sa.BigInteger(), nullable=True),
        sa.Column("created_by_id", sa.BigInteger(), nullable=True),
        sa.CheckConstraint(
            "owner_user_id IS NULL OR owner_team_id IS NULL",
            name="workflow_engine_workflow_owner_constraints",
        ),
        sa.ForeignKeyConstraint(
            ["environment_id"], ["sentry_environment.id"], initially="DEFERRED", deferrable=True
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["sentry_organization.id"], initially="DEFERRED", deferrable=True
        ),
        sa.ForeignKeyConstraint(
            ["owner_team_id"], ["sentry_team.id"], initially="DEFERRED", deferrable=True
        ),
        sa.ForeignKeyConstraint(
            ["when_condition_group_id"],
            ["workflow_engine_dataconditiongroup.id"],
            initially="DEFERRED",
            deferrable=True,
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "name", "organization_id", name="workflow_engine_workflow_name_organization_id_uniq"
        ),
    )
    op.create_index(
        op.f("ix_workflow_engine_workflow_created_by_id"),
        "workflow_engine_workflow",
        ["created_by_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_workflow_engine_workflow_environment_id"),
        "workflow_engine_workflow",
        ["environment_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_workflow_engine_workflow_organization_id"),
        "workflow_engine_workflow",
        ["organization_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_workflow_engine_workflow_owner_team_id"),
        "workflow_engine_workflow",
        ["owner_team_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_workflow_engine_workflow_owner_user_id"),
        "workflow_engine_workflow",
        ["owner_user_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_workflow_engine_workflow_when_condition_group_id"),
        "workflow_engine_workflow",
        ["when_condition_group_id"],
        unique=False,
    )
    op.create_table(
        "sentry_alertrule",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("status", sa.SmallInteger(), nullable=False),
        sa.Column("threshold_type", sa.SmallInteger(), nullable=True),
        sa.Column("resolve_threshold", sa.Double(), nullable=True),
        sa.Column("threshold_period", sa.Integer(), nullable=False),
        sa.Column("comparison_delta", sa.Integer(), nullable=True),
        sa.Column("date_modified", sa.DateTime(timezone=True), nullable=False),
        sa.Column("date_added", sa.DateTime(timezone=True), nullable=False),
        sa.Column("monitor_type", sa.Integer(), nullable=False),
        sa.Column("description", sa.String(length=1000), nullable=True),
        sa.Column("detection_type", sa.String(length=32), nullable=False),
        sa.Column("sensitivity", sa.Text(), nullable=True),
        sa.Column("seasonality", sa.Text(), nullable=True),
        sa.Column("include_all_projects", sa.Boolean(), nullable=True),
        sa.Column("organization_id", sa.BigInteger(), nullable=True),
        sa.Column("snuba_query_id", sa.BigInteger(), nullable=True),
        sa.Column("user_id", sa.BigInteger(), nullable=True),
        sa.Column("team_id", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["sentry_organization.id"], initially="DEFERRED", deferrable=True
        ),
        sa.ForeignKeyConstraint(
            ["snuba_query_id"], ["sentry_snubaquery.id"], initially="DEFERRED", deferrable=True
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["sentry_team.id"], initially="DEFERRED", deferrable=True
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("snuba_query_id", name="sentry_alertrule_snuba_query_id_uniq"),
    )
    op.create_index(
        op.f("ix_sentry_alertrule_organization_id"),
        "sentry_alertrule",
        ["organization_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_sentry_alertrule_snuba_query_id"),
        "sentry_alertrule",
        ["snuba_query_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_sentry_alertrule_team_id"), "sentry_alertrule", ["team_id"], unique=False
    )
    op.create_index(
        op.f("ix_sentry_alertrule_user_id"), "sentry_alertrule", ["user_id"], unique=False
    )
    op.create_table(
        "sentry_customdynamicsamplingruleproject",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("custom_dynamic_sampling_rule_id", sa.BigInteger(), nullable=False),
        sa.Column("project_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["custom_dynamic_sampling_rule_id"],
            ["sentry_customdynamicsamplingrule.id"],
            initially="DEFERRED",
            deferrable=True,
        ),
        sa.ForeignKeyConstraint(
            ["project_id"], ["sentry_project.id"], initially="DEFERRED", deferrable=True
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "custom_dynamic_sampling_rule_id",
            "project_id",
            name="sentry_customdynamicsamplingruleproject_custom_dynamic_sampling",
        ),
    )
    op.create_index(
        op.f("ix_sentry_customdynamicsamplingruleproject_custom_dynamic_sampling_rule_id"),
        "sentry_customdynamicsamplingruleproject",
        ["custom_dynamic_sampling_rule_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_sentry_customdynamicsamplingruleproject_project_id"),
        "sentry_customdynamicsamplingruleproject",
        ["project_id"],
        unique=False,
    )
    op.create_table(
        "sentry_dashboardpermissionsteam",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("permissions_id", sa.BigInteger(), nullable=False),
        sa.Column("team_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["permissions_id"],
            ["sentry_dashboardpermissions.id"],
            initially="DEFERRED",
            deferrable=True,
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["sentry_team.id"], initially="DEFERRED", deferrable=True
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "permissions_id",
            "team_id",
            name="sentry_dashboardpermissionsteam_permissions_id_team_id_uniq",
        ),
    )
    op.create_index(
        op.f("ix_sentry_dashboardpermissionsteam_permissions_id"),
        "sentry_dashboardpermissionsteam",
        ["permissions_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_sentry_dashboardpermissionsteam_team_id"),
        "sentry_dashboardpermissionsteam",
        ["team_id"],
        unique=False,
    )
    op.create_table(
        "sentry_dashboardwidgetquery",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("fields", postgresql.ARRAY(sa.Text()), nullable=True),
        sa.Column("conditions", sa.Text(), nullable=False),
        sa.Column("aggregates", postgresql.ARRAY(sa.Text()), nullable=True),
        sa.Column("columns", postgresql.ARRAY(sa.Text()), nullable=True),
        sa.Column("field_aliases", postgresql.ARRAY(sa.Text()), nullable=True),
        sa.Column("orderby", sa.Text(), nullable=False),
        sa.Column("order", sa.Integer(), nullable=False),
        sa.Column("date_added", sa.DateTime(timezone=True), nullable=False),
        sa.Column("date_modified", sa.DateTime(timezone=True), nullable=False),
        sa.Column("is_hidden", sa.Boolean(), nullable=False),
        sa.Column("selected_aggregate", sa.Integer(), nullable=True),
        sa.Column("widget_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["widget_id"], ["sentry_dashboardwidget.id"], initially="DEFERRED", deferrable=True
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "order", "widget_id", name="sentry_dashboardwidgetquery_order_widget_id_uniq"
        ),
    )
    op.create_index(
        op.f("ix_sentry_dashboardwidgetquery_widget_id"),
        "sentry_dashboardwidgetquery",
        ["widget_id"],
        unique=False,
    )
    op.create_table(
        "sentry_environmentproject",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("is_hidden", sa.Boolean(), nullable=True),
        sa.Column("environment_id", sa.BigInteger(), nullable=False),
        sa.Column("project_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["environment_id"], ["sentry_environment.id"], initially="DEFERRED", deferrable=True
        ),
        sa.ForeignKeyConstraint(
            ["project_id"], ["sentry_project.id"], initially="DEFERRED", deferrable=True
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "environment_id",
            "project_id",
            name="sentry_environmentproject_environment_id_project_id_uniq",
        ),
    )
    op.create_index(
        op.f("ix_sentry_environmentproject_environment_id"),
        "sentry_environmentproject",
        ["environment_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_sentry_environmentproject_project_id"),
        "sentry_environmentproject",
        ["project_id"],
        unique=False,
    )
    op.create_table(
        "sentry_monitor",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("date_added", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("guid", sa.Uuid(as_uuid=False), nullable=False),
        sa.Column("slug", sa.String(length=50), nullable=False),
        sa.Column("is_muted", sa.Boolean(), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("is_upserting", sa.Boolean(), nullable=False),
        sa.Column("owner_team_id", sa.BigInteger(), nullable=True),
        sa.Column("config", sa.Text(), nullable=False),
        sa.Column("type", sa.Integer(), nullable=True),
        sa.Column("organization_id", sa.BigInteger(), nullable=False),
        sa.Column("project_id", sa.BigInteger(), nullable=False),
        sa.Column("owner_user_id", sa.BigInteger(), nullable=True),
        sa.CheckConstraint(
            "owner_user_id IS NULL OR owner_team_id IS NULL",
            name="monitor_owner_team_or_user_check",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["sentry_organization.id"], initially="DEFERRED", deferrable=True
        ),
        sa.ForeignKeyConstraint(
            ["project_id"], ["sentry_project.id"], initially="DEFERRED", deferrable=True
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("guid", name="sentry_monitor_guid_uniq"),
        sa.UniqueConstraint("project_id", "slug", name="sentry_monitor_project_id_slug_uniq"),
    )
    op.create_index(
        op.f("ix_sentry_monitor_organization_id"),
        "sentry_monitor",
        ["organization_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_sentry_monitor_owner_user_id"), "sentry_monitor", ["owner_user_id"], unique=False
    )
    op.create_index(
        op.f("ix_sentry_monitor_project_id"), "sentry_monitor", ["project_id"], unique=False
    )
    op.create_table(
        "sentry_notificationactionproject",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("action_id", sa.BigInteger(), nullable=False),
        sa.Column("project_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["action_id"], ["sentry_notificationaction.id"], initially="DEFERRED", deferrable=True
        ),
        sa.ForeignKeyConstraint(
            ["project_id"], ["sentry_project.id"], initially="DEFERRED", deferrable=True
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_sentry_notificationactionproject_action_id"),
        "sentry_notificationactionproject",
        ["action_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_sentry_notificationactionproject_project_id"),
        "sentry_notificationactionproject",
        ["project_id"],
        unique=False,
    )
    op.create_table(
        "sentry_projectbookmark",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("date_added", sa.DateTime(timezone=True), nullable=True),
        sa.Column("project_id", sa.BigInteger(), nullable=True),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"], ["sentry_project.id"], initially="DEFERRED", deferrable=True
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "project_id", "user_id", name="sentry_projectbookmark_project_id_user_id_uniq"
        ),
    )
    op.create_index(
        op.f("ix_sentry_projectbookmark_project_id"),
        "sentry_projectbookmark",
        ["project_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_sentry_projectbookmark_user_id"),
        "sentry_projectbookmark",
        ["user_id"],
        unique=False,
    )
    op.create_table(
        "sentry_projectcounter",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.Column("project_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"], ["sentry_project.id"], initially="DEFERRED", deferrable=True
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("project_id", name="sentry_projectcounter_project_id_uniq"),
    )
    op.create_index(
        op.f("ix_sentry_projectcounter_project_id"),
        "sentry_projectcounter",
        ["project_id"],
        unique=False,
    )
    op.create_table(
        "sentry_projectintegration",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("config", sa.Text(), nullable=False),
        sa.Column("project_id", sa.BigInteger(), nullable=False),
        sa.Column("integration_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"], ["sentry_project.id"], initially="DEFERRED", deferrable=True
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "integration_id",
            "project_id",
            name="sentry_projectintegration_integration_id_project_id_uniq",
        ),
    )
    op.create_index(
        op.f("ix_sentry_projectintegration_integration_id"),
        "sentry_projectintegration",
        ["integration_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_sentry_projectintegration_project_id"),
        "sentry_projectintegration",
        ["project_id"],
        unique=False,
    )
    op.create_table(
        "sentry_projectownership",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("raw", sa.Text(), nullable=True),
        sa.Column("schema", sa.Text(), nullable=True),
        sa.Column("fallthrough", sa.Boolean(), nullable=False),
        sa.Column("auto_assignment", sa.Boolean(), nullable=False),
        sa.Column("date_created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_updated", sa.DateTime(timezone=True), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("codeowners_auto_sync", sa.Boolean(), nullable=True),
        sa.Column("suspect_committer_auto_assignment", sa.Boolean(), nullable=False),
        sa.Column("project_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"], ["sentry_project.id"], initially="DEFERRED", deferrable=True
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("project_id", name="sentry_projectownership_project_id_uniq"),
    )
    op.create_index(
        op.f("ix_sentry_projectownership_project_id"),
        "sentry_projectownership",
        ["project_id"],
        unique=False,
    )
    op.create_table(
        "sentry_projectredirect",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("redirect_slug", sa.String(length=50), nullable=False),
        sa.Column("date_added", sa.DateTime(timezone=True), nullable=False),
        sa.Column("organization_id", sa.BigInteger(), nullable=False),
        sa.Column("project_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["sentry_organization.id"], initially="DEFERRED", deferrable=True
        ),
        sa.ForeignKeyConstraint(
            ["project_id"], ["sentry_project.id"], initially="DEFERRED", deferrable=True
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "organization_id",
            "redirect_slug",
            name="sentry_projectredirect_organization_id_redirect_slug_uniq",
        ),
    )
    op.create_index(
        op.f("ix_sentry_projectredirect_organization_id"),
        "sentry_projectredirect",
        ["organization_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_sentry_projectredirect_project_id"),
        "sentry_projectredirect",
        ["project_id"],
        unique=False,
    )
    op.create_table(
        "sentry_querysubscription",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("type", sa.Text(), nullable=False),
        sa.Column("status", sa.SmallInteger(), nullable=False),
        sa.Column("subscription_id", sa.Text(), nullable=True),
        sa.Column("date_added", sa.DateTime(timezone=True), nullable=False),
        sa.Column("date_updated", sa.DateTime(timezone=True), nullable=True),
        sa.Column("query_extra", sa.Text(), nullable=True),
        sa.Column("project_id", sa.BigInteger(), nullable=False),
        sa.Column("snuba_query_id", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["project_id"], ["sentry_project.id"], initially="DEFERRED", deferrable=True
        ),
        sa.ForeignKeyConstraint(
            ["snuba_query_id"], ["sentry_snubaquery.id"], initially="DEFERRED", deferrable=True
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "subscription_id", name="sentry_querysubscription_subscription_id_uniq"
        ),
    )
    op.create_index(
        op.f("ix_sentry_querysubscription_project_id"),
        "sentry_querysubscription",
        ["project_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_sentry_querysubscription_snuba_query_id"),
        "sentry_querysubscription",
        ["snuba_query_id"],
        unique=False,
    )
    op.create_table(
        "sentry_servicehook",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("guid", sa.String(length=32), nullable=True),
        sa.Column("actor_id", sa.BigInteger(), nullable=False),
        sa.Column("url", sa.String(length=512), nullable=False),
        sa.Column("secret", sa.Text(), nullable=False),
        sa.Column("events", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("date_added", sa.DateTime(timezone=True), nullable=False),
        sa.Column("application_id", sa.BigInteger(), nullable=True),
        sa.Column("installation_id", sa.BigInteger(), nullable=True),
        sa.Column("organization_id", sa.BigInteger(), nullable=True),
        sa.Column("project_id", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["sentry_organization.id"], initially="DEFERRED", deferrable=True
        ),
        sa.ForeignKeyConstraint(
            ["project_id"], ["sentry_project.id"], initially="DEFERRED", deferrable=True
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("guid", name="sentry_servicehook_guid_uniq"),
    )
    op.create_index(
        op.f("ix_sentry_servicehook_application_id"),
        "sentry_servicehook",
        ["application_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_sentry_servicehook_installation_id"),
        "sentry_servicehook",
        ["installation_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_sentry_servicehook_organization_id"),
        "sentry_servicehook",
        ["organization_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_sentry_servicehook_project_id"), "sentry_servicehook", ["project_id"], unique=False
    )
    op.create_table(
        "sentry_snubaqueryeventtype",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("type", sa.SmallInteger(), nullable=False),
        sa.Column("snuba_query_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["snuba_query_id"], ["sentry_snubaquery.id"], initially="DEFERRED", deferrable=True
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "snuba_query_id", "type", name="sentry_snubaqueryeventtype_snuba_query_id_type_uniq"
        ),
    )
    op.create_index(
        op.f("ix_sentry_snubaqueryeventtype_snuba_query_id"),
        "sentry_snubaqueryeventtype",
        ["snuba_query_id"],
        unique=False,
    )
    op.create_table(
        "workflow_engine_detector",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("type", sa.String(length=200), nullable=False),
        sa.Column("config", sa.Text(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("status", sa.SmallInteger(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("date_added", sa.DateTime(timezone=True), nullable=False),
        sa.Column("date_updated", sa.DateTime(timezone=True), nullable=False),
        sa.Column("organization_id", sa.BigInteger(), nullable=True),
        sa.Column("project_id", sa.BigInteger(), nullable=True),
        sa.Column("workflow_condition_group_id", sa.BigInteger(), nullable=True),
        sa.Column("owner_user_id", sa.BigInteger(), nullable=True),
        sa.Column("owner_team_id", sa.BigInteger(), nullable=True),
        sa.Column("created_by_id", sa.BigInteger(), nullable=True),
        sa.CheckConstraint(
            "owner_user_id IS NULL OR owner_team_id IS NULL",
            name="workflow_engine_detector_owner_constraints",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["sentry_organization.id"], initially="DEFERRED", deferrable=True
        ),
        sa.ForeignKeyConstraint(
            ["owner_team_id"], ["sentry_team.id"], initially="DEFERRED", deferrable=True
        ),
        sa.ForeignKeyConstraint(
            ["project_id"], ["sentry_project.id"], initially="DEFERRED", deferrable=True
        ),
        sa.ForeignKeyConstraint(
            ["workflow_condition_group_id"],
            ["workflow_engine_dataconditiongroup.id"],
            initially="DEFERRED",
            deferrable=True,
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "name", "organization_id", name="workflow_engine_detector_name_organization_id_uniq"
        ),
        sa.UniqueConstraint(
            "workflow_condition_group_id",
            name="workflow_engine_detector_workflow_condition_group_id_uniq",
        ),
    )
    op.create_index(
        op.f("ix_workflow_engine_detector_created_by_id"),
        "workflow_engine_detector",
        ["created_by_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_workflow_engine_detector_organization_id"),
        "workflow_engine_detector",
        ["organization_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_workflow_engine_detector_owner_team_id"),
        "workflow_engine_detector",
        ["owner_team_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_workflow_engine_detector_owner_user_id"),
        "workflow_engine_detector",
        ["owner_user_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_workflow_engine_detector_project_id"),
        "workflow_engine_detector",
        ["project_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_workflow_engine_detector_workflow_condition_group_id"),
        "workflow_engine_detector",
        ["workflow_condition_group_id"],
        unique=False,
    )
    op.create_table(
        "workflow_engine_workflowdataconditiongroup",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("date_added", sa.DateTime(timezone=True), nullable=False),
        sa.Column("date_updated", sa.DateTime(timezone=True), nullable=False),
        sa.Column("condition_group_id", sa.BigInteger(), nullable=False),
        sa.Column("workflow_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["condition_group_id"],
            ["workflow_engine_dataconditiongroup.id"],
            initially="DEFERRED",
            deferrable=True,
        ),
        sa.ForeignKeyConstraint(
            ["workflow_id"], ["workflow_engine_workflow.id"], initially="DEFERRED", deferrable=True
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "condition_group_id",
            name="workflow_engine_workflowdataconditiongroup_condition_group_id_u",
        ),
    )
    op.create_index(
        op.f("ix_workflow_engine_workflowdataconditiongroup_condition_group_id"),
        "workflow_engine_workflowdataconditiongroup",
        ["condition_group_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_workflow_engine_workflowdataconditiongroup_workflow_id"),
        "workflow_engine_workflowdataconditiongroup",
        ["workflow_id"],
        unique=False,
    )
    op.create_table(
        "workflow_engine_workflowgroupstatus",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("status", sa.SmallInteger(), nullable=False),
        sa.Column("date_added", sa.DateTime(timezone=True), nullable=False),
        sa.Column("date_updated", sa.DateTime(timezone=True), nullable=False),
        sa.Column("workflow_id", sa.BigInteger(), nullable=False),
        sa.Column("group_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["workflow_id"], ["workflow_engine_workflow.id"], initially="DEFERRED", deferrable=True
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "group_id",
            "workflow_id",
            name="workflow_engine_workflowgroupstatus_group_id_workflow_id_uniq",
        ),
    )
    op.create_index(
        op.f("ix_workflow_engine_workflowgroupstatus_group_id"),
        "workflow_engine_workflowgroupstatus",
        ["group_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_workflow_engine_workflowgroupstatus_workflow_id"),
        "workflow_engine_workflowgroupstatus",
        ["workflow_id"],
        unique=False,
    )
    op.create_table(
        "sentry_alertruleactivationcondition",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("label", sa.Text(), nullable=False),
        sa.Column("condition_type", sa.SmallInteger(), nullable=True),
        sa.Column("date_added", sa.DateTime(timezone=True), nullable=False),
        sa.Column("alert_rule_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["alert_rule_id"], ["sentry_alertrule.id"], initially="DEFERRED", deferrable=True
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "alert_rule_id",
            "label",
            name="sentry_alertruleactivationcondition_alert_rule_id_label_uniq",
        ),
    )
    op.create_index(
        op.f("ix_sentry_alertruleactivationcondition_alert_rule_id"),
        "sentry_alertruleactivationcondition",
        ["alert_rule_id"],
        unique=False,
    )
    op.create_table(
        "sentry_alertruleactivity",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("type", sa.Integer(), nullable=False),
        sa.Column("date_added", sa.DateTime(timezone=True), nullable=False),
        sa.Column("alert_rule_id", sa.BigInteger(), nullable=False),
        sa.Column("previous_alert_rule_id", sa.BigInteger(), nullable=True),
        sa.Column("user_id", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["alert_rule_id"], ["sentry_alertrule.id"], initially="DEFERRED", deferrable=True
        ),
        sa.ForeignKeyConstraint(
            ["previous_alert_rule_id"],
            ["sentry_alertrule.id"],
            initially="DEFERRED",
            deferrable=True,
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_sentry_alertruleactivity_alert_rule_id"),
        "sentry_alertruleactivity",
        ["alert_rule_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_sentry_alertruleactivity_previous_alert_rule_id"),
        "sentry_alertruleactivity",
        ["previous_alert_rule_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_sentry_alertruleactivity_user_id"),
        "sentry_alertruleactivity",
        ["user_id"],
        unique=False,
    )
    op.create_table(
        "sentry_alertruleprojects",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("date_added", sa.DateTime(timezone=True), nullable=False),
        sa.Column("alert_rule_id", sa.BigInteger(), nullable=False),
        sa.Column("project_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["alert_rule_id"], ["sentry_alertrule.id"], initially="DEFERRED", deferrable=True
        ),
        sa.ForeignKeyConstraint(
            ["project_id"], ["sentry_project.id"], initially="DEFERRED", deferrable=True
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "alert_rule_id",
            "project_id",
            name="sentry_alertruleprojects_alert_rule_id_project_id_uniq",
        ),
    )
    op.create_index(
        op.f("ix_sentry_alertruleprojects_alert_rule_id"),
        "sentry_alertruleprojects",
        ["alert_rule_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_sentry_alertruleprojects_project_id"),
        "sentry_alertruleprojects",
        ["project_id"],
        unique=False,
    )
    op.create_table(
        "sentry_alertruletrigger",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("label", sa.Text(), nullable=False),
        sa.Column("threshold_type", sa.SmallInteger(), nullable=True),
        sa.Column("alert_threshold", sa.Double(), nullable=False),
        sa.Column("resolve_threshold", sa.Double(), nullable=True),
        sa.Column("date_added", sa.DateTime(timezone=True), nullable=False),
        sa.Column("alert_rule_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["alert_rule_id"], ["sentry_alertrule.id"], initially="DEFERRED", deferrable=True
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "alert_rule_id", "label", name="sentry_alertruletrigger_alert_rule_id_label_uniq"
        ),
    )
    op.create_index(
        op.f("ix_sentry_alertruletrigger_alert_rule_id"),
        "sentry_alertruletrigger",
        ["alert_rule_id"],
        unique=False,
    )
    op.create_table(
        "sentry_dashboardwidgetqueryondemand",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("spec_hashes", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("spec_version", sa.Integer(), nullable=True),
        sa.Column("extraction_state", sa.String(length=30), nullable=False),
        sa.Column("date_modified", sa.DateTime(timezone=True), nullable=False),
        sa.Column("date_added", sa.DateTime(timezone=True), nullable=False),
        sa.Column("dashboard_widget_query_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["dashboard_widget_query_id"],
            ["sentry_dashboardwidgetquery.id"],
            initially="DEFERRED",
            deferrable=True,
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_sentry_dashboardwidgetqueryondemand_dashboard_widget_query_id"),
        "sentry_dashboardwidgetqueryondemand",
        ["dashboard_widget_query_id"],
        unique=False,
    )
    op.create_table(
        "sentry_incident",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("identifier", sa.Integer(), nullable=False),
        sa.Column("detection_uuid", sa.Uuid(as_uuid=False), nullable=True),
        sa.Column("status", sa.SmallInteger(), nullable=False),
        sa.Column("status_method", sa.SmallInteger(), nullable=False),
        sa.Column("type", sa.SmallInteger(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("date_started", sa.DateTime(timezone=True), nullable=False),
        sa.Column("date_detected", sa.DateTime(timezone=True), nullable=False),
        sa.Column("date_added", sa.DateTime(timezone=True), nullable=False),
        sa.Column("date_closed", sa.DateTime(timezone=True), nullable=True),
        sa.Column("organization_id", sa.BigInteger(), nullable=False),
        sa.Column("alert_rule_id", sa.BigInteger(), nullable=False),
        sa.Column("subscription_id", sa.BigInteger(), nullable=True),
        sa.Column("activation_id", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["alert_rule_id"], ["sentry_alertrule.id"], initially="DEFERRED", deferrable=True
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["sentry_organization.id"], initially="DEFERRED", deferrable=True
        ),
        sa.ForeignKeyConstraint(
            ["subscription_id"],
            ["sentry_querysubscription.id"],
            initially="DEFERRED",
            deferrable=True,
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "identifier", "organization_id", name="sentry_incident_identifier_organization_id_uniq"
        ),
    )
    op.create_index(
        op.f("ix_sentry_incident_activation_id"), "sentry_incident", ["activation_id"], unique=False
    )
    op.create_index(
        op.f("ix_sentry_incident_alert_rule_id"), "sentry_incident", ["alert_rule_id"], unique=False
    )
    op.create_index(
        op.f("ix_sentry_incident_organization_id"),
        "sentry_incident",
        ["organization_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_sentry_incident_subscription_id"),
        "sentry_incident",
        ["subscription_id"],
        unique=False,
    )
    op.create_table(
        "sentry_neglectedrule",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("disable_date", sa.DateTime(timezone=True), nullable=False),
        sa.Column("opted_out", sa.Boolean(), nullable=False),
        sa.Column("sent_initial_email_date", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_final_email_date", sa.DateTime(timezone=True), nullable=True),
        sa.Column("organization_id", sa.BigInteger(), nullable=False),
        sa.Column("rule_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["sentry_organization.id"], initially="DEFERRED", deferrable=True
        ),
        sa.ForeignKeyConstraint(
            ["rule_id"], ["sentry_rule.id"], initially="DEFERRED", deferrable=True
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_sentry_neglectedrule_organization_id"),
        "sentry_neglectedrule",
        ["organization_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_sentry_neglectedrule_rule_id"), "sentry_neglectedrule", ["rule_id"], unique=False
    )
    op.create_table(
        "sentry_ruleactivity",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("type", sa.Integer(), nullable=False),
        sa.Column("date_added", sa.DateTime(timezone=True), nullable=False),
        sa.Column("rule_id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["rule_id"], ["sentry_rule.id"], initially="DEFERRED", deferrable=True
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_sentry_ruleactivity_rule_id"), "sentry_ruleactivity", ["rule_id"], unique=False
    )
    op.create_index(
        op.f("ix_sentry_ruleactivity_user_id"), "sentry_ruleactivity", ["user_id"], unique=False
    )
    op.create_table(
        "sentry_rulesnooze",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("date_added", sa.DateTime(timezone=True), nullable=False),
        sa.Column("rule_id", sa.BigInteger(), nullable=True),
        sa.Column("alert_rule_id", sa.BigInteger(), nullable=True),
        sa.Column("user_id", sa.BigInteger(), nullable=True),
        sa.Column("owner_id", sa.BigInteger(), nullable=True),
        sa.CheckConstraint(
            "(rule_id IS NOT NULL AND alert_rule_id IS NULL) OR "
            "(rule_id IS NULL AND alert_rule_id IS NOT NULL)",
            name="rule_or_alert_rule",
        ),
        sa.ForeignKeyConstraint(
            ["alert_rule_id"], ["sentry_alertrule.id"], initially="DEFERRED", deferrable=True
        ),
        sa.ForeignKeyConstraint(
            ["rule_id"], ["sentry_rule.id"], initially="DEFERRED", deferrable=True
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "alert_rule_id", "user_id", name="sentry_rulesnooze_alert_rule_id_user_id_uniq"
        ),
        sa.UniqueConstraint("rule_id", "user_id", name="sentry_rulesnooze_rule_id_user_id_uniq"),
    )
    op.create_index(
        op.f("ix_sentry_rulesnooze_alert_rule_id"),
        "sentry_rulesnooze",
        ["alert_rule_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_sentry_rulesnooze_owner_id"), "sentry_rulesnooze", ["owner_id"], unique=False
    )
    op.create_index(
        op.f("ix_sentry_rulesnooze_rule_id"), "sentry_rulesnooze", ["rule_id"], unique=False
    )
    op.create_index(
        op.f("ix_sentry_rulesnooze_user_id"), "sentry_rulesnooze", ["user_id"], unique=False
    )
    op.create_index(
        "sentry_rulesnooze_alert_rule_id_partial_uniq",
        "sentry_rulesnooze",
        ["alert_rule_id"],
        unique=True,
        postgresql_where=sa.text("user_id IS NULL"),
    )
    op.create_index(
        "sentry_rulesnooze_rule_id_partial_uniq",
        "sentry_rulesnooze",
        ["rule_id"],
        unique=True,
        postgresql_where=sa.text("user_id IS NULL"),
    )
    op.create_table(
        "workflow_engine_alertruledetector",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("date_added", sa.DateTime(timezone=True), nullable=False),
        sa.Column("date_updated", sa.DateTime(timezone=True), nullable=False),
        sa.Column("alert_rule_id", sa.BigInteger(), nullable=True),
        sa.Column("detector_id", sa.BigInteger(), nullable=False),
        sa.Column("rule_id", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["alert_rule_id"], ["sentry_alertrule.id"], initially="DEFERRED", deferrable=True
        ),
        sa.ForeignKeyConstraint(
            ["detector_id"], ["workflow_engine_detector.id"], initially="DEFERRED", deferrable=True
        ),
        sa.ForeignKeyConstraint(
            ["rule_id"], ["sentry_rule.id"], initially="DEFERRED", deferrable=True
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "alert_rule_id",
            "detector_id",
            name="workflow_engine_alertruledetector_alert_rule_id_detector_id_uni",
        ),
        sa.UniqueConstraint(
            "detector_id",
            "rule_id",
            name="workflow_engine_alertruledetector_detector_id_rule_id_uniq",
        ),
    )
    op.create_index(
        op.f("ix_workflow_engine_alertruledetector_alert_rule_id"),
        "workflow_engine_alertruledetector",
        ["alert_rule_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_workflow_engine_alertruledetector_detector_id"),
        "workflow_engine_alertruledetector",
        ["detector_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_workflow_engine_alertruledetector_rule_id"),
        "workflow_engine_alertruledetector",
        ["rule_id"],
        unique=False,
    )
    op.create_table(
        "workflow_engine_alertruleworkflow",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("date_added", sa.DateTime(timezone=True), nullable=False),
        sa.Column("date_updated", sa.DateTime(timezone=True), nullable=False),
        sa.Column("alert_rule_id", sa.BigInteger(), nullable=True),
        sa.Column("rule_id", sa.BigInteger(), nullable=True),
        sa.Column("workflow_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["alert_rule_id"], ["sentry_alertrule.id"], initially="DEFERRED", deferrable=True
        ),
        sa.ForeignKeyConstraint(
            ["rule_id"], ["sentry_rule.id"], initially="DEFERRED", deferrable=True
        ),
        sa.ForeignKeyConstraint(
            ["workflow_id"], ["workflow_engine_workflow.id"], initially="DEFERRED", deferrable=True
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "alert_rule_id",
            "workflow_id",
            name="workflow_engine_alertruleworkflow_alert_rule_id_workflow_id_uni",
        ),
        sa.UniqueConstraint(
            "rule_id",
            "workflow_id",
            name="workflow_engine_alertruleworkflow_rule_id_workflow_id_uniq",
        ),
    )
    op.create_index(
        op.f("ix_workflow_engine_alertruleworkflow_alert_rule_id"),
        "workflow_engine_alertruleworkflow",
        ["alert_rule_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_workflow_engine_alertruleworkflow_rule_id"),
        "workflow_engine_alertruleworkflow",
        ["rule_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_workflow_engine_alertruleworkflow_workflow_id"),
        "workflow_engine_alertruleworkflow",
        ["workflow_id"],
        unique=False,
    )
    op.create_table(
        "workflow_engine_datasourcedetector",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("date_added", sa.DateTime(timezone=True), nullable=False),
        sa.Column("date_updated", sa.DateTime(timezone=True), nullable=False),
        sa.Column("data_source_id", sa.BigInteger(), nullable=False),
        sa.Column("detector_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["data_source_id"],
            ["workflow_engine_datasource.id"],
            initially="DEFERRED",
            deferrable=True,
        ),
        sa.ForeignKeyConstraint(
            ["detector_id"], ["workflow_engine_detector.id"], initially="DEFERRED", deferrable=True
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "data_source_id",
            "detector_id",
            name="workflow_engine_datasourcedetector_data_source_id_detector_id_u",
        ),
    )
    op.create_index(
        op.f("ix_workflow_engine_datasourcedetector_data_source_id"),
        "workflow_engine_datasourcedetector",
        ["data_source_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_workflow_engine_datasourcedetector_detector_id"),
        "workflow_engine_datasourcedetector",
        ["detector_id"],
        unique=False,
    )
    op.create_table(
        "workflow_engine_detectorworkflow",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("date_added", sa.DateTime(timezone=True), nullable=False),
        sa.Column("date_updated", sa.DateTime(timezone=True), nullable=False),
        sa.Column("detector_id", sa.BigInteger(), nullable=False),
        sa.Column("workflow_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["detector_id"], ["workflow_engine_detector.id"], initially="DEFERRED", deferrable=True
        ),
        sa.ForeignKeyConstraint(
            ["workflow_id"], ["workflow_engine_workflow.id"], initially="DEFERRED", deferrable=True
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_workflow_engine_detectorworkflow_detector_id"),
        "workflow_engine_detectorworkflow",
        ["detector_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_workflow_engine_detectorworkflow_workflow_id"),
        "workflow_engine_detectorworkflow",
        ["workflow_id"],
        unique=False,
    )
    op.create_table(
        "sentry_alertruletriggeraction",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("type", sa.SmallInteger(), nullable=False),
        sa.Column("target_type", sa.SmallInteger(), nullable=False),
        sa.Column("target_identifier", sa.Text(), nullable=True),
        sa.Column("target_display", sa.Text(), nullable=True),
        sa.Column("date_added", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sentry_app_config", sa.Text(), nullable=True),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("alert_rule_trigger_id", sa.BigInteger(), nullable=False),
        sa.Column("integration_id", sa.BigInteger(), nullable=True),
        sa.Column("sentry_app_id", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["alert_rule_trigger_id"],
            ["sentry_alertruletrigger.id"],
            initially="DEFERRED",
            deferrable=True,
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_sentry_alertruletriggeraction_alert_rule_trigger_id"),
        "sentry_alertruletriggeraction",
        ["alert_rule_trigger_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_sentry_alertruletriggeraction_integration_id"),
        "sentry_alertruletriggeraction",
        ["integration_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_sentry_alertruletriggeraction_sentry_app_id"),
        "sentry_alertruletriggeraction",
        ["sentry_app_id"],
        unique=False,
    )
    op.create_table(
        "sentry_incidentactivity",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("type", sa.Integer(), nullable=False),
        sa.Column("value", sa.Text(), nullable=True),
        sa.Column("previous_value", sa.Text(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("date_added", sa.DateTime(timezone=True), nullable=False),
        sa.Column("notification_uuid", sa.Uuid(as_uuid=False), nullable=True),
        sa.Column("incident_id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["sentry_incident.id"], initially="DEFERRED", deferrable=True
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_sentry_incidentactivity_incident_id"),
        "sentry_incidentactivity",
        ["incident_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_sentry_incidentactivity_user_id"),
        "sentry_incidentactivity",
        ["user_id"],
        unique=False,
    )
    op.create_table(
        "sentry_incidentsnapshot",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("unique_users", sa.Integer(), nullable=False),
        sa.Column("total_events", sa.Integer(), nullable=False),
        sa.Column("date_added", sa.DateTime(timezone=True), nullable=False),
        sa.Column("incident_id", sa.BigInteger(), nullable=False),
        sa.Column("event_stats_snapshot_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_stats_snapshot_id"],
            ["sentry_timeseriessnapshot.id"],
            initially="DEFERRED",
            deferrable=True,
        ),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["sentry_incident.id"], initially="DEFERRED", deferrable=True
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("incident_id", name="sentry_incidentsnapshot_incident_id_uniq"),
    )
    op.create_index(
        op.f("ix_sentry_incidentsnapshot_event_stats_snapshot_id"),
        "sentry_incidentsnapshot",
        ["event_stats_snapshot_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_sentry_incidentsnapshot_incident_id"),
        "sentry_incidentsnapshot",
        ["incident_id"],
        unique=False,
    )
    op.create_table(
        "sentry_incidenttrigger",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("status", sa.SmallInteger(), nullable=False),
        sa.Column("date_modified", sa.DateTime(timezone=True), nullable=False),
        sa.Column("date_added", sa.DateTime(timezone=True), nullable=False),
        sa.Column("incident_id", sa.BigInteger(), nullable=False),
        sa.Column("alert_rule_trigger_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["alert_rule_trigger_id"],
            ["sentry_alertruletrigger.id"],
            initially="DEFERRED",
            deferrable=True,
        ),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["sentry_incident.id"], initially="DEFERRED", deferrable=True
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "alert_rule_trigger_id",
            "incident_id",
            name="sentry_incidenttrigger_alert_rule_trigger_id_incident_id_uniq",
        ),
    )
    op.create_index(
        op.f("ix_sentry_incidenttrigger_alert_rule_trigger_id"),
        "sentry_incidenttrigger",
        ["alert_rule_trigger_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_sentry_incidenttrigger_incident_id"),
        "sentry_incidenttrigger",
        ["incident_id"],
        unique=False,
    )
    op.create_table(
        "sentry_pendingincidentsnapshot",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("target_run_date", sa.DateTime(timezone=True), nullable=False),
        sa.Column("date_added", sa.DateTime(timezone=True), nullable=False),
        sa.Column("incident_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["sentry_incident.id"], initially="DEFERRED", deferrable=True
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("incident_id", name="sentry_pendingincidentsnapshot_incident_id_uniq"),
    )
    op.create_index(
        op.f("ix_sentry_pendingincidentsnapshot_incident_id"),
        "sentry_pendingincidentsnapshot",
        ["incident_id"],
        unique=False,
    )
    op.create_table(
        "workflow_engine_alertruletriggerdatacondition",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("date_added", sa.DateTime(timezone=True), nullable=False),
        sa.Column("date_updated", sa.DateTime(timezone=True), nullable=False),
        sa.Column("alert_rule_trigger_id", sa.BigInteger(), nullable=False),
        sa.Column("data_condition_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["alert_rule_trigger_id"],
            ["sentry_alertruletrigger.id"],
            initially="DEFERRED",
            deferrable=True,
        ),
        sa.ForeignKeyConstraint(
            ["data_condition_id"],
            ["workflow_engine_datacondition.id"],
            initially="DEFERRED",
            deferrable=True,
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_workflow_engine_alertruletriggerdatacondition_alert_rule_trigger_id"),
        "workflow_engine_alertruletriggerdatacondition",
        ["alert_rule_trigger_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_workflow_engine_alertruletriggerdatacondition_data_condition_id"),
        "workflow_engine_alertruletriggerdatacondition",
        ["data_condition_id"],
        unique=False,
    )
    op.create_foreign_key(
        "sentry_project_template_id_fkey",
        "sentry_project",
        "sentry_projecttemplate",
        ["template_id"],
        ["id"],
        initially="DEFERRED",
        deferrable=True,
    )
    op.create_foreign_key(
        "sentry_rule_environment_id_fkey",
        "sentry_rule",
        "sentry_environment",
        ["environment_id"],
        ["id"],
        initially="DEFERRED",
        deferrable=True,
    )


def downgrade() -> None:
    op.drop_constraint("sentry_rule_environment_id_fkey", "sentry_rule", type_="foreignkey")
    op.drop_constraint("sentry_project_template_id_fkey", "sentry_project", type_="foreignkey")
    op.drop_index(
        op.f("ix_workflow_engine_alertruletriggerdatacondition_data_condition_id"),
        table_name="workflow_engine_alertruletriggerdatacondition",
    )
    op.drop_index(
        op.f("ix_workflow_engine_alertruletriggerdatacondition_alert_rule_trigger_id"),
        table_name="workflow_engine_alertruletriggerdatacondition",
    )
    op.drop_table("workflow_engine_alertruletriggerdatacondition")
    op.drop_index(
        op.f("ix_sentry_pendingincidentsnapshot_incident_id"),
        table_name="sentry_pendingincidentsnapshot",
    )
    op.drop_table("sentry_pendingincidentsnapshot")
    op.drop_index(
        op.f("ix_sentry_incidenttrigger_incident_id"), table_name="sentry_incidenttrigger"
    )
    op.drop_index(
        op.f("ix_sentry_incidenttrigger_alert_rule_trigger_id"), table_name="sentry_incidenttrigger"
    )
    op.drop_table("sentry_incidenttrigger")
    op.drop_index(
        op.f("ix_sentry_incidentsnapshot_incident_id"), table_name="sentry_incidentsnapshot"
    )
    op.drop_index(
        op.f("ix_sentry_incidentsnapshot_event_stats_snapshot_id"),
        table_name="sentry_incidentsnapshot",
    )
    op.drop_table("sentry_incidentsnapshot")
    op.drop_index(op.f("ix_sentry_incidentactivity_user_id"), table_name="sentry_incidentactivity")
    op.drop_index(
        op.f("ix_sentry_incidentactivity_incident_id"), table_name="sentry_incidentactivity"
    )
    op.drop_table("sentry_incidentactivity")
    op.drop_index(
        op.f("ix_sentry_alertruletriggeraction_sentry_app_id"),
        table_name="sentry_alertruletriggeraction",
    )
    op.drop_index(
        op.f("ix_sentry_alertruletriggeraction_integration_id"),
        table_name="sentry_alertruletriggeraction",
    )
    op.drop_index(
        op.f("ix_sentry_alertruletriggeraction_alert_rule_trigger_id"),
        table_name="sentry_alertruletriggeraction",
    )
    op.drop_table("sentry_alertruletriggeraction")
    op.drop_index(
        op.f("ix_workflow_engine_detectorworkflow_workflow_id"),
        table_name="workflow_engine_detectorworkflow",
    )
    op.drop_index(
        op.f("ix_workflow_engine_detectorworkflow_detector_id"),
        table_name="workflow_engine_detectorworkflow",
    )
    op.drop_table("workflow_engine_detectorworkflow")
    op.drop_index(
        op.f("ix_workflow_engine_datasourcedetector_detector_id"),
        table_name="workflow_engine_datasourcedetector",
    )
    op.drop_index(
        op.f("ix_workflow_engine_datasourcedetector_data_source_id"),
        table_name="workflow_engine_datasourcedetector",
    )
    op.drop_table("workflow_engine_datasourcedetector")
    op.drop_index(
        op.f("ix_workflow_engine_alertruleworkflow_workflow_id"),
        table_name="workflow_engine_alertruleworkflow",
    )
    op.drop_index(
        op.f("ix_workflow_engine_alertruleworkflow_rule_id"),
        table_name="workflow_engine_alertruleworkflow",
    )
    op.drop_index(
        op.f("ix_workflow_engine_alertruleworkflow_alert_rule_id"),
        table_name="workflow_engine_alertruleworkflow",
    )
    op.drop_table("workflow_engine_alertruleworkflow")
    op.drop_index(
        op.f("ix_workflow_engine_alertruledetector_rule_id"),
        table_name="workflow_engine_alertruledetector",
    )
    op.drop_index(
        op.f("ix_workflow_engine_alertruledetector_detector_id"),
        table_name="workflow_engine_alertruledetector",
    )
    op.drop_index(
        op.f("ix_workflow_engine_alertruledetector_alert_rule_id"),
        table_name="workflow_engine_alertruledetector",
    )
    op.drop_table("workflow_engine_alertruledetector")
    op.drop_index(
        "sentry_rulesnooze_rule_id_partial_uniq",
        table_name="sentry_rulesnooze",
        postgresql_where=sa.text("user_id IS NULL"),
    )
    op.drop_index(
        "sentry_rulesnooze_alert_rule_id_partial_uniq",
        table_name="sentry_rulesnooze",
        postgresql_where=sa.text("user_id IS NULL"),
    )
    op.drop_index(op.f("ix_sentry_rulesnooze_user_id"), table_name="sentry_rulesnooze")
    op.drop_index(op.f("ix_sentry_rulesnooze_rule_id"), table_name="sentry_rulesnooze")
    op.drop_index(op.f("ix_sentry_rulesnooze_owner_id"), table_name="sentry_rulesnooze")
    op.drop_index(op.f("ix_sentry_rulesnooze_alert_rule_id"), table_name="sentry_rulesnooze")
    op.drop_table("sentry_rulesnooze")
    op.drop_index(op.f("ix_sentry_ruleactivity_user_id"), table_name="sentry_ruleactivity")
    op.drop_index(op.f("ix_sentry_ruleactivity_rule_id"), table_name="sentry_ruleactivity")
    op.drop_table("sentry_ruleactivity")
    op.drop_index(op.f("ix_sentry_neglectedrule_rule_id"), table_name="sentry_neglectedrule")
    op.drop_index(
        op.f("ix_sentry_neglectedrule_organization_id"), table_name="sentry_neglectedrule"
    )
    op.drop_table("sentry_neglectedrule")
    op.drop_index(op.f("ix_sentry_incident_subscription_id"), table_name="sentry_incident")
    op.drop_index(op.f("ix_sentry_incident_organization_id"), table_name="sentry_incident")
    op.drop_index(op.f("ix_sentry_incident_alert_rule_id"), table_name="sentry_incident")
    op.drop_index(op.f("ix_sentry_incident_activation_id"), table_name="sentry_incident")
    op.drop_table("sentry_incident")
    op.drop_index(
        op.f("ix_sentry_dashboardwidgetqueryondemand_dashboard_widget_query_id"),
        table_name="sentry_dashboardwidgetqueryondemand",
    )
    op.drop_table("sentry_dashboardwidgetqueryondemand")
    op.drop_index(
        op.f("ix_sentry_alertruletrigger_alert_rule_id"), table_name="sentry_alertruletrigger"
    )
    op.drop_table("sentry_alertruletrigger")
    op.drop_index(
        op.f("ix_sentry_alertruleprojects_project_id"), table_name="sentry_alertruleprojects"
    )
    op.drop_index(
        op.f("ix_sentry_alertruleprojects_alert_rule_id"), table_name="sentry_alertruleprojects"
    )
    op.drop_table("sentry_alertruleprojects")
    op.drop_index(
        op.f("ix_sentry_alertruleactivity_user_id"), table_name="sentry_alertruleactivity"
    )
    op.drop_index(
        op.f("ix_sentry_alertruleactivity_previous_alert_rule_id"),
        table_name="sentry_alertruleactivity",
    )
    op.drop_index(
        op.f("ix_sentry_alertruleactivity_alert_rule_id"), table_name="sentry_alertruleactivity"
    )
    op.drop_table("sentry_alertruleactivity")
    op.drop_index(
        op.f("ix_sentry_alertruleactivationcondition_alert_rule_id"),
        table_name="sentry_alertruleactivationcondition",
    )
    op.drop_table("sentry_alertruleactivationcondition")
    op.drop_index(
        op.f("ix_workflow_engine_workflowgroupstatus_workflow_id"),
        table_name="workflow_engine_workflowgroupstatus",
    )
    op.drop_index(
        op.f("ix_workflow_engine_workflowgroupstatus_group_id"),
        table_name="workflow_engine_workflowgroupstatus",
    )
    op.drop_table("workflow_engine_workflowgroupstatus")
    op.drop_index(
        op.f("ix_workflow_engine_workflowdataconditiongroup_workflow_id"),
        table_name="workflow_engine_workflowdataconditiongroup",
    )
    op.drop_index(
        op.f("ix_workflow_engine_workflowdataconditiongroup_condition_group_id"),
        table_name="workflow_engine_workflowdataconditiongroup",
    )
    op.drop_table("workflow_engine_workflowdataconditiongroup")
    op.drop_index(
        op.f("ix_workflow_engine_detector_workflow_condition_group_id"),
        table_name="workflow_engine_detector",
    )
    op.drop_index(
        op.f("ix_workflow_engine_detector_project_id"), table_name="workflow_engine_detector"
    )
    op.drop_index(
        op.f("ix_workflow_engine_detector_owner_user_id"), table_name="workflow_engine_detector"
    )
    op.drop_index(
        op.f("ix_workflow_engine_detector_owner_team_id"), table_name="workflow_engine_detector"
    )
    op.drop_index(
        op.f("ix_workflow_engine_detector_organization_id"), table_name="workflow_engine_detector"
    )
    op.drop_index(
        op.f("ix_workflow_engine_detector_created_by_id"), table_name="workflow_engine_detector"
    )
    op.drop_table("workflow_engine_detector")
    op.drop_index(
        op.f("ix_sentry_snubaqueryeventtype_snuba_query_id"),
        table_name="sentry_snubaqueryeventtype",
    )
    op.drop_table("sentry_snubaqueryeventtype")
    op.drop_index(op.f("ix_sentry_servicehook_project_id"), table_name="sentry_servicehook")
    op.drop_index(op.f("ix_sentry_servicehook_organization_id"), table_name="sentry_servicehook")
    op.drop_index(op.f("ix_sentry_servicehook_installation_id"), table_name="sentry_servicehook")
    op.drop_index(op.f("ix_sentry_servicehook_application_id"), table_name="sentry_servicehook")
    op.drop_table("sentry_servicehook")
    op.drop_index(
        op.f("ix_sentry_querysubscription_snuba_query_id"), table_name="sentry_querysubscription"
    )
    op.drop_index(
        op.f("ix_sentry_querysubscription_project_id"), table_name="sentry_querysubscription"
    )
    op.drop_table("sentry_querysubscription")
    op.drop_index(op.f("ix_sentry_projectredirect_project_id"), table_name="sentry_projectredirect")
    op.drop_index(
        op.f("ix_sentry_projectredirect_organization_id"), table_name="sentry_projectredirect"
    )
    op.drop_table("sentry_projectredirect")
    op.drop_index(
        op.f("ix_sentry_projectownership_project_id"), table_name="sentry_projectownership"
    )
    op.drop_table("sentry_projectownership")
    op.drop_index(
        op.f("ix_sentry_projectintegration_project_id"), table_name="sentry_projectintegration"
    )
    op.drop_index(
        op.f("ix_sentry_projectintegration_integration_id"), table_name="sentry_projectintegration"
    )
    op.drop_table("sentry_projectintegration")
    op.drop_index(op.f("ix_sentry_projectcounter_project_id"), table_name="sentry_projectcounter")
    op.drop_table("sentry_projectcounter")
    op.drop_index(op.f("ix_sentry_projectbookmark_user_id"), table_name="sentry_projectbookmark")
    op.drop_index(op.f("ix_sentry_projectbookmark_project_id"), table_name="sentry_projectbookmark")
    op.drop_table("sentry_projectbookmark")
    op.drop_index(
        op.f("ix_sentry_notificationactionproject_project_id"),
        table_name="sentry_notificationactionproject",
    )
    op.drop_index(
        op.f("ix_sentry_notificationactionproject_action_id"),
        table_name="sentry_notificationactionproject",
    )
    op.drop_table("sentry_notificationactionproject")
    op.drop_index(op.f("ix_sentry_monitor_project_id"), table_name="sentry_monitor")
    op.drop_index(op.f("ix_sentry_monitor_owner_user_id"), table_name="sentry_monitor")
    op.drop_index(op.f("ix_sentry_monitor_organization_id"), table_name="sentry_monitor")
    op.drop_table("sentry_monitor")
    op.drop_index(
        op.f("ix_sentry_environmentproject_project_id"), table_name="sentry_environmentproject"
    )
    op.drop_index(
        op.f("ix_sentry_environmentproject_environment_id"), table_name="sentry_environmentproject"
    )
    op.drop_table("sentry_environmentproject")
    op.drop_index(
        op.f("ix_sentry_dashboardwidgetquery_widget_id"), table_name="sentry_dashboardwidgetquery"
    )
    op.drop_table("sentry_dashboardwidgetquery")
    op.drop_index(
        op.f("ix_sentry_dashboardpermissionsteam_team_id"),
        table_name="sentry_dashboardpermissionsteam",
    )
    op.drop_index(
        op.f("ix_sentry_dashboardpermissionsteam_permissions_id"),
        table_name="sentry_dashboardpermissionsteam",
    )
    op.drop_table("sentry_dashboardpermissionsteam")
    op.drop_index(
        op.f("ix_sentry_customdynamicsamplingruleproject_project_id"),
        table_name="sentry_customdynamicsamplingruleproject",
    )
    op.drop_index(
        op.f("ix_sentry_customdynamicsamplingruleproject_custom_dynamic_sampling_rule_id"),
        table_name="sentry_customdynamicsamplingruleproject",
    )
    op.drop_table("sentry_customdynamicsamplingruleproject")
    op.drop_index(op.f("ix_sentry_alertrule_user_id"), table_name="sentry_alertrule")
    op.drop_index(op.f("ix_sentry_alertrule_team_id"), table_name="sentry_alertrule")
    op.drop_index(op.f("ix_sentry_alertrule_snuba_query_id"), table_name="sentry_alertrule")
    op.drop_index(op.f("ix_sentry_alertrule_organization_id"), table_name="sentry_alertrule")
    op.drop_table("sentry_alertrule")
    op.drop_index(
        op.f("ix_workflow_engine_workflow_when_condition_group_id"),
        table_name="workflow_engine_workflow",
    )
    op.drop_index(
        op.f("ix_workflow_engine_workflow_owner_user_id"), table_name="workflow_engine_workflow"
    )
    op.drop_index(
        op.f("ix_workflow_engine_workflow_owner_team_id"), table_name="workflow_engine_workflow"
    )
    op.drop_index(
        op.f("ix_workflow_engine_workflow_organization_id"), table_name="workflow_engine_workflow"
    )
    op.drop_index(
        op.f("ix_workflow_engine_workflow_environment_id"), table_name="workflow_engine_workflow"
    )
    op.drop_index(
        op.f("ix_workflow_engine_workflow_created_by_id"), table_name="workflow_engine_workflow"
    )
    op.drop_table("workflow_engine_workflow")
    op.drop_index(
        op.f("ix_workflow_engine_datacondition_condition_group_id"),
        table_name="workflow_engine_datacondition",
    )
    op.drop_table("workflow_engine_datacondition")
    op.drop_index(op.f("ix_sentry_snubaquery_environment_id"), table_name="sentry_snubaquery")
    op.drop_table("sentry_snubaquery")
    op.drop_index(
        op.f("ix_sentry_projecttemplateoption_project_template_id"),
        table_name="sentry_projecttemplateoption",
    )
    op.drop_table("sentry_projecttemplateoption")
    op.drop_index(
        op.f("ix_sentry_organizationaccessrequest_team_id"),
        table_name="sentry_organizationaccessrequest",
    )
    op.drop_index(
        op.f("ix_sentry_organizationaccessrequest_requester_id"),
        table_name="sentry_organizationaccessrequest",
    )
    op.drop_index(
        op.f("ix_sentry_organizationaccessrequest_member_id"),
        table_name="sentry_organizationaccessrequest",
    )
    op.drop_table("sentry_organizationaccessrequest")
    op.drop_index(
        op.f("ix_sentry_dashboardwidget_dashboard_id"), table_name="sentry_dashboardwidget"
    )
    op.drop_table("sentry_dashboardwidget")
    op.drop_index(
        op.f("ix_sentry_dashboardpermissions_dashboard_id"),
        table_name="sentry_dashboardpermissions",
    )
    op.drop_table("sentry_dashboardpermissions")
    op.drop_index(
        op.f("ix_sentry_dashboardfavoriteuser_user_id"), table_name="sentry_dashboardfavoriteuser"
    )
    op.drop_index(
        op.f("ix_sentry_dashboardfavoriteuser_dashboard_id"),
        table_name="sentry_dashboardfavoriteuser",
    )
    op.drop_table("sentry_dashboardfavoriteuser")
    op.drop_index(
        op.f("ix_workflow_engine_datasource_organization_id"),
        table_name="workflow_engine_datasource",
    )
    op.drop_table("workflow_engine_datasource")
    op.drop_index(
        op.f("ix_workflow_engine_dataconditiongroup_organization_id"),
        table_name="workflow_engine_dataconditiongroup",
    )
    op.drop_table("workflow_engine_dataconditiongroup")
    op.drop_index(
        "sentry_savedsearch_organization_id_owner_id_type_partial_uniq",
        table_name="sentry_savedsearch",
        postgresql_where=sa.text("visibility = 'owner_pinned'"),
    )
    op.drop_index(
        "sentry_savedsearch_is_global_name_partial_uniq",
        table_name="sentry_savedsearch",
        postgresql_where=sa.text("is_global"),
    )
    op.drop_index(op.f("ix_sentry_savedsearch_owner_id"), table_name="sentry_savedsearch")
    op.drop_index(op.f("ix_sentry_savedsearch_organization_id"), table_name="sentry_savedsearch")
    op.drop_table("sentry_savedsearch")
    op.drop_index(op.f("ix_sentry_repository_organization_id"), table_name="sentry_repository")
    op.drop_index(op.f("ix_sentry_repository_integration_id"), table_name="sentry_repository")
    op.drop_table("sentry_repository")
    op.drop_index(op.f("ix_sentry_recentsearch_user_id"), table_name="sentry_recentsearch")
    op.drop_index(op.f("ix_sentry_recentsearch_organization_id"), table_name="sentry_recentsearch")
    op.drop_table("sentry_recentsearch")
    op.drop_index(
        op.f("ix_sentry_projecttemplate_organization_id"), table_name="sentry_projecttemplate"
    )
    op.drop_table("sentry_projecttemplate")
    op.drop_index(
        op.f("ix_sentry_notificationaction_sentry_app_id"), table_name="sentry_notificationaction"
    )
    op.drop_index(
        op.f("ix_sentry_notificationaction_organization_id"), table_name="sentry_notificationaction"
    )
    op.drop_index(
        op.f("ix_sentry_notificationaction_integration_id"), table_name="sentry_notificationaction"
    )
    op.drop_table("sentry_notificationaction")
    op.drop_index(op.f("ix_sentry_groupsearchview_user_id"), table_name="sentry_groupsearchview")
    op.drop_index(
        op.f("ix_sentry_groupsearchview_organization_id"), table_name="sentry_groupsearchview"
    )
    op.drop_table("sentry_groupsearchview")
    op.drop_index(op.f("ix_sentry_environment_organization_id"), table_name="sentry_environment")
    op.drop_table("sentry_environment")
    op.drop_index(
        op.f("ix_sentry_datasecrecywaiver_organization_id"), table_name="sentry_datasecrecywaiver"
    )
    op.drop_table("sentry_datasecrecywaiver")
    op.drop_index(
        op.f("ix_sentry_dashboardtombstone_organization_id"), table_name="sentry_dashboardtombstone"
    )
    op.drop_table("sentry_dashboardtombstone")
    op.drop_index(op.f("ix_sentry_dashboard_organization_id"), table_name="sentry_dashboard")
    op.drop_index(op.f("ix_sentry_dashboard_created_by_id"), table_name="sentry_dashboard")
    op.drop_table("sentry_dashboard")
    op.drop_index(
        op.f("ix_sentry_customdynamicsamplingrule_organization_id"),
        table_name="sentry_customdynamicsamplingrule",
    )
    op.drop_index(
        op.f("ix_sentry_customdynamicsamplingrule_created_by_id"),
        table_name="sentry_customdynamicsamplingrule",
    )
    op.drop_table("sentry_customdynamicsamplingrule")
    op.drop_table("sentry_timeseriessnapshot")
