"""organization member mappings

Revision ID: control_0003
Revises: control_0002
Create Date: 2026-11-22 04:44:18.083009
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "control_0003"
down_revision: str | None = "control_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "sentry_organizationmembermapping",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("organization_id", sa.BigInteger(), nullable=False),
        sa.Column("organizationmember_id", sa.BigInteger(), nullable=True),
        sa.Column(
            "date_added",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=True),
        sa.Column("email", sa.String(length=75), nullable=True),
        sa.Column("inviter_id", sa.BigInteger(), nullable=True),
        sa.Column("invite_status", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["inviter_id"], ["auth_user.id"], initially="DEFERRED", deferrable=True
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["auth_user.id"], initially="DEFERRED", deferrable=True
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "organization_id",
            "organizationmember_id",
            name="sentry_organizationmembermapping_org_member_uniq",
        ),
    )
    op.create_index(
        op.f("ix_sentry_organizationmembermapping_organization_id"),
        "sentry_organizationmembermapping",
        ["organization_id"],
        unique=False,
    )


def downgrade() -> None:

    op.drop_index(
        op.f("ix_sentry_organizationmembermapping_organization_id"),
        table_name="sentry_organizationmembermapping",
    )
    op.drop_table("sentry_organizationmembermapping")
