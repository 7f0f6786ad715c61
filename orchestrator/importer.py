"""The import pipeline: spill and regroup the export, then send it model by model.

Order of work: learn the models from both silos; regroup the export by model on disk; derive
the filters; import every model in dependency order (each batch to the silo that owns the model,
with only the pk-map entries its records reference); copy each control chunk into the region;
reserve organization slugs globally as soon as the organizations are imported, beside the other
models, and apply them in the region once those are done; import the deferred models
(organization auth tokens) last.
"""

from __future__ import annotations

import shutil
import time
import uuid
from collections import Counter
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import orjson

from orchestrator.catalog import Catalog, ModelInfo
from orchestrator.client import SiloClient
from orchestrator.crypto import open_export
from orchestrator.filters import derive_filters
from orchestrator.organizations import ImportedOrganization, ImportedOrganizations
from orchestrator.pkmap import MapLifetimes, PkMap
from orchestrator.report import ImportReport, Progress
from orchestrator.source import SpilledExport, spill
from wire.errors import ErrorKind, ImportFailure
from wire.pkwire import CODE_OF_KIND, from_columns
from wire.relocation.v1 import (
    control_service_pb2,
    models_pb2,
    region_service_pb2,
    silo_service_pb2,
)
from wire.scopes import ImportKind, ImportScope, Silo
from wire.values import RecordFilter

ORGANIZATION, USER, MEMBER = "sentry.organization", "sentry.user", "sentry.organizationmember"
_INSERTED = CODE_OF_KIND[ImportKind.INSERTED]

# Each model sends one batch at a time and waits a round trip per batch: larger batches took
# 200k records from 5.4-5.8 s to 4.8-5.2 s (4000 was no faster and cost 20 MB more).
DEFAULT_BATCH_SIZE = 2000
# A model of small records sends more of them a batch, up to this many spilled bytes (2,000
# records of the benchmark's average size): each batch costs the silo a few ms of Python
# whatever its size (PostgreSQL's work follows the rows: measured the same per row either way),
# and the bytes in flight, which set the orchestrator's peak, do not grow.
BATCH_BYTES = 460_000
MAX_BATCH_SIZE = 8000
DEFAULT_PARALLEL_MODELS = 6
# Organizations whose slugs are reserved by one call (one transaction in the control silo).
SLUG_CLAIMS_PER_CALL = 5000


@dataclass(frozen=True)
class ImportOptions:
    scope: ImportScope
    import_uuid: str | None = None
    merge_users: bool = False
    overwrite_configs: bool = False
    hide_organizations: bool = False
    org_slugs: frozenset[str] | None = None
    usernames: frozenset[str] | None = None
    batch_size: int | None = None  # every model's, instead of the defaults above
    # Models (whose dependencies are done) imported at the same time.
    parallel_models: int = DEFAULT_PARALLEL_MODELS
    workdir: Path | None = None
    decrypt_with: Path | None = None  # private key PEM for an encrypted tarball


class _Sent(NamedTuple):
    """A batch on its way: how many records it had, the fields its answer is read with (users,
    organizations, members; see _kept), and the pending answer."""

    count: int
    kept: bytearray  # the records' kept fields as spilled (a JSON array; see _kept)
    future: Future


def learn_catalog(control: SiloClient, region: SiloClient) -> tuple[Catalog, str]:
    """Ask both silos what they own; the region's name comes back too."""
    answers = {}
    for client, expected in ((control, Silo.CONTROL), (region, Silo.REGION)):
        answer = client.describe()
        silo = Silo.from_proto(answer.silo)
        if silo is not expected:
            raise ImportFailure(ErrorKind.INCORRECT_SILO_MODE_FOR_MODEL, None,
                                f"the service at {client.address}, given as the {client.label} "
                                f"silo, is a {silo.value} silo")
        answers[expected] = answer
    catalog = Catalog(ModelInfo.from_proto(m) for a in answers.values() for m in a.models)
    return catalog, answers[Silo.REGION].region_name


class Importer:
    def __init__(self, control: SiloClient, region: SiloClient, progress: Progress) -> None:
        self.control = control
        self.region = region
        self.progress = progress

    def run(self, source: Path, options: ImportOptions) -> ImportReport:
        started = time.monotonic()
        import_uuid = options.import_uuid or uuid.uuid4().hex
        report = ImportReport(import_uuid, options.scope.value)
        self.progress.echo(f"Importing {source} in {options.scope.value} scope "
                           f"(import uuid {import_uuid}; pass --import-uuid {import_uuid} to "
                           "resume it)")
        catalog, region_name = learn_catalog(self.control, self.region)
        with open_export(source, options.decrypt_with) as stream:  # verified before it yields
            export = spill(stream, catalog, options.workdir,
                           {model: kind._fields for model, kind in _KEPT.items()})
        self.progress.echo(f"Read {export.total:,} records of {len(export.counts)} models in "
                           f"{time.monotonic() - started:.1f}s; importing")
        try:
            report.unknown_models = export.unknown_models
            report.dropped_fields = export.dropped_fields
            run = _Run(self, catalog, export, options, import_uuid, region_name, report)
            run.execute()
        finally:
            shutil.rmtree(export.directory, ignore_errors=True)
        report.seconds = time.monotonic() - started
        return report


class _Run:
    """The state of one import: pk map, filters, flags, report."""

    def __init__(self, importer: Importer, catalog: Catalog, export: SpilledExport,
                 options: ImportOptions, import_uuid: str, region_name: str,
                 report: ImportReport) -> None:
        self.importer = importer
        self.catalog = catalog
        self.export = export
        self.options = options
        self.region_name = region_name
        self.report = report
        self.flags = silo_service_pb2.ImportFlags(
            import_uuid=import_uuid, merge_users=options.merge_users,
            overwrite_configs=options.overwrite_configs,
            hide_organizations=options.hide_organizations)
        self.filters = derive_filters(export, options.org_slugs, options.usernames)
        self.now, self.later = self._models_to_import()
        self.lifetimes = MapLifetimes((m.name, (t for _, t in m.foreign_keys))
                                      for m in self.now + self.later)
        self.pk_map = PkMap(self.lifetimes.needed())
        self.orgs = ImportedOrganizations(export.directory / "organizations.jsonl")
        self.reserved: Future[list[region_service_pb2.SlugUpdate]] | None = None
        self.pool = ThreadPoolExecutor(max_workers=options.parallel_models * 2,
                                       thread_name_prefix="relocate-batch")

    def execute(self) -> None:
        try:
            self._execute()
        finally:
            self.pool.shutdown(wait=True, cancel_futures=True)

    def _models_to_import(self) -> tuple[list[ModelInfo], list[ModelInfo]]:
        """The export's models in the import's scope, in dependency order: those imported
        before slug reconciliation, and the deferred ones imported after it."""
        now, later = [], []
        for name in (m for m in self.catalog.order if self.export.counts.get(m)):
            info = self.catalog.models[name]
            if not info.in_scope(self.options.scope):
                self.report.out_of_scope[name] = self.export.counts[name]
            else:
                (later if info.deferred else now).append(info)
        for info in now + later:  # the report lists models in dependency order
            self.report.counts(info.name).in_export = self.export.counts[info.name]
        return now, later

    def _execute(self) -> None:
        self.importer.progress.begin(
            sum(self.export.counts[m.name] for m in self.now + self.later))
        self._run_models(self.now)
        self.apply_slugs(self.reserve_slugs() if self.reserved is None else self.reserved.result())
        self._run_models(self.later)

    def _run_models(self, models: list[ModelInfo]) -> None:
        """Import models in dependency order, running models whose dependencies are done side
        by side (a control model and a region model keep both silos busy)."""
        pending = {m.name: m for m in models}
        waiting_on = {m.name: {d for d in m.dependencies if d in pending} for m in models}
        running: dict[Future, str] = {}
        with ThreadPoolExecutor(max_workers=self.options.parallel_models,
                                thread_name_prefix="relocate-model") as models_pool:
            try:
                while pending or running:
                    ready = [n for n in pending if not waiting_on[n]]
                    for name in ready[:max(0, self.options.parallel_models - len(running))]:
                        running[models_pool.submit(self.import_model, pending.pop(name))] = name
                    reserving = [f for f in (self.reserved,) if f is not None and not f.done()]
                    done, _ = wait([*running, *reserving], return_when=FIRST_COMPLETED)
                    if self.reserved is not None and self.reserved.done():
                        self.reserved.result()  # a failed reservation stops the import now
                    for future in done:
                        if future not in running:  # the reservation
                            continue
                        finished = running.pop(future)
                        future.result()  # the first failure stops the import
                        for deps in waiting_on.values():
                            deps.discard(finished)
                        for model in self.lifetimes.finished(finished):
                            self.pk_map.drop(model)
                        if finished == ORGANIZATION:  # every organization is known now
                            self.reserved = self.pool.submit(self.reserve_slugs)
            except BaseException:
                pending.clear()
                for future in running:
                    future.cancel()
                raise

    # --- one model ------------------------------------------------------------------------

    def import_model(self, info: ModelInfo) -> None:
        """Send the model's batches one at a time, in order, reading and preparing the next
        batch while the previous one is written.

        One at a time keeps Sentry's order: new pks ascend with the records' order in the
        export (so an export of the silos compares record by record with the original), and
        the earlier record wins a collision (keeps the name, the token). A model that
        references itself needs the previous batch's pks before its next request is built."""
        client = self.importer.control if info.silo is Silo.CONTROL else self.importer.region
        counts = self.report.counts(info.name)
        filters = [_filter_proto(f) for f in self.filters if f.model == info.name]
        started = time.monotonic()
        sent: _Sent | None = None
        replicas: list[Future] = []
        offset = 0
        try:
            size = self.options.batch_size or batch_size(self.export.counts[info.name],
                                                         self.export.size(info.name))
            for batch in self.export.batches(info.name, size):
                if sent is not None and info.self_referencing:
                    self._merge(info, *sent, replicas)
                    sent = None
                request = with_json_records(silo_service_pb2.ImportByModelRequest(
                    model=info.name, scope=self.options.scope.to_proto(), flags=self.flags,
                    filters=filters, pk_map=self._referenced(info, batch.references),
                    min_ordinal=offset + 1).SerializeToString(), batch.json_array)
                kept = batch.kept  # read with the answer (see _kept)
                count = len(batch.references)
                del batch  # the serialized request and the kept fields are all that wait
                if sent is not None:
                    self._merge(info, *sent, replicas)
                sent = _Sent(count, kept, self.pool.submit(
                    client.call, client.import_serialized, request, info.name))
                offset += count
            if sent is not None:
                self._merge(info, *sent, replicas)
            for replica in replicas:
                replica.result()
        finally:
            if sent is not None:  # after a failure, the batch in flight is not awaited
                sent.future.cancel()
        counts.seconds = time.monotonic() - started
        self.importer.progress.model_done(info.name, counts, counts.seconds)

    def _merge(self, info: ModelInfo, count: int, kept_fields: bytearray,
               future: Future, replicas: list[Future]) -> None:
        reply = future.result()
        kept = _kept(info.name, kept_fields)
        self.pk_map.add(reply.mapped)
        self._count(info, count, kept, reply.mapped, reply.from_ledger)
        if info.silo is Silo.CONTROL and reply.HasField("min_ordinal"):
            replicas.append(self.pool.submit(self._replicate, info.name, reply))
        if info.name == MEMBER and reply.mapped.old_pks:
            replicas.append(self.pool.submit(self._map_members, kept, reply.mapped))
        self.importer.progress.advance(count)

    def _map_members(self, by_pk: dict[int, _KeptMember],
                     mapped: models_pb2.PkMapColumns) -> None:
        """Tell control about the members the region inserted (OrganizationMemberMapping),
        with their organization, user and inviter as they are now, after remapping."""
        organizations = self.pk_map.new_pks(ORGANIZATION, [m.organization for m in by_pk.values()])
        users = self.pk_map.new_pks(USER, [pk for m in by_pk.values()
                                           for pk in (m.user_id, m.inviter_id)])
        members = []
        for old, new, kind in zip(mapped.old_pks, mapped.new_pks, mapped.kinds, strict=True):
            fields = by_pk[old]
            organization = organizations.get(fields.organization)
            if kind != _INSERTED or organization is None:
                continue
            member = control_service_pb2.OrganizationMemberMapping(
                organization_id=organization, organizationmember_id=new,
                role=str(fields.role or "member"))
            for name, value in (("user_id", users.get(fields.user_id)),
                                ("inviter_id", users.get(fields.inviter_id)),
                                ("email", fields.email),
                                ("invite_status", fields.invite_status)):
                if value is not None:
                    setattr(member, name, value)
            members.append(member)
        if members:
            control = self.importer.control
            control.call(control.control.MapOrganizationMembers,
                         control_service_pb2.MapOrganizationMembersRequest(members=members))

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

    def _count(self, info: ModelInfo, count: int, by_pk: dict[int, Any],
               mapped: models_pb2.PkMapColumns, from_ledger: bool) -> None:
        counts = self.report.counts(info.name)
        codes = Counter(mapped.kinds)  # counted as ints: hashing enum members costs a call each
        counts.inserted += codes[CODE_OF_KIND[ImportKind.INSERTED]]
        counts.existing += codes[CODE_OF_KIND[ImportKind.EXISTING]]
        counts.overwritten += codes[CODE_OF_KIND[ImportKind.OVERWRITE]]
        counts.skipped += count - len(mapped.old_pks)
        counts.resumed_batches += int(from_ledger)
        if info.name not in (USER, ORGANIZATION):
            return
        inserted = []
        for old, entry in from_columns(mapped):
            fields = by_pk[old]
            if info.name == ORGANIZATION and entry.kind is ImportKind.INSERTED:
                inserted.append(ImportedOrganization(
                    entry.new_pk, str(fields.slug or ""), str(fields.name or ""),
                    int(fields.status or 0), entry.identifier or ""))
            elif info.name == USER and entry.identifier not in (None, fields.username):
                self.report.renamed_users.add(str(fields.username), entry.identifier)
        self.orgs.add(inserted)

    def _replicate(self, model: str, reply: silo_service_pb2.ImportByModelResponse) -> None:
        """Keep a copy of each control chunk in the region (Sentry's ControlImportChunkReplica)."""
        request = region_service_pb2.StoreControlChunkReplicaRequest(
            import_uuid=self.flags.import_uuid, model=model, min_ordinal=reply.min_ordinal,
            max_ordinal=reply.max_ordinal, min_source_pk=reply.min_source_pk,
            max_source_pk=reply.max_source_pk, mapped=reply.mapped)
        for name in ("min_inserted_pk", "max_inserted_pk"):
            if reply.HasField(name):
                setattr(request, name, getattr(reply, name))
        region = self.importer.region
        region.call(region.region.StoreControlChunkReplica, request, model)

    # --- cross-silo: organization slugs ---------------------------------------------------

    def reserve_slugs(self) -> list[region_service_pb2.SlugUpdate]:
        """Reserve every imported organization's slug globally; the slugs the region must
        change. Runs as soon as the organizations are imported, beside the models still being
        imported (nothing else reads an organization's slug), rather than after them.

        A slice of organizations at a time, in import order: each slice's reservations are
        committed before the next is asked for, so earlier organizations keep the slugs they
        would keep in one call, and a repeated call (a resumed import) answers the same."""
        control = self.importer.control
        updates = []
        for organizations in self.orgs.slices(SLUG_CLAIMS_PER_CALL):
            by_pk = {org.new_pk: org for org in organizations}
            answer = control.call(control.control.ReserveOrganizationSlugs,
                                  control_service_pb2.ReserveOrganizationSlugsRequest(
                                      region_name=self.region_name,
                                      import_uuid=self.flags.import_uuid,
                                      claims=[control_service_pb2.OrganizationSlugClaim(
                                          organization_id=org.new_pk, desired_slug=org.slug,
                                          name=org.name, status=org.status)
                                          for org in organizations]))
            for assignment in answer.assignments:
                org = by_pk[assignment.organization_id]
                if assignment.slug != org.slug:
                    updates.append(region_service_pb2.SlugUpdate(
                        organization_id=assignment.organization_id, slug=assignment.slug))
                if assignment.slug != org.source_slug:
                    self.report.renamed_organizations.add(org.source_slug, assignment.slug)
        return updates

    def apply_slugs(self, updates: list[region_service_pb2.SlugUpdate]) -> None:
        """Give the region's organizations their reserved slugs, once every model before the
        deferred ones is imported: renaming an organization locks its row against the foreign
        key checks of batches still being written."""
        region = self.importer.region
        for start in range(0, len(updates), SLUG_CLAIMS_PER_CALL):
            region.call(region.region.UpdateOrganizationSlugs,
                        region_service_pb2.UpdateOrganizationSlugsRequest(
                            updates=updates[start:start + SLUG_CLAIMS_PER_CALL]))


def batch_size(records: int, spilled_bytes: int) -> int:
    """Records a batch of a model holds, from its spilled size (see BATCH_BYTES)."""
    fit = BATCH_BYTES * records // max(spilled_bytes, 1)
    return max(DEFAULT_BATCH_SIZE, min(MAX_BATCH_SIZE, fit))


def _filter_proto(f: RecordFilter) -> silo_service_pb2.ImportFilter:
    return silo_service_pb2.ImportFilter(model=f.model, field=f.field, values=sorted(f.values))


# The fields the answers of these models are read with (renamed users, organizations' slugs,
# member mappings); the rest of a record need not wait in memory while its batch is written.
# Tuples, not dicts: a batch of 2,000 members waits with a third of the memory.
class _KeptUser(NamedTuple):
    username: Any


class _KeptOrganization(NamedTuple):
    slug: Any
    name: Any
    status: Any


class _KeptMember(NamedTuple):
    organization: Any
    user_id: Any
    inviter_id: Any
    email: Any
    role: Any
    invite_status: Any


_KEPT: dict[str, Any] = {USER: _KeptUser, ORGANIZATION: _KeptOrganization, MEMBER: _KeptMember}


def _kept(model: str, kept_fields: bytearray) -> dict[int, Any]:
    """Record pk -> the kept fields (spilled beside each record; see `spill`), for the models
    whose answers need them; else empty. Read when the answer comes: while the batch is in
    flight they wait as the JSON they were spilled as, smaller than the tuples."""
    kind = _KEPT.get(model)
    if kind is None:
        return {}
    return {pk: kind(*fields) for pk, *fields in orjson.loads(kept_fields)}


_JSON_RECORDS_TAG = bytes([silo_service_pb2.ImportByModelRequest.JSON_RECORDS_FIELD_NUMBER << 3
                           | 2])  # wire type 2: length-delimited


def with_json_records(head: bytes, json_records: bytes | bytearray) -> bytes:
    """A serialized ImportByModelRequest `head` with its json_records field appended.

    Fields may come in any order on the wire, so this is the message with json_records set;
    the records are copied once, into the message, instead of into the field and again by
    SerializeToString (the largest thing the orchestrator holds is a batch's records)."""
    size, length = len(json_records), bytearray()
    while size > 0x7F:
        length.append(size & 0x7F | 0x80)
        size >>= 7
    length.append(size)
    return b"".join((head, _JSON_RECORDS_TAG, length, json_records))
