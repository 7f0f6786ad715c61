"""control silo: first 27 models, chunk ledger

Revision ID: control_0001
Revises:
Create Date: 2026-11-22 03:05:22.902058
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "control_0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "auth_user",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("password", sa.String(length=128), nullable=False),
        sa.Column("last_login", sa.DateTime(timezone=True), nullable=True),
        sa.Column("username", sa.String(length=128), nullable=False),
        sa.Column("first_name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=200), nullable=False),
        sa.Column("is_staff", sa.Boolean(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("is_unclaimed", sa.Boolean(), nullable=False),
        sa.Column("is_superuser", sa.Boolean(), nullable=False),
        sa.Column("is_managed", sa.Boolean(), nullable=False),
        sa.Column("is_sentry_app", sa.Boolean(), nullable=True),
        sa.Column("is_password_expired", sa.Boolean(), nullable=False),
        sa.Column("last_password_change", sa.DateTime(timezone=True), nullable=True),
        sa.Column("flags", sa.BigInteger(), nullable=False),
        sa.Column("session_nonce", sa.String(length=12), nullable=True),
        sa.Column("date_joined", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_active", sa.DateTime(timezone=True), nullable=True),
        sa.Column("avatar_type", sa.SmallInteger(), nullable=False),
        sa.Column("avatar_url", sa.String(length=120), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("username", name="auth_user_username_uniq"),
    )
    op.create_table(
        "sentry_controlimportchunk",
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
            "import_uuid", "model", "min_ordinal", name="sentry_controlimportchunk_chunk_key_uniq"
        ),
    )
    op.create_table(
        "sentry_controloption",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("key", sa.String(length=128), nullable=False),
        sa.Column("last_updated", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_updated_by", sa.String(length=16), nullable=False),
        sa.Column("value", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key", name="sentry_controloption_key_uniq"),
    )
    op.create_table(
        "sentry_email",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("email", sa.String(length=200), nullable=False),
        sa.Column("date_added", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("email", name="sentry_email_email_uniq"),
    )
    op.create_table(
        "sentry_integration",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("provider", sa.String(length=64), nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("metadata", sa.Text(), nullable=True),
        sa.Column("status", sa.Integer(), nullable=True),
        sa.Column("date_added", sa.DateTime(timezone=True), nullable=True),
        sa.Column("date_updated", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "external_id", "provider", name="sentry_integration_external_id_provider_uniq"
        ),
    )
    op.create_table(
        "sentry_organizationmapping",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("organization_id", sa.BigInteger(), nullable=False),
        sa.Column("slug", sa.String(length=50), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column(
            "date_created",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("customer_id", sa.String(length=255), nullable=True),
        sa.Column("verified", sa.Boolean(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=48), nullable=False),
        sa.Column("region_name", sa.String(length=48), nullable=False),
        sa.Column("status", sa.BigInteger(), nullable=True),
        sa.Column("allow_joinleave", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column(
            "enhanced_privacy", sa.Boolean(), server_default=sa.text("false"), nullable=False
        ),
        sa.Column("require_2fa", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("early_adopter", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column(
            "disable_shared_issues", sa.Boolean(), server_default=sa.text("false"), nullable=False
        ),
        sa.Column(
            "disable_new_visibility_features",
            sa.Boolean(),
            server_default=sa.text("false"),
            nullable=False,
        ),
        sa.Column(
            "require_email_verification",
            sa.Boolean(),
            server_default=sa.text("false"),
            nullable=False,
        ),
        sa.Column("codecov_access", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column(
            "disable_member_project_creation",
            sa.Boolean(),
            server_default=sa.text("false"),
            nullable=False,
        ),
        sa.Column(
            "prevent_superuser_access",
            sa.Boolean(),
            server_default=sa.text("false"),
            nullable=False,
        ),
        sa.Column(
            "disable_member_invite", sa.Boolean(), server_default=sa.text("false"), nullable=False
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("organization_id"),
        sa.UniqueConstraint("slug"),
    )
    op.create_table(
        "sentry_organizationslugreservation",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("slug", sa.String(length=50), nullable=False),
        sa.Column("organization_id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=True),
        sa.Column("region_name", sa.String(length=48), nullable=False),
        sa.Column("reservation_type", sa.BigInteger(), nullable=False),
        sa.Column(
            "date_added",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "organization_id",
            "reservation_type",
            name="sentry_organizationslugreservation_org_type_uniq",
        ),
        sa.UniqueConstraint("slug"),
    )
    op.create_index(
        op.f("ix_sentry_organizationslugreservation_user_id"),
        "sentry_organizationslugreservation",
        ["user_id"],
        unique=False,
    )
    op.create_table(
        "sentry_userrole",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("date_updated", sa.DateTime(timezone=True), nullable=False),
        sa.Column("date_added", sa.DateTime(timezone=True), nullable=False),
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("permissions", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name", name="sentry_userrole_name_uniq"),
    )
    op.create_table(
        "auth_authenticator",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("type", sa.Integer(), nullable=False),
        sa.Column("config", sa.Text(), nullable=True),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["auth_user.id"], initially="DEFERRED", deferrable=True
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("type", "user_id", name="auth_authenticator_type_user_id_uniq"),
    )
    op.create_index(
        op.f("ix_auth_authenticator_user_id"), "auth_authenticator", ["user_id"], unique=False
    )
    op.create_table(
        "sentry_apiapplication",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("client_secret", sa.Text(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("allowed_origins", sa.Text(), nullable=True),
        sa.Column("redirect_uris", sa.Text(), nullable=False),
        sa.Column("homepage_url", sa.String(length=200), nullable=True),
        sa.Column("privacy_url", sa.String(length=200), nullable=True),
        sa.Column("terms_url", sa.String(length=200), nullable=True),
        sa.Column("date_added", sa.DateTime(timezone=True), nullable=False),
        sa.Column("requires_org_level_access", sa.Boolean(), nullable=False),
        sa.Column("scopes", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["auth_user.id"], initially="DEFERRED", deferrable=True
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("client_id", name="sentry_apiapplication_client_id_uniq"),
    )
    op.create_index(
        op.f("ix_sentry_apiapplication_owner_id"),
        "sentry_apiapplication",
        ["owner_id"],
        unique=False,
    )
    op.create_table(
        "sentry_lostpasswordhash",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("hash", sa.String(length=32), nullable=False),
        sa.Column("date_added", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["auth_user.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("user_id"),
    )
    op.create_table(
        "sentry_orgauthtoken",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("token_hashed", sa.Text(), nullable=False),
        sa.Column("token_last_characters", sa.String(length=4), nullable=True),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("scope_list", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("date_added", sa.DateTime(timezone=True), nullable=False),
        sa.Column("date_last_used", sa.DateTime(timezone=True), nullable=True),
        sa.Column("date_deactivated", sa.DateTime(timezone=True), nullable=True),
        sa.Column("organization_id", sa.BigInteger(), nullable=False),
        sa.Column("created_by_id", sa.BigInteger(), nullable=True),
        sa.Column("project_last_used_id", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["auth_user.id"], initially="DEFERRED", deferrable=True
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hashed", name="sentry_orgauthtoken_token_hashed_uniq"),
    )
    op.create_index(
        op.f("ix_sentry_orgauthtoken_created_by_id"),
        "sentry_orgauthtoken",
        ["created_by_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_sentry_orgauthtoken_organization_id"),
        "sentry_orgauthtoken",
        ["organization_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_sentry_orgauthtoken_project_last_used_id"),
        "sentry_orgauthtoken",
        ["project_last_used_id"],
        unique=False,
    )
    op.create_table(
        "sentry_useremail",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("email", sa.String(length=200), nullable=False),
        sa.Column("validation_hash", sa.String(length=32), nullable=False),
        sa.Column("date_hash_added", sa.DateTime(timezone=True), nullable=False),
        sa.Column("is_verified", sa.Boolean(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["auth_user.id"], initially="DEFERRED", deferrable=True
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("email", "user_id", name="sentry_useremail_email_user_id_uniq"),
    )
    op.create_index(
        op.f("ix_sentry_useremail_user_id"), "sentry_useremail", ["user_id"], unique=False
    )
    op.create_table(
        "sentry_userip",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("ip_address", postgresql.INET(), nullable=False),
        sa.Column("country_code", sa.String(length=16), nullable=True),
        sa.Column("region_code", sa.String(length=16), nullable=True),
        sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["auth_user.id"], initially="DEFERRED", deferrable=True
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("ip_address", "user_id", name="sentry_userip_ip_address_user_id_uniq"),
    )
    op.create_index(op.f("ix_sentry_userip_user_id"), "sentry_userip", ["user_id"], unique=False)
    op.create_table(
        "sentry_useroption",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=True),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("project_id", sa.BigInteger(), nullable=True),
        sa.Column("organization_id", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["auth_user.id"], initially="DEFERRED", deferrable=True
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "key",
            "organization_id",
            "user_id",
            name="sentry_useroption_key_organization_id_user_id_uniq",
        ),
        sa.UniqueConstraint(
            "key", "project_id", "user_id", name="sentry_useroption_key_project_id_user_id_uniq"
        ),
    )
    op.create_index(
        op.f("ix_sentry_useroption_organization_id"),
        "sentry_useroption",
        ["organization_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_sentry_useroption_project_id"), "sentry_useroption", ["project_id"], unique=False
    )
    op.create_index(
        op.f("ix_sentry_useroption_user_id"), "sentry_useroption", ["user_id"], unique=False
    )
    op.create_table(
        "sentry_userpermission",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("permission", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["auth_user.id"], initially="DEFERRED", deferrable=True
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "permission", "user_id", name="sentry_userpermission_permission_user_id_uniq"
        ),
    )
    op.create_index(
        op.f("ix_sentry_userpermission_user_id"), "sentry_userpermission", ["user_id"], unique=False
    )
    op.create_table(
        "sentry_userrole_users",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("date_updated", sa.DateTime(timezone=True), nullable=False),
        sa.Column("date_added", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("role_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["role_id"], ["sentry_userrole.id"], initially="DEFERRED", deferrable=True
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["auth_user.id"], initially="DEFERRED", deferrable=True
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_sentry_userrole_users_role_id"), "sentry_userrole_users", ["role_id"], unique=False
    )
    op.create_index(
        op.f("ix_sentry_userrole_users_user_id"), "sentry_userrole_users", ["user_id"], unique=False
    )
    op.create_table(
        "sentry_apitoken",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=255), nullable=True),
        sa.Column("token", sa.String(length=71), nullable=False),
        sa.Column("hashed_token", sa.String(length=128), nullable=True),
        sa.Column("token_type", sa.String(length=7), nullable=True),
        sa.Column("token_last_characters", sa.String(length=4), nullable=True),
        sa.Column("refresh_token", sa.String(length=71), nullable=True),
        sa.Column("hashed_refresh_token", sa.String(length=128), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("scopes", sa.BigInteger(), nullable=False),
        sa.Column("scope_list", postgresql.ARRAY(sa.Text()), nullable=True),
        sa.Column("date_added", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("application_id", sa.BigInteger(), nullable=True),
        sa.Column("scoping_organization_id", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["application_id"], ["sentry_apiapplication.id"], initially="DEFERRED", deferrable=True
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["auth_user.id"], initially="DEFERRED", deferrable=True
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "hashed_refresh_token", name="sentry_apitoken_hashed_refresh_token_uniq"
        ),
        sa.UniqueConstraint("hashed_token", name="sentry_apitoken_hashed_token_uniq"),
        sa.UniqueConstraint("refresh_token", name="sentry_apitoken_refresh_token_uniq"),
        sa.UniqueConstraint("token", name="sentry_apitoken_token_uniq"),
    )
    op.create_index(
        op.f("ix_sentry_apitoken_application_id"),
        "sentry_apitoken",
        ["application_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_sentry_apitoken_scoping_organization_id"),
        "sentry_apitoken",
        ["scoping_organization_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_sentry_apitoken_user_id"), "sentry_apitoken", ["user_id"], unique=False
    )


def downgrade() -> None:

    op.drop_index(op.f("ix_sentry_apitoken_user_id"), table_name="sentry_apitoken")
    op.drop_index(op.f("ix_sentry_apitoken_scoping_organization_id"), table_name="sentry_apitoken")
    op.drop_index(op.f("ix_sentry_apitoken_application_id"), table_name="sentry_apitoken")
    op.drop_table("sentry_apitoken")
    op.drop_index(op.f("ix_sentry_userrole_users_user_id"), table_name="sentry_userrole_users")
    op.drop_index(op.f("ix_sentry_userrole_users_role_id"), table_name="sentry_userrole_users")
    op.drop_table("sentry_userrole_users")
    op.drop_index(op.f("ix_sentry_userpermission_user_id"), table_name="sentry_userpermission")
    op.drop_table("sentry_userpermission")
    op.drop_index(op.f("ix_sentry_useroption_user_id"), table_name="sentry_useroption")
    op.drop_index(op.f("ix_sentry_useroption_project_id"), table_name="sentry_useroption")
    op.drop_index(op.f("ix_sentry_useroption_organization_id"), table_name="sentry_useroption")
    op.drop_table("sentry_useroption")
    op.drop_index(op.f("ix_sentry_userip_user_id"), table_name="sentry_userip")
    op.drop_table("sentry_userip")
    op.drop_index(op.f("ix_sentry_useremail_user_id"), table_name="sentry_useremail")
    op.drop_table("sentry_useremail")
    op.drop_index(
        op.f("ix_sentry_orgauthtoken_project_last_used_id"), table_name="sentry_orgauthtoken"
    )
    op.drop_index(op.f("ix_sentry_orgauthtoken_organization_id"), table_name="sentry_orgauthtoken")
    op.drop_index(op.f("ix_sentry_orgauthtoken_created_by_id"), table_name="sentry_orgauthtoken")
    op.drop_table("sentry_orgauthtoken")
    op.drop_table("sentry_lostpasswordhash")
    op.drop_index(op.f("ix_sentry_apiapplication_owner_id"), table_name="sentry_apiapplication")
    op.drop_table("sentry_apiapplication")
    op.drop_index(op.f("ix_auth_authenticator_user_id"), table_name="auth_authenticator")
    op.drop_table("auth_authenticator")
    op.drop_table("sentry_userrole")
    op.drop_index(
        op.f("ix_sentry_organizationslugreservation_user_id"),
        table_name="sentry_organizationslugreservation",
    )
    op.drop_table("sentry_organizationslugreservation")
    op.drop_table("sentry_organizationmapping")
    op.drop_table("sentry_integration")
    op.drop_table("sentry_email")
    op.drop_table("sentry_controloption")
    op.drop_table("sentry_controlimportchunk")
    op.drop_table("auth_user")
