"""Set-based collision resolution: one query per unique key per batch, then each model's policy.

Incoming records are checked against existing rows and against each other (two records of one
batch with the same username are a collision too). The outcome per record is an action: insert
it, reuse an existing row, overwrite one, or insert after renaming or re-keying it.

Each Collision policy is carried out by the handler registered for it (`@handles`, alembic's
`implementation_for` pattern); what a handler decides is an Action, which carries the import
kind the batch's answer reports for the record.

A key that points at a row this import inserted is neither looked up nor compared with the
batch's other keys (Lookups.TRUST_NEW_REFERENCES): only this import's own records can share
it, which the table's unique constraint catches, and the batch is then written again with
every lookup (Lookups.EVERY_KEY; see ledgered). In the benchmark's imports this is most keys.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg

from silo_engine.context import BatchContext
from silo_engine.ledger import Regenerated
from silo_engine.modelspec import Collision, ModelSpec, Row, UniqueSpec
from silo_engine.randomness import first_free_names
from silo_engine.redact import REDACTED, shown
from wire.errors import ErrorKind, ImportFailure, cut
from wire.scopes import ImportKind


class Action(Enum):
    """What becomes of one incoming record, with the import kind its answer reports (`kind`,
    and `code`, that kind's code in the answer's packed columns)."""

    # Insert the record as a new row (answered Inserted).
    INSERT = ("insert", ImportKind.INSERTED)

    # Reuse the row it collides with, unchanged; nothing is written (answered Existing).
    EXISTING = ("existing", ImportKind.EXISTING)

    # Write the record over the row it collides with (answered Overwrite).
    OVERWRITE = ("overwrite", ImportKind.OVERWRITE)

    # Copy the record onto the row it collides with, which then counts as the import's own
    # (answered Inserted, identifier included).
    UPDATE_EXISTING = ("update_existing", ImportKind.INSERTED)

    kind: ImportKind
    code: int

    def __init__(self, _name: str, kind: ImportKind) -> None:
        self.kind = kind
        self.code = kind.to_proto()  # read once per record of every answer: looked up once


class Lookups(Enum):
    """Which unique keys of a batch are looked up before it is written."""

    # Every key but those that point at a row this import inserted: only the import's own
    # records can share such a key, and the table's unique constraint catches that.
    TRUST_NEW_REFERENCES = "trust_new_references"

    # Every key, so the model's collision policy decides every collision (the write again
    # after the unique constraint refused a batch written trusting new references).
    EVERY_KEY = "every_key"


@dataclass(slots=True)
class Candidate:
    """One incoming record on its way into the table."""

    ordinal: int
    old_pk: int
    row: Row  # column name -> value, references already remapped
    action: Action = Action.INSERT
    target_pk: int | None = None  # the existing row it reuses or overwrites
    target_index: int | None = None  # or the earlier record of this batch it collides with
    new_pk: int | None = None
    regenerated: list[Regenerated] | None = None  # keys given new secrets, for the report


def _columns(spec: ModelSpec, unique: UniqueSpec) -> list[str]:
    return [spec.column_of(name) for name in unique.fields]


def _key(spec: ModelSpec, candidate: Candidate, columns: list[str],
         unique: UniqueSpec, folded: dict[str, str]) -> tuple[Any, ...] | None:
    if unique.where and not unique.covers(candidate.row, spec.column_of):
        return None  # a partial key does not hold for this record
    values = tuple(map(candidate.row.get, columns))
    if None in values:
        return None  # NULLs never collide in a unique index
    if unique.case_insensitive:
        values = tuple(folded[v] if isinstance(v, str) else v for v in values)
    return values


def _folded(conn: sa.Connection, keys: _KeyPass) -> dict[str, str]:
    """Each string of the batch's case-insensitive key, lower-cased by PostgreSQL's lower():
    the lookups and the expression index compare lower(), and Python's str.lower() differs
    from it outside ASCII (a final sigma, a dotted capital I), so two records PostgreSQL takes
    for one name would not meet in the batch. One query per key per batch."""
    values = {value for candidate in keys.candidates for column in keys.columns
              if isinstance(value := candidate.row.get(column), str)}
    if not values:
        return {}
    given = sa.func.unnest(sa.cast(sa.bindparam("values", list(values)), pg.ARRAY(sa.Text))) \
        .table_valued("value").render_derived(name="given")
    return dict(conn.execute(sa.select(given.c.value, sa.func.lower(given.c.value))).all())


def _existing(conn: sa.Connection, spec: ModelSpec, columns: list[str], unique: UniqueSpec,
              keys: set[tuple[Any, ...]]) -> dict[tuple[Any, ...], int]:
    """Existing rows matching any of `keys`: key -> id, in one query whatever the batch size.

    The keys travel as one JSON array of arrays, which PostgreSQL unpacks and casts to the
    columns' types, so the statement and its plan stay the same size (an IN list of row values
    costs PostgreSQL and the driver time per key, which made a wide key's lookup the slowest
    query of an import; typed arrays cost the driver a Python pass over every list).
    """
    if not keys:
        return {}
    payload = orjson.dumps(list(keys), default=str).decode()  # any order: they are joined
    found: dict[tuple[Any, ...], int] = {}
    for row in conn.execute(_existing_query(spec, columns, unique), {"keys": payload}):
        found.setdefault(tuple(row[1:]), row[0])
    return found


_QUERIES: dict[tuple[str, tuple[str, ...]], sa.Select] = {}


def _existing_query(spec: ModelSpec, columns: list[str], unique: UniqueSpec) -> sa.Select:
    """The lookup for one unique key, built once: rows whose key is one of the arrays in the
    JSON parameter :keys."""
    cache_key = (spec.name, unique.fields)
    query = _QUERIES.get(cache_key)
    if query is not None:
        return query
    table = spec.table
    exprs: list[sa.ColumnElement[Any]] = [table.c[name] for name in columns]
    if unique.case_insensitive:
        exprs = [sa.func.lower(e) if isinstance(e.type, sa.String) else e for e in exprs]
    wanted = sa.func.jsonb_array_elements(sa.cast(sa.bindparam("keys"), pg.JSONB)) \
        .table_valued("key").render_derived(name="wanted")
    # Strings are compared as text: a cast to varchar(n) would cut a longer value to fit.
    values = [sa.cast(wanted.c.key.op("->>")(i),
                      sa.Text if isinstance(table.c[name].type, sa.String) else table.c[name].type)
              for i, name in enumerate(columns)]
    on = sa.and_(*(e == v for e, v in zip(exprs, values, strict=True)))
    # Found keys must equal the batch's: an address comes back as the text it was coerced to.
    shown = [sa.func.host(e) if isinstance(e.type, pg.INET) else e for e in exprs]
    query = sa.select(table.c.id, *shown).select_from(table.join(wanted, on))
    if unique.where:
        query = query.where(unique.sql_condition(table, spec.column_of))
    _QUERIES[cache_key] = query
    return query


def _taken_names(conn: sa.Connection, table: sa.Table, column: str,
                 names: list[str]) -> set[str]:
    """The proposed `names` a row has already, compared by PostgreSQL's lower() (as the
    lookups are), answered lower-cased as first_free_names compares them."""
    if not names:
        return set()
    proposed = sa.func.unnest(sa.cast(sa.bindparam("names", names), pg.ARRAY(sa.Text))) \
        .table_valued("name").render_derived(name="proposed")
    rows = conn.execute(sa.select(proposed.c.name).where(sa.exists().where(
        sa.func.lower(table.c[column]) == sa.func.lower(proposed.c.name))))
    return {row[0].lower() for row in rows}


def _new_references(spec: ModelSpec, unique: UniqueSpec) -> list[tuple[str, str]]:
    """(column, target model) of the references in a key that a unique constraint of the table
    enforces exactly (not a partial or case-insensitive key: their indexes differ)."""
    cache_key = (spec.name, unique.fields)
    found = _REFERENCES.get(cache_key)
    if found is None:
        columns = _columns(spec, unique)
        names = {spec.table.c[column].name for column in columns}
        enforced = not unique.where and not unique.case_insensitive and any(
            isinstance(constraint, sa.UniqueConstraint)
            and {c.name for c in constraint.columns} == names
            for constraint in spec.table.constraints)
        found = _REFERENCES[cache_key] = [(fk.column, fk.target) for fk in spec.foreign_keys
                                          if enforced and fk.column in columns]
    return found


_REFERENCES: dict[tuple[str, tuple[str, ...]], list[tuple[str, str]]] = {}


def resolve(conn: sa.Connection, spec: ModelSpec, candidates: list[Candidate],
            ctx: BatchContext, lookups: Lookups) -> int:
    """Decide every candidate's action, applying each unique key's policy in declared order.
    Returns how many keys were left to the table's unique constraint (see Lookups)."""
    unchecked = 0
    for unique in spec.uniques:
        keys = _KeyPass(conn, spec, unique, _columns(spec, unique), ctx, candidates)
        if unique.case_insensitive:
            keys.folded = _folded(conn, keys)
        keyed, skipped = _keyed(keys, lookups)
        unchecked += skipped
        existing = _existing(conn, spec, keys.columns, unique, {key for _, _, key in keyed})
        claimed: dict[tuple[Any, ...], int] = {}
        handle = _HANDLERS[unique.on_collision]
        for index, candidate, key in keyed:
            hit_pk, hit_index = existing.get(key), claimed.get(key)
            if hit_pk is None and hit_index is None:
                claimed[key] = index
                continue
            handle(keys, _Hit(candidate, key, hit_pk, hit_index))
        if keys.renames:
            _rename(keys, {k[0] for k in claimed} | {k[0] for k in existing})
    return unchecked


@dataclass
class _KeyPass:
    """One unique key's pass over a batch: what its collision handlers read, and the records
    they leave to be renamed once every collision of the key is known."""

    conn: sa.Connection
    spec: ModelSpec
    unique: UniqueSpec
    columns: list[str]
    ctx: BatchContext
    candidates: list[Candidate]
    renames: list[Candidate] = field(default_factory=list)
    folded: dict[str, str] = field(default_factory=dict)  # string -> lower(), if it is asked


@dataclass(slots=True)
class _Hit:
    """A candidate whose key is taken: by an existing row, or by an earlier record of the
    batch (its index in the candidates)."""

    candidate: Candidate
    key: tuple[Any, ...]
    row_pk: int | None
    index: int | None


def _keyed(keys: _KeyPass, lookups: Lookups) -> tuple[list[tuple[int, Candidate, tuple]], int]:
    """(index, candidate, key) of the candidates still to be inserted whose key holds and is
    looked up, and how many keys were left to the unique constraint instead."""
    spec, unique, columns = keys.spec, keys.unique, keys.columns
    # A key that points at a row this import inserted cannot meet a row from before it, and
    # meets another of the import's records only where the export repeats it: such keys are
    # left to the table's unique constraint (see Lookups).
    new_rows = [(column, keys.ctx.pk_map.inserted.get(target, set()))
                for column, target in _new_references(spec, unique)] \
        if lookups is Lookups.TRUST_NEW_REFERENCES else []
    # Most such keys hold one reference (a project option's project): tested inline.
    (first_column, first_rows), *more_rows = new_rows or [("", set())]
    keyed = []
    skipped = 0
    insert = Action.INSERT  # read per record: a local, not an enum attribute
    for index, candidate in enumerate(keys.candidates):
        if candidate.action is not insert:
            continue
        row = candidate.row
        if new_rows and (row[first_column] in first_rows or any(
                row[column] in inserted for column, inserted in more_rows)):
            skipped += 1
            continue
        key = _key(spec, candidate, columns, unique, keys.folded)
        if key is not None:
            keyed.append((index, candidate, key))
    return keyed, skipped


# --- what each collision policy does -----------------------------------------------------------

_Handler = Callable[[_KeyPass, _Hit], None]
_HANDLERS: dict[Collision, _Handler] = {}


def handles(policy: Collision) -> Callable[[_Handler], _Handler]:
    """Register the decorated function as what `policy` does with one collision."""

    def register(handler: _Handler) -> _Handler:
        assert policy not in _HANDLERS, f"{policy} has a handler already"
        _HANDLERS[policy] = handler
        return handler

    return register


def _reuse(hit: _Hit, action: Action) -> None:
    """The record becomes (or updates) the row, or the earlier record, it collides with."""
    candidate = hit.candidate
    candidate.action = action
    candidate.target_pk = hit.row_pk
    candidate.target_index = None if hit.row_pk is not None else hit.index


@handles(Collision.FAIL)
def _fail(keys: _KeyPass, hit: _Hit) -> None:
    spec, unique = keys.spec, keys.unique
    if hit.row_pk is not None:
        right, where = hit.row_pk, "an existing row"
    else:
        assert hit.index is not None, "a hit is on a row or on an earlier record"
        right, where = keys.candidates[hit.index].old_pk, "an earlier record"
    quoted = REDACTED if any(spec.is_secret(f) for f in unique.fields) else \
        ", ".join(cut(str(value)) for value in hit.key)
    raise ImportFailure(
        ErrorKind.INTEGRITY_ERROR, spec.name,
        f"{', '.join(unique.fields)} = {quoted} is already used by {where} "
        f"(pk {right}); this model has no rule to resolve the collision",
        ordinal=hit.candidate.ordinal, left_pk=hit.candidate.old_pk, right_pk=right)


@handles(Collision.EXISTING)
def _use_existing(keys: _KeyPass, hit: _Hit) -> None:
    _reuse(hit, Action.EXISTING)


@handles(Collision.UPDATE_EXISTING)
def _update_existing(keys: _KeyPass, hit: _Hit) -> None:
    _reuse(hit, Action.UPDATE_EXISTING)


@handles(Collision.OVERWRITE_CONFIG)
def _overwrite_config(keys: _KeyPass, hit: _Hit) -> None:
    _reuse(hit, Action.OVERWRITE if keys.ctx.flags.overwrite_configs else Action.EXISTING)


@handles(Collision.RENAME)
def _to_rename(keys: _KeyPass, hit: _Hit) -> None:
    keys.renames.append(hit.candidate)  # all at once, when the key's collisions are known


@handles(Collision.MERGE_OR_RENAME)
def _merge_or_rename(keys: _KeyPass, hit: _Hit) -> None:
    policy = Collision.EXISTING if keys.ctx.flags.merge_users else Collision.RENAME
    _HANDLERS[policy](keys, hit)


@handles(Collision.REGENERATE)
def _regenerate(keys: _KeyPass, hit: _Hit) -> None:
    unique, candidate = keys.unique, hit.candidate
    regenerate = unique.regenerate
    assert regenerate is not None, f"{keys.spec.name}: REGENERATE needs a hook"
    old = candidate.row[keys.columns[0]] if unique.public else None
    regenerate(candidate.row)
    new = candidate.row[keys.columns[0]] if unique.public else None
    if candidate.regenerated is None:
        candidate.regenerated = []
    candidate.regenerated.append(Regenerated(candidate.old_pk, ",".join(unique.fields), old, new))


@handles(Collision.NULLIFY)
def _nullify(keys: _KeyPass, hit: _Hit) -> None:
    for column in keys.columns:
        hit.candidate.row[column] = None


def _rename(keys: _KeyPass, taken: set[Any]) -> None:
    """Give each record to rename the first free suffixed name: not `taken` by the batch or an
    existing row, not reserved, and not in the table."""
    spec, unique, column = keys.spec, keys.unique, keys.columns[0]
    candidates = keys.renames
    max_length = unique.max_length or getattr(spec.table.c[column].type, "length", None) or 128
    names = first_free_names(
        [str(c.row[column]) for c in candidates], max_length,
        taken | {r.lower() for r in unique.reserved},
        lambda proposed: _taken_names(keys.conn, spec.table, column, proposed))
    for candidate, name in zip(candidates, names, strict=True):
        if name is None:
            raise ImportFailure(ErrorKind.INTEGRITY_ERROR, spec.name,
                                f"could not find a free {column} for "
                                f"{shown(candidate.row[column])}",
                                ordinal=candidate.ordinal, left_pk=candidate.old_pk)
        candidate.row[column] = name
