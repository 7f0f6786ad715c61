"""Fresh values for imported rows whose identifier is taken, where Sentry has no unique key.

Some identifiers are looked up as if they were unique (a SentryApp's or an installation's
uuid, an OAuth grant code) but carry no unique constraint in the Sentry schema the exports
come from, so they are not unique keys the engine resolves. An import must still not create a
second row answering to one of them (importing the same export twice would): after the insert,
each new row whose value another row already had gets a fresh one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import sqlalchemy as sa


def renew_duplicates(conn: sa.Connection, table: sa.Table, column: str,
                     new_ids: Sequence[int], fresh: Callable[[], str]) -> list[int]:
    """Give a fresh `column` value to each new row that shares its value with an older row.

    "Older" is any row that was not inserted now, or one inserted now with a smaller id, so of
    two new rows sharing a value the first keeps it. Returns the ids that were renewed.
    """
    if not new_ids:
        return []
    other = table.alias("other")
    older = sa.or_(other.c.id.not_in(new_ids), other.c.id < table.c.id)
    taken = sa.exists().where(other.c[column] == table.c[column], other.c.id != table.c.id,
                              older)
    renewed = list(conn.execute(
        sa.select(table.c.id).where(table.c.id.in_(new_ids), taken)).scalars())
    if renewed:
        conn.execute(
            sa.update(table).where(table.c.id == sa.bindparam("_renewed"))
            .values({column: sa.bindparam("_fresh")}),
            [{"_renewed": pk, "_fresh": fresh()} for pk in renewed])
    return renewed
