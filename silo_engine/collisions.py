"""Set-based collision resolution: one query per unique key per batch, then each model's policy.

Incoming records are checked against existing rows and against each other (two records of one
batch with the same username are a collision too). The outcome per record is an action: insert
it, reuse an existing row, overwrite one, or insert after renaming or re-keying it.

A key that points at a row this import inserted is neither looked up nor compared with the
batch's other keys: only this import's own records can share it, which the table's unique
constraint catches, and the engine then writes the batch again with every lookup
(BatchContext.trust_new_references). At 1M records this is most keys.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg

from silo_engine.context import BatchContext
from silo_engine.modelspec import Collision, ModelSpec, Row, UniqueSpec
from silo_engine.randomness import SUFFIX_LENGTHS, suffixed
from silo_engine.redact import REDACTED
from wire.errors import ErrorKind, ImportFailure

INSERT, EXISTING, OVERWRITE, UPDATE_EXISTING = "insert", "existing", "overwrite", "update_existing"


@dataclass(slots=True)
class Candidate:
    """One incoming record on its way into the table."""

    ordinal: int
    old_pk: int
    row: Row  # column name -> value, references already remapped
    action: str = INSERT
    target_pk: int | None = None  # the existing row it reuses or overwrites
    target_index: int | None = None  # or the earlier record of this batch it collides with
    new_pk: int | None = None


def _columns(spec: ModelSpec, unique: UniqueSpec) -> list[str]:
    return [spec.column_of(name) for name in unique.fields]


def _key(spec: ModelSpec, candidate: Candidate, columns: list[str],
         unique: UniqueSpec) -> tuple[Any, ...] | None:
    if unique.where and not unique.covers(candidate.row, spec.column_of):
        return None  # a partial key does not hold for this record
    values = tuple(map(candidate.row.get, columns))
    if None in values:
        return None  # NULLs never collide in a unique index
    if unique.case_insensitive:
        values = tuple(v.lower() if isinstance(v, str) else v for v in values)
    return values


def _existing(conn: sa.Connection, spec: ModelSpec, columns: list[str], unique: UniqueSpec,
              keys: set[tuple[Any, ...]]) -> dict[tuple[Any, ...], int]:
    """Existing rows matching any of `keys`: key -> id, in one query whatever the batch size.

    The keys travel as one JSON array of arrays, which PostgreSQL unpacks and casts to the
    columns' types, so the statement and its plan stay the same size (an IN list of row values
    costs PostgreSQL and the driver time per key, and a 4-column key of 1000 rows made that the
    slowest query of an import; typed arrays cost the driver a Python pass over every list).
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
    exprs = [table.c[name] for name in columns]
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
    if not names:
        return set()
    expr = sa.func.lower(table.c[column])
    rows = conn.execute(sa.select(expr).where(expr.in_([n.lower() for n in names])))
    return {row[0] for row in rows}


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
            ctx: BatchContext) -> None:
    """Decide every candidate's action, applying each unique key's policy in declared order."""
    for unique in spec.uniques:
        columns = _columns(spec, unique)
        # A key that points at a row this import inserted cannot meet a row from before it, and
        # meets another of the import's records only where the export repeats it: such keys
        # are left to the table's unique constraint, and a batch it refuses is written again
        # with every lookup (see engine), where the policy decides.
        new_rows = [(column, ctx.pk_map.inserted.get(target, set()))
                    for column, target in _new_references(spec, unique)] \
            if ctx.trust_new_references else []
        # Most such keys hold one reference (a project option's project): tested inline.
        (first_column, first_rows), *more_rows = new_rows or [("", set())]
        keyed = []
        for index, candidate in enumerate(candidates):
            if candidate.action != INSERT:
                continue
            row = candidate.row
            if new_rows and (row[first_column] in first_rows or any(
                    row[column] in inserted for column, inserted in more_rows)):
                ctx.unchecked_keys += 1
                continue
            key = _key(spec, candidate, columns, unique)
            if key is not None:
                keyed.append((index, candidate, key))
        existing = _existing(conn, spec, columns, unique, {key for _, _, key in keyed})
        claimed: dict[tuple[Any, ...], int] = {}
        to_rename: list[Candidate] = []
        for index, candidate, key in keyed:
            hit_pk, hit_index = existing.get(key), claimed.get(key)
            if hit_pk is None and hit_index is None:
                claimed[key] = index
                continue
            policy = unique.on_collision
            if policy is Collision.MERGE_OR_RENAME:
                policy = Collision.EXISTING if ctx.flags.merge_users else Collision.RENAME
            reuse = {Collision.EXISTING: EXISTING, Collision.UPDATE_EXISTING: UPDATE_EXISTING,
                     Collision.OVERWRITE_CONFIG: OVERWRITE if ctx.flags.overwrite_configs
                     else EXISTING}.get(policy)
            if policy is Collision.FAIL:
                right = hit_pk if hit_pk is not None else candidates[hit_index].old_pk
                where = "an existing row" if hit_pk is not None else "an earlier record"
                shown = REDACTED if any(spec.is_secret(f) for f in unique.fields) else \
                    ", ".join(map(str, key))
                raise ImportFailure(
                    ErrorKind.INTEGRITY_ERROR, spec.name,
                    f"{', '.join(unique.fields)} = {shown} is already used by {where} "
                    f"(pk {right}); this model has no rule to resolve the collision",
                    ordinal=candidate.ordinal, left_pk=candidate.old_pk, right_pk=right)
            if reuse is not None:  # the record becomes (or updates) the row it collides with
                candidate.action = reuse
                candidate.target_pk, candidate.target_index = hit_pk, (
                    None if hit_pk is not None else hit_index)
            elif policy is Collision.REGENERATE:
                assert unique.regenerate is not None, f"{spec.name}: REGENERATE needs a hook"
                unique.regenerate(candidate.row)
            elif policy is Collision.NULLIFY:
                for column in columns:
                    candidate.row[column] = None
            elif policy is Collision.RENAME:
                to_rename.append(candidate)
        if to_rename:
            _rename(conn, spec, unique, columns[0], to_rename, claimed, existing)


def _rename(conn: sa.Connection, spec: ModelSpec, unique: UniqueSpec, column: str,
            candidates: list[Candidate], claimed: dict, existing: dict) -> None:
    """Give each candidate the first free suffixed name, checking all proposals per round."""
    taken = {k[0] for k in claimed} | {k[0] for k in existing}
    taken |= {r.lower() for r in unique.reserved}
    max_length = unique.max_length or spec.table.c[column].type.length or 128
    pending = list(candidates)
    for length in SUFFIX_LENGTHS:
        names = [suffixed(str(c.row[column]), length, max_length) for c in pending]
        in_db = _taken_names(conn, spec.table, column, names)
        still: list[Candidate] = []
        for candidate, name in zip(pending, names, strict=True):
            if name.lower() in taken or name.lower() in in_db:
                still.append(candidate)
                continue
            taken.add(name.lower())
            candidate.row[column] = name
        pending = still
        if not pending:
            return
    raise ImportFailure(ErrorKind.INTEGRITY_ERROR, spec.name,
                        f"could not find a free {column} for {pending[0].row[column]!r}",
                        ordinal=pending[0].ordinal, left_pk=pending[0].old_pk)
