"""Undo an import in both silos, and list the imports the silos know.

A rollback asks both silos first what it would do (a dry run): rows written since the import
that reference a row it inserted refuse it, naming them, before either silo removes anything.
Then the region silo undoes its part and the control silo its own (the region's rows reference
control's, never the other way round by a constraint), each marking its binding rolled back.
Every step is idempotent: a rollback stopped anywhere is finished by running it again.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

from orchestrator.client import SiloClient
from wire.errors import ErrorKind, ImportFailure
from wire.relocation.v1 import silo_service_pb2
from wire.scopes import ImportScope, ImportState


@dataclass
class RollbackResult:
    """What a rollback did (or, dry, would do), per silo label, region first."""

    import_uuid: str
    answers: dict[str, silo_service_pb2.RollbackImportResponse] = field(default_factory=dict)

    @property
    def references(self) -> list[silo_service_pb2.RowReference]:
        return [r for answer in self.answers.values() for r in answer.referencing]

    @property
    def reference_count(self) -> int:
        return sum(answer.referencing_count for answer in self.answers.values())

    def summary(self, dry_run: bool) -> str:
        """One line per silo (deleted, restored), and the rows a cascade removes."""
        verb = ("would delete", "would restore") if dry_run else ("deleted", "restored")
        lines = [f"{label}: {verb[0]} {a.deleted:,} row(s), {verb[1]} {a.restored:,}"
                 for label, a in self.answers.items()]
        if self.reference_count:
            lines.append(f"{'would also delete' if dry_run else 'also deleted'} (--cascade), "
                         f"{self.reference_count:,} row(s) written after the import: "
                         + shown_references(self))
        return "\n".join(lines)


def shown_references(result: RollbackResult) -> str:
    """The referencing rows the silos named, and how many more there are."""
    references = result.references
    text = "; ".join(f"{r.model} pk {r.pk} ({r.field} -> {r.target_model} {r.target_pk})"
                     for r in references)
    more = result.reference_count - len(references)
    return text + (f"; and {more:,} more" if more else "")


def rollback(control: SiloClient, region: SiloClient, import_uuid: str, cascade: bool,
             dry_run: bool) -> RollbackResult:
    """Roll the import back in both silos, region first; a ROLLBACK_REFUSED ImportFailure,
    before anything is removed, when rows written since reference its rows (without cascade),
    or when neither silo knows the import."""
    silos = {"region": region, "control": control}
    check = RollbackResult(import_uuid, {label: silo.rollback_import(import_uuid, cascade, True)
                                         for label, silo in silos.items()})
    if not any(answer.known for answer in check.answers.values()):
        raise ImportFailure(ErrorKind.ROLLBACK_REFUSED, None,
                            f"neither silo knows import {import_uuid} (see relocate imports)")
    if check.reference_count and not cascade:
        raise ImportFailure(
            ErrorKind.ROLLBACK_REFUSED, check.references[0].model,
            f"{check.reference_count:,} row(s) written after import {import_uuid} reference "
            f"rows it inserted: {shown_references(check)}. Nothing was removed: delete them "
            "first, or give --cascade to delete them too.")
    if dry_run:
        return check
    return RollbackResult(import_uuid, {label: _undo(silo, import_uuid, cascade)
                                        for label, silo in silos.items()
                                        if check.answers[label].known})


def _undo(silo: SiloClient, import_uuid: str, cascade: bool
          ) -> silo_service_pb2.RollbackImportResponse:
    """The silo's part, in as many calls as it takes (each answers after a time budget), with
    what they did added up."""
    answer = silo.rollback_import(import_uuid, cascade, False)
    while not answer.finished:
        more = silo.rollback_import(import_uuid, cascade, False)
        answer.deleted += more.deleted
        answer.restored += more.restored
        answer.finished = more.finished
    return answer


@dataclass
class ImportEntry:
    """One import as both silos know it."""

    import_uuid: str
    scope: str
    started_at: int
    source_size: int
    source_sha256: str
    records_written: int = 0
    states: dict[str, ImportState] = field(default_factory=dict)  # per silo label
    finished_at: int = 0  # unix microseconds, the later silo's; 0 when not (yet)
    rolled_back_at: int = 0

    @property
    def state(self) -> str:
        """complete / partial / rolled back, or `rolling back` when a rollback was stopped (or
        reached one silo only): run it again."""
        states = set(self.states.values())
        if len(states) == 1 and len(self.states) == 2:
            return states.pop().shown
        if states & {ImportState.ROLLING_BACK, ImportState.ROLLED_BACK}:
            return ImportState.ROLLING_BACK.shown
        return ImportState.PARTIAL.shown

    def row(self) -> list[str]:
        started = datetime.fromtimestamp(self.started_at / 1e6, UTC).strftime("%Y-%m-%d %H:%M:%S")
        return [self.import_uuid, self.scope, started,
                f"{self.source_size:,} bytes sha256:{self.source_sha256[:12]}",
                f"{self.records_written:,}", self.state]

    def to_json(self) -> dict:
        return {"import_uuid": self.import_uuid, "scope": self.scope,
                **{name: _iso(getattr(self, name))
                   for name in ("started_at", "finished_at", "rolled_back_at")},
                "source_size": self.source_size, "source_sha256": self.source_sha256,
                "records_written": self.records_written, "state": self.state,
                "silos": {label: state.shown for label, state in self.states.items()}}


def list_imports(control: SiloClient, region: SiloClient) -> list[ImportEntry]:
    """The imports either silo knows, oldest first."""
    entries: dict[str, ImportEntry] = {}
    for label, silo in (("control", control), ("region", region)):
        for summary in silo.list_imports():
            scope = ImportScope.from_proto(summary.scope)
            import_uuid = uuid.UUID(summary.import_uuid).hex  # as --import-uuid shows it
            entry = entries.setdefault(import_uuid, ImportEntry(
                import_uuid, scope.value if scope else "?", summary.started_at,
                summary.source.size, summary.source.sha256))
            entry.started_at = min(entry.started_at, summary.started_at)
            entry.records_written += summary.records_written
            entry.finished_at = max(entry.finished_at, summary.finished_at)
            entry.rolled_back_at = max(entry.rolled_back_at, summary.rolled_back_at)
            entry.states[label] = ImportState.from_proto(summary.state)
    return sorted(entries.values(), key=lambda e: (e.started_at, e.import_uuid))


def _iso(micros: int) -> str | None:
    return datetime.fromtimestamp(micros / 1e6, UTC).isoformat() if micros else None


IMPORT_COLUMNS = ["IMPORT UUID", "SCOPE", "STARTED (UTC)", "SOURCE", "RECORDS", "STATE"]

__all__ = ["IMPORT_COLUMNS", "ImportEntry", "RollbackResult", "list_imports", "rollback"]
