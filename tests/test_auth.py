"""Signed RPC and (mutual) TLS between the orchestrator and the silos, over real channels."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import ipaddress
import json
import logging
import re
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import grpc
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

from orchestrator.client import ClientSecurity, SiloClient
from silo_engine.redact import database_message, field_message, is_sensitive
from silo_engine.server import Security
from tests.conftest import (
    ROOT,
    Silos,
    _admin,
    _db_url,
    fixture_path,
    fresh_silos,
    load_fixture,
    run_cli,
)
from tests.test_cli_and_services import RELOCATE, _free_port
from wire.auth import (
    BUSY_MESSAGE,
    DIGEST_KEY,
    EMPTY_DIGEST,
    REPLAY_MESSAGE,
    TAMPERED_MESSAGE,
    ReplayGuard,
    SignRequests,
    body_digest,
    signature,
    signed_metadata,
)
from wire.errors import ImportFailure
from wire.relocation.v1 import silo_service_pb2, silo_service_pb2_grpc
from wire.scopes import ImportScope

NEW, OLD = b"new-secret-" + b"n" * 32, b"old-secret-" + b"o" * 32  # the CLI's rule: 32+


@pytest.fixture
def secured(pg_admin_url: str, templates: dict[str, str]) -> Iterator[Silos]:
    with fresh_silos(pg_admin_url, templates, security=Security(secrets=(NEW, OLD))) as s:
        yield s


def _option_request() -> silo_service_pb2.ImportByModelRequest:
    return silo_service_pb2.ImportByModelRequest(
        model="sentry.controloption", scope=ImportScope.CONFIG.to_proto(),
        flags=silo_service_pb2.ImportFlags(import_uuid="ab" * 16), min_ordinal=1,
        json_records=b'[{"model": "sentry.controloption", "pk": 7, "fields": {"key": "k", '
                     b'"value": "\\"v\\"", "last_updated": "2023-06-22T00:00:00.000Z", '
                     b'"last_updated_by": "unknown"}}]')


class _Capture(grpc.UnaryUnaryClientInterceptor):
    """Records the metadata a call went out with, as someone on the wire would."""

    def __init__(self) -> None:
        self.metadata: list[tuple[str, str]] = []

    def intercept_unary_unary(self, continuation: Callable, details: grpc.ClientCallDetails,
                              request: Any) -> Any:
        self.metadata = list(details.metadata or ())
        return continuation(details, request)


def _call(address: str, secret: bytes | None) -> silo_service_pb2.ImportByModelResponse:
    channel = grpc.insecure_channel(address)
    if secret is not None:
        channel = grpc.intercept_channel(channel, SignRequests(secret))
    return silo_service_pb2_grpc.SiloServiceStub(channel).ImportByModel(_option_request(),
                                                                          timeout=10)


@pytest.mark.parametrize("secret", [None, b"wrong-secret"])
def test_unsigned_or_badly_signed_calls_are_refused(secured: Silos, secret: bytes | None) -> None:
    with pytest.raises(grpc.RpcError) as caught:
        _call(secured.control_address, secret)
    assert caught.value.code() is grpc.StatusCode.UNAUTHENTICATED
    assert "RELOCATE_SHARED_SECRET" in caught.value.details()
    assert secured.count("control", "sentry_controloption") == 0
    assert secured.count("control", "sentry_controlimportchunk") == 0


def test_rotated_secret_list_accepts_old_and_new(secured: Silos) -> None:
    first = _call(secured.control_address, OLD)
    again = _call(secured.control_address, NEW)
    assert list(first.mapped.old_pks) == [7]
    assert again.from_ledger and again.mapped == first.mapped
    assert secured.count("control", "sentry_controloption") == 1


IMPORT_BY_MODEL = "/relocation.v1.SiloService/ImportByModel"


def _stub(address: str) -> silo_service_pb2_grpc.SiloServiceStub:
    return silo_service_pb2_grpc.SiloServiceStub(grpc.insecure_channel(address))


def test_a_tampered_body_is_refused(secured: Silos) -> None:
    """A signature made for one request does not authorise another: the body read must have
    the digest signed, and a digest changed to match the body breaks the signature."""
    request = _option_request()
    metadata = signed_metadata(NEW, IMPORT_BY_MODEL, request.SerializeToString())
    request.min_ordinal = 2
    with pytest.raises(grpc.RpcError) as caught:
        _stub(secured.control_address).ImportByModel(request, metadata=metadata, timeout=10)
    assert caught.value.code() is grpc.StatusCode.UNAUTHENTICATED
    assert caught.value.details() == TAMPERED_MESSAGE
    redigested = [(key, body_digest(request.SerializeToString()) if key == DIGEST_KEY
                   else value) for key, value in signed_metadata(
                       NEW, IMPORT_BY_MODEL, _option_request().SerializeToString())]
    with pytest.raises(grpc.RpcError) as caught:
        _stub(secured.control_address).ImportByModel(request, metadata=redigested, timeout=10)
    assert caught.value.code() is grpc.StatusCode.UNAUTHENTICATED
    assert "RELOCATE_SHARED_SECRET" in caught.value.details()
    assert secured.count("control", "sentry_controloption") == 0


def test_an_exact_replay_of_a_signed_call_is_refused(secured: Silos) -> None:
    """The same metadata and body sent again (a captured call) is refused by its nonce, and
    the silo answers nothing (a replayed export would hand out password hashes); the same
    request signed anew passes."""
    capture = _Capture()  # inside the signer: sees what goes on the wire
    channel = grpc.intercept_channel(grpc.insecure_channel(secured.control_address),
                                     SignRequests(NEW), capture)
    signed = silo_service_pb2_grpc.SiloServiceStub(channel)
    assert list(signed.ImportByModel(_option_request(), timeout=10).mapped.old_pks) == [7]
    with pytest.raises(grpc.RpcError) as caught:
        _stub(secured.control_address).ImportByModel(_option_request(),
                                                     metadata=capture.metadata, timeout=10)
    assert caught.value.code() is grpc.StatusCode.UNAUTHENTICATED
    assert "replayed call is refused" in caught.value.details()
    assert signed.ImportByModel(_option_request(), timeout=10).from_ledger
    assert secured.count("control", "sentry_controloption") == 1


@pytest.mark.parametrize("skew", [-301, 301])
def test_a_call_signed_outside_the_window_is_refused(secured: Silos, skew: int) -> None:
    """A correctly signed call whose timestamp is outside the window around the silo's
    clock (a stale capture, or a clock that drifted) is refused, naming the skew."""
    request = _option_request()
    metadata = signed_metadata(NEW, IMPORT_BY_MODEL, request.SerializeToString(),
                               now=time.time() + skew)
    with pytest.raises(grpc.RpcError) as caught:
        _stub(secured.control_address).ImportByModel(request, metadata=metadata, timeout=10)
    assert caught.value.code() is grpc.StatusCode.UNAUTHENTICATED
    assert "from the silo's clock" in caught.value.details()
    assert "synchronise the clocks" in caught.value.details()
    assert secured.count("control", "sentry_controloption") == 0


def test_the_nonces_remembered_are_bounded_and_expire_with_the_window() -> None:
    """A silo keeps a nonce only while its call could still be replayed, and no more than
    its capacity at once: past that it refuses calls rather than forget a live nonce."""
    now = [1_000_000.0]
    guard = ReplayGuard(window=300, capacity=2, clock=lambda: now[0])

    def call(nonce: str, at: float) -> str | None:
        return guard.refusal({"x-relocate-timestamp": str(int(at)), "x-relocate-nonce": nonce})

    assert call("a" * 32, now[0]) is None and call("b" * 32, now[0] + 100) is None
    assert call("a" * 32, now[0]) == REPLAY_MESSAGE
    assert call("c" * 32, now[0]) == BUSY_MESSAGE
    now[0] += 301  # the first call is stale now: its nonce is let go, the second's is kept
    assert call("c" * 32, now[0]) is None and len(guard) == 2
    assert call("b" * 32, now[0] - 201) == REPLAY_MESSAGE
    assert "outside the 300 s window" in (call("d" * 32, now[0] - 301) or "")


def test_sentrys_plain_signature_is_refused(secured: Silos) -> None:
    """Sentry's rpc0 scheme (method and body only) is what made replays possible; no Sentry
    client calls a silo, so it is not accepted."""
    request = _option_request()
    digest = hmac.new(NEW, IMPORT_BY_MODEL.encode() + b":" + request.SerializeToString(),
                      hashlib.sha256).hexdigest()
    with pytest.raises(grpc.RpcError) as caught:
        _stub(secured.control_address).ImportByModel(
            request, metadata=[("authorization", f"rpcsignature rpc0:{digest}")], timeout=10)
    assert caught.value.code() is grpc.StatusCode.UNAUTHENTICATED
    assert "RELOCATE_SHARED_SECRET" in caught.value.details()


def test_health_needs_no_signature(secured: Silos) -> None:
    stub = health_pb2_grpc.HealthStub(grpc.insecure_channel(secured.region_address))
    answer = stub.Check(health_pb2.HealthCheckRequest(), timeout=10)
    assert answer.status == health_pb2.HealthCheckResponse.SERVING


def _reflect(address: str, metadata: list[tuple[str, str]]) -> list[str]:
    """The services a silo lists by reflection (what grpcurl asks first)."""
    stub = reflection_pb2_grpc.ServerReflectionStub(grpc.insecure_channel(address))
    answers = stub.ServerReflectionInfo(
        iter([reflection_pb2.ServerReflectionRequest(list_services="")]), metadata=metadata,
        timeout=10)
    return sorted(s.name for answer in answers for s in answer.list_services_response.service)


def test_reflection_is_served_to_a_signed_call(secured: Silos) -> None:
    """A stream of requests is signed as a whole: the method, timestamp, nonce and the digest
    of an empty body (README: the grpcurl example); a replay of that stream's metadata is
    refused, and so is a stream signed with another body's digest."""
    method = "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo"
    metadata = signed_metadata(OLD, method, b"")
    assert "relocation.v1.SiloService" in _reflect(secured.control_address, metadata)
    timestamp, nonce = str(int(time.time())), "0123456789abcdef"
    for refused in ([], metadata, signed_metadata(b"x" * 40, method, b""),
                    signed_metadata(OLD, method, b"", now=time.time() - 600),
                    signed_metadata(OLD, method, b"[]"),  # a stream is signed as no body
                    [("x-relocate-timestamp", timestamp), ("x-relocate-nonce", nonce),
                     (DIGEST_KEY, EMPTY_DIGEST), ("authorization", "rpcsignature "
                      + signature(OLD, method, EMPTY_DIGEST, timestamp, nonce + "0"))]):
        with pytest.raises(grpc.RpcError) as caught:
            _reflect(secured.control_address, refused)
        assert caught.value.code() is grpc.StatusCode.UNAUTHENTICATED


def test_cli_import_signs_with_the_shared_secret(secured: Silos, tmp_path: Path) -> None:
    args = ["import", "users", fixture_path("user-with-minimum-privileges.json"), "--no-prompt"]
    refused = secured.relocate(*args)
    assert refused.code == 1 and "RELOCATE_SHARED_SECRET" in refused.stderr
    assert secured.count("control", "auth_user") == 0
    accepted = secured.relocate(*args, "--shared-secret", OLD.decode())
    assert accepted.code == 0, accepted.stderr
    assert secured.count("control", "auth_user") == 1


# --- TLS ----------------------------------------------------------------------------------

def _key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def _pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def _cert(subject: str, key: ec.EllipticCurvePrivateKey, issuer: x509.Certificate | None,
          issuer_key: ec.EllipticCurvePrivateKey, ca: bool = False) -> x509.Certificate:
    now = dt.datetime.now(dt.UTC)
    builder = (x509.CertificateBuilder()
               .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
               .issuer_name(issuer.subject if issuer else
                            x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
               .public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(now - dt.timedelta(minutes=5))
               .not_valid_after(now + dt.timedelta(days=1))
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    if not ca:
        builder = builder.add_extension(x509.SubjectAlternativeName(
            [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


@pytest.fixture(scope="module")
def pki() -> dict[str, bytes]:
    ca_key = _key()
    ca = _cert("relocation test CA", ca_key, None, ca_key, ca=True)
    server_key, client_key = _key(), _key()
    pem = serialization.Encoding.PEM
    return {
        "ca": ca.public_bytes(pem),
        "server_cert": _cert("silo", server_key, ca, ca_key).public_bytes(pem),
        "server_key": _pem(server_key),
        "client_cert": _cert("orchestrator", client_key, ca, ca_key).public_bytes(pem),
        "client_key": _pem(client_key),
    }


def test_mutual_tls_requires_a_client_certificate(pg_admin_url: str, templates: dict[str, str],
                                                  pki: dict[str, bytes]) -> None:
    security = Security(secrets=(NEW,), tls_cert=pki["server_cert"], tls_key=pki["server_key"],
                        tls_ca=pki["ca"])
    with fresh_silos(pg_admin_url, templates, security=security) as silos:
        good = SiloClient(silos.control_address.replace("127.0.0.1", "localhost"), "control",
                          ClientSecurity(secret=NEW, tls_ca=pki["ca"], tls_cert=pki["client_cert"],
                                         tls_key=pki["client_key"]), retry_deadline=0, timeout=10)
        assert good.describe().models
        good.close()
        for security_without_cert in (ClientSecurity(secret=NEW, tls_ca=pki["ca"]),
                                      ClientSecurity(secret=NEW)):
            bad = SiloClient(silos.control_address.replace("127.0.0.1", "localhost"),
                             "control", security_without_cert, retry_deadline=0, timeout=10)
            with pytest.raises(ImportFailure):
                bad.describe()
            bad.close()


def test_health_checks_a_tls_silo_with_the_tls_options(
        pg_admin_url: str, templates: dict[str, str], pki: dict[str, bytes], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """`relocate health` speaks TLS as the orchestrator does: --tls-ca (mutual TLS: with
    --tls-cert and --tls-key), or the same variables."""
    files = {}
    for name in ("ca", "client_cert", "client_key"):
        files[name] = tmp_path / f"{name}.pem"
        files[name].write_bytes(pki[name])
    security = Security(secrets=(NEW,), tls_cert=pki["server_cert"], tls_key=pki["server_key"],
                        tls_ca=pki["ca"])
    with fresh_silos(pg_admin_url, templates, security=security) as silos:
        address = silos.region_address.replace("127.0.0.1", "localhost")
        mutual = ["--tls-ca", str(files["ca"]), "--tls-cert", str(files["client_cert"]),
                  "--tls-key", str(files["client_key"])]
        assert run_cli(["health", address, *mutual]).code == 0
        plain = run_cli(["health", address])
        assert plain.code == 1 and "UNAVAILABLE" in plain.stderr
        assert run_cli(["health", address, "--tls-ca", str(files["ca"])]).code == 1  # no cert
        half = run_cli(["health", address, "--tls-ca", str(files["ca"]), "--tls-cert",
                        str(files["client_cert"])])
        assert half.code == 2 and "--tls-cert and --tls-key go together" in half.stderr
        for variable, name in (("RELOCATE_TLS_CA", "ca"), ("RELOCATE_TLS_CERT", "client_cert"),
                               ("RELOCATE_TLS_KEY", "client_key")):
            monkeypatch.setenv(variable, str(files[name]))
        assert run_cli(["health", address]).code == 0


# --- secrets stay out of findings and logs -------------------------------------------------

def test_a_rejected_credential_is_not_echoed_in_the_findings(
        silos: Silos, export_file, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """A bad password value is reported by field and record, never by value."""
    secret_value = "pbkdf2_sha256$" + "S3CRET" * 40
    user = load_fixture("user-with-minimum-privileges.json")[0]
    user["fields"]["password"] = secret_value
    findings = tmp_path / "findings.json"
    with caplog.at_level(logging.DEBUG):
        result = silos.relocate("import", "users", export_file([user]), "--no-prompt",
                                "--findings-file", findings)
    assert result.code == 1
    text = findings.read_text()
    (finding,) = json.loads(text)
    assert finding["kind"] == "ValidationError" and "password" in finding["reason"]
    for output in (text, result.stderr, caplog.text):
        assert "S3CRET" not in output
    assert silos.count("control", "auth_user") == 0


def test_database_messages_lose_the_values_they_quote() -> None:
    message = 'duplicate key value violates unique constraint "t_token_uniq" DETAIL:  ' \
              'Key (token)=(sntryu_abc123) already exists.'
    assert "sntryu_abc123" not in database_message(message)
    assert field_message("expected a string, got 5", 5, secret=True) == \
        "expected a string, got [redacted]"
    assert field_message("expected a string, got 5", 5, secret=False) == \
        "expected a string, got 5"
    assert is_sensitive("secret_key") and is_sensitive("validation_hash")
    assert not is_sensitive("name")


# --- what a refused caller costs a silo ----------------------------------------------------

BODY = 60_000_000  # under the 64 MiB message limit: a body the silo would have to read


def _memory(pid: int) -> dict[str, int]:
    """The process's resident set now and at its peak, in bytes (Linux's /proc)."""
    status = Path(f"/proc/{pid}/status").read_text()
    return {key: int(re.search(key + r":\s+(\d+) kB", status)[1]) * 1024  # type: ignore[index]
            for key in ("VmRSS", "VmHWM")}


@pytest.mark.parametrize("secret", [None, b"wrong-secret-" + b"w" * 32])
def test_a_refused_call_costs_the_silo_nothing_of_its_body(
        pg_admin_url: str, templates: dict[str, str], secret: bytes | None) -> None:
    """Four unsigned (or wrongly signed) calls with 60 MB bodies each: the silo, a process of
    its own, refuses them UNAUTHENTICATED from their metadata without reading the bodies, so
    neither its memory nor its peak grows by a quarter of one body (rpc1 read and kept them:
    its peak grew by three to four bodies, docs/performance.md)."""
    name = f"t_rss_{uuid.uuid4().hex[:8]}"
    _admin(pg_admin_url, f'CREATE DATABASE "{name}" TEMPLATE "{templates["control"]}"')
    address = f"127.0.0.1:{_free_port()}"
    silo = subprocess.Popen([*RELOCATE, "serve", "control", "--db-url", _db_url(pg_admin_url, name),
                             "--listen", address, "--shared-secret", NEW.decode()],
                            cwd=ROOT, stderr=subprocess.DEVNULL)
    try:
        channel = grpc.insecure_channel(address, options=[
            ("grpc.max_send_message_length", 2 * BODY),
            ("grpc.initial_reconnect_backoff_ms", 200), ("grpc.max_reconnect_backoff_ms", 500)])
        grpc.channel_ready_future(channel).result(timeout=300)  # the silo has started
        if secret is not None:
            channel = grpc.intercept_channel(channel, SignRequests(secret))
        call = channel.unary_unary(IMPORT_BY_MODEL)
        body = b"\x0a" + b"\x80" * 4 + b"x" * BODY  # a model field, never decoded

        def refused(request: bytes) -> str:
            with pytest.raises(grpc.RpcError) as caught:
                call(request, timeout=60)
            assert caught.value.code() is grpc.StatusCode.UNAUTHENTICATED
            return caught.value.details()

        for _ in range(4):  # the threads and buffers the calls take are not a body's
            refused(b"x" * 1000)
        before = _memory(silo.pid)
        assert all("RELOCATE_SHARED_SECRET" in refused(body) for _ in range(4))
        after = _memory(silo.pid)
    finally:
        silo.terminate()
        silo.wait(timeout=30)
        _admin(pg_admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    assert after["VmHWM"] - before["VmHWM"] < BODY // 4, (before, after)
    assert after["VmRSS"] - before["VmRSS"] < BODY // 4, (before, after)
