"""What the silos' Alembic environments and revisions share: the body of each env.py (run the
migrations online against the configured URL), and steps both silos' histories take."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from alembic import context, op


def run(metadata: sa.MetaData) -> None:
    config = context.config
    url = config.get_main_option("sqlalchemy.url")
    if url is None:
        raise RuntimeError("the alembic configuration names no sqlalchemy.url")
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=metadata,
                          compare_type=True)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


def retype_chunk_maps(tables: Iterable[str], kind: str) -> None:
    """Store the map columns of these chunk-ledger tables as `kind` (json or jsonb), keeping
    every value."""
    columns = ("inserted_map", "existing_map", "overwrite_map", "inserted_identifiers")
    for table in tables:
        op.execute(f"ALTER TABLE {table} " + ", ".join(
            f"ALTER COLUMN {column} TYPE {kind} USING {column}::{kind}" for column in columns))
