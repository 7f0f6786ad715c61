"""What the user sees: progress while importing, the summary after, and the findings file."""

from __future__ import annotations

import json
import sys
import threading
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Any

from wire.errors import ImportFailure

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
    resumed_batches: int = 0
    seconds: float = 0.0  # from the model's first batch to its last answer


@dataclass
class ImportReport:
    import_uuid: str
    scope: str
    models: dict[str, ModelCounts] = field(default_factory=dict)
    renamed_users: Renames = field(default_factory=Renames)
    renamed_organizations: Renames = field(default_factory=Renames)
    unknown_models: Counter[str] = field(default_factory=Counter)
    dropped_fields: Counter[tuple[str, str]] = field(default_factory=Counter)
    out_of_scope: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0

    def counts(self, model: str) -> ModelCounts:
        return self.models.setdefault(model, ModelCounts())

    def notices(self) -> list[dict[str, Any]]:
        """Findings for what was read but not imported because this version has no place for it."""
        found: list[dict[str, Any]] = []
        for model, count in sorted(self.unknown_models.items()):
            found.append({"finding": "UnknownModelSkipped", "kind": "Compatibility",
                          "on": {"model": model, "ordinal": None}, "left_pk": None,
                          "right_pk": None,
                          "reason": f"{count} record(s) of a model this installation does not "
                                    "import (removed, renamed or not relocatable) were skipped"})
        for (model, name), count in sorted(self.dropped_fields.items()):
            found.append({"finding": "UnknownFieldDropped", "kind": "Compatibility",
                          "on": {"model": model, "ordinal": None}, "left_pk": None,
                          "right_pk": None,
                          "reason": f"field {name!r} is not a field of {model} here; it was "
                                    f"dropped from {count} record(s)"})
        return found

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
            "notices": self.notices(),
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
            lines += ["", "Compatibility notices:"] + [f"  {n['on']['model']}: {n['reason']}"
                                                      for n in notices]
        return "\n".join(lines)


def write_findings(path: Path, failure: ImportFailure | None, report: ImportReport | None) -> None:
    """Sentry's findings format: sorted keys, ASCII, two-space indent; [] when all is well.

    A failed import writes exactly its error; a successful one writes the compatibility
    notices (skipped models and fields), if any.
    """
    if failure is not None:
        findings = [failure.to_finding()]
    else:
        findings = report.notices() if report is not None else []
    path.write_text(json.dumps(findings, sort_keys=True, ensure_ascii=True, indent=2) + "\n")


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
                print(("\r\033[K" if self.tty else "") + text, file=self.stream, flush=True)

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
            self.stream.write(f"\r\033[K{self.done:,}/{self.total:,} records "
                              f"({rate:,.0f}/s, ETA {eta:,.0f}s)")
            self.stream.flush()

    def model_done(self, model: str, counts: ModelCounts, seconds: float) -> None:
        rate = counts.in_export / seconds if seconds > 0 else 0
        self.echo(f"{model}: {counts.in_export} records in {seconds:.2f}s ({rate:,.0f}/s): "
                  f"{counts.inserted} inserted, {counts.existing} existing, "
                  f"{counts.overwritten} overwritten, {counts.skipped} skipped")
