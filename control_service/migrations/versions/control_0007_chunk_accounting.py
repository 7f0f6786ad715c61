"""each chunk's accounting: its records left out by reason, and the secrets regenerated

A resumed import answers a batch from its chunk; the import's report needs what became of every
record of the batch, not only those it mapped (silo_engine.ledger, `accounting`).

Revision ID: control_0007
Revises: control_0006
Create Date: 2026-12-02 10:40:00.000000
"""

from collections.abc import Sequence

from silo_engine.migrations_env import forget_accounting, keep_accounting

revision: str = "control_0007"
down_revision: str | None = "control_0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_CHUNK_TABLES = ("sentry_controlimportchunk",)


def upgrade() -> None:
    keep_accounting(_CHUNK_TABLES)


def downgrade() -> None:
    forget_accounting(_CHUNK_TABLES)
