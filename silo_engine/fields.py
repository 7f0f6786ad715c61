"""Turn export field values into column values, checking them the way the target column will.

Each column gets one coercer, built once per model from its SQLAlchemy type, so a bad value is
reported with the model, ordinal and pk instead of surfacing as a database error mid-batch.
"""

from __future__ import annotations

import ast
import ipaddress
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg

from wire.errors import shown
from wire.numbers import NumberTooLong, integer_value


class FieldError(ValueError):
    """A field value the column cannot hold."""


class JSONText(sa.types.TypeDecorator):
    """A text column holding the JSON encoding of a value.

    Sentry stores these fields (pickled and legacy JSON fields) as text; exports carry them as
    arbitrary JSON values. Keeping the encoding lets an export round-trip exactly.
    """

    impl = sa.Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> str | None:
        return None if value is None else orjson.dumps(value).decode()

    def process_result_value(self, value: str | None, dialect: Any) -> Any:
        return None if value is None else orjson.loads(value)


class BitFlags(sa.types.TypeDecorator):
    """Sentry's BitField: a bigint of flags, which exports write as a decimal string."""

    impl = sa.BigInteger
    cache_ok = True


Coercer = Callable[[Any], Any]


def _unchanged_if(condition: str) -> Callable[[Coercer], Coercer]:
    """Mark a coercer with a Python condition on `{v}` under which it returns `{v}` unchanged
    (an int in range, a short string): compiled coercion (rowcode) tests it inline and skips
    the call, which is most of what coercing a typical record costs."""
    def mark(coerce: Coercer) -> Coercer:
        coerce.unchanged_if = condition  # type: ignore[attr-defined]
        return coerce
    return mark


def _bounded(bits: int) -> Coercer:
    low, high = -(2 ** (bits - 1)), 2 ** (bits - 1) - 1

    @_unchanged_if(f"type({{v}}) is int and {low} <= {{v}} <= {high}")
    def coerce(value: Any) -> int:
        # A JSON number is an int already (bool is a subclass, hence `type ... is`).
        try:
            number = value if type(value) is int else integer_value(value)
        except NumberTooLong as exc:
            raise FieldError(f"expected an integer, got {exc}") from None
        if number is None:
            raise FieldError(f"expected an integer, got {shown(value)}")
        if not low <= number <= high:
            raise FieldError(f"{number} does not fit a {bits}-bit integer")
        return number

    return coerce


_TRUE = {"true", "t", "1", "yes", "on"}
_FALSE = {"false", "f", "0", "no", "off"}


@_unchanged_if("{v} is True or {v} is False")
def _boolean(value: Any) -> bool:
    if value is True or value is False:
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.lower() in _TRUE | _FALSE:
        return value.lower() in _TRUE
    raise FieldError(f"expected a boolean, got {shown(value)}")


@_unchanged_if("type({v}) is float")
def _float(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise FieldError(f"expected a number, got {shown(value)}")
    try:
        return float(value)
    except ValueError as exc:
        raise FieldError(f"expected a number, got {shown(value)}") from exc


def parse_datetime(value: Any) -> datetime:
    """Accept Sentry's `...T..:..:..(.mmm)Z` and any ISO 8601 form; naive means UTC."""
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.strip())
        except ValueError as exc:
            raise FieldError(f"expected an ISO 8601 datetime, got {shown(value)}") from exc
    else:
        raise FieldError(f"expected an ISO 8601 datetime, got {shown(value)}")
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    if parsed.year in (1, 9999):  # an offset can carry it past what the column stores
        try:
            parsed.astimezone(UTC)
        except OverflowError:
            raise FieldError(f"{shown(value)} falls outside the years 1 to 9999 in UTC") from None
    return parsed


def _string(length: int | None) -> Coercer:
    fits = "" if length is None else f" and len({{v}}) <= {length}"

    @_unchanged_if(f"type({{v}}) is str and '\\x00' not in {{v}}{fits}")
    def coerce(value: Any) -> str:
        text = value
        if type(text) is not str:
            if isinstance(value, bool) or not isinstance(value, str | int | float):
                raise FieldError(f"expected a string, got {shown(value)}")
            text = str(value)
        if "\x00" in text:
            raise FieldError("strings may not contain NUL characters")
        if length is not None and len(text) > length:
            raise FieldError(f"ensure this value has at most {length} characters "
                             f"(it has {len(text)})")
        return text

    return coerce


def _uuid(value: Any) -> str:
    try:
        return str(uuid.UUID(str(value)))
    except ValueError as exc:
        raise FieldError(f"expected a UUID, got {shown(value)}") from exc


def _inet(value: Any) -> str:
    try:
        return str(ipaddress.ip_address(str(value).strip()))
    except ValueError as exc:
        raise FieldError(f"enter a valid IPv4 or IPv6 address, got {shown(value)}") from exc


@_unchanged_if("type({v}) is not str")
def _json(value: Any) -> Any:
    """Structured JSON; a string holding JSON is decoded (old exports encoded these as text)."""
    if isinstance(value, str):
        try:
            return orjson.loads(value)
        except orjson.JSONDecodeError:
            return value
    return value


def _array(element: Coercer) -> Coercer:
    def coerce(value: Any) -> list[Any]:
        if isinstance(value, str):
            try:
                value = orjson.loads(value)
            except orjson.JSONDecodeError:
                try:  # exports made before Sentry 24.x wrote Python list literals
                    value = ast.literal_eval(value)
                except (ValueError, SyntaxError) as exc:
                    raise FieldError(f"expected a list, got {shown(value)}") from exc
        if not isinstance(value, list | tuple):
            raise FieldError(f"expected a list, got {shown(value)}")
        return [None if item is None else element(item) for item in value]

    return coerce


@_unchanged_if("True")
def _as_is(value: Any) -> Any:
    return value


def coercer_for(column: sa.Column) -> Coercer:
    """The function that checks and converts one export value for `column`."""
    kind = column.type
    if isinstance(kind, pg.ARRAY):
        return _array(coercer_for(sa.Column("item", kind.item_type)))
    for types, coerce in _COERCER_OF_TYPE:
        if isinstance(kind, types):
            return coerce
    if isinstance(kind, sa.String):
        return _string(kind.length)
    raise TypeError(f"no coercer for column {column.name} of type {kind!r}")


# The coercer of each column type that needs no setting of its column, the first match winning:
# a type before the types it is a kind of (BitFlags and BigInteger before Integer).
_COERCER_OF_TYPE: tuple[tuple[type | tuple[type, ...], Coercer], ...] = (
    (JSONText, _as_is),
    (BitFlags, _bounded(64)),
    (sa.Boolean, _boolean),
    (sa.SmallInteger, _bounded(16)),
    (sa.BigInteger, _bounded(64)),
    (sa.Integer, _bounded(32)),
    ((sa.Float, sa.Numeric), _float),
    (sa.DateTime, parse_datetime),
    (pg.INET, _inet),
    (sa.Uuid, _uuid),
    (sa.JSON, _json),
)


def export_value(column: sa.Column, value: Any) -> Any:
    """A column value as Sentry's exporter writes it (datetimes with milliseconds and Z)."""
    if isinstance(value, datetime):
        text = value.astimezone(UTC).isoformat(timespec="milliseconds")
        return text.removesuffix("+00:00") + "Z"
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(column.type, BitFlags) and value is not None:
        return str(value)
    if isinstance(column.type, pg.ARRAY) and value is not None:
        return orjson.dumps(value).decode()  # Django's ArrayField writes a JSON string
    if isinstance(column.type, pg.INET) and value is not None:
        return str(value)
    return value
