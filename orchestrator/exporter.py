"""The export pipeline: stream every model of a scope out of the silos into Sentry's format.

Models are written in dependency order and each model's rows in ascending pk order, one batch
in memory at a time. Filters select as the import's do (see `selection`); any record whose
required reference points at a row that was not exported is left out, so the export is
self-contained.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Any

import orjson

from orchestrator.catalog import Catalog, ModelInfo, learn_catalog
from orchestrator.client import SiloClient
from orchestrator.model_names import EMAIL, ORGANIZATION, USER
from orchestrator.report import Progress
from orchestrator.selection import emails_of, select
from wire.scopes import ImportScope, Silo

# Config exports hold only users with instance-wide privileges (Sentry's rule).
PRIVILEGE_MODELS = ("sentry.userpermission", "sentry.userroleuser")


@dataclass(frozen=True)
class ExportOptions:
    scope: ImportScope
    org_slugs: frozenset[str] | None = None
    usernames: frozenset[str] | None = None
    batch_size: int = 1000


@dataclass
class ExportReport:
    scope: str
    counts: Counter[str] = field(default_factory=Counter)
    left_out: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0

    def summary(self) -> str:
        lines = [f"Exported {sum(self.counts.values())} records ({self.scope} scope) in "
                 f"{self.seconds:.1f}s."]
        for model, count in self.counts.items():
            note = f" ({self.left_out[model]} left out)" if self.left_out[model] else ""
            lines.append(f"  {model:<34} {count:>8}{note}")
        return "\n".join(lines)


class Exporter:
    def __init__(self, control: SiloClient, region: SiloClient, progress: Progress) -> None:
        self.control = control
        self.region = region
        self.progress = progress

    def _records(self, info: ModelInfo, options: ExportOptions) -> Iterator[dict[str, Any]]:
        client = self.control if info.silo is Silo.CONTROL else self.region
        return client.export_model(info.name, options.scope, options.batch_size)

    def run(self, out: IO[bytes], options: ExportOptions) -> ExportReport:
        started = time.monotonic()
        catalog, _ = learn_catalog(self.control, self.region)
        report = ExportReport(options.scope.value)
        roots = self._roots(catalog, options)
        kept: dict[str, set[int]] = {}
        out.write(b"[")
        first = True
        for name in catalog.order:
            info = catalog.models[name]
            if not info.in_scope(options.scope):
                continue
            for record in self._records(info, options):
                if not _selected(record, roots) or not _references_kept(record, info, catalog,
                                                                        kept, options.scope):
                    report.left_out[name] += 1
                    continue
                if name in catalog.fk_targets:
                    kept.setdefault(name, set()).add(record["pk"])
                out.write(b"\n" if first else b",\n")
                out.write(orjson.dumps(record, option=orjson.OPT_INDENT_2))
                first = False
                report.counts[name] += 1
                self.progress.advance(1)
        out.write(b"\n]\n")
        report.seconds = time.monotonic() - started
        return report

    def _roots(self, catalog: Catalog, options: ExportOptions) -> dict[str, set]:
        """Allow-lists for the root models: organizations, users and email addresses."""
        def records(model: str) -> Iterator[dict[str, Any]]:
            return self._records(catalog.models[model], options)

        roots: dict[str, set] = {}
        selection = select(records, options.org_slugs, options.usernames)
        if selection.organizations is not None:
            roots[ORGANIZATION] = set(selection.organizations)
        users = selection.users
        if options.scope is ImportScope.CONFIG:
            privileged = {r["pk"] for r in records(USER)
                          if r["fields"].get("is_staff") or r["fields"].get("is_superuser")}
            for model in PRIVILEGE_MODELS:
                if model in catalog.models:
                    privileged |= {r["fields"].get("user") for r in records(model)}
            users = frozenset(privileged if users is None else users & privileged)
        if users is None:
            return roots
        roots[USER] = set(users)
        roots[EMAIL] = set(emails_of(users, records))
        return roots


def _selected(record: dict[str, Any], roots: dict[str, set]) -> bool:
    allowed = roots.get(record["model"])
    if allowed is None:
        return True
    key = record["fields"].get("email") if record["model"] == EMAIL else record["pk"]
    return key in allowed


def _references_kept(record: dict[str, Any], info: ModelInfo, catalog: Catalog,
                     kept: dict[str, set[int]], scope: ImportScope) -> bool:
    """False when a required reference points at a row this export does not contain."""
    fields = record["fields"]
    for name, target in info.foreign_keys:
        value = fields.get(name)
        if value is None or name in info.nullable_fields:
            continue
        target_info = catalog.get(target)
        if target_info is None or not target_info.in_scope(scope):
            continue
        if value not in kept.get(target, ()):
            return False
    return True
