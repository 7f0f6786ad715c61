"""A silo as the orchestrator sees it: one typed method per call, retries and errors inside.

Every call the orchestrator makes is idempotent (batches by their chunk key, replicas by theirs,
slug reservations per organization), so a silo that restarts in the middle of an import costs
a wait, not the import: UNAVAILABLE (the silo is down, or its database is: DatabaseError),
CANCELLED (a silo shutting down cancels the calls it has), DEADLINE_EXCEEDED and
RESOURCE_EXHAUSTED (a silo refusing calls past its concurrent-call limit) are retried with
exponential backoff until the retry deadline (`--retry-deadline`), each retry logged; a silo
still failing so then is `SiloUnavailable`. A message over the size limit is
`MessageTooLarge`, naming the batch's model and records; every other failure comes back as the
silo's typed ImportFailure. An export stream that breaks is opened again and resumes after the
last record it yielded (the silo streams a model in ascending pk order).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from types import TracebackType
from typing import Any, TypeVar, cast

import grpc
import orjson

from wire import MAX_MESSAGE_BYTES
from wire.auth import SignRequests
from wire.batchlog import BatchLine
from wire.errors import TRANSPORT_FAILURES, ErrorKind, ImportFailure, too_large
from wire.relocation.v1 import (
    control_service_pb2,
    control_service_pb2_grpc,
    models_pb2,
    region_service_pb2,
    region_service_pb2_grpc,
    silo_service_pb2,
    silo_service_pb2_grpc,
)
from wire.scopes import ImportScope

RETRYABLE = TRANSPORT_FAILURES  # but a message too large, which is the same on a retry
# Seconds a call is retried for before its silo is given up on: long enough for a silo (or its
# PostgreSQL) to be restarted or rescheduled (`docker restart`, a Kubernetes pod moved).
DEFAULT_RETRY_DEADLINE = 180.0
FIRST_DELAY = 0.2  # seconds before the first retry, doubled after each one, up to MAX_DELAY
MAX_DELAY = 5.0
# How soon the channel tries a silo's address again after a failed connection (gRPC's own
# backoff grows to 120 s, which would leave a silo back after a minute unused for two).
_RECONNECT = [("grpc.initial_reconnect_backoff_ms", int(FIRST_DELAY * 1000)),
              ("grpc.max_reconnect_backoff_ms", int(MAX_DELAY * 1000))]
log = logging.getLogger(__name__)
_IMPORT_BY_MODEL = "/{}/ImportByModel".format(
    silo_service_pb2.DESCRIPTOR.services_by_name["SiloService"].full_name)
_Reply = TypeVar("_Reply")


@dataclass(frozen=True)
class ClientSecurity:
    """How the orchestrator proves itself to the silos."""

    secret: bytes | None = None  # signs every call (the first of the configured secrets)
    tls_ca: bytes | None = None  # verify the silo's certificate against this CA (enables TLS)
    tls_cert: bytes | None = None  # client certificate, for silos that require mutual TLS
    tls_key: bytes | None = None


class SiloClient:
    """One silo's channel; a context manager that closes it."""

    def __init__(self, address: str, label: str, security: ClientSecurity | None = None,
                 timeout: float = 300.0,
                 retry_deadline: float = DEFAULT_RETRY_DEADLINE) -> None:
        self.address = address
        self.label = label
        self.timeout = timeout
        self.retry_deadline = retry_deadline  # 0: one attempt, no retry
        self._stopping = threading.Event()  # set: the call in flight is the last attempt
        security = security or ClientSecurity()
        options = [("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
                   ("grpc.max_send_message_length", MAX_MESSAGE_BYTES), *_RECONNECT]
        if security.tls_ca or security.tls_cert:
            credentials = grpc.ssl_channel_credentials(
                root_certificates=security.tls_ca, private_key=security.tls_key,
                certificate_chain=security.tls_cert)
            self._raw_channel = grpc.secure_channel(address, credentials, options=options)
        else:
            self._raw_channel = grpc.insecure_channel(address, options=options)
        channel = self._raw_channel
        if security.secret:
            channel = grpc.intercept_channel(self._raw_channel, SignRequests(security.secret))
        self._silo = silo_service_pb2_grpc.SiloServiceStub(channel)
        # ImportByModel with the request already serialized: a batch's bytes are made once,
        # for both the signature and the wire, and only they wait while the batch is queued.
        self._import_serialized = channel.unary_unary(
            _IMPORT_BY_MODEL, request_serializer=None,
            response_deserializer=silo_service_pb2.ImportByModelResponse.FromString)
        self._control = control_service_pb2_grpc.ControlServiceStub(channel)
        self._region = region_service_pb2_grpc.RegionServiceStub(channel)

    def __enter__(self) -> SiloClient:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        self._raw_channel.close()

    def stop_retrying(self) -> None:
        """Give up the retries waiting and to come (the import was interrupted): a silo that
        is down must not hold up the exit until the retry deadline."""
        self._stopping.set()

    # --- the calls ----------------------------------------------------------------------------

    def describe(self) -> silo_service_pb2.DescribeModelsResponse:
        return self._call(self._silo.DescribeModels, silo_service_pb2.DescribeModelsRequest())

    def bind_import(self, request: silo_service_pb2.BindImportRequest
                    ) -> silo_service_pb2.BindImportResponse:
        return self._call(self._silo.BindImport, request)

    def complete_import(self, import_uuid: str) -> bool:
        """Mark the import complete in this silo; False when it has no binding for it."""
        return self._call(self._silo.CompleteImport, silo_service_pb2.CompleteImportRequest(
            import_uuid=import_uuid)).known

    def list_imports(self) -> list[silo_service_pb2.ImportSummary]:
        return list(self._call(self._silo.ListImports,
                               silo_service_pb2.ListImportsRequest()).imports)

    def rollback_import(self, import_uuid: str, cascade: bool,
                        dry_run: bool) -> silo_service_pb2.RollbackImportResponse:
        return self._call(self._silo.RollbackImport, silo_service_pb2.RollbackImportRequest(
            import_uuid=import_uuid, cascade=cascade, dry_run=dry_run))

    def import_batch(self, head: bytes, json_records: bytearray,
                     line: BatchLine) -> silo_service_pb2.ImportByModelResponse:
        """Import one batch: `head` is its ImportByModelRequest serialized without records,
        `json_records` their JSON array (see with_json_records). `json_records` is emptied
        once framed: only the request waits for the answer, not the records twice. The batch
        is logged as `line` when sent, retried, answered (written, or from the silo's ledger
        on a resume) and failed."""
        request = with_json_records(head, json_records)
        json_records.clear()
        log.debug("batch sent", extra=line.extra(bytes=len(request)))
        started = time.monotonic()
        try:
            reply = self._call(self._import_serialized, request, line.model, line)
        except ImportFailure as failure:
            log.info("batch failed", extra=line.extra(
                outcome="failed", error_kind=failure.kind.name,
                seconds=round(time.monotonic() - started, 4)))
            raise
        log.info("batch answered", extra=line.extra(
            outcome="from_ledger" if reply.from_ledger else "written",
            seconds=round(time.monotonic() - started, 4)))
        return reply

    def reserve_slugs(self, request: control_service_pb2.ReserveOrganizationSlugsRequest
                      ) -> control_service_pb2.ReserveOrganizationSlugsResponse:
        return self._call(self._control.ReserveOrganizationSlugs, request)

    def map_members(self, members: list[control_service_pb2.OrganizationMemberMapping]) -> None:
        self._call(self._control.MapOrganizationMembers,
                   control_service_pb2.MapOrganizationMembersRequest(members=members))

    def store_replica(self, request: region_service_pb2.StoreControlChunkReplicaRequest) -> None:
        self._call(self._region.StoreControlChunkReplica, request, request.model)

    def update_slugs(self, updates: list[region_service_pb2.SlugUpdate]) -> None:
        self._call(self._region.UpdateOrganizationSlugs,
                   region_service_pb2.UpdateOrganizationSlugsRequest(updates=updates))

    def export_model(self, model: str, scope: ImportScope,
                     batch_size: int) -> Iterator[dict[str, Any]]:
        """The model's records in ascending pk order, as the silo streams them."""
        request = silo_service_pb2.ExportByModelRequest(
            model=model, scope=cast(models_pb2.ImportScope, scope.to_proto()),
            batch_size=batch_size)
        last_pk: int | None = None
        for attempt in self._attempts(model):
            with attempt:
                for reply in self._silo.ExportByModel(request, timeout=self.timeout * 10):
                    for record in orjson.loads(reply.json_records):
                        if last_pk is None or record["pk"] > last_pk:  # not yielded before
                            last_pk = record["pk"]
                            yield record
                return

    # --- retries ------------------------------------------------------------------------------

    def _call(self, method: Callable[..., _Reply], request: Any,
              model: str | None = None, line: BatchLine | None = None) -> _Reply:
        for attempt in self._attempts(model, request, line):
            with attempt:
                return method(request, timeout=self.timeout)
        raise AssertionError("unreachable: the last attempt raises")

    def _attempts(self, model: str | None, request: Any = None,
                  line: BatchLine | None = None) -> Iterator[_Attempt]:
        """Attempts of one call: each catches a retryable failure, which is logged, and the
        next begins after a backoff; the one that starts at the retry deadline or after it
        raises its failure, as any attempt does a failure that is not retryable."""
        give_up = time.monotonic() + self.retry_deadline
        delay = FIRST_DELAY
        while True:
            last = self._stopping.is_set() or time.monotonic() >= give_up
            attempt = _Attempt(self, model, last, request, line)
            yield attempt
            left = max(give_up - time.monotonic(), 0.0)
            wait = min(delay, left)
            log.warning("the %s silo at %s did not answer a call%s (%s); retrying in %.1fs, "
                        "giving up in %.0fs", self.label, self.address,
                        f" on {model}" if model else "", attempt.status, wait, left,
                        extra=None if line is None else line.extra(outcome="retried"))
            self._stopping.wait(wait)
            delay = min(delay * 2, MAX_DELAY)


class _Attempt:
    """One try of a call (a context manager): maps its gRPC failure to an ImportFailure and
    swallows it (keeping its status, for the log) when another try may follow."""

    def __init__(self, client: SiloClient, model: str | None, last: bool, request: Any,
                 line: BatchLine | None) -> None:
        self.client = client
        self.model = model
        self.last = last
        self.request = request
        self.line = line
        self.status = ""

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> bool:
        if not isinstance(error, grpc.RpcError):
            return False
        code = error.code()
        if code in RETRYABLE and not too_large(error) and not self.last:
            self.status = f"{code.name}: {error.details()}"
            return True
        failure = ImportFailure.from_rpc_error(error, self.model)
        if failure.kind is ErrorKind.SILO_UNAVAILABLE:
            failure.reason = self._unavailable(code, error.details())
        elif failure.kind is ErrorKind.MESSAGE_TOO_LARGE:
            failure.reason = self._too_large(error.details())
            failure.ordinal = self.line.min_ordinal if self.line else None
        raise failure from None

    def _unavailable(self, code: grpc.StatusCode, details: str) -> str:
        client = self.client
        waited = (f" for the retry deadline ({client.retry_deadline:g}s, --retry-deadline)"
                  if client.retry_deadline else "")
        silo = f"the {client.label} silo at {client.address}"
        status = f"({code.name}: {details})"
        if code is grpc.StatusCode.DEADLINE_EXCEEDED:
            return (f"{silo} did not answer within {client.timeout:g}s{waited} {status}. Is it "
                    "overloaded, or its database?")
        if code is grpc.StatusCode.RESOURCE_EXHAUSTED:
            return (f"{silo} refused the call{waited}: it was serving as many calls as it "
                    f"takes at once (relocate serve --max-concurrent-calls) {status}. Is "
                    "another import or export using it?")
        return f"{silo} was not reachable{waited} {status}. Is it running?"

    def _too_large(self, details: str) -> str:
        what = "the call"
        if self.line:
            what = (f"records #{self.line.min_ordinal} to #{self.line.max_ordinal} (a "
                    f"{len(self.request):,}"
                    "-byte request)")
        return (f"{what}: a message to or from the {self.client.label} silo was over the "
                f"{MAX_MESSAGE_BYTES:,}-byte limit ({details}). Batches and export answers are "
                "cut to fit the limit: does the silo run a version with a smaller one?")


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
