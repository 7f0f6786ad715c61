"""Run the control silo: its engine, its gRPC services and its schema check."""

from __future__ import annotations

from pathlib import Path

from control_service.members import map_members
from control_service.models import REGISTRY, controlimportchunk, importbinding
from control_service.slugs import (
    SlugClaim,
    organizations_known,
    release_organizations,
    reserve_slugs,
)
from silo_engine.database import make_engine, require_schema
from silo_engine.engine import SiloEngine
from silo_engine.rollback import SiloSteps
from silo_engine.sentry_catalog import silo_of
from silo_engine.server import RunningServer, Security, guarded, serve_silo
from wire import DEFAULT_MAX_CONCURRENT_CALLS
from wire.relocation.v1 import (
    control_service_pb2,
    control_service_pb2_grpc,
)

MIGRATIONS = Path(__file__).parent / "migrations"


class ControlServicer(control_service_pb2_grpc.ControlServiceServicer):
    def __init__(self, engine) -> None:
        self.engine = engine

    @guarded
    def ReserveOrganizationSlugs(self, request, context):
        claims = [SlugClaim(c.organization_id, c.desired_slug, c.name, c.status)
                  for c in request.claims]
        with self.engine.begin() as conn:
            slugs = reserve_slugs(conn, request.region_name, request.import_uuid, claims)
        return control_service_pb2.ReserveOrganizationSlugsResponse(assignments=[
            control_service_pb2.OrganizationSlugAssignment(organization_id=oid, slug=slug)
            for oid, slug in sorted(slugs.items())])

    @guarded
    def MapOrganizationMembers(self, request, context):
        optional = ("user_id", "email", "inviter_id", "invite_status")
        members = [{"organization_id": m.organization_id,
                    "organizationmember_id": m.organizationmember_id, "role": m.role,
                    **{name: getattr(m, name) if m.HasField(name) else None
                       for name in optional}}
                   for m in request.members]
        with self.engine.begin() as conn:
            created = map_members(conn, members)
        return control_service_pb2.MapOrganizationMembersResponse(created=created)


def start(db_url: str, listen: str = "127.0.0.1:0",
          security: Security | None = None, metrics_listen: str | None = None,
          max_concurrent_calls: int = DEFAULT_MAX_CONCURRENT_CALLS) -> RunningServer:
    """Check the schema, then serve SiloService and ControlService on `listen`."""
    engine = make_engine(db_url)
    revision = require_schema(engine, MIGRATIONS, "control", db_url)
    silo = SiloEngine(REGISTRY, engine, controlimportchunk, importbinding, silo_of,
                      steps=SiloSteps(organizations_known, release_organizations))
    return serve_silo(silo, revision, listen, security, ControlServicer(engine),
                      control_service_pb2_grpc.add_ControlServiceServicer_to_server,
                      control_service_pb2.DESCRIPTOR.services_by_name["ControlService"].full_name,
                      metrics_listen, max_concurrent_calls)
