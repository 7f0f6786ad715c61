"""An export holding records of every declared model, synthesised from the declarations.

`generate()` walks both silos' registries in dependency order and makes `count` records per
model. Values come from each column's type, length and nullability (with the shapes a few
column names imply: emails, slugs, urls, hex secrets); every foreign key, nullable ones too,
points at a record generated earlier (record i of a model at record i of its target, so each
"world" i is consistent: a member's team belongs to the member's organization); unique keys
stay unique because every value carries a running number; check constraints on which columns
may be null together are solved. Encodings vary between records the way real exports vary:
datetimes with and without milliseconds, BitFields as strings and integers, arrays as Python
list literals and JSON strings, JSON-text fields encoded twice and once.

A model is left out only when a required reference points at a model that is not declared
(Sentry excludes a few targets, such as sentry.group, from relocation): such records could
never be imported, in Sentry or here. `Generated.skipped` says which and why.
"""

from __future__ import annotations

import hashlib
import itertools
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg

from silo_engine.fields import BitFlags, JSONText
from silo_engine.modelspec import ModelSpec
from silo_engine.redact import is_sensitive
from tools.models import declared_specs, spec_order

COUNT = 2
Record = dict[str, Any]


@dataclass
class Generated:
    records: list[Record]
    pks: dict[str, list[int]] = field(default_factory=dict)  # model -> pks, ascending
    skipped: dict[str, str] = field(default_factory=dict)  # model -> why it has no records

    def counts(self) -> dict[str, int]:
        return {model: len(pks) for model, pks in self.pks.items()}


# --- shapes the models' own rules require -----------------------------------------------------


def _user_option(index: int, fields: Record) -> None:
    """sentry.useroption checks that a "timezone" option names a real timezone."""
    fields["key"] = "timezone"
    fields["value"] = '"Europe/Vienna"' if index % 2 == 0 else "America/New_York"


SHAPES: dict[str, Callable[[int, Record], None]] = {
    "sentry.useroption": _user_option,
}


# --- values -----------------------------------------------------------------------------------

_BASE_TIME = datetime(2023, 6, 22, 8, 30, tzinfo=UTC)


def _datetime(n: int, index: int) -> str:
    moment = _BASE_TIME + timedelta(days=n % 300, seconds=n * 37,
                                    milliseconds=0 if index % 2 else 1 + n % 998)
    if index % 2:  # without milliseconds and with an explicit offset
        return moment.isoformat(timespec="seconds")
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _hex(n: int, length: int) -> str:
    digest = ""
    counter = 0
    while len(digest) < length:
        digest += hashlib.sha256(f"{n}:{counter}".encode()).hexdigest()
        counter += 1
    return digest[:length]


def _fit(text: str, n: int, length: int | None) -> str:
    if length is None or len(text) <= length:
        return text
    short = f"v{n}"
    return short if len(short) <= length else str(n)[-length:]


def _string(column: sa.Column, n: int) -> str:
    name = column.name.lower()
    length = getattr(column.type, "length", None)
    if name == "email" or name.endswith("_email") or name == "username":
        return _fit(f"user{n}@example.com", n, length)
    if "slug" in name:
        return _fit(f"slug-{n}", n, length)
    if name.endswith(("url", "uri", "uris")) or name == "allowed_origins":
        return _fit(f"https://example.com/{n}", n, length)
    if "uuid" in name or name == "guid":
        value = uuid.uuid5(uuid.NAMESPACE_URL, f"relocation-{n}")
        return str(value) if length is None or length >= 36 else value.hex[:length]
    if name == "forced_color" or (length is not None and length <= 8 and "color" in name):
        return _hex(n, min(length or 6, 6))
    if name == "platform":
        return "python"
    if is_sensitive(name):
        return _hex(n, min(length or 64, 64))
    return _fit(f"{name} {n}", n, length)


def _array(item: sa.types.TypeEngine, n: int, index: int) -> Any:
    if isinstance(item, sa.Integer):
        values: list[Any] = [n, n + 1]
    else:
        values = [f"scope:{n}", "org:read"]
    if index % 2 == 0:
        return repr(values)  # exports before Sentry 24.x: a Python list literal
    return "[" + ",".join(f'"{v}"' if isinstance(v, str) else str(v) for v in values) + "]"


def _json_text(column: sa.Column, n: int, index: int) -> Any:
    if index % 2 == 0:
        return f'{{"n": {n}, "list": [1, 2], "text": "value {n}"}}'  # encoded once more
    return {"n": n, "nested": {"list": [n, "x"]}}


def _boolean(column: sa.Column, n: int, index: int) -> bool:
    default = column.default.arg if column.default is not None and \
        not column.default.is_callable else None
    flipped = not default if isinstance(default, bool) else True
    return flipped if index % 2 == 0 else not flipped


# Column type -> a valid export value, first match wins (subclasses before their bases).
_VALUES: tuple[tuple[type | tuple[type, ...], Callable[[sa.Column, int, int], Any]], ...] = (
    (BitFlags, lambda c, n, i: str(n % 64) if i % 2 == 0 else n % 64),
    (JSONText, _json_text),
    (sa.JSON, lambda c, n, i: {"n": n, "list": [1, 2]}),
    (pg.ARRAY, lambda c, n, i: _array(c.type.item_type, n, i)),
    (sa.Boolean, _boolean),
    (sa.SmallInteger, lambda c, n, i: 1 + n % 30000),
    (sa.Integer, lambda c, n, i: n),  # Integer and BigInteger
    ((sa.Float, sa.Numeric), lambda c, n, i: n + 0.5),
    (sa.DateTime, lambda c, n, i: _datetime(n, i)),
    (pg.INET, lambda c, n, i: f"10.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}"),
    (sa.Uuid, lambda c, n, i: str(uuid.uuid5(uuid.NAMESPACE_URL, f"relocation-{n}"))),
    (sa.String, lambda c, n, i: _string(c, n)),
)


def value_for(column: sa.Column, n: int, index: int) -> Any:
    """A valid export value for `column`; `n` makes it unique, `index` varies its encoding."""
    for kind, make in _VALUES:
        if isinstance(column.type, kind):
            return make(column, n, index)
    raise TypeError(f"no value for column {column.name} of type {column.type!r}")


# --- check constraints on nullability ---------------------------------------------------------

_TOKEN = re.compile(r"\s*(\(|\)|IS\b|NOT\b|NULL\b|AND\b|OR\b|[A-Za-z_][A-Za-z0-9_]*)",
                    re.IGNORECASE)


def null_pattern(sql: str) -> tuple[Callable[[set[str]], bool], set[str]] | None:
    """A check constraint made only of `col IS [NOT] NULL`, AND, OR and parentheses, as a
    predicate on the set of non-null columns; None for any other kind of constraint."""
    tokens: list[str] = []
    position = 0
    text = sql.strip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            return None
        tokens.append(match.group(1))
        position = match.end()
    python: list[str] = []
    columns: set[str] = set()
    i = 0
    while i < len(tokens):
        token, upper = tokens[i], tokens[i].upper()
        if upper in ("(", ")", "AND", "OR"):
            python.append(upper.lower() if upper in ("AND", "OR") else token)
            i += 1
            continue
        if upper in ("IS", "NOT", "NULL"):
            return None
        negated = [t.upper() for t in tokens[i + 1:i + 4]] == ["IS", "NOT", "NULL"]
        if not negated and [t.upper() for t in tokens[i + 1:i + 3]] != ["IS", "NULL"]:
            return None
        columns.add(token)
        python.append(f"({token!r} {'in' if negated else 'not in'} filled)")
        i += 4 if negated else 3
    code = compile(" ".join(python), "<check>", "eval")
    return (lambda filled: bool(eval(code, {}, {"filled": filled}))), columns


def _solve(checks: list[tuple[Callable[[set[str]], bool], set[str]]], filled: set[str],
           nullable: set[str], index: int) -> set[str]:
    """The columns to leave null so every check holds: as few as possible, rotating which
    column stays filled from record to record so each gets a value somewhere."""
    involved = sorted(set().union(*(cols for _, cols in checks)) & nullable & filled)
    if not involved:
        return set()
    options = []
    for size in range(len(involved) + 1):
        for nulls in itertools.combinations(involved, size):
            kept = filled - set(nulls)
            if all(check(kept) for check, _ in checks):
                options.append(set(nulls))
        if options:
            break
    if not options:
        return set()
    preferred = involved[index % len(involved)]
    return next((o for o in options if preferred not in o), options[0])


# --- the generator ----------------------------------------------------------------------------


def generate(specs: dict[str, ModelSpec] | None = None, count: int = COUNT) -> Generated:
    specs = declared_specs() if specs is None else specs
    order = [spec.name for spec in spec_order(specs.values())]
    out = Generated([])
    serial = itertools.count(1001)
    for position, name in enumerate(order):
        spec = specs[name]
        missing = [f"{fk.field} -> {fk.target}" for fk in spec.foreign_keys
                   if not fk.nullable and fk.target != name and not out.pks.get(fk.target)]
        if missing:
            out.skipped[name] = "required reference to a model that has no records: " + \
                ", ".join(missing)
            continue
        pks = [(position + 1) * 1000 + 7 * i + 3 for i in range(count)]
        out.pks[name] = pks
        checks = [found for c in spec.table.constraints if isinstance(c, sa.CheckConstraint)
                  and (found := null_pattern(str(c.sqltext))) is not None]
        field_of = {column: fname for fname, (column, _) in spec.fields.items()}
        name_of = {str(c.key): c.name for c in spec.table.columns}
        fks = {fk.field: fk for fk in spec.foreign_keys}
        for index, pk in enumerate(pks):
            fields: Record = {}
            for fname, (column_key, _) in spec.fields.items():
                column = spec.table.c[column_key]
                fk = fks.get(fname)
                if fk is None and column.nullable and index % 2:
                    fields[fname] = None  # every other record shows that null survives
                elif fk is None:
                    fields[fname] = value_for(column, next(serial), index)
                elif fk.target == name:  # a self reference: the record before this one
                    fields[fname] = pks[index - 1] if index else None
                else:
                    targets = out.pks.get(fk.target)
                    fields[fname] = targets[index % len(targets)] if targets else None
            if checks:
                filled = {name_of[field_of_col] for field_of_col in field_of
                          if fields.get(field_of[field_of_col]) is not None}
                nullable = {c.name for c in spec.table.columns if c.nullable}
                column_by_name = {c.name: str(c.key) for c in spec.table.columns}
                for column_name in _solve(checks, filled, nullable, index):
                    fields[field_of[column_by_name[column_name]]] = None
            shape = SHAPES.get(name)
            if shape is not None:
                shape(index, fields)
            out.records.append({"model": name, "pk": pk, "fields": fields})
    return out
