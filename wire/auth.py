"""Signed RPC between the orchestrator and the silos.

Every call carries `x-relocate-timestamp` (unix seconds), `x-relocate-nonce` (random hex),
`x-relocate-body-sha256` (the SHA-256 of the serialized request, hex) and
`authorization: rpcsignature rpc2:<hex>` where the hex is HMAC-SHA256 of the method path, the
timestamp, the nonce and that digest, joined by colons, keyed with a shared secret. Everything
signed is in the metadata, so a silo checks a call before it reads the request: an unsigned
caller makes it hold nothing (`rpc1` signed the body itself, which had to be read, up to the
message limit, before it could be checked). The body, once read, must have the signed digest.
Sentry's scheme (`rpc0`, method and request only) let a captured call be replayed forever; a
silo refuses a timestamp outside the window and a nonce it has seen within it, and only ever
accepts `rpc2`: both ends are ours, no Sentry client calls a silo. Servers accept a list of
secrets so a secret can be rotated: sign with the new one first while the old one is still
accepted, then drop the old one.
"""

from __future__ import annotations

import collections
import hashlib
import heapq
import hmac
import re
import secrets as random_bytes
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

import grpc

METADATA_KEY = "authorization"
SCHEME = "rpcsignature"
VERSION = "rpc2"
TIMESTAMP_KEY = "x-relocate-timestamp"
NONCE_KEY = "x-relocate-nonce"
DIGEST_KEY = "x-relocate-body-sha256"
# How far a call's timestamp may be from the silo's clock, either way: room for clock skew
# and a batch queued behind others, small enough that a captured call soon goes stale.
WINDOW_SECONDS = 300
# Nonces remembered at once (each until its timestamp leaves the window): bounds the memory a
# flood of signed calls can take; past it calls are refused until old nonces expire.
MAX_NONCES = 100_000
_NONCE = re.compile(r"[0-9a-f]{16,64}")
_TIMESTAMP = re.compile(r"[0-9]{1,12}")
_DIGEST = re.compile(r"[0-9a-f]{64}")
# Calls anyone may make: load balancers and orchestrators probe health without a secret.
UNSIGNED_METHODS = frozenset({"/grpc.health.v1.Health/Check", "/grpc.health.v1.Health/Watch"})
# Streams of requests, which cannot be signed one request at a time: the call is signed as a
# whole, by the signature of its method and an empty body. Reflection only, so that a tool
# given that header (grpcurl -H) can describe a silo that requires signatures.
SIGNED_AS_A_CALL = frozenset({"/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
                              "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo"})
UNAUTHENTICATED_MESSAGE = ("missing or invalid RPC signature: give the orchestrator and the silo "
                           "the same secret (--shared-secret or RELOCATE_SHARED_SECRET)")
REPLAY_MESSAGE = ("RPC signature nonce already used: a replayed call is refused; sign every "
                  "call anew, with a fresh nonce")
TAMPERED_MESSAGE = ("the request's body does not have the SHA-256 its signature covers: it was "
                    "changed on the way, or signed for another body")
BUSY_MESSAGE = ("too many signed calls within the replay window to remember their nonces; "
                "retry later")


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


def body_digest(body: bytes) -> str:
    """What `x-relocate-body-sha256` says of a serialized request."""
    return hashlib.sha256(body).hexdigest()


# A stream of requests is signed as a whole, as a call with an empty body.
EMPTY_DIGEST = body_digest(b"")


def signature(secret: bytes, method: str, digest: str, timestamp: str, nonce: str) -> str:
    signed = ":".join((method, timestamp, nonce, digest)).encode()
    return f"{VERSION}:{hmac.new(secret, signed, hashlib.sha256).hexdigest()}"


def signed_metadata(secret: bytes, method: str, body: bytes,
                    now: float | None = None) -> list[tuple[str, str]]:
    """The metadata that signs one call: a timestamp, a fresh nonce, the body's digest and
    their signature."""
    timestamp = str(int(time.time() if now is None else now))
    nonce = random_bytes.token_hex(16)
    digest = body_digest(body)
    return [(TIMESTAMP_KEY, timestamp), (NONCE_KEY, nonce), (DIGEST_KEY, digest),
            (METADATA_KEY, f"{SCHEME} {signature(secret, method, digest, timestamp, nonce)}")]


def verify(secrets: Sequence[bytes], method: str, metadata: dict[str, str]) -> bool:
    """Whether the metadata signs a call of `method` (the body is not needed: its digest is
    what is signed)."""
    header, timestamp = metadata.get(METADATA_KEY), metadata.get(TIMESTAMP_KEY)
    nonce, digest = metadata.get(NONCE_KEY), metadata.get(DIGEST_KEY)
    if not header or not header.lower().startswith(SCHEME + " ") or not timestamp or \
            not _TIMESTAMP.fullmatch(timestamp) or not nonce or not _NONCE.fullmatch(nonce) or \
            not digest or not _DIGEST.fullmatch(digest):
        return False
    given = header[len(SCHEME) + 1:].strip()
    if not given.startswith(VERSION + ":"):
        return False
    return any(hmac.compare_digest(signature(s, method, digest, timestamp, nonce), given)
               for s in secrets)


class ReplayGuard:
    """The nonces of the calls accepted within the window, each kept until its timestamp
    leaves the window (a replay after that is refused as stale)."""

    def __init__(self, window: int = WINDOW_SECONDS, capacity: int = MAX_NONCES,
                 clock: Callable[[], float] = time.time) -> None:
        self.window, self.capacity, self.clock = window, capacity, clock
        self._seen: set[str] = set()
        self._expiry: list[tuple[int, str]] = []  # a heap: the first to expire on top
        self._lock = threading.Lock()

    def refusal(self, metadata: dict[str, str]) -> str | None:
        """Why a correctly signed call must be refused (stale or replayed), or None, having
        recorded its nonce."""
        timestamp, nonce = int(metadata[TIMESTAMP_KEY]), metadata[NONCE_KEY]
        now = int(self.clock())
        if abs(now - timestamp) > self.window:
            return (f"RPC signature timestamp is {now - timestamp:+d} s from the silo's clock, "
                    f"outside the {self.window} s window: a stale or replayed call is refused; "
                    "synchronise the clocks of the orchestrator and the silo (NTP)")
        with self._lock:
            while self._expiry and self._expiry[0][0] < now:
                self._seen.discard(heapq.heappop(self._expiry)[1])
            if nonce in self._seen:
                return REPLAY_MESSAGE
            if len(self._seen) >= self.capacity:
                return BUSY_MESSAGE
            self._seen.add(nonce)
            heapq.heappush(self._expiry, (timestamp + self.window, nonce))
        return None

    def __len__(self) -> int:
        return len(self._seen)


class SignatureCheck(grpc.ServerInterceptor):
    """Refuses unsigned or badly signed calls with UNAUTHENTICATED before their request is read.

    The signature is checked from the metadata alone, when the call arrives. A refused call
    gets a handler that aborts without reading its request (see `_refuse`); an accepted unary
    call gets a deserializer that checks its body against the signed digest before decoding
    it.
    """

    def __init__(self, secrets: Sequence[bytes]) -> None:
        if not secrets:
            raise ValueError("a signature check needs at least one shared secret")
        self.secrets = list(secrets)
        self.guard = ReplayGuard()

    def refusal(self, method: str, metadata: dict[str, str]) -> str | None:
        """Why a call must be refused, or None: signature first, so that only a holder of
        the secret learns about the clock or takes room among the nonces."""
        if not verify(self.secrets, method, metadata):
            return UNAUTHENTICATED_MESSAGE
        return self.guard.refusal(metadata)

    def intercept_service(self, continuation: Callable, details: grpc.HandlerCallDetails) -> Any:
        handler = continuation(details)
        if handler is None or details.method in UNSIGNED_METHODS:
            return handler
        metadata = {key: value for key, value in details.invocation_metadata or ()
                    if isinstance(value, str)}
        method = details.method
        if handler.request_streaming and method not in SIGNED_AS_A_CALL:
            return _refuse(handler, "client-streaming calls are not accepted on an "
                                    "authenticated silo")
        refusal = self.refusal(method, metadata)
        if refusal is None and handler.request_streaming and \
                metadata[DIGEST_KEY] != EMPTY_DIGEST:
            refusal = UNAUTHENTICATED_MESSAGE  # a stream is signed as an empty body
        if refusal is not None:
            return _refuse(handler, refusal)
        if handler.request_streaming:
            return handler
        signed = metadata[DIGEST_KEY]

        def deserialize(raw: bytes) -> tuple[Any, bool]:
            if not hmac.compare_digest(body_digest(raw), signed):
                return None, False
            return handler.request_deserializer(raw), True

        inner = handler.unary_stream if handler.response_streaming else handler.unary_unary

        def behaviour(checked: tuple[Any, bool], context: grpc.ServicerContext) -> Any:
            request, intact = checked
            if not intact:
                context.abort(grpc.StatusCode.UNAUTHENTICATED, TAMPERED_MESSAGE)
            return inner(request, context)

        build = grpc.unary_stream_rpc_method_handler if handler.response_streaming else \
            grpc.unary_unary_rpc_method_handler
        return build(behaviour, request_deserializer=deserialize,
                     response_serializer=handler.response_serializer)


def _refuse(handler: Any, message: str) -> Any:
    """A handler that refuses every call of `handler`'s method without reading its request.

    grpcio's server reads a unary call's request (up to the message limit) before its
    behaviour runs, but runs a client-streaming behaviour first and reads only the requests
    it asks for: so the refusal is a client-streaming handler that asks for none, whatever the
    method's own arity (docs/performance.md, "What a refused call costs a silo")."""

    def abort(requests: Any, context: grpc.ServicerContext) -> Any:
        context.abort(grpc.StatusCode.UNAUTHENTICATED, message)

    build = grpc.stream_stream_rpc_method_handler if handler.response_streaming else \
        grpc.stream_unary_rpc_method_handler
    return build(abort, response_serializer=handler.response_serializer)


class _CallDetails(collections.namedtuple(
        "_CallDetails", ("method", "timeout", "metadata", "credentials", "wait_for_ready",
                         "compression")), grpc.ClientCallDetails):
    pass


class SignRequests(grpc.UnaryUnaryClientInterceptor, grpc.UnaryStreamClientInterceptor):
    """Adds the timestamp, a fresh nonce, the body's digest and their signature to each
    request, made with the first secret: every attempt is signed anew, so a retry is not taken
    for a replay."""

    def __init__(self, secret: bytes) -> None:
        self.secret = secret

    def _signed(self, details: grpc.ClientCallDetails, request: Any) -> _CallDetails:
        body = request if isinstance(request, bytes) else request.SerializeToString()
        metadata = [*(details.metadata or ()),
                    *signed_metadata(self.secret, details.method, body)]
        return _CallDetails(details.method, details.timeout, metadata, details.credentials,
                            getattr(details, "wait_for_ready", None),
                            getattr(details, "compression", None))

    def intercept_unary_unary(self, continuation: Callable, details: grpc.ClientCallDetails,
                              request: Any) -> Any:
        return continuation(self._signed(details, request), request)

    def intercept_unary_stream(self, continuation: Callable, details: grpc.ClientCallDetails,
                               request: Any) -> Any:
        return continuation(self._signed(details, request), request)
