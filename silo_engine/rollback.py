"""Undo one import in one silo, from what its chunk ledger recorded.

Each chunk holds the pks its batch inserted and the rows it wrote over as they were
(`before_images`, a row_to_json text per row, restored with json_populate_record so every column
comes back with its exact type). A rollback first looks for rows written since that reference a
row the import inserted (refused, or with cascade deleted too), then undoes the chunks newest
first, one transaction each, marking each one rolled back as it goes: the scheduler finishes a
model's dependencies before its first batch, so newest first is reverse dependency order, and a
rollback stopped at any point resumes where it stopped when run again. Rows of tables that are
not models (a user's password-reset hash) go with the row they reference.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import sqlalchemy as sa

from silo_engine.modelspec import ModelRegistry, ModelSpec
from wire.errors import ErrorKind, ImportFailure
from wire.scopes import ImportState

# How many referencing rows a refusal (and an answer) names; the count says the rest.
SHOWN_REFERENCES = 20
# Seconds one RollbackImport call undoes batches for before it answers `finished: false` (the
# caller calls again): well inside the client's call timeout, so a long rollback is never a
# call cut off and retried while it still runs.
CALL_SECONDS = 30.0

# Rows of the import being undone, by model: the import's own ("import"), the other silo's that
# this silo knows of ("elsewhere": a region's replica of the control ledger, control's
# organization mappings), and rows written since that a cascade deletes ("cascade").
_ROWS = "rollback_rows"
_CREATE_ROWS = sa.text(
    f"CREATE TEMPORARY TABLE {_ROWS} (model text, id bigint, source text, "
    "PRIMARY KEY (model, id)) ON COMMIT DROP")


@dataclass(frozen=True)
class Reference:
    """A row (`model` pk `pk`) whose `field` points at `target_model` pk `target_pk`, a row the
    import inserted."""

    model: str
    pk: int
    field: str
    target_model: str
    target_pk: int

    def __str__(self) -> str:
        return f"{self.model} pk {self.pk} ({self.field} -> {self.target_model} {self.target_pk})"


@dataclass
class Outcome:
    """What a rollback found and did (or, on a dry run, would do) in one silo."""

    known: bool = True
    references: list[Reference] = field(default_factory=list)  # the first SHOWN_REFERENCES
    reference_count: int = 0
    cascaded: bool = False
    deleted: int = 0
    restored: int = 0
    finished: bool = True  # False: stopped after CALL_SECONDS with batches left


@dataclass(frozen=True)
class ImportRecord:
    """One import as `relocate imports` lists it (dates as unix seconds, 0 when not yet)."""

    import_uuid: str
    scope: str
    state: ImportState
    started_at: int
    finished_at: int
    rolled_back_at: int
    source_size: int
    source_sha256: str
    records_written: int


# One of a silo's own steps for an import, outside its ledger (see SiloSteps).
SiloStep = Callable[[sa.Connection, str], None]


def _no_step(conn: sa.Connection, import_uuid: str) -> None:
    return None


@dataclass(frozen=True)
class SiloSteps:
    """What a silo adds to a rollback: `known_elsewhere` adds the other silo's rows of the
    import that it knows to the rows checked for references (source 'elsewhere');
    `after_rollback` removes what its own steps made for the import, once its rows are gone."""

    known_elsewhere: SiloStep = _no_step
    after_rollback: SiloStep = _no_step


def before_image(conn: sa.Connection, table: sa.Table, pks: set) -> dict[int, str]:
    """The rows `pks` of `table` as they are now, as row_to_json text (exact for every type)."""
    if not pks:
        return {}
    rows = conn.execute(sa.text(
        f'SELECT t.id, row_to_json(t)::text FROM "{table.name}" AS t WHERE t.id = ANY(:pks)'),
        {"pks": sorted(pks)})
    return {int(pk): image for pk, image in rows}


class Rollbacks:
    """Rollbacks and the import list of one silo."""

    def __init__(self, registry: ModelRegistry, engine: sa.Engine, chunk_table: sa.Table,
                 binding_table: sa.Table, steps: SiloSteps) -> None:
        self.registry = registry
        self.engine = engine
        self.chunks = chunk_table
        self.bindings = binding_table
        self.steps = steps
        # Tables that are not models, by the model table their foreign keys point at.
        models = {spec.table for spec in registry}
        self.dependents: dict[str, list[tuple[str, str]]] = {t.name: [] for t in models}
        for table in chunk_table.metadata.sorted_tables:
            if table not in models:
                for fk in table.foreign_keys:
                    if fk.column.table in models:
                        self.dependents[fk.column.table.name].append((table.name, fk.parent.name))

    # --- the import list ---------------------------------------------------------------------

    def list_imports(self) -> list[ImportRecord]:
        query = sa.text(
            f"SELECT b.*, coalesce(w.written, 0) AS written FROM {self.bindings.name} AS b "
            "LEFT JOIN (SELECT import_uuid, sum("
            f"{_KEYS.format('inserted_map')} + {_KEYS.format('overwrite_map')}) AS written "
            f"FROM {self.chunks.name} GROUP BY import_uuid) AS w USING (import_uuid) "
            "ORDER BY b.date_added, b.import_uuid")
        with self.engine.connect() as conn:
            return [ImportRecord(str(row.import_uuid), row.scope, ImportState(row.state),
                                 _micros(row.date_added), _micros(row.date_finished),
                                 _micros(row.date_rolled_back), row.source_size,
                                 row.source_sha256, int(row.written))
                    for row in conn.execute(query)]

    # --- the rollback ------------------------------------------------------------------------

    def rollback(self, import_uuid: str, cascade: bool, dry_run: bool) -> Outcome:
        with self.engine.begin() as conn:
            state = conn.execute(sa.select(self.bindings.c.state).where(
                self.bindings.c.import_uuid == import_uuid).with_for_update()).scalar()
            if state is None:
                return Outcome(known=False)
            outcome = self._check(conn, import_uuid, cascade, dry_run)
            if dry_run:
                return outcome
            self._set_state(conn, import_uuid, ImportState.ROLLING_BACK)
        give_up = time.monotonic() + CALL_SECONDS
        left = self._chunks_left(import_uuid)
        for done, chunk_id in enumerate(left, 1):  # at least one batch a call
            deleted, restored = self._undo_chunk(chunk_id)
            outcome.deleted += deleted
            outcome.restored += restored
            if done < len(left) and time.monotonic() > give_up:
                outcome.finished = False
                return outcome
        with self.engine.begin() as conn:
            self.steps.after_rollback(conn, import_uuid)
            self._set_state(conn, import_uuid, ImportState.ROLLED_BACK)
        return outcome

    def _set_state(self, conn: sa.Connection, import_uuid: str, state: ImportState) -> None:
        values: dict = {"state": state.value}
        if state is ImportState.ROLLED_BACK:
            values["date_rolled_back"] = sa.func.coalesce(self.bindings.c.date_rolled_back,
                                                          sa.func.now())
        conn.execute(sa.update(self.bindings).where(
            self.bindings.c.import_uuid == import_uuid).values(values))

    def _check(self, conn: sa.Connection, import_uuid: str, cascade: bool,
               dry_run: bool) -> Outcome:
        """The rows written since the import that reference its rows: a refusal naming them,
        or (cascade) deleted with their own referencing rows. A dry run counts what the
        rollback would delete and restore; a rollback, the rows the cascade deleted."""
        conn.execute(_CREATE_ROWS)
        fill_from_ledger(conn, self.chunks, import_uuid, "import")
        self.steps.known_elsewhere(conn, import_uuid)
        conn.execute(sa.text(f"ANALYZE {_ROWS}"))  # its size, for the plans of the checks
        outcome = Outcome()
        cascaded = self._find_references(conn, outcome, cascade)
        outcome.cascaded = bool(cascaded)
        if outcome.reference_count and not (cascade or dry_run):
            raise ImportFailure(
                ErrorKind.ROLLBACK_REFUSED, outcome.references[0].model,
                f"{outcome.reference_count} row(s) written after import {import_uuid} "
                f"reference rows it inserted: {'; '.join(map(str, outcome.references))}"
                f"{' …' if outcome.reference_count > len(outcome.references) else ''}. "
                "Delete them first, or roll back with --cascade to delete them too.")
        if dry_run:
            outcome.deleted = _count(conn, "import") + _count(conn, "cascade")
            outcome.restored = self._images(conn, import_uuid)
            return outcome
        for model, pks in cascaded.items():
            outcome.deleted += self._delete(conn, self._spec(model), sorted(pks))
        return outcome

    def _find_references(self, conn: sa.Connection, outcome: Outcome,
                         cascade: bool) -> dict[str, set[int]]:
        """Fill the outcome's references; with cascade, follow them to the rows that reference
        those in turn, and answer every row found by model, deepest first."""
        rounds: list[list[Reference]] = []
        while found := self._referencing(conn):
            rounds.append(found)
            outcome.reference_count += len(found)
            outcome.references.extend(found[:SHOWN_REFERENCES - len(outcome.references)])
            if not cascade:
                break
            conn.execute(sa.text(f"INSERT INTO {_ROWS} (model, id, source) SELECT *, 'cascade' "
                                 "FROM unnest(CAST(:models AS text[]), CAST(:ids AS bigint[])) "
                                 "ON CONFLICT DO NOTHING"),
                         {"models": [r.model for r in found], "ids": [r.pk for r in found]})
        by_model: dict[str, set[int]] = {}
        for found in reversed(rounds):
            for reference in found:
                by_model.setdefault(reference.model, set()).add(reference.pk)
        return by_model

    def _images(self, conn: sa.Connection, import_uuid: str) -> int:
        """How many rows the import's batches not yet undone wrote over."""
        return int(conn.execute(sa.text(
            f"SELECT coalesce(sum({_KEYS.format('before_images')}), 0) FROM {self.chunks.name} "
            "WHERE import_uuid = :uuid AND NOT rolled_back"), {"uuid": import_uuid}).scalar_one())

    def _referencing(self, conn: sa.Connection) -> list[Reference]:
        """Every row, not one of the rows being removed, whose reference points at one."""
        targets = set(conn.execute(sa.text(f"SELECT DISTINCT model FROM {_ROWS}")).scalars())
        found: list[Reference] = []
        for spec in self.registry:
            for fk in spec.foreign_keys:
                if fk.target in targets:
                    found.extend(Reference(spec.name, pk, fk.field, fk.target, target)
                                 for pk, target in conn.execute(
                                     _referencing_query(spec.table.name, fk.column),
                                     {"model": spec.name, "target": fk.target}))
        return found

    def _chunks_left(self, import_uuid: str) -> list[int]:
        c = self.chunks.c
        with self.engine.connect() as conn:
            return list(conn.execute(sa.select(c.id).where(
                c.import_uuid == import_uuid, c.rolled_back.is_(False))
                .order_by(c.id.desc())).scalars())

    def _undo_chunk(self, chunk_id: int) -> tuple[int, int]:
        """Restore the rows one batch wrote over and delete the rows it inserted, in one
        transaction that marks the chunk rolled back; (deleted, restored)."""
        c = self.chunks.c
        with self.engine.begin() as conn:
            row = conn.execute(sa.select(c.model, c.inserted_map, c.before_images,
                                         c.rolled_back).where(c.id == chunk_id)
                               .with_for_update()).one()
            if row.rolled_back:  # a rollback running beside this one did it
                return 0, 0
            spec = self._spec(row.model)
            images = {int(pk): image for pk, image in (row.before_images or {}).items()}
            restored = _restore(conn, spec.table, images)
            # An inserted pk with a before-image is a row the batch copied its record onto
            # (UPDATE_EXISTING): it was there before, and is restored rather than deleted.
            inserted = sorted({int(pk) for pk in row.inserted_map.values()} - images.keys())
            deleted = self._delete(conn, spec, inserted)
            conn.execute(sa.update(self.chunks).where(c.id == chunk_id).values(rolled_back=True))
        return deleted, restored

    def _delete(self, conn: sa.Connection, spec: ModelSpec, ids: list[int]) -> int:
        """Delete the rows `ids` of the model's table, and the rows of tables that are not
        models that reference them; how many rows of the model."""
        if not ids:
            return 0
        for table, column in self.dependents[spec.table.name]:
            conn.execute(sa.text(f'DELETE FROM "{table}" WHERE "{column}" = ANY(:ids)'),
                         {"ids": ids})
        return conn.execute(sa.text(f'DELETE FROM "{spec.table.name}" WHERE id = ANY(:ids)'),
                            {"ids": ids}).rowcount

    def _spec(self, model: str) -> ModelSpec:
        spec = self.registry.get(model)
        if spec is None:
            raise ImportFailure(ErrorKind.UNKNOWN_MODEL, model,
                                f"the ledger names {model}, which this silo does not declare")
        return spec


def fill_from_ledger(conn: sa.Connection, chunk_table: sa.Table, import_uuid: str,
                     source: str) -> None:
    """Add the rows the ledger's batches of the import (not yet undone) inserted, by model: an
    inserted pk with a before-image was there before the import (it is restored, not removed)."""
    conn.execute(sa.text(
        f"INSERT INTO {_ROWS} (model, id, source) "
        f"SELECT c.model, e.value::bigint, :source FROM {chunk_table.name} AS c "
        "CROSS JOIN LATERAL json_each_text(c.inserted_map) AS e "
        "WHERE c.import_uuid = :uuid AND NOT c.rolled_back "
        "AND (c.before_images IS NULL OR NOT (c.before_images::jsonb ? e.value)) "
        "ON CONFLICT DO NOTHING"), {"uuid": import_uuid, "source": source})


def _count(conn: sa.Connection, source: str) -> int:
    return int(conn.execute(sa.text(f"SELECT count(*) FROM {_ROWS} WHERE source = :source"),
                            {"source": source}).scalar_one())


def _restore(conn: sa.Connection, table: sa.Table, images: dict[int, str]) -> int:
    """Put the rows back as their before-images hold them; how many."""
    if not images:
        return 0
    columns = ", ".join(f'"{c.name}"' for c in table.columns if c.name != "id")
    conn.execute(sa.text(
        f'UPDATE "{table.name}" SET ({columns}) = (SELECT {columns} FROM '
        f'json_populate_record(NULL::"{table.name}", CAST(:image AS json))) WHERE id = :id'),
        [{"id": pk, "image": image} for pk, image in sorted(images.items(), reverse=True)])
    return len(images)


@functools.cache
def _referencing_query(table: str, column: str) -> sa.TextClause:
    return sa.text(
        f'SELECT s.id, s."{column}" FROM "{table}" AS s JOIN {_ROWS} AS r '
        f'ON r.model = :target AND r.id = s."{column}" '
        f"WHERE NOT EXISTS (SELECT 1 FROM {_ROWS} AS m WHERE m.model = :model AND m.id = s.id) "
        "ORDER BY s.id")


_KEYS = "coalesce((SELECT count(*) FROM json_object_keys({})), 0)"  # keys of a JSON column


def _micros(when: object) -> int:
    """Unix microseconds: two imports started within one second still list in order."""
    if when is None:
        return 0
    return round(when.timestamp() * 1_000_000)  # type: ignore[attr-defined]


__all__ = ["ImportRecord", "Outcome", "Reference", "Rollbacks", "SiloSteps", "before_image",
           "fill_from_ledger"]
