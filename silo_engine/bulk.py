"""Set-based writes: primary keys taken from the table's sequence in one query, rows loaded
with binary COPY.

COPY is the fastest way into PostgreSQL, but it returns nothing; taking the ids from the
sequence first (`nextval` over a series) gives every row its new pk in input order, and leaves
the sequence ahead of every id used, so nothing ever needs resetting.
"""

from __future__ import annotations

import functools
import ipaddress
import re
import uuid
from collections.abc import Callable, Sequence
from operator import itemgetter
from typing import Any, NamedTuple

import orjson
import sqlalchemy as sa
from psycopg import errors as pg_errors
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
    """How a row value becomes what binary COPY takes for this column (None: as it is)."""
    kind = column.type
    if isinstance(kind, JSONText):
        return lambda v: None if v is None else orjson.dumps(v).decode()
    if isinstance(kind, pg.JSONB | sa.JSON):
        return lambda v: None if v is None else Jsonb(v, dumps=orjson.dumps)
    if isinstance(kind, sa.Uuid):
        return lambda v: v if v is None or isinstance(v, uuid.UUID) else uuid.UUID(v)
    if isinstance(kind, pg.INET):
        return lambda v: None if v is None else ipaddress.ip_address(v)
    bits = _NARROW_INTEGERS.get(_copy_type(column))
    if bits is not None:
        return _fitting(bits, column.name)
    return None


# The binary format's 2- and 4-byte integers wrap silently where text COPY would refuse a
# value that does not fit; these columns are checked on the way.
_NARROW_INTEGERS = {"smallint": 16, "integer": 32}


def _fitting(bits: int, name: str) -> Callable[[Any], Any]:
    low, high = -(1 << (bits - 1)), (1 << (bits - 1)) - 1

    def check(value: Any) -> Any:
        if value is not None and not low <= value <= high:
            raise pg_errors.NumericValueOutOfRange(
                f"{value} is out of range for column {name!r}, a {bits}-bit integer")
        return value

    return check


def _copy_type(column: sa.Column) -> str:
    """The column's PostgreSQL type as binary COPY is told it (any length modifier dropped)."""
    return re.sub(r"\(\d+\)", "", column.type.compile(dialect=pg.dialect())).lower()


class _CopyPlan(NamedTuple):
    statement: str
    types: list[str]
    values: Callable[[dict[str, Any]], tuple[Any, ...]]  # a row's values after the id
    convert: list[tuple[int, Callable[[Any], Any]]]  # position in the COPY row -> converter


@functools.cache
def _copy_plan(table: sa.Table) -> _CopyPlan:
    columns = [table.c.id, *(c for c in table.columns if c.key != "id")]
    names = ", ".join(f'"{c.name}"' for c in columns)
    return _CopyPlan(f'COPY "{table.name}" ({names}) FROM STDIN (FORMAT BINARY)',
                     [_copy_type(c) for c in columns], _values_of([c.key for c in columns[1:]]),
                     [(i, fn) for i, c in enumerate(columns) if (fn := _converter(c)) is not None])


def copy_rows(conn: sa.Connection, table: sa.Table, ids: Sequence[int],
              rows: Sequence[dict[str, Any]]) -> None:
    """Load `rows` (keyed by column key) with the given primary keys, using binary COPY (the
    values are already of their columns' Python types: parsing nothing as text costs both
    sides less)."""
    plan = _copy_plan(table)
    raw = conn.connection.driver_connection
    if raw is None:
        raise RuntimeError("the connection was closed before its rows were copied")
    with raw.cursor() as cursor, cursor.copy(plan.statement) as copy:
        copy.set_types(plan.types)
        for new_id, row in zip(ids, rows, strict=True):
            out = [new_id, *plan.values(row)]
            for i, fn in plan.convert:
                out[i] = fn(out[i])
            copy.write_row(out)


@functools.cache
def insert_from_json(table: sa.Table, columns: tuple[str, ...]) -> pg.Insert:
    """An INSERT of rows that arrive as one JSON array of objects (the parameter `rows`), which
    PostgreSQL turns into typed rows: one statement and one parameter however many rows, where
    an executemany sends a statement per row."""
    incoming = sa.func.json_to_recordset(sa.cast(sa.bindparam("rows"), sa.JSON)) \
        .table_valued(*(sa.column(name, table.c[name].type) for name in columns)) \
        .render_derived(name="incoming", with_types=True)
    return pg.insert(table).from_select(list(columns), sa.select(incoming))


def json_rows(rows: list[dict[str, Any]]) -> dict[str, str]:
    """The parameters of an insert_from_json statement for `rows`."""
    return {"rows": orjson.dumps(rows).decode()}


def _values_of(keys: list[str]) -> Callable[[dict[str, Any]], tuple[Any, ...]]:
    """A row's values for `keys`, in order, as a tuple (itemgetter, whatever the count)."""
    if len(keys) == 1:
        key = keys[0]
        return lambda row: (row[key],)
    if not keys:
        return lambda row: ()
    return itemgetter(*keys)
