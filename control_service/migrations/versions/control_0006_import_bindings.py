"""import bindings and each chunk's batch last ordinal

An import uuid is bound to its scope, flags and source file before its first batch
(silo_engine.binding), so a uuid reused for another import is refused instead of answered from
the first run's chunks. Each chunk records the last ordinal of its batch as sent, so a resume
whose batches are cut otherwise is refused instead of skipping the records past a shorter chunk.

Revision ID: control_0006
Revises: control_0005
Create Date: 2026-12-02 07:33:35.908551
"""

from collections.abc import Sequence

from silo_engine.migrations_env import bind_imports, unbind_imports

revision: str = "control_0006"
down_revision: str | None = "control_0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_CHUNK_TABLES = ("sentry_controlimportchunk",)


def upgrade() -> None:
    bind_imports(_CHUNK_TABLES)


def downgrade() -> None:
    unbind_imports(_CHUNK_TABLES)
