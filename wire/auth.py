"""Signed RPC between the orchestrator and the silos.

Every call carries `authorization: rpcsignature rpc0:<hex>` where the hex is HMAC-SHA256 of the
method path, a colon and the serialized request, keyed with a shared secret (Sentry's RPC
signature scheme). Servers accept a list of secrets so a secret can be rotated: sign with the
new one first while the old one is still accepted, then drop the old one.
"""

from __future__ import annotations

import collections
import hashlib
import hmac
from collections.abc import Callable, Sequence
from typing import Any

import grpc

METADATA_KEY = "authorization"
SCHEME = "rpcsignature"
VERSION = "rpc0"
# Calls anyone may make: load balancers and orchestrators probe health without a secret.
UNSIGNED_METHODS = frozenset({"/grpc.health.v1.Health/Check", "/grpc.health.v1.Health/Watch"})
# Streams of requests, which cannot be signed one request at a time: the call is signed as a
# whole, by the signature of its method and an empty body. Reflection only, so that a tool
# given that header (grpcurl -H) can describe a silo that requires signatures.
SIGNED_AS_A_CALL = frozenset({"/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
                              "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo"})
UNAUTHENTICATED_MESSAGE = ("missing or invalid RPC signature: give the orchestrator and the silo "
                           "the same secret (--shared-secret or RELOCATE_SHARED_SECRET)")


# A secret anyone could guess signs calls anyone could make: 32 characters is what
# `openssl rand -hex 16` gives, the least that holds 128 bits of randomness.
MIN_SECRET_CHARS = 32
SECRET_RULE = (f"a shared secret must be at least {MIN_SECRET_CHARS} characters; make one with "
               "`openssl rand -hex 32`")


def weak_secrets(secrets: Sequence[bytes]) -> list[int]:
    """The 1-based positions of the secrets too short to be kept secret (every one must
    pass: an old secret still accepted during a rotation signs as well as the new one)."""
    return [n for n, secret in enumerate(secrets, 1) if len(secret) < MIN_SECRET_CHARS]


def parse_secrets(value: str | Sequence[str] | None) -> list[bytes]:
    """Secrets from a comma-separated string or a list; blanks dropped."""
    if value is None:
        return []
    items = value.split(",") if isinstance(value, str) else list(value)
    return [item.strip().encode() for item in items if item.strip()]


def signature(secret: bytes, method: str, body: bytes) -> str:
    digest = hmac.new(secret, method.encode() + b":" + body, hashlib.sha256).hexdigest()
    return f"{VERSION}:{digest}"


def verify(secrets: Sequence[bytes], method: str, body: bytes, header: str | None) -> bool:
    if not header or not header.lower().startswith(SCHEME + " "):
        return False
    given = header[len(SCHEME) + 1:].strip()
    if not given.startswith(VERSION + ":"):
        return False
    return any(hmac.compare_digest(signature(s, method, body), given) for s in secrets)


class SignatureCheck(grpc.ServerInterceptor):
    """Refuses unsigned or badly signed unary calls with UNAUTHENTICATED before they run.

    The signature covers the request bytes, which only the request deserializer sees, so the
    handler is rebuilt with a deserializer that checks them and a behaviour that aborts when
    the check failed.
    """

    def __init__(self, secrets: Sequence[bytes]) -> None:
        if not secrets:
            raise ValueError("a signature check needs at least one shared secret")
        self.secrets = list(secrets)

    def intercept_service(self, continuation: Callable, details: grpc.HandlerCallDetails) -> Any:
        handler = continuation(details)
        if handler is None or details.method in UNSIGNED_METHODS:
            return handler
        header = dict(details.invocation_metadata or ()).get(METADATA_KEY)
        if handler.request_streaming:
            if details.method in SIGNED_AS_A_CALL and verify(self.secrets, details.method,
                                                             b"", header):
                return handler
            return _refuse(handler, "client-streaming calls are not accepted on an "
                                    "authenticated silo")
        method = details.method
        secrets = self.secrets

        def deserialize(raw: bytes) -> tuple[Any, bool]:
            ok = verify(secrets, method, raw, header)
            return (handler.request_deserializer(raw) if ok else None), ok

        inner = handler.unary_stream if handler.response_streaming else handler.unary_unary

        def behaviour(checked: tuple[Any, bool], context: grpc.ServicerContext) -> Any:
            request, ok = checked
            if not ok:
                context.abort(grpc.StatusCode.UNAUTHENTICATED, UNAUTHENTICATED_MESSAGE)
            return inner(request, context)

        build = grpc.unary_stream_rpc_method_handler if handler.response_streaming else \
            grpc.unary_unary_rpc_method_handler
        return build(behaviour, request_deserializer=deserialize,
                     response_serializer=handler.response_serializer)


def _refuse(handler: Any, message: str) -> Any:
    """A handler for a client-streaming method that refuses every call."""

    def abort(requests: Any, context: grpc.ServicerContext) -> Any:
        context.abort(grpc.StatusCode.UNAUTHENTICATED, message)

    build = grpc.stream_stream_rpc_method_handler if handler.response_streaming else \
        grpc.stream_unary_rpc_method_handler
    return build(abort, request_deserializer=handler.request_deserializer,
                 response_serializer=handler.response_serializer)


class _CallDetails(collections.namedtuple(
        "_CallDetails", ("method", "timeout", "metadata", "credentials", "wait_for_ready",
                         "compression")), grpc.ClientCallDetails):
    pass


class SignRequests(grpc.UnaryUnaryClientInterceptor, grpc.UnaryStreamClientInterceptor):
    """Adds the signature of each request, made with the first secret."""

    def __init__(self, secret: bytes) -> None:
        self.secret = secret

    def _signed(self, details: grpc.ClientCallDetails, request: Any) -> _CallDetails:
        body = request if isinstance(request, bytes) else request.SerializeToString()
        header = f"{SCHEME} {signature(self.secret, details.method, body)}"
        metadata = [*(details.metadata or ()), (METADATA_KEY, header)]
        return _CallDetails(details.method, details.timeout, metadata, details.credentials,
                            getattr(details, "wait_for_ready", None),
                            getattr(details, "compression", None))

    def intercept_unary_unary(self, continuation: Callable, details: grpc.ClientCallDetails,
                              request: Any) -> Any:
        return continuation(self._signed(details, request), request)

    def intercept_unary_stream(self, continuation: Callable, details: grpc.ClientCallDetails,
                               request: Any) -> Any:
        return continuation(self._signed(details, request), request)
