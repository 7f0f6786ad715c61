"""Builders that declare a model in one place: its table, references, unique keys and rules.

`model(...)` turns a Sentry-style field list into both the SQLAlchemy table (with the foreign
key columns and unique constraints) and the ModelSpec the engine reads, so the two can never
disagree.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg

from silo_engine.fields import BitFlags, JSONText
from silo_engine.modelspec import Collision, ForeignKeySpec, ModelSpec, OnMissing, UniqueSpec
from wire.scopes import RelocationScope, Silo


def now() -> datetime:
    """Default for auto-added datetimes whose field is missing from an export."""
    return datetime.now(UTC)


def text_array(name: str, **kw: Any) -> sa.Column:
    return sa.Column(name, pg.ARRAY(sa.Text), **kw)


def json_text(name: str, **kw: Any) -> sa.Column:
    """Sentry pickled / legacy-text JSON field: stored as the JSON encoding in a text column."""
    return sa.Column(name, JSONText, **kw)


def when(name: str, *, nullable: bool = False, auto: bool = False) -> sa.Column:
    """A timestamptz column; `auto` fills in the import time when an export lacks it."""
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable,
                     default=now if auto else None)


def string(name: str, length: int | None, *, nullable: bool = False, default: Any = None,
           key: str | None = None) -> sa.Column:
    kind = sa.String(length) if length else sa.Text
    return sa.Column(name, kind, nullable=nullable, default=default, key=key or name)


def integer(name: str, *, nullable: bool = False, default: Any = None, big: bool = False,
            small: bool = False) -> sa.Column:
    kind = sa.BigInteger if big else sa.SmallInteger if small else sa.Integer
    return sa.Column(name, kind, nullable=nullable, default=default)


def flags(name: str, *, default: int = 0, nullable: bool = False) -> sa.Column:
    """Sentry's BitField (a bigint of flags)."""
    return sa.Column(name, BitFlags, nullable=nullable, default=default)


def boolean(name: str, *, nullable: bool = False, default: Any = None) -> sa.Column:
    return sa.Column(name, sa.Boolean, nullable=nullable, default=default)


@dataclass(frozen=True)
class Ref:
    """A reference field. `table` is set for a same-silo table (a real constraint)."""

    field: str
    target: str
    table: str | None = None
    nullable: bool = False
    cross_silo: bool = False
    on_missing: OnMissing = OnMissing.DROP


def ref(field: str, target: str, table: str | None, *, nullable: bool = False,
        on_missing: OnMissing = OnMissing.DROP) -> Ref:
    """A reference inside this silo; `table` None when the target is not declared here yet."""
    return Ref(field, target, table, nullable, False, on_missing)


def hybrid(field: str, target: str, *, nullable: bool = False,
           on_missing: OnMissing = OnMissing.DROP) -> Ref:
    """Sentry's HybridCloudForeignKey: an id in the other silo, a plain integer column here."""
    return Ref(field, target, None, nullable, True, on_missing)


def unique(*fields: str, on: Collision = Collision.FAIL, **kw: Any) -> UniqueSpec:
    return UniqueSpec(tuple(fields), on, **kw)


def model(name: str, table: str, metadata: sa.MetaData, silo: Silo,
          scope: RelocationScope | Iterable[RelocationScope], columns: Iterable[sa.Column],
          refs: Iterable[Ref] = (), uniques: Iterable[UniqueSpec] = (),
          db_uniques: Iterable[tuple[str, ...]] = (), constraints: Iterable[sa.Constraint] = (),
          pk_type: type[sa.types.TypeEngine] = sa.BigInteger, **rules: Any) -> ModelSpec:
    """Declare a model: build its table and return its spec.

    `uniques` are the model's unique keys with their collision policies; each also becomes a
    unique constraint. `db_uniques` are constraints the engine needs no policy for.
    """
    refs = tuple(refs)
    uniques = tuple(uniques)
    ref_columns = []
    for r in refs:
        spec = ForeignKeySpec(r.field, r.target, r.nullable, r.cross_silo, r.on_missing)
        args = [sa.ForeignKey(f"{r.table}.id", deferrable=True, initially="DEFERRED")] \
            if r.table else []
        ref_columns.append(sa.Column(spec.column, sa.BigInteger, *args, nullable=r.nullable,
                                     index=True))
    sa_table = sa.Table(table, metadata,
                        sa.Column("id", pk_type, primary_key=True, autoincrement=True),
                        *columns, *ref_columns, *constraints)
    column_of = {r.field: ForeignKeySpec(r.field, r.target, r.nullable).column for r in refs}
    for key in [*uniques, *(UniqueSpec(tuple(f)) for f in db_uniques)]:
        cols = [sa_table.c[column_of.get(f, f)] for f in key.fields]
        suffix = "_".join(c.name for c in cols)
        if key.where:  # a partial key is a partial unique index, as in Sentry's schema
            sa.Index(key.name or f"{table}_{suffix}_partial_uniq"[:63], *cols, unique=True,
                     postgresql_where=key.sql_condition(sa_table,
                                                        lambda f: column_of.get(f, f)))
        else:
            sa_table.append_constraint(sa.UniqueConstraint(
                *cols, name=key.name or f"{table}_{suffix}_uniq"[:63]))
        if key.case_insensitive:  # collision lookups compare lower(...): give them an index
            sa.Index(f"{table}_{suffix}_lower"[:63],
                     *(sa.func.lower(c) if isinstance(c.type, sa.String) else c for c in cols))
    scopes = frozenset([scope] if isinstance(scope, RelocationScope) else scope)
    return ModelSpec(
        name=name, table=sa_table, silo=silo, scopes=scopes,
        foreign_keys=tuple(ForeignKeySpec(r.field, r.target, r.nullable, r.cross_silo,
                                          r.on_missing) for r in refs),
        uniques=uniques, **rules)
