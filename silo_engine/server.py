"""The gRPC side of a silo: SiloService on top of the engine, health, reflection, shutdown."""

from __future__ import annotations

import errno
import inspect
import logging
import socket
import threading
from collections.abc import Callable, Iterable
from concurrent import futures
from dataclasses import dataclass, field
from functools import partial
from typing import Any, cast
from wsgiref.simple_server import WSGIServer

import grpc
import psycopg
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection
from prometheus_client import start_http_server
from sqlalchemy import exc as sa_exc

from silo_engine.binding import Binding
from silo_engine.context import ImportFlags, SentPks
from silo_engine.engine import BatchRequest, SiloEngine
from silo_engine.export import DEFAULT_EXPORT_BATCH, export_model
from silo_engine.ledger import Chunk, Mapped
from silo_engine.metrics import SiloMetrics
from silo_engine.modelspec import ModelSpec
from silo_engine.redact import database_message
from wire import DEFAULT_MAX_CONCURRENT_CALLS, MAX_MESSAGE_BYTES
from wire.auth import SignatureCheck
from wire.errors import ErrorKind, ImportFailure
from wire.pkwire import CODE_OF_KIND
from wire.relocation.v1 import (
    models_pb2,
    silo_service_pb2,
    silo_service_pb2_grpc,
)
from wire.scopes import ImportKind, ImportScope
from wire.values import RecordFilter

log = logging.getLogger("relocation.silo")


def describe(spec: ModelSpec) -> models_pb2.ModelDescription:
    return models_pb2.ModelDescription(
        name=spec.name,
        table=spec.table.name,
        silo=cast(models_pb2.Silo, spec.silo.to_proto()),
        relocation_scopes=sorted(cast(models_pb2.RelocationScope, scope.to_proto())
                                 for scope in spec.scopes),
        foreign_keys=[
            models_pb2.ForeignKey(field=fk.field, target_model=fk.target, nullable=fk.nullable,
                                  cross_silo=fk.cross_silo)
            for fk in spec.foreign_keys
        ],
        relocation_dependencies=list(spec.relocation_dependencies),
        unique_keys=[models_pb2.UniqueKey(fields=list(u.fields)) for u in spec.uniques],
        identifier_field=spec.identifier or "",
        fields=spec.accepted_field_names(),
        deferred=spec.deferred,
    )


def chunk_to_response(chunk: Chunk) -> silo_service_pb2.ImportByModelResponse:
    """The batch's answer on the wire: its mapped columns packed straight into the reply."""
    reply = silo_service_pb2.ImportByModelResponse(from_ledger=chunk.from_ledger)
    mapped, columns = chunk.mapped, reply.mapped
    columns.model = mapped.model
    columns.old_pks.extend(mapped.old_pks)
    columns.new_pks.extend(mapped.new_pks)
    columns.kinds.extend(mapped.kinds)
    columns.identifiers.update(mapped.identifiers)
    reply.dropped.update(chunk.dropped)
    for entry in chunk.regenerated:
        secret = reply.regenerated.add(old_pk=entry.old_pk, field=entry.field)
        if entry.old_value is not None and entry.new_value is not None:
            secret.old_value, secret.new_value = entry.old_value, entry.new_value
    for name in ("min_ordinal", "max_ordinal", "min_source_pk", "max_source_pk",
                 "min_inserted_pk", "max_inserted_pk"):
        value = getattr(chunk, name)
        if value is not None:
            setattr(reply, name, value)
    return reply


def mapped_from_columns(columns: models_pb2.PkMapColumns) -> Mapped:
    """A pk map received on the wire (a control chunk's replica) as the ledger holds it."""
    return Mapped(columns.model, list(columns.old_pks), list(columns.new_pks),
                  list(columns.kinds), dict(columns.identifiers))


def sent_pks(messages: Iterable[models_pb2.PkMapColumns]) -> SentPks:
    """What a batch's references resolve to, straight from the columns."""
    sent = SentPks()
    existing, inserted = CODE_OF_KIND[ImportKind.EXISTING], CODE_OF_KIND[ImportKind.INSERTED]
    for msg in messages:
        if len(msg.kinds) != len(msg.old_pks):
            raise ValueError(f"pk map of {msg.model}: {len(msg.old_pks)} old pks, "
                             f"{len(msg.kinds)} kinds")
        sent.new_pks.setdefault(msg.model, {}).update(zip(msg.old_pks, msg.new_pks, strict=True))
        kinds = set(msg.kinds)
        sent.inserted.setdefault(msg.model, set()).update(
            msg.new_pks if kinds == {inserted} else  # most often: every entry inserted
            (new for new, kind in zip(msg.new_pks, msg.kinds, strict=True) if kind == inserted))
        if existing in kinds:
            sent.existing.setdefault(msg.model, set()).update(
                old for old, kind in zip(msg.old_pks, msg.kinds, strict=True) if kind == existing)
    return sent


def _database_went_away(exc: Exception) -> bool:
    """The database ended the call's transaction for a passing reason (its connection was
    terminated or lost, a deadlock, a serialization failure): the call may be made again."""
    orig = exc.orig if isinstance(exc, sa_exc.DBAPIError) else exc
    return isinstance(orig, psycopg.OperationalError) or (
        isinstance(exc, sa_exc.DBAPIError) and exc.connection_invalidated)


def _abort(exc: Exception, handler: Callable, request: Any,
           context: grpc.ServicerContext) -> None:
    if isinstance(exc, ImportFailure):
        log.warning("import error: %s", exc)
        exc.abort(context)
    model = getattr(request, "model", None) or None
    reason = database_message(f"{type(exc).__name__}: {exc}")
    if _database_went_away(exc):  # DatabaseError, which the orchestrator retries
        log.warning("database error in %s: %s", handler.__name__, reason)
        ImportFailure(ErrorKind.DATABASE_ERROR, model, reason).abort(context)
    log.exception("unexpected error in %s", handler.__name__)
    ImportFailure(ErrorKind.UNKNOWN, model, reason).abort(context)


def guarded(handler: Callable) -> Callable:
    """Turn an ImportFailure, or any unexpected exception, into a typed gRPC error."""
    if inspect.isgeneratorfunction(handler):
        def streaming(self, request, context):
            try:
                yield from handler(self, request, context)
            except Exception as exc:
                _abort(exc, handler, request, context)

        streaming.__name__ = handler.__name__
        return streaming

    def wrapper(self, request, context):
        try:
            return handler(self, request, context)
        except Exception as exc:
            _abort(exc, handler, request, context)

    wrapper.__name__ = handler.__name__
    return wrapper


class SiloServicer(silo_service_pb2_grpc.SiloServiceServicer):
    def __init__(self, engine: SiloEngine, schema_revision: str) -> None:
        self.engine = engine
        self.schema_revision = schema_revision

    @guarded
    def DescribeModels(self, request, context):
        return silo_service_pb2.DescribeModelsResponse(
            silo=self.engine.registry.silo.to_proto(),
            region_name=self.engine.region_name,
            models=[describe(spec) for spec in self.engine.registry],
            schema_revision=self.schema_revision,
        )

    @guarded
    def ExportByModel(self, request, context):
        scope = ImportScope.from_proto(request.scope)
        spec = self.engine.exportable(request.model.lower(), scope)
        assert scope is not None
        for payload, count in export_model(self.engine.engine, spec, scope,
                                           request.batch_size or DEFAULT_EXPORT_BATCH):
            yield silo_service_pb2.ExportByModelResponse(json_records=payload, count=count)

    @guarded
    def ImportByModel(self, request, context):
        flags = None
        if request.HasField("flags") and request.flags.import_uuid:
            flags = ImportFlags(import_uuid=request.flags.import_uuid,
                                merge_users=request.flags.merge_users,
                                overwrite_configs=request.flags.overwrite_configs,
                                hide_organizations=request.flags.hide_organizations)
        chunk = self.engine.import_by_model(BatchRequest(
            model=request.model.lower(),
            scope=ImportScope.from_proto(request.scope),
            ctx_flags=flags,
            filters=[RecordFilter(f.model, f.field, frozenset(f.values))
                     for f in request.filters],
            pk_map=sent_pks(request.pk_map),
            json_records=request.json_records,
            min_ordinal=request.min_ordinal,
        ))
        return chunk_to_response(chunk)

    @guarded
    def BindImport(self, request, context):
        scope = ImportScope.from_proto(request.scope)
        if scope is None:
            raise ImportFailure(ErrorKind.UNSPECIFIED_SCOPE, None, "no import scope given")
        if not request.flags.import_uuid:
            raise ImportFailure(ErrorKind.MISSING_IMPORT_UUID, None, "no import uuid given")
        bound_before = self.engine.bind_import(Binding(
            import_uuid=request.flags.import_uuid, scope=scope.value,
            merge_users=request.flags.merge_users,
            overwrite_configs=request.flags.overwrite_configs,
            org_slugs=_names(request, "org_slugs"), usernames=_names(request, "usernames"),
            source_size=request.source.size, source_sha256=request.source.sha256))
        return silo_service_pb2.BindImportResponse(bound_before=bound_before)


    @guarded
    def CompleteImport(self, request, context):
        return silo_service_pb2.CompleteImportResponse(
            known=self.engine.complete_import(request.import_uuid))

    @guarded
    def ListImports(self, request, context):
        return silo_service_pb2.ListImportsResponse(imports=[
            silo_service_pb2.ImportSummary(
                import_uuid=record.import_uuid,
                scope=cast(models_pb2.ImportScope, ImportScope(record.scope).to_proto()),
                started_at=record.started_at, finished_at=record.finished_at,
                rolled_back_at=record.rolled_back_at,
                source=silo_service_pb2.SourceFingerprint(size=record.source_size,
                                                          sha256=record.source_sha256),
                records_written=record.records_written,
                state=cast(silo_service_pb2.ImportState, record.state.to_proto()))
            for record in self.engine.rollbacks.list_imports()])

    @guarded
    def RollbackImport(self, request, context):
        outcome = self.engine.rollback_import(request.import_uuid, request.cascade,
                                              request.dry_run)
        return silo_service_pb2.RollbackImportResponse(
            known=outcome.known, referencing=[
                silo_service_pb2.RowReference(model=r.model, pk=r.pk, field=r.field,
                                              target_model=r.target_model,
                                              target_pk=r.target_pk)
                for r in outcome.references],
            referencing_count=outcome.reference_count, cascaded=outcome.cascaded,
            deleted=outcome.deleted, restored=outcome.restored, finished=outcome.finished)


def _names(request: silo_service_pb2.BindImportRequest, field: str) -> list[str] | None:
    """A name filter of the request, sorted; None when the import is not limited by it."""
    return sorted(getattr(request, field).names) if request.HasField(field) else None


@dataclass
class RunningServer:
    server: grpc.Server
    port: int
    health: health.HealthServicer
    cleanups: list[Callable[[], None]] = field(default_factory=list)
    metrics_port: int | None = None  # where /metrics is served (--metrics-listen), if it is

    def on_stop(self, cleanup: Callable[[], None]) -> None:
        self.cleanups.append(cleanup)

    def stop(self, grace: float = 10.0) -> None:
        """Report NOT_SERVING, let in-flight batches finish for `grace` seconds, then stop."""
        self.health.enter_graceful_shutdown()
        self.server.stop(grace).wait()
        for cleanup in self.cleanups:
            cleanup()

    def wait(self) -> None:
        self.server.wait_for_termination()


@dataclass(frozen=True)
class Security:
    """How a silo authenticates callers: shared secrets for signatures, optional (m)TLS."""

    secrets: tuple[bytes, ...] = ()
    tls_cert: bytes | None = None
    tls_key: bytes | None = None
    tls_ca: bytes | None = None  # when set, clients must present a certificate it signed


# Threads that run a silo's calls: half the calls it takes at once, since a call waiting for a
# worker has not had its request read yet (grpcio reads it on the worker) and costs little.
WORKERS = DEFAULT_MAX_CONCURRENT_CALLS // 2


class PortUnavailable(OSError):
    """The address to listen on cannot be bound (taken by another process, or not local)."""


def start_server(listen: str, register: Callable[[grpc.Server], Iterable[str]],
                 security: Security | None = None,
                 max_concurrent_calls: int = DEFAULT_MAX_CONCURRENT_CALLS) -> RunningServer:
    """Start a gRPC server on `listen` (host:port; port 0 picks a free one)."""
    security = security or Security()
    interceptors = [SignatureCheck(security.secrets)] if security.secrets else []
    if not security.secrets:
        log.warning("serving WITHOUT RPC authentication: anyone who can reach %s can import",
                    listen)
    server = grpc.server(
        futures.ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="silo"),
        interceptors=interceptors,
        maximum_concurrent_rpcs=max_concurrent_calls,
        options=[("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
                 ("grpc.max_send_message_length", MAX_MESSAGE_BYTES),
                 # gRPC shares a port another process listens on unless told not to: a second
                 # silo started on a taken port would split an import between two databases.
                 ("grpc.so_reuseport", 0)],
    )
    service_names = list(register(server))
    health_servicer = health.HealthServicer(
        experimental_non_blocking=True,
        experimental_thread_pool=futures.ThreadPoolExecutor(max_workers=1))
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    for name in [*service_names, ""]:
        health_servicer.set(name, health_pb2.HealthCheckResponse.SERVING)
    reflection.enable_server_reflection(
        [*service_names, health.SERVICE_NAME, reflection.SERVICE_NAME], server)
    unavailable = PortUnavailable(
        f"cannot listen on {listen}: the address is in use (by another silo or another "
        "program) or not this machine's; choose another with --listen")
    if _taken(listen):  # found before gRPC tries, which logs its own multi-line complaint
        raise unavailable
    try:
        port = _bind(server, listen, security)
    except RuntimeError as exc:  # grpcio's word for an address it cannot bind
        raise unavailable from exc
    if port == 0:  # older grpcio's word for it
        raise unavailable
    server.start()
    return RunningServer(server, port, health_servicer)


def _taken(listen: str) -> bool:
    """Whether another process (a silo, or anything else) listens on `listen` already."""
    name, _, port = listen.rpartition(":")
    if not port.isdigit() or int(port) == 0:
        return False
    try:
        addresses = socket.getaddrinfo(name.strip("[]") or None, int(port), type=socket.SOCK_STREAM,
                                       flags=socket.AI_PASSIVE)
    except OSError:
        return False  # a name that does not resolve: gRPC's bind says so
    for family, kind, proto, _name, address in addresses:
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as gRPC binds
            try:
                probe.bind(address)
            except OSError as exc:
                if exc.errno == errno.EADDRINUSE:
                    return True
    return False


def _bind(server: grpc.Server, listen: str, security: Security) -> int:
    """Listen on `listen`, with TLS when the security has a certificate; the port bound."""
    if security.tls_cert and security.tls_key:
        credentials = grpc.ssl_server_credentials(
            [(security.tls_key, security.tls_cert)], root_certificates=security.tls_ca,
            require_client_auth=security.tls_ca is not None)
        return server.add_secure_port(listen, credentials)
    return server.add_insecure_port(listen)


def wait_for_signal(running: RunningServer, grace: float = 10.0) -> None:
    """Serve until SIGTERM or SIGINT, then shut down gracefully."""
    import signal

    done = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: done.set())
    done.wait()
    log.info("shutting down: draining in-flight batches for up to %.0fs", grace)
    running.stop(grace)


def serve_silo(silo: SiloEngine, revision: str, listen: str, security: Security | None,
               servicer: Any, add_servicer: Callable[[Any, grpc.Server], None],
               service_name: str, metrics_listen: str | None = None,
               max_concurrent_calls: int = DEFAULT_MAX_CONCURRENT_CALLS) -> RunningServer:
    """Serve SiloService for `silo` plus the silo's own service (ControlService or
    RegionService), and its metrics on `metrics_listen` when given; the database engine is
    disposed of when the server stops."""
    metrics_server = None
    if metrics_listen is not None:  # first: a taken port is refused before gRPC starts
        silo.metrics = SiloMetrics(spec.name for spec in silo.registry)
        metrics_server = _serve_metrics(metrics_listen, silo.metrics)

    def register(server: grpc.Server) -> list[str]:
        silo_service_pb2_grpc.add_SiloServiceServicer_to_server(SiloServicer(silo, revision),
                                                                server)
        add_servicer(servicer, server)
        return [silo_service_pb2.DESCRIPTOR.services_by_name["SiloService"].full_name,
                service_name]

    try:
        running = start_server(listen, register, security, max_concurrent_calls)
    except BaseException:
        if metrics_server is not None:
            _stop_metrics(metrics_server)
        raise
    running.on_stop(silo.engine.dispose)
    if metrics_server is not None:
        running.metrics_port = metrics_server.server_port
        running.on_stop(partial(_stop_metrics, metrics_server))
    return running


def parse_listen(listen: str) -> tuple[str, int]:
    """HOST:PORT (an IPv6 host in brackets) as (host, port); a ValueError saying why not."""
    host, _, port = listen.rpartition(":")
    if not host or not port.isdigit() or int(port) > 65535:
        raise ValueError(f"{listen!r} is not HOST:PORT")
    return host.strip("[]"), int(port)


def _serve_metrics(listen: str, metrics: SiloMetrics) -> WSGIServer:
    """Serve `metrics` for Prometheus at http://`listen`/metrics, on a thread of its own."""
    host, port = parse_listen(listen)
    try:
        server, _thread = start_http_server(port, host, registry=metrics.registry)
    except OSError as exc:
        raise PortUnavailable(f"cannot serve metrics on {listen}: {exc.strerror or exc}; "
                              "choose another with --metrics-listen") from exc
    log.info("serving metrics on http://%s:%d/metrics", host, server.server_port)
    return server


def _stop_metrics(server: WSGIServer) -> None:
    server.shutdown()
    server.server_close()
