"""The import pipeline: spill and regroup the export, then send it model by model.

Order of work: learn the models from both silos (`catalog`); regroup the export by model on
disk (`source`, `storage`); derive the filters (`filters`); import every model in dependency
order (`scheduler`), each model's batches sent to the silo that owns it (`sender`) with only
the pk-map entries its records reference (`pkmap`); the cross-silo steps follow the answers
(`cross_silo`: control chunks copied into the region, members mapped in control, organization
slugs reserved as soon as the organizations are imported and applied in the region once the
models before the deferred ones are done); the deferred models (organization auth tokens) are
imported last.
"""

from __future__ import annotations

import time
import uuid
from collections import Counter
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import cast

from orchestrator.catalog import Catalog, ModelInfo, learn_catalog
from orchestrator.client import SiloClient
from orchestrator.cross_silo import KEPT_FIELDS, CrossSiloSteps
from orchestrator.crypto import open_export
from orchestrator.filters import derive_filters
from orchestrator.model_names import ORGANIZATION
from orchestrator.pkmap import MapLifetimes, PkMap
from orchestrator.report import ImportReport, Progress
from orchestrator.scheduler import Scheduler
from orchestrator.sender import ModelSender
from orchestrator.source import Fingerprint, fingerprint, spill
from orchestrator.storage import SpilledExport, remove_spill_directory
from wire import MAX_MESSAGE_BYTES
from wire.batchlog import BatchLine, silo_name
from wire.pkwire import CODE_OF_KIND
from wire.relocation.v1 import models_pb2, silo_service_pb2
from wire.scopes import ImportKind, ImportScope, Silo
from wire.values import RecordFilter

# Records a batch holds at least: each model sends one batch at a time and waits a round trip
# per batch, so larger batches were faster up to this size (docs/performance.md, "orchestrator").
DEFAULT_BATCH_SIZE = 2000
# A model of small records sends more of them a batch, up to this many spilled bytes (2,000
# records of the benchmark's average size): each batch costs the silo a fixed amount of Python
# whatever its size (PostgreSQL's work follows the rows), and the bytes in flight, which set
# the orchestrator's peak, do not grow.
BATCH_BYTES = 460_000
MAX_BATCH_SIZE = 8000
DEFAULT_PARALLEL_MODELS = 6
# The most one record's reference adds to a request, as a pk-map entry: an old and a new pk
# (varints of up to 10 bytes each) and a kind.
PK_ENTRY_BYTES = 21
# Room in a request for the framing around its records and pk-map columns (tags, lengths, the
# referenced models' names): a batch's records and entries get the rest of the message limit.
FRAMING_BYTES = 64 << 10


@dataclass(frozen=True)
class ImportOptions:
    scope: ImportScope
    import_uuid: str | None = None
    merge_users: bool = False
    overwrite_configs: bool = False
    org_slugs: frozenset[str] | None = None
    usernames: frozenset[str] | None = None
    batch_size: int | None = None  # every model's, instead of the defaults above
    # Models (whose dependencies are done) imported at the same time.
    parallel_models: int = DEFAULT_PARALLEL_MODELS
    workdir: Path | None = None
    decrypt_with: Path | None = None  # private key PEM for an encrypted tarball


class Importer:
    def __init__(self, control: SiloClient, region: SiloClient, progress: Progress) -> None:
        self.control = control
        self.region = region
        self.progress = progress

    def run(self, source: Path, options: ImportOptions,
            deliver: Callable[[ImportReport], None] | None = None) -> ImportReport:
        """Import `source`; `deliver` gets the finished report while its full lists are still
        on disk (they go with the spill)."""
        started, started_at = time.monotonic(), datetime.now(UTC)
        import_uuid = options.import_uuid or uuid.uuid4().hex
        self.progress.echo(f"Importing {source} in {options.scope.value} scope "
                           f"(import uuid {import_uuid}; pass --import-uuid {import_uuid} to "
                           "resume it)")
        catalog, region_name = learn_catalog(self.control, self.region)
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="relocate-hash") as hashing:
            source_print = hashing.submit(fingerprint, source)
            with open_export(source, options.decrypt_with) as stream:  # verified first
                export = spill(stream, catalog, options.workdir, KEPT_FIELDS,
                               sealed=options.decrypt_with is not None)
        try:  # from here on the spill is removed however the import ends (Ctrl-C included)
            self.progress.echo(f"Read {export.total:,} records of {len(export.counts)} models "
                               f"in {time.monotonic() - started:.1f}s; importing")
            printed = source_print.result()
            self._bind(import_uuid, options, printed)
            report = self._report(import_uuid, options, export, region_name)
            report.started_at = started_at
            report.source = {"path": str(source), "size": printed.size,
                             "sha256": printed.sha256}
            run = _Run(self, catalog, export, options, import_uuid, region_name, report)
            run.execute()
            for silo in (self.control, self.region):  # `relocate imports` lists it complete
                silo.complete_import(import_uuid)
            report.seconds = time.monotonic() - started
            report.finished_at = datetime.now(UTC)
            if deliver is not None:
                deliver(report)
        finally:
            remove_spill_directory(export.directory)
        return report

    def _report(self, import_uuid: str, options: ImportOptions, export: SpilledExport,
                region_name: str) -> ImportReport:
        """The import's report, its full lists kept in the spill until it is delivered."""
        report = ImportReport(import_uuid, options.scope.value, export)
        report.flags = {"merge_users": options.merge_users,
                        "overwrite_configs": options.overwrite_configs,
                        "filter_org_slugs": _names(options.org_slugs),
                        "filter_usernames": _names(options.usernames)}
        report.silos = {"control": {"address": self.control.address},
                        "region": {"address": self.region.address, "name": region_name}}
        report.unknown_models = export.unknown_models
        report.dropped_fields = export.dropped_fields
        return report

    def _bind(self, import_uuid: str, options: ImportOptions, source: Fingerprint) -> None:
        """Bind the uuid to this import in both silos before any batch is sent: a uuid
        reused for another file, scope or flags is refused (ImportUuidMismatch), not answered
        from the first run's chunks."""
        request = silo_service_pb2.BindImportRequest(
            scope=cast(models_pb2.ImportScope, options.scope.to_proto()),
            flags=silo_service_pb2.ImportFlags(import_uuid=import_uuid,
                                               merge_users=options.merge_users,
                                               overwrite_configs=options.overwrite_configs),
            source=silo_service_pb2.SourceFingerprint(size=source.size, sha256=source.sha256))
        for names, field in ((options.org_slugs, request.org_slugs),
                             (options.usernames, request.usernames)):
            if names is not None:
                field.SetInParent()
                field.names.extend(sorted(names))
        resumed = [silo.bind_import(request).bound_before for silo in (self.control, self.region)]
        if any(resumed):
            self.progress.echo(f"Resuming import {import_uuid}: its batches written before are "
                               "answered from the silos' ledgers")


class _Run:
    """The state of one import: pk map, filters, flags, report, and its stages."""

    def __init__(self, importer: Importer, catalog: Catalog, export: SpilledExport,
                 options: ImportOptions, import_uuid: str, region_name: str,
                 report: ImportReport) -> None:
        self.importer = importer
        self.catalog = catalog
        self.export = export
        self.options = options
        self.report = report
        self.region_name = region_name
        self.scope = cast(models_pb2.ImportScope, options.scope.to_proto())
        self.flags = silo_service_pb2.ImportFlags(
            import_uuid=import_uuid, merge_users=options.merge_users,
            overwrite_configs=options.overwrite_configs)
        self.filters = derive_filters(export, options.org_slugs, options.usernames)
        self.now, self.later = self._models_to_import()
        self.lifetimes = MapLifetimes((m.name, (t for _, t in m.foreign_keys))
                                      for m in self.now + self.later)
        self.pk_map = PkMap(self.lifetimes.needed())
        # Batches, and the calls their answers start, of every model running.
        self.pool = ThreadPoolExecutor(max_workers=options.parallel_models * 2,
                                       thread_name_prefix="relocate-batch")
        self.cross_silo = CrossSiloSteps(importer.control, importer.region, self.pool,
                                         import_uuid, region_name, self.pk_map, report,
                                         export.imported_organizations())
        self.scheduler = Scheduler(options.parallel_models)
        self.scheduler.on_finished(self._release_maps)
        self.scheduler.on_finished(self.cross_silo.organizations_imported, ORGANIZATION)

    def execute(self) -> None:
        try:
            self.importer.progress.begin(
                sum(self.export.counts[m.name] for m in self.now + self.later))
            self.scheduler.run(_jobs(self.now), self.import_model)
            self.cross_silo.rename_organizations()
            self.scheduler.run(_jobs(self.later), self.import_model)
        finally:
            self.pool.shutdown(wait=True, cancel_futures=True)

    def _models_to_import(self) -> tuple[list[ModelInfo], list[ModelInfo]]:
        """The export's models in the import's scope, in dependency order: those imported
        before slug reconciliation, and the deferred ones imported after it."""
        now: list[ModelInfo] = []
        later: list[ModelInfo] = []
        for name in (m for m in self.catalog.order if self.export.counts.get(m)):
            info = self.catalog.models[name]
            if not info.in_scope(self.options.scope):
                self.report.out_of_scope[name] = self.export.counts[name]
            else:
                (later if info.deferred else now).append(info)
        for info in now + later:  # the report lists models in dependency order
            self.report.counts(info.name).in_file = self.export.counts[info.name]
        return now, later

    def _release_maps(self, finished: str) -> None:
        """Drop the pk-map entries no model still to be imported needs."""
        for model in self.lifetimes.finished(finished):
            self.pk_map.drop(model)

    # --- one model ------------------------------------------------------------------------

    def import_model(self, name: str) -> None:
        """Send the model's batches to the silo that owns it (see `sender`)."""
        info = self.catalog.models[name]
        client = self.importer.control if info.silo is Silo.CONTROL else self.importer.region
        counts = self.report.counts(name)
        filters = [_filter_proto(f) for f in self.filters if f.model == name]
        started = time.monotonic()
        size = self.options.batch_size or batch_size(self.export.counts[name],
                                                     self.export.size(name))
        line = partial(BatchLine, self.flags.import_uuid,
                       silo_name(info.silo, self.region_name), name)
        # A batch is cut to fit the message limit, with its request's largest head.
        budget = MAX_MESSAGE_BYTES - FRAMING_BYTES - self._request(info, filters, 2**63 - 1
                                                                   ).ByteSize()
        sender = ModelSender(info, client, self.pool, partial(self._head, info, filters),
                             partial(self._answered, info), line)
        sender.send(self.export.batches(name, size, budget,
                                        PK_ENTRY_BYTES * len(info.foreign_keys)))
        counts.seconds = time.monotonic() - started
        self.importer.progress.model_done(name, counts, counts.seconds)

    def _request(self, info: ModelInfo, filters: list[silo_service_pb2.ImportFilter],
                 min_ordinal: int) -> silo_service_pb2.ImportByModelRequest:
        """A batch's request without its records and pk-map entries."""
        return silo_service_pb2.ImportByModelRequest(
            model=info.name, scope=self.scope, flags=self.flags, filters=filters,
            min_ordinal=min_ordinal)

    def _head(self, info: ModelInfo, filters: list[silo_service_pb2.ImportFilter],
              references: list[bytes], min_ordinal: int) -> bytes:
        """A batch's request, serialized without its records."""
        request = self._request(info, filters, min_ordinal)
        request.pk_map.extend(self._referenced(info, references))
        return request.SerializeToString()

    def _answered(self, info: ModelInfo, count: int, kept: bytearray,
                  reply: silo_service_pb2.ImportByModelResponse) -> list[Future]:
        self.pk_map.add(reply.mapped)
        self._count(info, reply)
        self.report.regenerated(info.name, reply)
        started = self.cross_silo.answered(info, kept, reply)
        self.importer.progress.advance(count)
        return started

    def _referenced(self, info: ModelInfo, references: list[bytes]
                    ) -> list[models_pb2.PkMapColumns]:
        """The pk-map entries a batch's references (spilled with each record) need, and no
        others."""
        if not info.foreign_keys:
            return []
        # Every record has one value per foreign key, so the batch's values, read in one pass,
        # are the key's every len(foreign_keys)-th (not a Python loop per record and key).
        flat = b",".join(references).split(b",")
        width = len(info.foreign_keys)
        if len(flat) != width * len(references):
            raise ValueError(f"spilled references of {info.name} do not have {width} values")
        wanted: dict[str, set[int]] = {}
        for position, (_, target) in enumerate(info.foreign_keys):
            wanted.setdefault(target, set()).update(map(int, filter(None, flat[position::width])))
        found = (self.pk_map.columns(target, sorted(olds)) for target, olds in wanted.items())
        return sorted((msg for msg in found if msg is not None), key=lambda msg: msg.model)

    def _count(self, info: ModelInfo, reply: silo_service_pb2.ImportByModelResponse) -> None:
        """The batch into the model's books, as the silo answered it: nothing is inferred
        from what was sent, so a record the silo neither mapped nor counted as left out is
        unaccounted for (the balance check)."""
        counts = self.report.counts(info.name)
        codes = Counter(reply.mapped.kinds)  # as ints: hashing enum members costs a call each
        counts.inserted += codes[CODE_OF_KIND[ImportKind.INSERTED]]
        counts.existing += codes[CODE_OF_KIND[ImportKind.EXISTING]]
        counts.overwritten += codes[CODE_OF_KIND[ImportKind.OVERWRITE]]
        counts.leave_out(reply.dropped)
        counts.batches += 1
        counts.resumed_batches += int(reply.from_ledger)


def _names(names: frozenset[str] | None) -> list[str] | None:
    return None if names is None else sorted(names)


def _jobs(models: list[ModelInfo]) -> dict[str, frozenset[str]]:
    """The scheduler's jobs: each model, in dependency order, with its dependencies."""
    return {m.name: m.dependencies for m in models}


def batch_size(records: int, spilled_bytes: int) -> int:
    """Records a batch of a model holds, from its spilled size (see BATCH_BYTES)."""
    fit = BATCH_BYTES * records // max(spilled_bytes, 1)
    return max(DEFAULT_BATCH_SIZE, min(MAX_BATCH_SIZE, fit))


def _filter_proto(f: RecordFilter) -> silo_service_pb2.ImportFilter:
    return silo_service_pb2.ImportFilter(model=f.model, field=f.field, values=sorted(f.values))
