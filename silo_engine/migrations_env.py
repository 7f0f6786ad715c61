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


def bind_imports(chunk_tables: Iterable[str]) -> None:
    """Add the import bindings table (silo_engine.binding) and each chunk's batch last ordinal
    (silo_engine.ledger): the same step in both silos' histories."""
    op.create_table(
        "relocation_importbinding",
        sa.Column("import_uuid", sa.Uuid(as_uuid=False), nullable=False),
        sa.Column("scope", sa.String(length=16), nullable=False),
        sa.Column("merge_users", sa.Boolean(), nullable=False),
        sa.Column("overwrite_configs", sa.Boolean(), nullable=False),
        sa.Column("org_slugs", sa.JSON(), nullable=True),
        sa.Column("usernames", sa.JSON(), nullable=True),
        sa.Column("source_size", sa.BigInteger(), nullable=False),
        sa.Column("source_sha256", sa.String(length=64), nullable=False),
        sa.Column("date_added", sa.DateTime(timezone=True), server_default=sa.text("now()"),
                  nullable=False),
        sa.PrimaryKeyConstraint("import_uuid"),
    )
    for table in chunk_tables:
        op.add_column(table, sa.Column("batch_last_ordinal", sa.BigInteger(), nullable=True))


def unbind_imports(chunk_tables: Iterable[str]) -> None:
    for table in chunk_tables:
        op.drop_column(table, "batch_last_ordinal")
    op.drop_table("relocation_importbinding")


def keep_accounting(chunk_tables: Iterable[str]) -> None:
    """Add each chunk's `accounting` (silo_engine.ledger): the same step in both silos'
    histories."""
    for table in chunk_tables:
        op.add_column(table, sa.Column("accounting", sa.JSON(), nullable=True))


def forget_accounting(chunk_tables: Iterable[str]) -> None:
    for table in chunk_tables:
        op.drop_column(table, "accounting")


def track_rollbacks(chunk_tables: Iterable[str]) -> None:
    """Add what a rollback reads and writes (silo_engine.rollback): each chunk's before-images
    and rolled-back mark, and each binding's state and dates."""
    for table in chunk_tables:
        op.add_column(table, sa.Column("before_images", sa.JSON(), nullable=True))
        op.add_column(table, sa.Column("rolled_back", sa.Boolean(), nullable=False,
                                       server_default=sa.false()))
    op.add_column("relocation_importbinding",
                  sa.Column("state", sa.String(length=16), nullable=False,
                            server_default="partial"))
    for column in ("date_finished", "date_rolled_back"):
        op.add_column("relocation_importbinding",
                      sa.Column(column, sa.DateTime(timezone=True), nullable=True))


def untrack_rollbacks(chunk_tables: Iterable[str]) -> None:
    for column in ("date_rolled_back", "date_finished", "state"):
        op.drop_column("relocation_importbinding", column)
    for table in chunk_tables:
        op.drop_column(table, "rolled_back")
        op.drop_column(table, "before_images")
