"""Set-based writes: primary keys taken from the table's sequence in one query, rows loaded
with COPY.

COPY is the fastest way into PostgreSQL, but it returns nothing; taking the ids from the
sequence first (`nextval` over a series) gives every row its new pk in input order, and leaves
the sequence ahead of every id used, so nothing ever needs resetting.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from operator import itemgetter
from typing import Any

import orjson
import sqlalchemy as sa
from psycopg.types.json import Jsonb
from sqlalchemy.dialects import postgresql as pg

from silo_engine.fields import JSONText

_SEQUENCES: dict[str, str] = {}


def _sequence(conn: sa.Connection, table: sa.Table) -> str:
    name = _SEQUENCES.get(table.name)
    if name is None:
        name = conn.execute(sa.text("SELECT pg_get_serial_sequence(:t, 'id')"),
                            {"t": table.name}).scalar_one()
        _SEQUENCES[table.name] = name
    return name


def allocate_ids(conn: sa.Connection, table: sa.Table, count: int) -> list[int]:
    """`count` new primary keys from the table's own sequence, in one round trip."""
    if count == 0:
        return []
    return conn.execute(_ALLOCATE, {"s": _sequence(conn, table), "n": count}).scalar_one()


# One array rather than a row per id; the ids ascend in the order they are handed out.
_ALLOCATE = sa.text("SELECT array_agg(nextval(CAST(:s AS regclass)) ORDER BY g) "
                    "FROM generate_series(1, :n) AS g")


def _converter(column: sa.Column) -> Callable[[Any], Any] | None:
    """How a row value becomes what COPY expects for this column (None: as it is)."""
    if isinstance(column.type, JSONText):
        return lambda v: None if v is None else orjson.dumps(v).decode()
    if isinstance(column.type, pg.JSONB | sa.JSON):
        return lambda v: None if v is None else Jsonb(v, dumps=orjson.dumps)
    return None


def copy_rows(conn: sa.Connection, table: sa.Table, ids: Sequence[int],
              rows: Sequence[dict[str, Any]]) -> None:
    """Load `rows` (keyed by column key) with the given primary keys, using COPY."""
    columns = [c for c in table.columns if c.key != "id"]
    values = _values_of([c.key for c in columns])
    # Positions in the COPY row (after the id) of the values that need converting first.
    convert = [(i, fn) for i, c in enumerate(columns, 1) if (fn := _converter(c)) is not None]
    names = ", ".join(['"id"', *(f'"{c.name}"' for c in columns)])
    raw = conn.connection.driver_connection
    with raw.cursor() as cursor, \
            cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
        for new_id, row in zip(ids, rows, strict=True):
            out = [new_id, *values(row)]
            for i, fn in convert:
                out[i] = fn(out[i])
            copy.write_row(out)


def _values_of(keys: list[str]) -> Callable[[dict[str, Any]], tuple[Any, ...]]:
    """A row's values for `keys`, in order, as a tuple (itemgetter, whatever the count)."""
    if len(keys) == 1:
        key = keys[0]
        return lambda row: (row[key],)
    if not keys:
        return lambda row: ()
    return itemgetter(*keys)
