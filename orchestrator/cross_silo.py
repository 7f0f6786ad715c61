"""The import's steps that carry what one silo answered to the other.

- Each control chunk is copied into the region (Sentry's ControlImportChunkReplica).
- Each organization member the region inserted is mapped in control
  (OrganizationMemberMapping), with its organization, user and inviter as they are now.
- Organization slugs are reserved globally in control as soon as every organization is
  imported, beside the models still being imported (nothing else reads an organization's slug),
  and the region's organizations are renamed once those are done: renaming an organization
  locks its row against the foreign-key checks of batches still being written.
- Renamed users are listed in the report.

They read a few fields of the users, organizations and members an answer names: those fields are
spilled beside each record (KEPT_FIELDS) and wait with the batch, as JSON, for its answer.
"""

from __future__ import annotations

from concurrent.futures import Executor, Future
from typing import Any, NamedTuple

import orjson

from orchestrator.catalog import ModelInfo
from orchestrator.client import SiloClient
from orchestrator.model_names import MEMBER, ORGANIZATION, USER
from orchestrator.pkmap import PkMap
from orchestrator.report import ImportReport
from orchestrator.storage import ImportedOrganization, ImportedOrganizations
from wire.pkwire import CODE_OF_KIND, from_columns
from wire.relocation.v1 import (
    control_service_pb2,
    models_pb2,
    region_service_pb2,
    silo_service_pb2,
)
from wire.scopes import ImportKind, Silo

_INSERTED = CODE_OF_KIND[ImportKind.INSERTED]
# Organizations whose slugs are reserved by one call (one transaction in the control silo).
SLUG_CLAIMS_PER_CALL = 5000


# The fields the answers of these models are read with; the rest of a record need not wait in
# memory while its batch is written. Tuples, not dicts: a batch of members waits with a third of
# the memory.
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
# Model -> the fields to spill beside each of its records (see `storage`).
KEPT_FIELDS: dict[str, tuple[str, ...]] = {model: kind._fields for model, kind in _KEPT.items()}


def _kept(model: str, kept_fields: bytearray) -> dict[int, Any]:
    """Record pk -> the kept fields, for the models whose answers need them; else empty. Read
    when the answer comes: while the batch is in flight they wait as the JSON they were spilled
    as, smaller than the tuples."""
    kind = _KEPT.get(model)
    if kind is None:
        return {}
    return {pk: kind(*fields) for pk, *fields in orjson.loads(kept_fields)}


class CrossSiloSteps:
    """The cross-silo steps of one import, fed by each batch's answer."""

    def __init__(self, control: SiloClient, region: SiloClient, pool: Executor,
                 import_uuid: str, region_name: str, pk_map: PkMap, report: ImportReport,
                 orgs: ImportedOrganizations) -> None:
        self.control = control
        self.region = region
        self.pool = pool
        self.import_uuid = import_uuid
        self.region_name = region_name
        self.pk_map = pk_map
        self.report = report
        self.orgs = orgs
        self.reserved: Future[list[region_service_pb2.SlugUpdate]] | None = None

    def answered(self, info: ModelInfo, kept_fields: bytearray,
                 reply: silo_service_pb2.ImportByModelResponse) -> list[Future]:
        """Take a batch's answer (its entries already in the pk map); the calls it started,
        which the model awaits before it is done."""
        kept = _kept(info.name, kept_fields)
        if info.name in (USER, ORGANIZATION):
            self._note_renames(info.name, kept, reply.mapped)
        started = []
        if info.silo is Silo.CONTROL and reply.HasField("min_ordinal"):
            started.append(self.pool.submit(self._replicate, info.name, reply))
        if info.name == MEMBER and reply.mapped.old_pks:
            started.append(self.pool.submit(self._map_members, kept, reply.mapped))
        return started

    def _note_renames(self, model: str, by_pk: dict[int, Any],
                      mapped: models_pb2.PkMapColumns) -> None:
        """Renamed users go to the report; inserted organizations to disk, for their slugs."""
        inserted = []
        renamed = []
        for old, entry in from_columns(mapped):
            fields = by_pk[old]
            if model == ORGANIZATION and entry.kind is ImportKind.INSERTED:
                inserted.append(ImportedOrganization(
                    entry.new_pk, str(fields.slug or ""), str(fields.name or ""),
                    int(fields.status or 0), entry.identifier or ""))
            elif model == USER and entry.identifier not in (None, fields.username):
                renamed.append((str(fields.username), str(entry.identifier)))
        self.orgs.add_organizations(inserted)
        self.report.renamed(USER, renamed)

    def _replicate(self, model: str, reply: silo_service_pb2.ImportByModelResponse) -> None:
        """Keep a copy of the control chunk in the region."""
        request = region_service_pb2.StoreControlChunkReplicaRequest(
            import_uuid=self.import_uuid, model=model, min_ordinal=reply.min_ordinal,
            max_ordinal=reply.max_ordinal, min_source_pk=reply.min_source_pk,
            max_source_pk=reply.max_source_pk, mapped=reply.mapped)
        for name in ("min_inserted_pk", "max_inserted_pk"):
            if reply.HasField(name):
                setattr(request, name, getattr(reply, name))
        self.region.store_replica(request)

    def _map_members(self, by_pk: dict[int, _KeptMember],
                     mapped: models_pb2.PkMapColumns) -> None:
        """Tell control about the members the region inserted."""
        organizations = self.pk_map.new_pks(ORGANIZATION,
                                            [m.organization for m in by_pk.values()])
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
            self.control.map_members(members)

    # --- organization slugs -------------------------------------------------------------------

    def organizations_imported(self, model: str) -> Future:
        """The scheduler's hook for the organization model: reserve the slugs beside the
        models still being imported."""
        self.reserved = self.pool.submit(self._reserve_slugs)
        return self.reserved

    def rename_organizations(self) -> None:
        """Give the region's organizations their reserved slugs (reserving them first when no
        organization was imported by the scheduler's hook)."""
        updates = self._reserve_slugs() if self.reserved is None else self.reserved.result()
        for start in range(0, len(updates), SLUG_CLAIMS_PER_CALL):
            self.region.update_slugs(updates[start:start + SLUG_CLAIMS_PER_CALL])

    def _reserve_slugs(self) -> list[region_service_pb2.SlugUpdate]:
        """Reserve every imported organization's slug globally; the slugs the region must
        change.

        A slice of organizations at a time, in import order: each slice's reservations are
        committed before the next is asked for, so earlier organizations keep the slugs they
        would keep in one call, and a repeated call (a resumed import) answers the same."""
        updates = []
        renamed = []
        for organizations in self.orgs.slices(SLUG_CLAIMS_PER_CALL):
            by_pk = {org.new_pk: org for org in organizations}
            answer = self.control.reserve_slugs(
                control_service_pb2.ReserveOrganizationSlugsRequest(
                    region_name=self.region_name, import_uuid=self.import_uuid,
                    claims=[control_service_pb2.OrganizationSlugClaim(
                        organization_id=org.new_pk, desired_slug=org.slug, name=org.name,
                        status=org.status) for org in organizations]))
            for assignment in answer.assignments:
                org = by_pk[assignment.organization_id]
                if assignment.slug != org.slug:
                    updates.append(region_service_pb2.SlugUpdate(
                        organization_id=assignment.organization_id, slug=assignment.slug))
                if assignment.slug != org.source_slug:
                    renamed.append((org.source_slug, assignment.slug))
        self.report.renamed(ORGANIZATION, renamed)
        return updates
