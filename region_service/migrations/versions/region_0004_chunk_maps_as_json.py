"""the import chunk's maps as json, not jsonb

Each batch writes one chunk row with a map entry per record; PostgreSQL parsed those maps into
jsonb (sorting and de-duplicating the keys) for rows that are only read back whole, when a batch
is retried. As json they are checked and stored as written, which makes an import faster
(docs/performance.md, "Silo engine").

Revision ID: region_0004
Revises: region_0003
Create Date: 2026-11-30 16:50:00.000000
"""

from collections.abc import Sequence

from silo_engine.migrations_env import retype_chunk_maps

revision: str = "region_0004"
down_revision: str | None = "region_0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TABLES = ("sentry_regionimportchunk", "sentry_controlimportchunkreplica")


def upgrade() -> None:
    retype_chunk_maps(_TABLES, "json")


def downgrade() -> None:
    retype_chunk_maps(_TABLES, "jsonb")
