"""SSO, API keys, grants and authorizations, Sentry apps, org integrations

Revision ID: control_0002
Revises: control_0001
Create Date: 2026-11-22 03:28:32.389630
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "control_0002"
down_revision: str | None = "control_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sentry_apikey",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("scopes", sa.BigInteger(), nullable=False),
        sa.Column("scope_list", postgresql.ARRAY(sa.Text()), nullable=True),
        sa.Column("label", sa.String(length=64), nullable=False),
        sa.Column("key", sa.String(length=32), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("date_added", sa.DateTime(timezone=True), nullable=False),
        sa.Column("allowed_origins", sa.Text(), nullable=True),
        sa.Column("organization_id", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key", name="sentry_apikey_key_uniq"),
    )
    op.create_index(
        op.f("ix_sentry_apikey_organization_id"), "sentry_apikey", ["organization_id"], unique=False
    )
    op.create_table(
        "sentry_authprovider",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("provider", sa.String(length=128), nullable=False),
        sa.Column("config", sa.Text(), nullable=False),
        sa.Column("date_added", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sync_time", sa.Integer(), nullable=True),
        sa.Column("last_sync", sa.DateTime(timezone=True), nullable=True),
        sa.Column("default_role", sa.Integer(), nullable=False),
        sa.Column("default_global_access", sa.Boolean(), nullable=False),
        sa.Column("flags", sa.BigInteger(), nullable=False),
        sa.Column("organization_id", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("organization_id", name="sentry_authprovider_organization_id_uniq"),
    )
    op.create_index(
        op.f("ix_sentry_authprovider_organization_id"),
        "sentry_authprovider",
        ["organization_id"],
        unique=False,
    )
    op.create_table(
        "sentry_authidentity",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("ident", sa.String(length=128), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("last_verified", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_synced", sa.DateTime(timezone=True), nullable=False),
        sa.Column("date_added", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("auth_provider_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["auth_provider_id"], ["sentry_authprovider.id"], initially="DEFERRED", deferrable=True
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["auth_user.id"], initially="DEFERRED", deferrable=True
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "auth_provider_id", "ident", name="sentry_authidentity_auth_provider_id_ident_uniq"
        ),
        sa.UniqueConstraint(
            "auth_provider_id", "user_id", name="sentry_authidentity_auth_provider_id_user_id_uniq"
        ),
    )
    op.create_index(
        op.f("ix_sentry_authidentity_auth_provider_id"),
        "sentry_authidentity",
        ["auth_provider_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_sentry_authidentity_user_id"), "sentry_authidentity", ["user_id"], unique=False
    )
    op.create_table(
        "sentry_organizationintegration",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("date_updated", sa.DateTime(timezone=True), nullable=False),
        sa.Column("date_added", sa.DateTime(timezone=True), nullable=True),
        sa.Column("config", sa.Text(), nullable=False),
        sa.Column("default_auth_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("grace_period_end", sa.DateTime(timezone=True), nullable=True),
        sa.Column("organization_id", sa.BigInteger(), nullable=False),
        sa.Column("integration_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["integration_id"], ["sentry_integration.id"], initially="DEFERRED", deferrable=True
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "integration_id",
            "organization_id",
            name="sentry_organizationintegration_integration_id_organization_id_u",
        ),
    )
    op.create_index(
        op.f("ix_sentry_organizationintegration_integration_id"),
        "sentry_organizationintegration",
        ["integration_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_sentry_organizationintegration_organization_id"),
        "sentry_organizationintegration",
        ["organization_id"],
        unique=False,
    )
    op.create_table(
        "sentry_apiauthorization",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("scopes", sa.BigInteger(), nullable=False),
        sa.Column("scope_list", postgresql.ARRAY(sa.Text()), nullable=True),
        sa.Column("date_added", sa.DateTime(timezone=True), nullable=False),
        sa.Column("application_id", sa.BigInteger(), nullable=True),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("organization_id", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["application_id"], ["sentry_apiapplication.id"], initially="DEFERRED", deferrable=True
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["auth_user.id"], initially="DEFERRED", deferrable=True
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "apiauthorization_user_app",
        "sentry_apiauthorization",
        ["user_id", "application_id"],
        unique=True,
        postgresql_where=sa.text("organization_id IS NULL"),
    )
    op.create_index(
        "apiauthorization_user_app_org",
        "sentry_apiauthorization",
        ["user_id", "application_id", "organization_id"],
        unique=True,
        postgresql_where=sa.text("organization_id IS NOT NULL"),
    )
    op.create_index(
        op.f("ix_sentry_apiauthorization_application_id"),
        "sentry_apiauthorization",
        ["application_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_sentry_apiauthorization_organization_id"),
        "sentry_apiauthorization",
        ["organization_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_sentry_apiauthorization_user_id"),
        "sentry_apiauthorization",
        ["user_id"],
        unique=False,
    )
    op.create_table(
        "sentry_apigrant",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("redirect_uri", sa.String(length=255), nullable=False),
        sa.Column("scopes", sa.BigInteger(), nullable=False),
        sa.Column("scope_list", postgresql.ARRAY(sa.Text()), nullable=True),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("application_id", sa.BigInteger(), nullable=False),
        sa.Column("organization_id", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["application_id"], ["sentry_apiapplication.id"], initially="DEFERRED", deferrable=True
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["auth_user.id"], initially="DEFERRED", deferrable=True
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_sentry_apigrant_application_id"),
        "sentry_apigrant",
        ["application_id"],
        unique=False,
    )
    op.create_index(op.f("ix_sentry_apigrant_code"), "sentry_apigrant", ["code"], unique=False)
    op.create_index(
        op.f("ix_sentry_apigrant_expires_at"), "sentry_apigrant", ["expires_at"], unique=False
    )
    op.create_index(
        op.f("ix_sentry_apigrant_organization_id"),
        "sentry_apigrant",
        ["organization_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_sentry_apigrant_user_id"), "sentry_apigrant", ["user_id"], unique=False
    )
    op.create_table(
        "sentry_sentryapp",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("date_deleted", sa.DateTime(timezone=True), nullable=True),
        sa.Column("scopes", sa.BigInteger(), nullable=False),
        sa.Column("scope_list", postgresql.ARRAY(sa.Text()), nullable=True),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("slug", sa.String(length=64), nullable=False),
        sa.Column("author", sa.Text(), nullable=True),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=64), nullable=False),
        sa.Column("redirect_url", sa.String(length=200), nullable=True),
        sa.Column("webhook_url", sa.String(length=512), nullable=True),
        sa.Column("is_alertable", sa.Boolean(), nullable=False),
        sa.Column("verify_install", sa.Boolean(), nullable=False),
        sa.Column("events", postgresql.ARRAY(sa.Text()), nullable=True),
        sa.Column("overview", sa.Text(), nullable=True),
        sa.Column("schema", sa.Text(), nullable=False),
        sa.Column("date_added", sa.DateTime(timezone=True), nullable=False),
        sa.Column("date_updated", sa.DateTime(timezone=True), nullable=False),
        sa.Column("date_published", sa.DateTime(timezone=True), nullable=True),
        sa.Column("creator_label", sa.Text(), nullable=True),
        sa.Column("popularity", sa.SmallInteger(), nullable=True),
        sa.Column("metadata", sa.Text(), nullable=False),
        sa.Column("application_id", sa.BigInteger(), nullable=True),
        sa.Column("proxy_user_id", sa.BigInteger(), nullable=True),
        sa.Column("owner_id", sa.BigInteger(), nullable=False),
        sa.Column("creator_user_id", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["application_id"], ["sentry_apiapplication.id"], initially="DEFERRED", deferrable=True
        ),
        sa.ForeignKeyConstraint(
            ["proxy_user_id"], ["auth_user.id"], initially="DEFERRED", deferrable=True
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("application_id", name="sentry_sentryapp_application_id_uniq"),
        sa.UniqueConstraint("proxy_user_id", name="sentry_sentryapp_proxy_user_id_uniq"),
        sa.UniqueConstraint("slug", name="sentry_sentryapp_slug_uniq"),
    )
    op.create_index(
        op.f("ix_sentry_sentryapp_application_id"),
        "sentry_sentryapp",
        ["application_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_sentry_sentryapp_creator_user_id"),
        "sentry_sentryapp",
        ["creator_user_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_sentry_sentryapp_owner_id"), "sentry_sentryapp", ["owner_id"], unique=False
    )
    op.create_index(
        op.f("ix_sentry_sentryapp_proxy_user_id"),
        "sentry_sentryapp",
        ["proxy_user_id"],
        unique=False,
    )
    op.create_table(
        "sentry_sentryappcomponent",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("uuid", sa.Uuid(as_uuid=False), nullable=False),
        sa.Column("type", sa.String(length=64), nullable=False),
        sa.Column("schema", sa.Text(), nullable=False),
        sa.Column("sentry_app_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["sentry_app_id"], ["sentry_sentryapp.id"], initially="DEFERRED", deferrable=True
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("uuid", name="sentry_sentryappcomponent_uuid_uniq"),
    )
    op.create_index(
        op.f("ix_sentry_sentryappcomponent_sentry_app_id"),
        "sentry_sentryappcomponent",
        ["sentry_app_id"],
        unique=False,
    )
    op.create_table(
        "sentry_sentryappinstallation",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("date_deleted", sa.DateTime(timezone=True), nullable=True),
        sa.Column("uuid", sa.String(length=64), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("date_added", sa.DateTime(timezone=True), nullable=False),
        sa.Column("date_updated", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sentry_app_id", sa.BigInteger(), nullable=False),
        sa.Column("organization_id", sa.BigInteger(), nullable=False),
        sa.Column("api_grant_id", sa.BigInteger(), nullable=True),
        sa.Column("api_token_id", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["api_grant_id"], ["sentry_apigrant.id"], initially="DEFERRED", deferrable=True
        ),
        sa.ForeignKeyConstraint(
            ["api_token_id"], ["sentry_apitoken.id"], initially="DEFERRED", deferrable=True
        ),
        sa.ForeignKeyConstraint(
            ["sentry_app_id"], ["sentry_sentryapp.id"], initially="DEFERRED", deferrable=True
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("api_grant_id", name="sentry_sentryappinstallation_api_grant_id_uniq"),
        sa.UniqueConstraint("api_token_id", name="sentry_sentryappinstallation_api_token_id_uniq"),
    )
    op.create_index(
        op.f("ix_sentry_sentryappinstallation_api_grant_id"),
        "sentry_sentryappinstallation",
        ["api_grant_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_sentry_sentryappinstallation_api_token_id"),
        "sentry_sentryappinstallation",
        ["api_token_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_sentry_sentryappinstallation_organization_id"),
        "sentry_sentryappinstallation",
        ["organization_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_sentry_sentryappinstallation_sentry_app_id"),
        "sentry_sentryappinstallation",
        ["sentry_app_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(
        op.f("ix_sentry_sentryappinstallation_sentry_app_id"),
        table_name="sentry_sentryappinstallation",
    )
    op.drop_index(
        op.f("ix_sentry_sentryappinstallation_organization_id"),
        table_name="sentry_sentryappinstallation",
    )
    op.drop_index(
        op.f("ix_sentry_sentryappinstallation_api_token_id"),
        table_name="sentry_sentryappinstallation",
    )
    op.drop_index(
        op.f("ix_sentry_sentryappinstallation_api_grant_id"),
        table_name="sentry_sentryappinstallation",
    )
    op.drop_table("sentry_sentryappinstallation")
    op.drop_index(
        op.f("ix_sentry_sentryappcomponent_sentry_app_id"), table_name="sentry_sentryappcomponent"
    )
    op.drop_table("sentry_sentryappcomponent")
    op.drop_index(op.f("ix_sentry_sentryapp_proxy_user_id"), table_name="sentry_sentryapp")
    op.drop_index(op.f("ix_sentry_sentryapp_owner_id"), table_name="sentry_sentryapp")
    op.drop_index(op.f("ix_sentry_sentryapp_creator_user_id"), table_name="sentry_sentryapp")
    op.drop_index(op.f("ix_sentry_sentryapp_application_id"), table_name="sentry_sentryapp")
    op.drop_table("sentry_sentryapp")
    op.drop_index(op.f("ix_sentry_apigrant_user_id"), table_name="sentry_apigrant")
    op.drop_index(op.f("ix_sentry_apigrant_organization_id"), table_name="sentry_apigrant")
    op.drop_index(op.f("ix_sentry_apigrant_expires_at"), table_name="sentry_apigrant")
    op.drop_index(op.f("ix_sentry_apigrant_code"), table_name="sentry_apigrant")
    op.drop_index(op.f("ix_sentry_apigrant_application_id"), table_name="sentry_apigrant")
    op.drop_table("sentry_apigrant")
    op.drop_index(op.f("ix_sentry_apiauthorization_user_id"), table_name="sentry_apiauthorization")
    op.drop_index(
        op.f("ix_sentry_apiauthorization_organization_id"), table_name="sentry_apiauthorization"
    )
    op.drop_index(
        op.f("ix_sentry_apiauthorization_application_id"), table_name="sentry_apiauthorization"
    )
    op.drop_index(
        "apiauthorization_user_app_org",
        table_name="sentry_apiauthorization",
        postgresql_where=sa.text("organization_id IS NOT NULL"),
    )
    op.drop_index(
        "apiauthorization_user_app",
        table_name="sentry_apiauthorization",
        postgresql_where=sa.text("organization_id IS NULL"),
    )
    op.drop_table("sentry_apiauthorization")
    op.drop_index(
        op.f("ix_sentry_organizationintegration_organization_id"),
        table_name="sentry_organizationintegration",
    )
    op.drop_index(
        op.f("ix_sentry_organizationintegration_integration_id"),
        table_name="sentry_organizationintegration",
    )
    op.drop_table("sentry_organizationintegration")
    op.drop_index(op.f("ix_sentry_authidentity_user_id"), table_name="sentry_authidentity")
    op.drop_index(op.f("ix_sentry_authidentity_auth_provider_id"), table_name="sentry_authidentity")
    op.drop_table("sentry_authidentity")
    op.drop_index(op.f("ix_sentry_authprovider_organization_id"), table_name="sentry_authprovider")
    op.drop_table("sentry_authprovider")
    op.drop_index(op.f("ix_sentry_apikey_organization_id"), table_name="sentry_apikey")
    op.drop_table("sentry_apikey")
