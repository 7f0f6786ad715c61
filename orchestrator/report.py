"""What the user sees: progress while importing, and the summary (and JSON report) after."""

from __future__ import annotations

import sys
import threading
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import IO, Any

from orchestrator.findings import NAMES_SHOWN, Finding, Tally

RENAMES_SHOWN = 50


@dataclass
class Renames:
    """Renamed usernames or slugs: all counted, the first few kept for the summary (a rerun of a
    large import renames every user; the list must not grow with it)."""

    shown: list[tuple[str, str]] = field(default_factory=list)
    total: int = 0

    def add(self, old: str, new: str) -> None:
        self.total += 1
        if len(self.shown) < RENAMES_SHOWN:
            self.shown.append((old, new))


@dataclass
class ModelCounts:
    in_export: int = 0
    inserted: int = 0
    existing: int = 0
    overwritten: int = 0
    skipped: int = 0  # out of scope, filtered, or referencing something not imported
    batches: int = 0  # answered by the silo, written or (a resume) from its ledger
    resumed_batches: int = 0
    seconds: float = 0.0  # from the model's first batch to its last answer


@dataclass
class ImportReport:
    import_uuid: str
    scope: str
    models: dict[str, ModelCounts] = field(default_factory=dict)
    renamed_users: Renames = field(default_factory=Renames)
    renamed_organizations: Renames = field(default_factory=Renames)
    unknown_models: Counter[str] = field(default_factory=Tally)
    dropped_fields: Counter[tuple[str, str]] = field(default_factory=Tally)
    out_of_scope: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0

    def counts(self, model: str) -> ModelCounts:
        return self.models.setdefault(model, ModelCounts())

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

    def to_json(self) -> dict[str, Any]:
        """The report as one JSON document (`relocate import --report-file`): what tools such as
        `relocate bench` read instead of the human-readable summary."""
        return {
            "import_uuid": self.import_uuid, "scope": self.scope, "seconds": self.seconds,
            "models": {model: asdict(c) for model, c in self.models.items()},
            "out_of_scope": dict(sorted(self.out_of_scope.items())),
            "renamed_users": {"total": self.renamed_users.total,
                              "shown": [list(pair) for pair in self.renamed_users.shown]},
            "renamed_organizations": {
                "total": self.renamed_organizations.total,
                "shown": [list(pair) for pair in self.renamed_organizations.shown]},
            "notices": [notice.to_json() for notice in self.notices()],
        }

    def summary(self) -> str:
        lines = [f"Import {self.import_uuid} ({self.scope} scope) finished in "
                 f"{self.seconds:.1f}s.", ""]
        header = f"{'model':<34} {'records':>8} {'inserted':>9} {'existing':>9} " \
                 f"{'overwrite':>9} {'skipped':>8}"
        lines += [header, "-" * len(header)]
        for model, c in self.models.items():
            note = f"  (resumed {c.resumed_batches} batch(es))" if c.resumed_batches else ""
            lines.append(f"{model:<34} {c.in_export:>8} {c.inserted:>9} {c.existing:>9} "
                         f"{c.overwritten:>9} {c.skipped:>8}{note}")
        for model, count in sorted(self.out_of_scope.items()):
            lines.append(f"{model:<34} {count:>8}   not part of the {self.scope} scope")
        for title, renames in (("Renamed users (the username was taken)", self.renamed_users),
                               ("Renamed organizations (the slug was taken)",
                                self.renamed_organizations)):
            if renames.total:
                lines += ["", f"{title}:"]
                lines += [f"  {old} -> {new}" for old, new in renames.shown]
                if renames.total > len(renames.shown):
                    lines.append(f"  ... and {renames.total - len(renames.shown)} more")
        notices = self.notices()
        if notices:
            lines += ["", "Compatibility notices:"] + [f"  {n.model}: {n.reason}"
                                                      for n in notices]
        return "\n".join(lines)


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
        rate = counts.in_export / seconds if seconds > 0 else 0
        self.echo(f"{model}: {counts.in_export} records in {seconds:.2f}s ({rate:,.0f}/s): "
                  f"{counts.inserted} inserted, {counts.existing} existing, "
                  f"{counts.overwritten} overwritten, {counts.skipped} skipped")
