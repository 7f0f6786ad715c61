"""indexes for the case-insensitive unique keys (username, email)

Collision lookups compare lower(username) and lower(email); without these indexes every batch
scanned the whole table (docs/performance.md, "Silo engine").

Revision ID: control_0004
Revises: control_0003
Create Date: 2026-11-30 11:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "control_0004"
down_revision: str | None = "control_0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("auth_user_username_lower", "auth_user", [sa.text("lower(username)")])
    op.create_index("sentry_email_email_lower", "sentry_email", [sa.text("lower(email)")])
    # Statistics on the new expressions now: until then the planner guesses, and scans.
    op.execute("ANALYZE auth_user")
    op.execute("ANALYZE sentry_email")


def downgrade() -> None:
    op.drop_index("sentry_email_email_lower", table_name="sentry_email")
    op.drop_index("auth_user_username_lower", table_name="auth_user")
