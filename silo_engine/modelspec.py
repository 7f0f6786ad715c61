"""Declarative model descriptions: each silo declares its models once, next to their tables.

A ModelSpec holds everything the engine and the orchestrator need to know about a model: its
table, silo, relocation scopes, foreign keys (and what to do when a reference was not imported),
unique keys with their collision policy, and the few hooks for behaviour that truly differs per
model. The engine reads these; it has no per-model branches of its own.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Any, NamedTuple

import sqlalchemy as sa

from silo_engine.fields import Coercer, coercer_for
from silo_engine.redact import is_sensitive
from silo_engine.rowcode import RowCoercer, compile_coercion
from wire.scopes import ImportScope, RelocationScope, Silo

if TYPE_CHECKING:
    from silo_engine.context import BatchContext

Row = dict[str, Any]


class FieldPlan(NamedTuple):
    """How one export field becomes one column value; computed once per model."""

    name: str  # export field name
    key: str  # column key
    coerce: Coercer
    nullable: bool
    default: Callable[[], Any] | None  # None: no default (missing means null, or an error)


def _default_of(column: sa.Column) -> Callable[[], Any] | None:
    default = column.default
    if not isinstance(default, sa.ColumnDefault):  # none, or a sequence's
        return None
    if default.is_callable:
        return lambda: default.arg(None)  # SQLAlchemy passes an execution context
    return lambda: default.arg


class _NotNull:
    def __repr__(self) -> str:
        return "NOT_NULL"


NOT_NULL: Any = _NotNull()


class OnMissing(Enum):
    """What to do with a record whose reference points at a row that was not imported."""

    DROP = "drop"  # skip the record (Sentry's behaviour for every foreign key)
    NULLIFY = "nullify"  # keep the record, clear the reference


class Collision(Enum):
    """What to do when an incoming record matches an existing row, or an earlier record of its
    batch, on a unique key. Each policy is carried out by the handler registered for it in
    collisions (`@handles`)."""

    # Refuse the batch: an IntegrityError naming the record and the row it collides with.
    FAIL = "fail"

    # Reuse the existing row; the record is answered Existing and not written.
    EXISTING = "existing"

    # Reuse the existing row (Existing), or overwrite it (Overwrite) with --overwrite-configs.
    OVERWRITE_CONFIG = "overwrite_config"

    # Copy the incoming fields onto the existing row, which is answered as inserted.
    UPDATE_EXISTING = "update_existing"

    # Give the incoming value the first free random suffix, then insert the record.
    RENAME = "rename"

    # Users: reuse the existing account (EXISTING) with --merge-users, else RENAME.
    MERGE_OR_RENAME = "merge_or_rename"

    # Mint fresh secret values for the incoming record (its key's `regenerate` hook).
    REGENERATE = "regenerate"

    # Clear the incoming key's values (NULLs never collide), then insert the record.
    NULLIFY = "nullify"


@dataclass(frozen=True)
class ForeignKeySpec:
    field: str  # name in the export (`user`, `user_id`)
    target: str  # target model (`sentry.user`)
    nullable: bool
    cross_silo: bool = False
    on_missing: OnMissing = OnMissing.DROP

    @functools.cached_property
    def column(self) -> str:  # read for every reference of every record: computed once
        return self.field if self.field.endswith("_id") else f"{self.field}_id"


@dataclass(frozen=True)
class UniqueSpec:
    fields: tuple[str, ...]  # export field names (a column name is accepted too)
    on_collision: Collision = Collision.FAIL
    case_insensitive: bool = False
    # REGENERATE: fills new secret values into the row (all of this key's fields and the
    # fields derived from them, such as hashes).
    regenerate: Callable[[Row], None] | None = None
    # RENAME: the longest value a suffixed name may have.
    max_length: int | None = None
    # RENAME: extra values that count as taken (reserved slugs).
    reserved: frozenset[str] = frozenset()
    # A partial key (Sentry's conditional UniqueConstraint): it holds only among rows where
    # every (field, value) pair matches; a value of None means "is null", NOT_NULL "is not null".
    where: tuple[tuple[str, Any], ...] = ()
    # The database index's name, when it must match Sentry's.
    name: str | None = None
    # REGENERATE: the value is no secret (a DSN's public key, which deployed SDKs carry), so
    # the answer names its old and new value for the import's report.
    public: bool = False

    def covers(self, row: Row, column_of: Callable[[str], str]) -> bool:
        """Whether `row` (keyed by column) falls under this key's condition."""
        for field_name, value in self.where:
            have = row.get(column_of(field_name))
            if (have is not None) if value is None else \
                    (have is None) if value is NOT_NULL else have != value:
                return False
        return True

    def sql_condition(self, table: sa.Table, column_of: Callable[[str], str]) -> Any:
        """The condition as SQL, for the partial index and the existence query."""
        clauses = []
        for field_name, value in self.where:
            column = table.c[column_of(field_name)]
            clauses.append(column.is_(None) if value is None else
                           column.is_not(None) if value is NOT_NULL else column == value)
        return sa.and_(*clauses)


@dataclass(frozen=True)
class ModelSpec:
    name: str
    table: sa.Table
    silo: Silo
    scopes: frozenset[RelocationScope]
    foreign_keys: tuple[ForeignKeySpec, ...] = ()
    uniques: tuple[UniqueSpec, ...] = ()
    relocation_dependencies: tuple[str, ...] = ()
    # Goes into the pk map beside the new pk (username, slug).
    identifier: str | None = None
    # Imported after organization slugs are reconciled.
    deferred: bool = False
    # Skip records whose user (this foreign key) was merged into an existing user.
    merged_user_field: str | None = None
    # For models whose scope is a set: decides one record's scope after its references are
    # remapped.
    instance_scope: Callable[[Row], RelocationScope] | None = None
    # Per-record changes (sanitising, normalising); returns False to leave the record out as
    # outside the import's scope by the model's own rule (counted as such in the report).
    normalize: Callable[[Row, BatchContext], bool | None] | None = None
    # Runs in the batch transaction after the new rows are inserted, with (new pk, row) pairs.
    after_insert: Callable[[sa.Connection, list[tuple[int, Row]], BatchContext], None] | None = None
    # Global scope keeps the source primary key when it is free (Sentry keeps project ids so
    # DSNs stay valid).
    keep_pk_in_global: bool = False
    # Field names that are accepted in exports but not stored (derived or obsolete columns).
    ignored_fields: frozenset[str] = frozenset()
    # Credentials whose names do not say so (an API key's `key`): never shown in messages.
    secret_fields: frozenset[str] = frozenset()
    _plan: list[FieldPlan] = field(default_factory=list, compare=False, repr=False)
    _coercers: dict[str, tuple[str, Coercer]] = field(default_factory=dict, compare=False,
                                                      repr=False)

    def __post_init__(self) -> None:
        if not self.scopes or (RelocationScope.EXCLUDED in self.scopes and len(self.scopes) > 1):
            raise ValueError(f"{self.name}: scopes must be one scope or a set without Excluded")
        if len(self.scopes) > 1 and self.instance_scope is None:
            raise ValueError(f"{self.name}: a set of scopes needs an instance_scope hook")
        fk_columns = {fk.column: fk.field for fk in self.foreign_keys}
        for column in self.table.columns:
            if column.key == "id":
                continue
            key = str(column.key)  # a plain str: orjson refuses str subclasses as keys
            name = fk_columns.get(key, key)
            self._coercers[name] = (key, coercer_for(column))
            self._plan.append(FieldPlan(name, key, self._coercers[name][1], bool(column.nullable),
                                        _default_of(column)))
        missing = [fk.column for fk in self.foreign_keys if fk.column not in self.table.c]
        if missing:
            raise ValueError(f"{self.name}: foreign key columns {missing} are not in the table")

    @property
    def fields(self) -> dict[str, tuple[str, Coercer]]:
        """Export field name -> (column name, coercer), for every stored field."""
        return self._coercers

    @property
    def plan(self) -> list[FieldPlan]:
        """Every stored field, in column order, with what coercion needs to know."""
        return self._plan

    @functools.cached_property
    def coerce_row(self) -> RowCoercer:
        """The plan compiled to one function (see rowcode): a clean record's row, or
        FieldError."""
        return compile_coercion(self.name, self._plan)

    def column_of(self, name: str) -> str:
        """The column key for an export field name, or for a column name used as one."""
        found = self._coercers.get(name)
        if found is not None:
            return found[0]
        if name in self.table.c:
            return str(self.table.c[name].key)
        raise KeyError(f"{self.name} has no field or column {name!r}")

    @functools.cached_property
    def key_columns(self) -> tuple[str, ...]:
        """The quoted database names of the columns its unique keys compare."""
        names = {self.table.c[self.column_of(name)].name for unique in self.uniques
                 for name in (*unique.fields, *(field for field, _ in unique.where))}
        return tuple(f'"{name}"' for name in sorted(names))

    def is_secret(self, name: str) -> bool:
        return name in self.secret_fields or is_sensitive(name)

    def accepted_field_names(self) -> list[str]:
        return sorted(set(self._coercers) | self.ignored_fields)

    def in_import_scope(self, scope: ImportScope) -> bool:
        """Whether any record of this model can be part of an import in `scope`."""
        return bool(self.scopes & scope.accepts)

    def record_scope(self, row: Row) -> RelocationScope:
        if self.instance_scope is not None:
            return self.instance_scope(row)
        return next(iter(self.scopes))


class ModelRegistry:
    """The models one silo owns, by name."""

    def __init__(self, silo: Silo, specs: Iterable[ModelSpec]) -> None:
        self.silo = silo
        self.specs: dict[str, ModelSpec] = {}
        for spec in specs:
            if spec.silo is not silo:
                raise ValueError(f"{spec.name} is declared for {spec.silo}, not {silo}")
            if spec.name in self.specs:
                raise ValueError(f"{spec.name} is declared twice")
            self.specs[spec.name] = spec

    def get(self, name: str) -> ModelSpec | None:
        return self.specs.get(name)

    def __iter__(self):
        return iter(self.specs.values())
