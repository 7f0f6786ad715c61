"""region silo: first 27 models, chunk ledger

Revision ID: region_0001
Revises:
Create Date: 2026-11-22 03:05:23.563098
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "region_0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "sentry_controlimportchunkreplica",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("import_uuid", sa.Uuid(as_uuid=False), nullable=False),
        sa.Column("model", sa.String(length=64), nullable=False),
        sa.Column("min_ordinal", sa.BigInteger(), nullable=False),
        sa.Column("max_ordinal", sa.BigInteger(), nullable=False),
        sa.Column("min_source_pk", sa.BigInteger(), nullable=False),
        sa.Column("max_source_pk", sa.BigInteger(), nullable=False),
        sa.Column("min_inserted_pk", sa.BigInteger(), nullable=True),
        sa.Column("max_inserted_pk", sa.BigInteger(), nullable=True),
        sa.Column("inserted_map", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("existing_map", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("overwrite_map", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("inserted_identifiers", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column(
            "date_added",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "date_updated",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "import_uuid",
            "model",
            "min_ordinal",
            name="sentry_controlimportchunkreplica_chunk_key_uniq",
        ),
    )
    op.create_table(
        "sentry_option",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("key", sa.String(length=128), nullable=False),
        sa.Column("last_updated", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_updated_by", sa.String(length=16), nullable=False),
        sa.Column("value", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key", name="sentry_option_key_uniq"),
    )
    op.create_table(
        "sentry_organization",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("slug", sa.String(length=50), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("date_added", sa.DateTime(timezone=True), nullable=False),
        sa.Column("default_role", sa.String(length=32), nullable=False),
        sa.Column("is_test", sa.Boolean(), nullable=False),
        sa.Column("flags", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("slug", name="sentry_organization_slug_uniq"),
    )
    op.create_table(
        "sentry_regionimportchunk",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("import_uuid", sa.Uuid(as_uuid=False), nullable=False),
        sa.Column("model", sa.String(length=64), nullable=False),
        sa.Column("min_ordinal", sa.BigInteger(), nullable=False),
        sa.Column("max_ordinal", sa.BigInteger(), nullable=False),
        sa.Column("min_source_pk", sa.BigInteger(), nullable=False),
        sa.Column("max_source_pk", sa.BigInteger(), nullable=False),
        sa.Column("min_inserted_pk", sa.BigInteger(), nullable=True),
        sa.Column("max_inserted_pk", sa.BigInteger(), nullable=True),
        sa.Column("inserted_map", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("existing_map", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("overwrite_map", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("inserted_identifiers", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column(
            "date_added",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "date_updated",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "import_uuid", "model", "min_ordinal", name="sentry_regionimportchunk_chunk_key_uniq"
        ),
    )
    op.create_table(
        "sentry_relay",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("relay_id", sa.String(length=64), nullable=False),
        sa.Column("public_key", sa.String(length=200), nullable=False),
        sa.Column("first_seen", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=True),
        sa.Column("is_internal", sa.Boolean(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("relay_id", name="sentry_relay_relay_id_uniq"),
    )
    op.create_table(
        "sentry_relayusage",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("relay_id", sa.String(length=64), nullable=False),
        sa.Column("version", sa.String(length=32), nullable=False),
        sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("public_key", sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("relay_id", "version", name="sentry_relayusage_relay_id_version_uniq"),
    )
    op.create_table(
        "sentry_organizationmember",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("email", sa.String(length=75), nullable=True),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("flags", sa.BigInteger(), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=True),
        sa.Column("date_added", sa.DateTime(timezone=True), nullable=False),
        sa.Column("token_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("has_global_access", sa.Boolean(), nullable=False),
        sa.Column("invite_status", sa.SmallInteger(), nullable=True),
        sa.Column("type", sa.Integer(), nullable=False),
        sa.Column("user_is_active", sa.Boolean(), nullable=False),
        sa.Column("user_email", sa.String(length=200), nullable=True),
        sa.Column("organization_id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=True),
        sa.Column("inviter_id", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["sentry_organization.id"], initially="DEFERRED", deferrable=True
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "email", "organization_id", name="sentry_organizationmember_email_organization_id_uniq"
        ),
        sa.UniqueConstraint(
            "organization_id",
            "user_id",
            name="sentry_organizationmember_organization_id_user_id_uniq",
        ),
        sa.UniqueConstraint("token", name="sentry_organizationmember_token_uniq"),
    )
    op.create_index(
        op.f("ix_sentry_organizationmember_inviter_id"),
        "sentry_organizationmember",
        ["inviter_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_sentry_organizationmember_organization_id"),
        "sentry_organizationmember",
        ["organization_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_sentry_organizationmember_user_id"),
        "sentry_organizationmember",
        ["user_id"],
        unique=False,
    )
    op.create_table(
        "sentry_organizationoptions",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=True),
        sa.Column("organization_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["sentry_organization.id"], initially="DEFERRED", deferrable=True
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "key", "organization_id", name="sentry_organizationoptions_key_organization_id_uniq"
        ),
    )
    op.create_index(
        op.f("ix_sentry_organizationoptions_organization_id"),
        "sentry_organizationoptions",
        ["organization_id"],
        unique=False,
    )
    op.create_table(
        "sentry_project",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("slug", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("forced_color", sa.String(length=6), nullable=True),
        sa.Column("public", sa.Boolean(), nullable=False),
        sa.Column("date_added", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("first_event", sa.DateTime(timezone=True), nullable=True),
        sa.Column("flags", sa.BigInteger(), nullable=False),
        sa.Column("platform", sa.String(length=64), nullable=True),
        sa.Column("external_id", sa.String(length=256), nullable=True),
        sa.Column("organization_id", sa.BigInteger(), nullable=False),
        sa.Column("template_id", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["sentry_organization.id"], initially="DEFERRED", deferrable=True
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "organization_id", "slug", name="sentry_project_organization_id_slug_uniq"
        ),
    )
    op.create_index(
        op.f("ix_sentry_project_organization_id"),
        "sentry_project",
        ["organization_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_sentry_project_template_id"), "sentry_project", ["template_id"], unique=False
    )
    op.create_table(
        "sentry_team",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("slug", sa.String(length=50), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("idp_provisioned", sa.Boolean(), nullable=False),
        sa.Column("date_added", sa.DateTime(timezone=True), nullable=True),
        sa.Column("organization_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["sentry_organization.id"], initially="DEFERRED", deferrable=True
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "organization_id", "slug", name="sentry_team_organization_id_slug_uniq"
        ),
    )
    op.create_index(
        op.f("ix_sentry_team_organization_id"), "sentry_team", ["organization_id"], unique=False
    )
    op.create_table(
        "sentry_organizationmember_teams",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=True),
        sa.Column("team_id", sa.BigInteger(), nullable=False),
        sa.Column("organizationmember_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organizationmember_id"],
            ["sentry_organizationmember.id"],
            initially="DEFERRED",
            deferrable=True,
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["sentry_team.id"], initially="DEFERRED", deferrable=True
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "organizationmember_id",
            "team_id",
            name="sentry_organizationmember_teams_organizationmember_id_team_id_u",
        ),
    )
    op.create_index(
        op.f("ix_sentry_organizationmember_teams_organizationmember_id"),
        "sentry_organizationmember_teams",
        ["organizationmember_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_sentry_organizationmember_teams_team_id"),
        "sentry_organizationmember_teams",
        ["team_id"],
        unique=False,
    )
    op.create_table(
        "sentry_projectkey",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("label", sa.String(length=64), nullable=True),
        sa.Column("public_key", sa.String(length=32), nullable=True),
        sa.Column("secret_key", sa.String(length=32), nullable=True),
        sa.Column("roles", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("date_added", sa.DateTime(timezone=True), nullable=True),
        sa.Column("rate_limit_count", sa.Integer(), nullable=True),
        sa.Column("rate_limit_window", sa.Integer(), nullable=True),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("use_case", sa.String(length=32), nullable=False),
        sa.Column("project_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"], ["sentry_project.id"], initially="DEFERRED", deferrable=True
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("public_key", name="sentry_projectkey_public_key_uniq"),
        sa.UniqueConstraint("secret_key", name="sentry_projectkey_secret_key_uniq"),
    )
    op.create_index(
        op.f("ix_sentry_projectkey_project_id"), "sentry_projectkey", ["project_id"], unique=False
    )
    op.create_table(
        "sentry_projectoptions",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=True),
        sa.Column("project_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"], ["sentry_project.id"], initially="DEFERRED", deferrable=True
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key", "project_id", name="sentry_projectoptions_key_project_id_uniq"),
    )
    op.create_index(
        op.f("ix_sentry_projectoptions_project_id"),
        "sentry_projectoptions",
        ["project_id"],
        unique=False,
    )
    op.create_table(
        "sentry_projectteam",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("project_id", sa.BigInteger(), nullable=False),
        sa.Column("team_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"], ["sentry_project.id"], initially="DEFERRED", deferrable=True
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["sentry_team.id"], initially="DEFERRED", deferrable=True
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "project_id", "team_id", name="sentry_projectteam_project_id_team_id_uniq"
        ),
    )
    op.create_index(
        op.f("ix_sentry_projectteam_project_id"), "sentry_projectteam", ["project_id"], unique=False
    )
    op.create_index(
        op.f("ix_sentry_projectteam_team_id"), "sentry_projectteam", ["team_id"], unique=False
    )
    op.create_table(
        "sentry_rule",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("label", sa.String(length=256), nullable=False),
        sa.Column("data", sa.Text(), nullable=True),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("source", sa.Integer(), nullable=False),
        sa.Column("date_added", sa.DateTime(timezone=True), nullable=False),
        sa.Column("project_id", sa.BigInteger(), nullable=False),
        sa.Column("environment_id", sa.BigInteger(), nullable=True),
        sa.Column("owner_user_id", sa.BigInteger(), nullable=True),
        sa.Column("owner_team_id", sa.BigInteger(), nullable=True),
        sa.CheckConstraint(
            "owner_user_id IS NULL OR owner_team_id IS NULL", name="rule_owner_user_or_team_check"
        ),
        sa.ForeignKeyConstraint(
            ["owner_team_id"], ["sentry_team.id"], initially="DEFERRED", deferrable=True
        ),
        sa.ForeignKeyConstraint(
            ["project_id"], ["sentry_project.id"], initially="DEFERRED", deferrable=True
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_sentry_rule_environment_id"), "sentry_rule", ["environment_id"], unique=False
    )
    op.create_index(
        op.f("ix_sentry_rule_owner_team_id"), "sentry_rule", ["owner_team_id"], unique=False
    )
    op.create_index(
        op.f("ix_sentry_rule_owner_user_id"), "sentry_rule", ["owner_user_id"], unique=False
    )
    op.create_index(op.f("ix_sentry_rule_project_id"), "sentry_rule", ["project_id"], unique=False)


def downgrade() -> None:

    op.drop_index(op.f("ix_sentry_rule_project_id"), table_name="sentry_rule")
    op.drop_index(op.f("ix_sentry_rule_owner_user_id"), table_name="sentry_rule")
    op.drop_index(op.f("ix_sentry_rule_owner_team_id"), table_name="sentry_rule")
    op.drop_index(op.f("ix_sentry_rule_environment_id"), table_name="sentry_rule")
    op.drop_table("sentry_rule")
    op.drop_index(op.f("ix_sentry_projectteam_team_id"), table_name="sentry_projectteam")
    op.drop_index(op.f("ix_sentry_projectteam_project_id"), table_name="sentry_projectteam")
    op.drop_table("sentry_projectteam")
    op.drop_index(op.f("ix_sentry_projectoptions_project_id"), table_name="sentry_projectoptions")
    op.drop_table("sentry_projectoptions")
    op.drop_index(op.f("ix_sentry_projectkey_project_id"), table_name="sentry_projectkey")
    op.drop_table("sentry_projectkey")
    op.drop_index(
        op.f("ix_sentry_organizationmember_teams_team_id"),
        table_name="sentry_organizationmember_teams",
    )
    op.drop_index(
        op.f("ix_sentry_organizationmember_teams_organizationmember_id"),
        table_name="sentry_organizationmember_teams",
    )
    op.drop_table("sentry_organizationmember_teams")
    op.drop_index(op.f("ix_sentry_team_organization_id"), table_name="sentry_team")
    op.drop_table("sentry_team")
    op.drop_index(op.f("ix_sentry_project_template_id"), table_name="sentry_project")
    op.drop_index(op.f("ix_sentry_project_organization_id"), table_name="sentry_project")
    op.drop_table("sentry_project")
    op.drop_index(
        op.f("ix_sentry_organizationoptions_organization_id"),
        table_name="sentry_organizationoptions",
    )
    op.drop_table("sentry_organizationoptions")
    op.drop_index(
        op.f("ix_sentry_organizationmember_user_id"), table_name="sentry_organizationmember"
    )
    op.drop_index(
        op.f("ix_sentry_organizationmember_organization_id"), table_name="sentry_organizationmember"
    )
    op.drop_index(
        op.f("ix_sentry_organizationmember_inviter_id"), table_name="sentry_organizationmember"
    )
    op.drop_table("sentry_organizationmember")
    op.drop_table("sentry_relayusage")
    op.drop_table("sentry_relay")
    op.drop_table("sentry_regionimportchunk")
    op.drop_table("sentry_organization")
    op.drop_table("sentry_option")
    op.drop_table("sentry_controlimportchunkreplica")
