"""Run a region silo: its engine, its gRPC services and its schema check."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from region_service.models import (
    REGISTRY,
    controlimportchunkreplica,
    importbinding,
    regionimportchunk,
)
from region_service.models.organizations import organization
from silo_engine.database import make_engine, require_schema
from silo_engine.engine import SiloEngine
from silo_engine.ledger import Chunk, store_chunk_if_absent
from silo_engine.rollback import SiloSteps, fill_from_ledger
from silo_engine.sentry_catalog import silo_of
from silo_engine.server import (
    RunningServer,
    Security,
    guarded,
    mapped_from_columns,
    serve_silo,
)
from wire import DEFAULT_MAX_CONCURRENT_CALLS
from wire.relocation.v1 import (
    region_service_pb2,
    region_service_pb2_grpc,
)

MIGRATIONS = Path(__file__).parent / "migrations"
DEFAULT_REGION_NAME = "default"


class RegionServicer(region_service_pb2_grpc.RegionServiceServicer):
    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    @guarded
    def UpdateOrganizationSlugs(self, request, context):
        if not request.updates:
            return region_service_pb2.UpdateOrganizationSlugsResponse(updated=0)
        table = organization.table
        stmt = (sa.update(table).where(table.c.id == sa.bindparam("_id"))
                .values(slug=sa.bindparam("_slug")))
        with self.engine.begin() as conn:
            result = conn.execute(stmt, [{"_id": u.organization_id, "_slug": u.slug}
                                         for u in request.updates])
        return region_service_pb2.UpdateOrganizationSlugsResponse(updated=result.rowcount)

    @guarded
    def StoreControlChunkReplica(self, request, context):
        chunk = Chunk(
            import_uuid=request.import_uuid, model=request.model,
            min_ordinal=request.min_ordinal, max_ordinal=request.max_ordinal,
            min_source_pk=request.min_source_pk, max_source_pk=request.max_source_pk,
            min_inserted_pk=request.min_inserted_pk if request.HasField("min_inserted_pk")
            else None,
            max_inserted_pk=request.max_inserted_pk if request.HasField("max_inserted_pk")
            else None,
            mapped=mapped_from_columns(request.mapped))
        with self.engine.begin() as conn:
            created = store_chunk_if_absent(conn, controlimportchunkreplica, chunk)
        return region_service_pb2.StoreControlChunkReplicaResponse(created=created)


def _control_rows(conn: sa.Connection, import_uuid: str) -> None:
    """The control rows the import inserted, from the region's replica of the control ledger:
    region rows written since may reference them (a member of a new user)."""
    fill_from_ledger(conn, controlimportchunkreplica, import_uuid, "elsewhere")


def _replicas_undone(conn: sa.Connection, import_uuid: str) -> None:
    """The replica of the control ledger follows the region's own: marked rolled back."""
    conn.execute(sa.update(controlimportchunkreplica).where(
        controlimportchunkreplica.c.import_uuid == import_uuid).values(rolled_back=True))


def start(db_url: str, listen: str = "127.0.0.1:0", region_name: str = DEFAULT_REGION_NAME,
          security: Security | None = None, metrics_listen: str | None = None,
          max_concurrent_calls: int = DEFAULT_MAX_CONCURRENT_CALLS) -> RunningServer:
    """Check the schema, then serve SiloService and RegionService on `listen`."""
    engine = make_engine(db_url)
    revision = require_schema(engine, MIGRATIONS, "region", db_url)
    silo = SiloEngine(REGISTRY, engine, regionimportchunk, importbinding, silo_of,
                      region_name=region_name, steps=SiloSteps(_control_rows, _replicas_undone))
    return serve_silo(silo, revision, listen, security, RegionServicer(engine),
                      region_service_pb2_grpc.add_RegionServiceServicer_to_server,
                      region_service_pb2.DESCRIPTOR.services_by_name["RegionService"].full_name,
                      metrics_listen, max_concurrent_calls)
