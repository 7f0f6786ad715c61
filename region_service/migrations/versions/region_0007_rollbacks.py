"""rollbacks: each chunk's before-images and rolled-back mark, each binding's state

`relocate rollback` undoes an import from its chunk ledger (silo_engine.rollback): it restores
the rows a batch wrote over from their before-images, marks each batch it has undone so that a
rerun resumes, and records the import's state (partial, complete, rolling back, rolled back).

Revision ID: region_0007
Revises: region_0006
Create Date: 2026-12-02 10:30:00.000000
"""

from collections.abc import Sequence

from silo_engine.migrations_env import track_rollbacks, untrack_rollbacks

revision: str = "region_0007"
down_revision: str | None = "region_0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_CHUNK_TABLES = ("sentry_regionimportchunk", "sentry_controlimportchunkreplica")


def upgrade() -> None:
    track_rollbacks(_CHUNK_TABLES)


def downgrade() -> None:
    untrack_rollbacks(_CHUNK_TABLES)
