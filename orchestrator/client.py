"""gRPC clients for the silos, with retries for the failures that are safe to retry.

Every call the orchestrator makes is idempotent (batches by their chunk key, replicas by theirs,
slug reservations per organization), so UNAVAILABLE and DEADLINE_EXCEEDED are retried with
backoff; every other failure comes back as the silo's typed ImportFailure.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import grpc

from wire import MAX_MESSAGE_BYTES
from wire.auth import SignRequests
from wire.errors import ImportFailure
from wire.relocation.v1 import (
    control_service_pb2_grpc,
    region_service_pb2_grpc,
    silo_service_pb2,
    silo_service_pb2_grpc,
)

RETRYABLE = {grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED}
_IMPORT_BY_MODEL = "/{}/ImportByModel".format(
    silo_service_pb2.DESCRIPTOR.services_by_name["SiloService"].full_name)


@dataclass(frozen=True)
class ClientSecurity:
    """How the orchestrator proves itself to the silos."""

    secret: bytes | None = None  # signs every call (the first of the configured secrets)
    tls_ca: bytes | None = None  # verify the silo's certificate against this CA (enables TLS)
    tls_cert: bytes | None = None  # client certificate, for silos that require mutual TLS
    tls_key: bytes | None = None


class SiloClient:
    """One silo's channel and stubs."""

    def __init__(self, address: str, label: str, security: ClientSecurity | None = None,
                 timeout: float = 300.0, attempts: int = 5) -> None:
        self.address = address
        self.label = label
        self.timeout = timeout
        self.attempts = attempts
        security = security or ClientSecurity()
        options = [("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
                   ("grpc.max_send_message_length", MAX_MESSAGE_BYTES)]
        if security.tls_ca or security.tls_cert:
            credentials = grpc.ssl_channel_credentials(
                root_certificates=security.tls_ca, private_key=security.tls_key,
                certificate_chain=security.tls_cert)
            self._raw_channel = grpc.secure_channel(address, credentials, options=options)
        else:
            self._raw_channel = grpc.insecure_channel(address, options=options)
        self.channel = self._raw_channel
        if security.secret:
            self.channel = grpc.intercept_channel(self._raw_channel, SignRequests(security.secret))
        self.silo = silo_service_pb2_grpc.SiloServiceStub(self.channel)
        # ImportByModel with the request already serialized: a batch's bytes are made once,
        # for both the signature and the wire, and only they wait while the batch is queued.
        self.import_serialized = self.channel.unary_unary(
            _IMPORT_BY_MODEL, request_serializer=None,
            response_deserializer=silo_service_pb2.ImportByModelResponse.FromString)
        self.control = control_service_pb2_grpc.ControlServiceStub(self.channel)
        self.region = region_service_pb2_grpc.RegionServiceStub(self.channel)

    def call(self, method: Callable[..., Any], request: Any, model: str | None = None) -> Any:
        delay = 0.2
        for attempt in range(1, self.attempts + 1):
            try:
                return method(request, timeout=self.timeout)
            except grpc.RpcError as error:
                failure = ImportFailure.from_rpc_error(error, model)
                if error.code() not in RETRYABLE or attempt == self.attempts:
                    if error.code() == grpc.StatusCode.UNAVAILABLE and failure.model is None:
                        failure.reason = (f"the {self.label} silo at {self.address} is not "
                                          f"reachable ({error.details()}). Is it running?")
                    raise failure from None
                time.sleep(delay)
                delay = min(delay * 2, 5.0)
        raise AssertionError("unreachable")

    def describe(self) -> silo_service_pb2.DescribeModelsResponse:
        return self.call(self.silo.DescribeModels, silo_service_pb2.DescribeModelsRequest())

    def close(self) -> None:
        self._raw_channel.close()
