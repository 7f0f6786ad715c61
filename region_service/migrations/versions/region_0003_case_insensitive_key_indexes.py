"""an index for the case-insensitive unique key of organizations (slug)

Collision lookups and renames compare lower(slug); without this index every batch of
organizations scanned the whole table.

Revision ID: region_0003
Revises: region_0002
Create Date: 2026-11-30 11:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "region_0003"
down_revision: str | None = "region_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("sentry_organization_slug_lower", "sentry_organization",
                    [sa.text("lower(slug)")])
    # Statistics on the new expressions now: until then the planner guesses, and scans.
    op.execute("ANALYZE sentry_organization")


def downgrade() -> None:
    op.drop_index("sentry_organization_slug_lower", table_name="sentry_organization")
