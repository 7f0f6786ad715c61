"""`import_by_model`: import one batch of one model into this silo's database.

Checks run in Sentry's order; then, under the chunk ledger (ledgered.write_ledgered), records
are validated, filtered, remapped and normalised in Python, collisions are resolved with one
query per unique key, the rows are written set-based, and the chunk is recorded, all in one
transaction.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple, cast

import orjson
import sqlalchemy as sa

from silo_engine import binding, collisions, ledger
from silo_engine.bulk import allocate_ids, copy_rows
from silo_engine.collisions import Action, Candidate, Lookups
from silo_engine.context import BatchContext, SentPks
from silo_engine.fields import FieldError
from silo_engine.ledgered import BatchKey, write_ledgered
from silo_engine.metrics import SiloMetrics
from silo_engine.modelspec import ModelRegistry, ModelSpec, OnMissing, Row
from silo_engine.redact import field_message, shown
from silo_engine.rollback import Outcome, Rollbacks, SiloSteps, before_image
from silo_engine.statistics import TableStatistics
from wire.accounting import DropReason
from wire.batchlog import BatchLine, silo_name
from wire.errors import ErrorKind, ImportFailure, cut
from wire.scopes import ImportScope, Silo

log = logging.getLogger("relocation.silo")


@dataclass
class BatchRequest:
    model: str
    scope: ImportScope | None
    ctx_flags: Any  # ImportFlags | None (None when the caller sent no import uuid)
    filters: list
    pk_map: SentPks
    json_records: bytes
    min_ordinal: int


class SiloEngine:
    """Imports batches for the models of one silo into one database."""

    def __init__(self, registry: ModelRegistry, engine: sa.Engine, chunk_table: sa.Table,
                 binding_table: sa.Table, other_silo_models: Callable[[str], Silo | None],
                 region_name: str = "", steps: SiloSteps | None = None) -> None:
        self.registry = registry
        self.engine = engine
        self.chunk_table = chunk_table
        self.binding_table = binding_table
        self.silo_of = other_silo_models
        self.region_name = region_name
        self.name = silo_name(registry.silo, region_name)  # as log lines name this silo
        self.metrics: SiloMetrics | None = None  # set by a server that serves metrics
        self.statistics = TableStatistics(engine)
        self.rollbacks = Rollbacks(registry, engine, chunk_table, binding_table,
                                   steps or SiloSteps())

    # --- checks, in Sentry's order ----------------------------------------------------

    def _owned(self, model: str) -> ModelSpec:
        spec = self.registry.get(model)
        if spec is None:
            owner = self.silo_of(model)
            if owner is not None and owner is not self.registry.silo:
                raise ImportFailure(
                    ErrorKind.INCORRECT_SILO_MODE_FOR_MODEL, model,
                    f"{model} belongs to the {owner.value} silo; this is the "
                    f"{self.registry.silo.value} silo")
            raise ImportFailure(ErrorKind.UNKNOWN_MODEL, model,
                                f"{shown(model)} is not a relocatable model of this silo")
        return spec

    def exportable(self, model: str, scope: ImportScope | None) -> ModelSpec:
        spec = self._owned(model)
        if scope is None:
            raise ImportFailure(ErrorKind.UNSPECIFIED_SCOPE, model, "no export scope given")
        return spec

    def _check(self, req: BatchRequest) -> ModelSpec:
        if req.min_ordinal < 1:
            raise ImportFailure(ErrorKind.INVALID_MIN_ORDINAL, req.model,
                                f"min_ordinal must be 1 or more, got {req.min_ordinal}")
        spec = self._owned(req.model)
        if req.scope is None:
            raise ImportFailure(ErrorKind.UNSPECIFIED_SCOPE, req.model, "no import scope given")
        if req.ctx_flags is None or not req.ctx_flags.import_uuid:
            raise ImportFailure(ErrorKind.MISSING_IMPORT_UUID, req.model, "no import uuid given")
        try:
            uuid.UUID(req.ctx_flags.import_uuid)
        except ValueError:
            raise ImportFailure(
                ErrorKind.MISSING_IMPORT_UUID, req.model,
                f"import uuid {shown(req.ctx_flags.import_uuid)} is not a UUID") from None
        return spec

    # --- the calls ----------------------------------------------------------------------

    def bind_import(self, request: binding.Binding) -> bool:
        """Bind the import uuid to what it imports (see `binding`); True on a resume."""
        _checked_uuid(request.import_uuid)
        try:
            return binding.bind(self.engine, self.binding_table, request)
        except Exception as exc:  # a mismatch (ImportUuidMismatch) is what an operator watches
            if self.metrics is not None:
                self.metrics.error(_kind(exc))
            raise

    def complete_import(self, import_uuid: str) -> bool:
        """Mark the import complete; False when this silo has no binding for it."""
        return binding.complete(self.engine, self.binding_table, _checked_uuid(import_uuid))

    def rollback_import(self, import_uuid: str, cascade: bool, dry_run: bool) -> Outcome:
        return self.rollbacks.rollback(_checked_uuid(import_uuid), cascade, dry_run)

    def import_by_model(self, req: BatchRequest) -> ledger.Chunk:
        """The batch's answer. Every batch is logged once, and counted once when the server
        has metrics, whatever its outcome: the one place a batch is observed."""
        started = time.perf_counter()
        flags, metrics = req.ctx_flags, self.metrics
        line = BatchLine(cut(flags.import_uuid) if flags is not None else "", self.name,
                         cut(req.model), req.min_ordinal, None)  # as sent: cut, if not as meant
        if metrics is not None:
            metrics.in_flight.inc()
        try:
            key, chunk = self._import(req)
        except Exception as exc:
            kind = _kind(exc)
            seconds = time.perf_counter() - started
            log.info("batch failed", extra=line.extra(
                outcome="failed", error_kind=kind.name, seconds=round(seconds, 4)))
            if metrics is not None:
                metrics.failed(req.model, kind, seconds)
            raise
        finally:
            if metrics is not None:
                metrics.in_flight.dec()
        seconds = time.perf_counter() - started
        outcome = "from_ledger" if chunk.from_ledger else "written"
        log.info("batch %s", outcome.replace("_", " "), extra=line._replace(
            max_ordinal=key.last_ordinal).extra(mapped=len(chunk.mapped.old_pks),
                                                outcome=outcome, seconds=round(seconds, 4)))
        if metrics is not None:
            metrics.answered(req.model, chunk, seconds)
        return chunk

    def _import(self, req: BatchRequest) -> tuple[BatchKey, ledger.Chunk]:
        spec = self._check(req)
        scope, flags = req.scope, req.ctx_flags
        assert scope is not None, "_check refuses a batch without a scope"
        records = _decode(spec.name, req.json_records)
        key = BatchKey(flags.import_uuid, spec.name, req.min_ordinal,
                       req.min_ordinal + len(records) - 1)
        first = [records]

        def prepare(conn: sa.Connection, lookups: Lookups) -> _Rows:
            # An attempt after the first decodes the records again: the first one's hooks may
            # have changed values inside them.
            attempt = first.pop() if first else _decode(spec.name, req.json_records)
            ctx = BatchContext(spec.name, scope, flags, req.filters, req.pk_map,
                               region_name=self.region_name)
            dropped: Counter[str] = Counter()
            candidates = self._prepare(spec, attempt, req.min_ordinal, ctx, dropped)
            return _Rows(spec, key, ctx, lookups, candidates, dropped)

        chunk = write_ledgered(self.engine, self.chunk_table, key, prepare)
        if not chunk.from_ledger and spec.uniques:  # lookups need the planner to know its size
            self.statistics.inserted(spec.table.name, sum(
                1 for kind in chunk.mapped.kinds if kind == _INSERTED), spec.key_columns)
        return key, chunk

    def _prepare(self, spec: ModelSpec, records: list[dict], min_ordinal: int,
                 ctx: BatchContext, dropped: Counter[str]) -> list[Candidate]:
        """Validate, filter, remap and normalise; what survives becomes a candidate row, and
        each record left out is counted in `dropped` by its reason (the report's books)."""
        accepted = ctx.scope.accepts
        if not spec.scopes & accepted:
            dropped[_SCOPE] += len(records)
            return []
        filters = [f for f in ctx.filters if f.model == spec.name]
        references = _references(spec, ctx)
        # A model whose records all have one scope is in the import's scope or not, once.
        in_scope = None if spec.instance_scope is not None else spec.record_scope({}) in accepted
        candidates: list[Candidate] = []
        name = spec.name
        for ordinal, record in enumerate(records, min_ordinal):
            if not (type(record) is dict and record.get("model") == name
                    and type(fields := record.get("fields")) is dict
                    and type(old_pk := record.get("pk")) is int):  # as every export writes
                model, old_pk, fields = _shape(name, record, ordinal)
                if model != name:
                    raise ImportFailure(
                        ErrorKind.UNEXPECTED_MODEL, name,
                        f"a {model} record was sent in a batch of {name}",
                        ordinal=ordinal, left_pk=old_pk)
            if filters and not all(_passes(f, old_pk, fields) for f in filters):
                dropped[_FILTER] += 1
                continue
            try:
                row = spec.coerce_row(fields)
            except FieldError:  # the general loop says which field, and why
                row = _coerce(spec, fields, ordinal, old_pk)
            reason = _remap(references, row)
            if reason is not None:
                dropped[reason] += 1
                continue
            if not (in_scope if in_scope is not None else spec.record_scope(row) in accepted):
                dropped[_SCOPE] += 1
                continue
            if spec.normalize is not None:
                try:
                    if spec.normalize(row, ctx) is False:  # outside the scope by its rule
                        dropped[_SCOPE] += 1
                        continue
                except FieldError as exc:
                    raise ImportFailure(ErrorKind.VALIDATION_ERROR, spec.name, str(exc),
                                        ordinal=ordinal, left_pk=old_pk) from exc
            candidates.append(Candidate(ordinal, old_pk, row))
        return candidates


@dataclass
class _Rows:
    """A batch's candidate rows, as the ledgered write takes them (ledgered.PreparedBatch)."""

    spec: ModelSpec
    key: BatchKey
    ctx: BatchContext
    lookups: Lookups
    candidates: list[Candidate]
    dropped: Counter[str]

    @property
    def turn(self) -> str | None:
        return self.spec.table.name if self.spec.uniques and self.candidates else None

    def resolve(self, conn: sa.Connection) -> int:
        return collisions.resolve(conn, self.spec, self.candidates, self.ctx, self.lookups)

    def write(self, conn: sa.Connection) -> ledger.Chunk:
        before_images = _write(conn, self.spec, self.candidates, self.ctx)
        chunk = ledger.Chunk.summarise(self.key.import_uuid, self.spec.name,
                                       self.key.min_ordinal, _mapped(self.spec, self.candidates))
        chunk.dropped = dict(self.dropped)
        chunk.regenerated = [entry for c in self.candidates if c.regenerated
                             for entry in c.regenerated]
        chunk.before_images = before_images
        return chunk


def _kind(error: Exception) -> ErrorKind:
    """The kind a failed call answers with: the ImportFailure's, else (a bug) Unknown."""
    return error.kind if isinstance(error, ImportFailure) else ErrorKind.UNKNOWN


def _checked_uuid(import_uuid: str) -> str:
    try:
        uuid.UUID(import_uuid)
    except ValueError:
        raise ImportFailure(ErrorKind.MISSING_IMPORT_UUID, None,
                            f"import uuid {import_uuid!r} is not a UUID") from None
    return import_uuid


def _decode(model: str, payload: bytes) -> list[dict]:
    try:
        records = orjson.loads(payload)
    except orjson.JSONDecodeError as exc:
        raise ImportFailure(ErrorKind.DESERIALIZATION_FAILED, model,
                            f"the submitted JSON could not be decoded: {exc}") from exc
    if not isinstance(records, list):
        raise ImportFailure(ErrorKind.DESERIALIZATION_FAILED, model,
                            "the submitted JSON is not an array of records")
    return records


def _shape(model: str, record: Any, ordinal: int) -> tuple[str, int, dict]:
    if not isinstance(record, dict) or not isinstance(record.get("fields"), dict) \
            or not isinstance(record.get("model"), str):
        raise ImportFailure(ErrorKind.DESERIALIZATION_FAILED, model,
                            'a record must be an object with "model", "pk" and "fields"',
                            ordinal=ordinal)
    pk = record.get("pk")
    if isinstance(pk, bool) or not isinstance(pk, int):
        raise ImportFailure(ErrorKind.DESERIALIZATION_FAILED, model,
                            f"record pk must be an integer, got {shown(pk)}", ordinal=ordinal)
    return record["model"].lower(), pk, record["fields"]


def _passes(record_filter: Any, pk: int, fields: dict) -> bool:
    value = pk if record_filter.field == "pk" else fields.get(record_filter.field)
    return str(value) in record_filter.values


def _coerce(spec: ModelSpec, fields: dict, ordinal: int, pk: int) -> Row:
    """Column values for every column of the table, defaults filled in for absent fields; an
    ImportFailure naming the field for a value the column cannot hold. `spec.coerce_row` is
    the same, compiled, for records with nothing to report."""
    row: Row = {}
    get = fields.get
    for name, key, coerce, nullable, default in spec.plan:
        value = get(name, _MISSING)
        if value is _MISSING:
            value = default() if default is not None else None
        if value is not None:
            try:
                value = coerce(value)
            except FieldError as exc:
                raise ImportFailure(ErrorKind.VALIDATION_ERROR, spec.name,
                                    f"field {name!r}: "
                                    f"{field_message(str(exc), value, spec.is_secret(name))}",
                                    ordinal=ordinal, left_pk=pk) from exc
        elif not nullable:
            raise ImportFailure(ErrorKind.VALIDATION_ERROR, spec.name,
                                f"field {name!r}: this field cannot be null or missing",
                                ordinal=ordinal, left_pk=pk)
        row[key] = value
    return row


_MISSING = object()


class _Reference(NamedTuple):
    """One foreign key with what remapping it needs for this batch, looked up once."""

    column: str
    new_pks: dict[int, int]  # old pk -> new pk of the target model
    nullify: bool  # a missing target nullifies the reference (else the record is dropped)
    merged: set[int]  # old pks of merged users whose records are dropped (merged_user_field)


def _references(spec: ModelSpec, ctx: BatchContext) -> list[_Reference]:
    sent = ctx.pk_map
    return [_Reference(fk.column, sent.new_pks.get(fk.target, {}),
                       fk.on_missing is OnMissing.NULLIFY,
                       sent.existing.get(fk.target, set())
                       if fk.field == spec.merged_user_field else set())
            for fk in spec.foreign_keys]


def _remap(references: list[_Reference], row: Row) -> str | None:
    """Point every reference at the new pk; the reason when the record must be dropped."""
    for column, new_pks, nullify, merged in references:
        old = row[column]
        if old is None:
            continue
        new = new_pks.get(old)
        if new is None:
            if nullify:
                row[column] = None
                continue
            return _MISSING_REFERENCE
        if old in merged:
            return _MERGED_USER  # the user was merged into an existing account: keep its own
        row[column] = new
    return None


def _write(conn: sa.Connection, spec: ModelSpec, candidates: list[Candidate],
           ctx: BatchContext) -> dict[int, str]:
    """Insert and update the batch's rows; the rows it wrote over, as they were before (a
    rollback restores them)."""
    table = spec.table
    inserts = [c for c in candidates if c.action is _INSERT]
    if inserts:
        keep_pk = spec.keep_pk_in_global and ctx.scope is ImportScope.GLOBAL
        free: set[int] = set()
        if keep_pk:
            wanted = [c.old_pk for c in inserts]
            used = {r[0] for r in conn.execute(sa.select(table.c.id).where(
                table.c.id.in_(wanted)))}
            free = set(wanted) - used
        with_id = [c for c in inserts if c.old_pk in free]
        without_id = [c for c in inserts if c.old_pk not in free]
        new_ids = allocate_ids(conn, table, len(without_id))
        for candidate, new_pk in zip(without_id, new_ids, strict=True):
            candidate.new_pk = new_pk
        for candidate in with_id:
            candidate.new_pk = candidate.old_pk
        copy_rows(conn, table, _new_pks(inserts), [c.row for c in inserts])
        if with_id:
            conn.execute(sa.text(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                f"GREATEST((SELECT MAX(id) FROM {table.name}), 1))"))
    for candidate in candidates:
        if candidate.target_index is not None:
            candidate.target_pk = candidates[candidate.target_index].new_pk
            if candidate.target_pk is None:  # chained: the earlier record reused another row
                candidate.target_pk = candidates[candidate.target_index].target_pk
        if candidate.action is not _INSERT:
            candidate.new_pk = candidate.target_pk
    updates = [c for c in candidates if c.action in _UPDATES]
    before_images: dict[int, str] = {}
    if updates:
        # An update whose target is an earlier record of this batch wrote over nothing.
        before_images = before_image(conn, table, {c.target_pk for c in updates
                                                   if c.target_index is None})
        stmt = (sa.update(table).where(table.c.id == sa.bindparam("_target"))
                .values({name: sa.bindparam(name) for name in updates[0].row}))
        conn.execute(stmt, [c.row | {"_target": c.target_pk} for c in updates])
    if spec.after_insert is not None and inserts:
        spec.after_insert(conn, list(zip(_new_pks(inserts), [c.row for c in inserts],
                                         strict=True)), ctx)
    return before_images


def _mapped(spec: ModelSpec, candidates: list[Candidate]) -> ledger.Mapped:
    """Where each candidate went, as the answer's columns; an inserted record's identifier
    (username, slug) goes with it."""
    mapped = ledger.Mapped(spec.name, [c.old_pk for c in candidates], _new_pks(candidates),
                           [c.action.code for c in candidates])
    if spec.identifier:
        column = spec.fields[spec.identifier][0]
        for c in candidates:
            if c.action in _NAMED and c.row.get(column) is not None:
                mapped.identifiers[c.old_pk] = c.row[column]
    return mapped


def _new_pks(candidates: list[Candidate]) -> list[int]:
    """The candidates' new pks, once `_write` has given each one (inserted or reused)."""
    return cast(list[int], [c.new_pk for c in candidates])


# Read for every record, as module globals: looking up an enum's member costs more than the test
# (tuples, not sets: an enum member hashes in Python).
_INSERT = Action.INSERT
_INSERTED = Action.INSERT.code
# The actions that write over an existing row.
_UPDATES = (Action.OVERWRITE, Action.UPDATE_EXISTING)
# The actions whose record's identifier the answer carries: the row holds the record's values.
_NAMED = (Action.INSERT, Action.UPDATE_EXISTING)
# Drop reasons as plain strings: counted per record, and an enum member hashes in Python.
_FILTER, _SCOPE = DropReason.FILTER.value, DropReason.SCOPE.value
_MISSING_REFERENCE = DropReason.MISSING_REFERENCE.value
_MERGED_USER = DropReason.MERGED_USER.value


__all__ = ["BatchRequest", "SiloEngine"]
