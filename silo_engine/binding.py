"""An import uuid bound to what it imports: scope, flags, name filters and the source's size and
digest, recorded once per silo before the import's first batch.

The chunk ledger answers a batch by (uuid, model, first ordinal) alone, so a uuid reused for
another file, scope or flags would be answered from the first run's chunks and write nothing.
The binding is checked first: a resume of the same import matches it, anything else is refused
with a message naming what differs.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg

from wire.errors import ErrorKind, ImportFailure
from wire.scopes import ImportState

PARTIAL = ImportState.PARTIAL.value


def binding_table(metadata: sa.MetaData) -> sa.Table:
    """One row per import uuid (a table of its own: the chunk ledger has a row per batch and
    Sentry's shape, and a binding is per import)."""
    return sa.Table(
        "relocation_importbinding",
        metadata,
        sa.Column("import_uuid", sa.Uuid(as_uuid=False), primary_key=True),
        sa.Column("scope", sa.String(16), nullable=False),
        sa.Column("merge_users", sa.Boolean, nullable=False),
        sa.Column("overwrite_configs", sa.Boolean, nullable=False),
        # Sorted names, or null when the import was not limited by them.
        sa.Column("org_slugs", sa.JSON, nullable=True),
        sa.Column("usernames", sa.JSON, nullable=True),
        sa.Column("source_size", sa.BigInteger, nullable=False),
        sa.Column("source_sha256", sa.String(64), nullable=False),
        sa.Column("date_added", sa.DateTime(timezone=True), nullable=False,
                  server_default=sa.func.now()),
        # Not part of the binding: where the import stands (ImportState), and when it got there.
        sa.Column("state", sa.String(16), nullable=False, server_default=PARTIAL),
        sa.Column("date_finished", sa.DateTime(timezone=True), nullable=True),
        sa.Column("date_rolled_back", sa.DateTime(timezone=True), nullable=True),
    )


@dataclass(frozen=True)
class Binding:
    import_uuid: str
    scope: str
    merge_users: bool
    overwrite_configs: bool
    org_slugs: list[str] | None
    usernames: list[str] | None
    source_size: int
    source_sha256: str

    def to_row(self) -> dict:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


def bind(engine: sa.Engine, table: sa.Table, binding: Binding) -> bool:
    """Record the binding, or check it against the one recorded; True when it was recorded
    before (a resume). An IMPORT_UUID_MISMATCH ImportFailure names what differs."""
    with engine.begin() as conn:
        # RETURNING, not rowcount: the driver reports -1 for an INSERT ... ON CONFLICT here.
        inserted = conn.execute(pg.insert(table).values(**binding.to_row())
                                .on_conflict_do_nothing(index_elements=["import_uuid"])
                                .returning(table.c.import_uuid)).first()
        if inserted is not None:
            return False
        row = conn.execute(sa.select(table).where(
            table.c.import_uuid == binding.import_uuid)).one()
    if row.state in (ImportState.ROLLING_BACK.value, ImportState.ROLLED_BACK.value):
        raise ImportFailure(
            ErrorKind.IMPORT_UUID_MISMATCH, None,
            f"import {binding.import_uuid} was rolled back (relocate rollback): its ledger "
            "would answer its batches without writing them. Import again under a new "
            "--import-uuid.")
    differences = _differences(row, binding)
    if differences:
        raise ImportFailure(
            ErrorKind.IMPORT_UUID_MISMATCH, None,
            f"import uuid {binding.import_uuid} was first run with {'; '.join(differences)}. "
            "A rerun with the same uuid resumes only that import: rerun it with the original "
            "file and options, or import this under a new --import-uuid.")
    return True


def complete(engine: sa.Engine, table: sa.Table, import_uuid: str) -> bool:
    """Mark a partial import complete (a complete one stays so); False when it is unknown."""
    with engine.begin() as conn:
        found = conn.execute(sa.select(table.c.state).where(
            table.c.import_uuid == import_uuid).with_for_update()).first()
        if found is not None and found.state == PARTIAL:
            conn.execute(sa.update(table).where(table.c.import_uuid == import_uuid).values(
                state=ImportState.COMPLETE.value, date_finished=sa.func.now()))
    return found is not None


def _differences(row: sa.Row, binding: Binding) -> list[str]:
    """What the earlier run had that this call has not, one phrase each."""
    found = []
    if row.scope != binding.scope:
        found.append(f"scope {row.scope}, not {binding.scope}")
    for flag in ("merge_users", "overwrite_configs"):
        if getattr(row, flag) != getattr(binding, flag):
            option = "--" + flag.replace("_", "-")
            found.append(f"{option} {'on' if getattr(row, flag) else 'off'}, "
                         f"not {'on' if getattr(binding, flag) else 'off'}")
    for names, option in (("org_slugs", "--filter-org-slugs"),
                          ("usernames", "--filter-usernames")):
        if getattr(row, names) != getattr(binding, names):
            found.append(f"{option} {_names(getattr(row, names))}, "
                         f"not {_names(getattr(binding, names))}")
    if (row.source_size, row.source_sha256) != (binding.source_size, binding.source_sha256):
        found.append(f"another source file ({row.source_size:,} bytes, SHA-256 "
                     f"{row.source_sha256[:16]}…; this one is {binding.source_size:,} bytes, "
                     f"SHA-256 {binding.source_sha256[:16]}…)")
    return found


def _names(names: list[str] | None) -> str:
    if names is None:
        return "unset"
    shown = ",".join(names[:5])
    return shown + (f",… ({len(names)} names)" if len(names) > 5 else "")


__all__ = ["PARTIAL", "Binding", "bind", "binding_table", "complete"]
