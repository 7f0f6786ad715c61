"""each chunk's accounting: its records left out by reason, and the secrets regenerated

A resumed import answers a batch from its chunk; the import's report needs what became of every
record of the batch, not only those it mapped (silo_engine.ledger, `accounting`).

Revision ID: region_0006
Revises: region_0005
Create Date: 2026-12-02 10:40:00.000000
"""

from collections.abc import Sequence

from silo_engine.migrations_env import forget_accounting, keep_accounting

revision: str = "region_0006"
down_revision: str | None = "region_0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_CHUNK_TABLES = ("sentry_regionimportchunk", "sentry_controlimportchunkreplica")


def upgrade() -> None:
    keep_accounting(_CHUNK_TABLES)


def downgrade() -> None:
    forget_accounting(_CHUNK_TABLES)
