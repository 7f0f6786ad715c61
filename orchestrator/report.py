"""What the user sees: progress while importing, and the summary (and JSON report) after."""

from __future__ import annotations

import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import InitVar, dataclass, field
from datetime import datetime
from typing import IO, Any

import orjson

from orchestrator.findings import NAMES_SHOWN, Finding, Tally
from orchestrator.model_names import USER
from orchestrator.storage import ReportSection, SpilledExport
from wire.accounting import FILTERED, DropReason
from wire.relocation.v1 import silo_service_pb2

REPORT_VERSION = 1  # the report file's schema (docs/report.md)
SHOWN = 50  # entries of each list the summary shows; the report file holds them all
OTHER_UNKNOWN_MODELS = "(other unknown models)"  # records of unknown models not named apart


class Listing:
    """One of the report's full lists (renames, changed DSNs, regenerated secrets): every entry
    streamed to its section file (`storage.ReportSection`), counted, and the first `SHOWN` kept
    for the summary; the list does not grow in memory with the import."""

    def __init__(self, section: ReportSection) -> None:
        self.section = section
        self.shown: list[Any] = []
        self.total = 0
        self.lock = threading.Lock()

    def add(self, entries: list[Any]) -> None:
        if not entries:
            return
        with self.lock:
            self.total += len(entries)
            self.shown += entries[:SHOWN - len(self.shown)]
        self.section.add(entries)


@dataclass
class ModelCounts:
    """The books of one model: every record in the file is inserted, existing (reused or
    merged), overwritten, filtered out or dropped, each left-out record under its reason."""

    in_file: int = 0
    inserted: int = 0
    existing: int = 0
    overwritten: int = 0
    batches: int = 0  # answered by the silo, written or (a resume) from its ledger
    renamed: int = 0  # of the inserted: under another username or slug than in the file
    filtered: Counter[str] = field(default_factory=Counter)  # by DropReason (accounting.FILTERED)
    dropped: Counter[str] = field(default_factory=Counter)  # by any other DropReason
    resumed_batches: int = 0
    seconds: float = 0.0  # from the model's first batch to its last answer

    def leave_out(self, reasons: Mapping[str, int]) -> None:
        """Count records left out, each under its reason's category."""
        for reason, count in reasons.items():
            (self.filtered if reason in FILTERED else self.dropped)[reason] += count

    @property
    def unaccounted(self) -> int:
        """Records in the file that none of the categories holds (negative: more than the file
        held were answered); 0 when the model's books balance."""
        return self.in_file - self.inserted - self.existing - self.overwritten \
            - self.filtered.total() - self.dropped.total()

    def add(self, other: ModelCounts) -> None:
        for name in ("in_file", "inserted", "existing", "overwritten", "renamed", "batches",
                     "resumed_batches"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.filtered.update(other.filtered)
        self.dropped.update(other.dropped)

    def to_json(self) -> dict[str, Any]:
        return {"in_file": self.in_file, "inserted": self.inserted, "existing": self.existing,
                "overwritten": self.overwritten, "renamed": self.renamed,
                "filtered": _reasons(self.filtered), "dropped": _reasons(self.dropped),
                "unaccounted": self.unaccounted, "batches": self.batches,
                "resumed_batches": self.resumed_batches,
                "seconds": round(self.seconds, 3)}


def _reasons(counts: Counter[str]) -> dict[str, Any]:
    return {"total": counts.total(), "reasons": dict(sorted(counts.items()))}


@dataclass
class ImportReport:
    """What became of every record of one import (or dry run), and the full lists of what it
    changed. `relocate import --report-file` writes it (`write_json`, schema in
    docs/report.md); the terminal shows its `summary`."""

    import_uuid: str
    scope: str
    spill: InitVar[SpilledExport]  # where the full lists wait until written
    dry_run: bool = False
    flags: dict[str, Any] = field(default_factory=dict)
    source: dict[str, Any] = field(default_factory=dict)  # path, size, sha256
    silos: dict[str, Any] = field(default_factory=dict)  # addresses, region name
    started_at: datetime | None = None
    finished_at: datetime | None = None
    models: dict[str, ModelCounts] = field(default_factory=dict)  # the models imported
    unknown_models: Counter[str] = field(default_factory=Tally)
    dropped_fields: Counter[tuple[str, str]] = field(default_factory=Tally)
    out_of_scope: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0
    renamed_users: Listing = field(init=False)  # [old, new] usernames
    renamed_organizations: Listing = field(init=False)  # [old, new] slugs
    changed_dsns: Listing = field(init=False)  # a project key's old and new public key
    regenerated_secrets: Listing = field(init=False)  # model, old pk, new pk, field

    def __post_init__(self, spill: SpilledExport) -> None:
        for name in ("renamed_users", "renamed_organizations", "changed_dsns",
                     "regenerated_secrets"):
            setattr(self, name, Listing(spill.report_section(name)))

    def counts(self, model: str) -> ModelCounts:
        return self.models.setdefault(model, ModelCounts())

    def renamed(self, model: str, pairs: list[tuple[str, str]]) -> None:
        """Records of `model` (users, organizations) inserted under another name."""
        if not pairs:
            return
        self.counts(model).renamed += len(pairs)
        listing = self.renamed_users if model == USER else self.renamed_organizations
        listing.add([list(pair) for pair in pairs])

    def regenerated(self, model: str, reply: silo_service_pb2.ImportByModelResponse) -> None:
        """The secrets a batch's answer says the silo regenerated, and the DSNs that changed
        (the entries whose values the silo names: a project key's public key)."""
        if not reply.regenerated:
            return
        mapped = reply.mapped
        new_pks = dict(zip(mapped.old_pks, mapped.new_pks, strict=True))
        self.regenerated_secrets.add([
            {"model": model, "old_pk": entry.old_pk, "new_pk": new_pks.get(entry.old_pk),
             "field": entry.field} for entry in reply.regenerated])
        self.changed_dsns.add([
            {"model": model, "old_pk": entry.old_pk, "new_pk": new_pks.get(entry.old_pk),
             "old_public_key": entry.old_value, "new_public_key": entry.new_value}
            for entry in reply.regenerated if entry.HasField("new_value")])

    def accounts(self) -> Iterator[tuple[str, ModelCounts]]:
        """Every model of the file with its books: those imported, those outside the scope
        (filtered), and those this installation does not import (dropped)."""
        yield from self.models.items()
        for model, count in sorted(self.out_of_scope.items()):
            yield model, ModelCounts(in_file=count,
                                     filtered=Counter({DropReason.SCOPE.value: count}))
        unknown = sorted(self.unknown_models.items())
        others = getattr(self.unknown_models, "others", 0)
        for model, count in [*unknown, *([(OTHER_UNKNOWN_MODELS, others)] if others else [])]:
            yield model, ModelCounts(in_file=count,
                                     dropped=Counter({DropReason.UNKNOWN_MODEL.value: count}))

    def totals(self) -> ModelCounts:
        total = ModelCounts()
        for _, counts in self.accounts():
            total.add(counts)
        return total

    def imbalances(self) -> list[tuple[str, int]]:
        """(model, records unaccounted for) of every model whose books do not balance."""
        return [(model, counts.unaccounted) for model, counts in self.accounts()
                if counts.unaccounted]

    def verdict(self) -> str:
        """One line: every record accounted for, or which are not."""
        imbalances = self.imbalances()
        if not imbalances:
            return f"All {self.totals().in_file:,} records accounted for."
        missing = sum(abs(count) for _, count in imbalances)  # -n: n answered beyond it
        return (f"The books do not balance: {missing:,} record(s) unaccounted for ("
                + ", ".join(f"{model}: {count:,}" for model, count in imbalances) + ").")

    def imbalance_findings(self) -> list[Finding]:
        return [Finding.unaccounted(model, count) for model, count in self.imbalances()]

    def notices(self) -> list[Finding]:
        """Findings for what was read but not imported because this version has no place for
        it: the first `NAMES_SHOWN` models (and fields) one by one, the rest in one finding."""
        models = sorted(self.unknown_models.items())
        fields = sorted(self.dropped_fields.items())
        notices = [*(Finding.unknown_model(model, count) for model, count in models[:NAMES_SHOWN])]
        rest, others = models[NAMES_SHOWN:], getattr(self.unknown_models, "others", 0)
        if rest or others:
            notices.append(Finding.other_unknown_models(
                sum(count for _, count in rest) + others, len(rest), others > 0))
        notices += [Finding.dropped_field(model, name, count)
                    for (model, name), count in fields[:NAMES_SHOWN]]
        rest_fields, others = fields[NAMES_SHOWN:], getattr(self.dropped_fields, "others", 0)
        if rest_fields or others:
            notices.append(Finding.other_dropped_fields(
                sum(count for _, count in rest_fields) + others, len(rest_fields), others > 0))
        return notices

    def write_json(self, out: IO[bytes]) -> None:
        """The report as one JSON document (docs/report.md), streamed: the full lists are
        copied from their section files entry by entry, never held whole."""
        totals = self.totals()
        head: dict[str, Any] = {
            "report_version": REPORT_VERSION, "dry_run": self.dry_run,
            "import_uuid": self.import_uuid, "scope": self.scope, "flags": self.flags,
            "source": self.source, "silos": self.silos,
            "started_at": _instant(self.started_at), "finished_at": _instant(self.finished_at),
            "seconds": round(self.seconds, 3),
            "balance": {"balanced": not self.imbalances(), "records": totals.in_file,
                        "unaccounted": dict(self.imbalances()), "verdict": self.verdict()},
            "totals": totals.to_json() | {"seconds": round(self.seconds, 3)},
        }
        out.write(b"{\n")
        for key, value in head.items():
            out.write(b'  "%b": %b,\n' % (key.encode(), orjson.dumps(value)))
        out.write(b'  "models": {')
        for number, (model, counts) in enumerate(self.accounts()):
            out.write((b",\n" if number else b"\n") + b"    " + orjson.dumps(model) + b": "
                      + orjson.dumps(counts.to_json()))
        out.write(b"\n  },\n")
        for name in ("changed_dsns", "renamed_users", "renamed_organizations",
                     "regenerated_secrets"):
            out.write(b'  "%b": ' % name.encode())
            getattr(self, name).section.write_array(out, b"  ")
            out.write(b",\n")
        out.write(b'  "notices": %b\n}\n' % orjson.dumps([n.to_json() for n in self.notices()]))

    def summary(self) -> str:
        lines = [f"Import {self.import_uuid} ({self.scope} scope) finished in "
                 f"{self.seconds:.1f}s.", ""]
        header = f"{'model':<34} {'records':>8} {'inserted':>9} {'existing':>9} " \
                 f"{'overwrite':>9} {'renamed':>8} {'filtered':>8} {'dropped':>8}"
        lines += [header, "-" * len(header)]
        accounts = list(self.accounts())
        for model, c in [(m, c) for m, c in accounts if m in self.models]:
            note = f"  (resumed {c.resumed_batches} batch(es))" if c.resumed_batches else ""
            lines.append(_row(model, c) + note)
        for model, c in [(m, c) for m, c in accounts if m in self.out_of_scope]:
            lines.append(_row(model, c) + f"  not part of the {self.scope} scope")
        unknown = ModelCounts()
        for model, c in accounts:
            if model not in self.models and model not in self.out_of_scope:
                unknown.add(c)
        if unknown.in_file:
            lines.append(_row("(models not imported here)", unknown))
        lines += ["-" * len(header), _row("total", self.totals())]
        for model, c in accounts:
            if c.dropped and model in self.models:
                lines.append(f"  {model} dropped: " + ", ".join(
                    f"{count:,} {reason.replace('_', ' ')}" for reason, count in
                    sorted(c.dropped.items())))
        lines += self._listed()
        notices = self.notices()
        if notices:
            lines += ["", "Compatibility notices:"] + [f"  {n.model}: {n.reason}"
                                                      for n in notices]
        return "\n".join([*lines, "", self.verdict()])

    def _listed(self) -> list[str]:
        """The first entries of each full list, DSN changes first: they break deployed SDKs."""
        lines: list[str] = []
        for title, listing, show in (
                ("Changed DSNs (the public key was taken; update the SDKs that use them)",
                 self.changed_dsns, lambda e: f"{e['old_public_key']} -> {e['new_public_key']}"),
                ("Renamed users (the username was taken)", self.renamed_users,
                 lambda e: f"{e[0]} -> {e[1]}"),
                ("Renamed organizations (the slug was taken)", self.renamed_organizations,
                 lambda e: f"{e[0]} -> {e[1]}"),
                ("Regenerated secrets (the value was taken)", self.regenerated_secrets,
                 lambda e: f"{e['model']} pk {e['old_pk']} -> {e['new_pk']}: {e['field']}")):
            if listing.total:
                lines += ["", f"{title}:", *(f"  {show(entry)}" for entry in listing.shown)]
                if listing.total > len(listing.shown):
                    lines.append(f"  ... and {listing.total - len(listing.shown):,} more "
                                 "(all of them in the --report-file)")
        return lines


def _row(model: str, c: ModelCounts) -> str:
    return (f"{model:<34} {c.in_file:>8} {c.inserted:>9} {c.existing:>9} {c.overwritten:>9} "
            f"{c.renamed:>8} {c.filtered.total():>8} {c.dropped.total():>8}")


def _instant(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat(timespec="milliseconds")


class Progress:
    """Progress on stderr: one line per finished model, and on a terminal a running total
    (records/s, ETA) refreshed in place. Safe to call from several threads."""

    def __init__(self, enabled: bool = True, stream: IO[str] | None = None) -> None:
        self.enabled = enabled
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self.lock = threading.Lock()
        self.total = self.done = 0
        self.started = self.last = time.monotonic()

    def echo(self, text: str) -> None:
        if self.enabled:
            with self.lock:
                self._write(("\r\033[K" if self.tty else "") + text + "\n")

    def begin(self, total: int) -> None:
        self.total, self.done = total, 0
        self.started = self.last = time.monotonic()

    def advance(self, count: int) -> None:
        with self.lock:
            self.done += count
            now = time.monotonic()
            if not (self.enabled and self.tty and now - self.last > 0.2):
                return
            self.last = now
            rate = self.done / max(now - self.started, 1e-6)
            eta = (self.total - self.done) / rate if rate else 0
            self._write(f"\r\033[K{self.done:,}/{self.total:,} records "
                        f"({rate:,.0f}/s, ETA {eta:,.0f}s)")

    def _write(self, text: str) -> None:
        """Write under the lock. Output never aborts an import: once the stream fails (a
        closed pipe: `relocate import ... 2>&1 | head -2`), progress is dropped."""
        try:
            self.stream.write(text)
            self.stream.flush()
        except (OSError, ValueError):  # ValueError: the stream was closed
            self.enabled = False

    def model_done(self, model: str, counts: ModelCounts, seconds: float) -> None:
        rate = counts.in_file / seconds if seconds > 0 else 0
        self.echo(f"{model}: {counts.in_file} records in {seconds:.2f}s ({rate:,.0f}/s): "
                  f"{counts.inserted} inserted, {counts.existing} existing, "
                  f"{counts.overwritten} overwritten, {counts.filtered.total()} filtered, "
                  f"{counts.dropped.total()} dropped")
