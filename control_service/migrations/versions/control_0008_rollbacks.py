"""rollbacks: each chunk's before-images and rolled-back mark, each binding's state

`relocate rollback` undoes an import from its chunk ledger (silo_engine.rollback): it restores
the rows a batch wrote over from their before-images, marks each batch it has undone so that a
rerun resumes, and records the import's state (partial, complete, rolling back, rolled back).
The member mappings' user columns get the indexes Django gives a foreign key: deleting a user
checks them for rows still pointing at it.

Revision ID: control_0008
Revises: control_0007
Create Date: 2026-12-02 10:30:00.000000
"""

from collections.abc import Sequence

from alembic import op

from silo_engine.migrations_env import track_rollbacks, untrack_rollbacks

revision: str = "control_0008"
down_revision: str | None = "control_0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_CHUNK_TABLES = ("sentry_controlimportchunk",)


_MAPPING = "sentry_organizationmembermapping"
_USER_COLUMNS = ("user_id", "inviter_id")


def upgrade() -> None:
    track_rollbacks(_CHUNK_TABLES)
    for column in _USER_COLUMNS:
        op.create_index(op.f(f"ix_{_MAPPING}_{column}"), _MAPPING, [column], unique=False)


def downgrade() -> None:
    for column in _USER_COLUMNS:
        op.drop_index(op.f(f"ix_{_MAPPING}_{column}"), table_name=_MAPPING)
    untrack_rollbacks(_CHUNK_TABLES)
