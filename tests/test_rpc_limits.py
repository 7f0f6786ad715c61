"""What bounds a call between the orchestrator and a silo (issue 18 §1b), over real gRPC: the
message limit (batches and export answers cut to fit it, one record refused past its own
limit), a silo's concurrent-call limit (refused, then retried), and the typed error each
transport failure ends in."""

from __future__ import annotations

import contextlib
import json
import logging
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NamedTuple

import grpc
import orjson
import psycopg
import pytest

from control_service import app as control_app
from orchestrator.client import SiloClient, with_json_records
from orchestrator.importer import DEFAULT_PARALLEL_MODELS
from tests.conftest import Silos, run_cli
from tests.test_rpc_and_chunks import (
    IMPORT_UUID,
    nothing_anywhere,
    option,
    request,
    stub,
    user,
)
from wire import DEFAULT_MAX_CONCURRENT_CALLS, MAX_MESSAGE_BYTES, MAX_RECORD_BYTES
from wire.batchlog import BatchLine
from wire.errors import ErrorKind, ImportFailure
from wire.relocation.v1 import models_pb2, silo_service_pb2

CONFIG = models_pb2.IMPORT_SCOPE_CONFIG
IMPORT_BY_MODEL = "/relocation.v1.SiloService/ImportByModel"


def _user_option(pk: int, value_bytes: int) -> dict[str, Any]:
    return {"model": "sentry.useroption", "pk": pk, "fields": {
        "user": 1, "project_id": None, "organization_id": None, "key": f"big-{pk}",
        "value": json.dumps("v" * value_bytes)}}


# --- the message limit ----------------------------------------------------------------------


def test_a_batch_of_large_records_is_cut_to_fit_and_they_import_and_export_whole(
        silos: Silos, tmp_path: Path) -> None:
    """Six records of 12 MB (72 MB, more than one message holds) are sent in batches that fit
    the limit, every one lands whole, and an export of them answers in messages that fit too
    (one batch of them was one 72 MB message, refused by gRPC, and so was one export answer)."""
    options = [_user_option(pk, 12_000_000) for pk in range(1, 7)]
    src = tmp_path / "export.json"
    src.write_text(json.dumps([user(1, "alice"), *options]))
    findings = tmp_path / "findings.json"
    result = silos.relocate("import", "users", src, "--no-prompt", "--findings-file", findings)
    assert result.code == 0, result.stderr
    rows = silos.rows("control", "SELECT key, length(value) AS n FROM sentry_useroption "
                                 "ORDER BY id")
    assert [r.key for r in rows] == [f"big-{pk}" for pk in range(1, 7)]
    assert min(r.n for r in rows) > 12_000_000
    chunks = silos.rows("control", "SELECT min_ordinal, max_ordinal FROM "
                                   "sentry_controlimportchunk WHERE model = 'sentry.useroption' "
                                   "ORDER BY min_ordinal")
    assert len(chunks) > 1 and chunks[0].min_ordinal == 1 and chunks[-1].max_ordinal == 6

    out = tmp_path / "out.json"
    exported = silos.relocate("export", "users", out, "--findings-file", findings)
    assert exported.code == 0, exported.stderr
    values = [r["fields"]["value"] for r in json.loads(out.read_text())
              if r["model"] == "sentry.useroption"]
    assert values == [o["fields"]["value"] for o in options]


def test_a_record_over_the_record_limit_is_refused_naming_it_and_nothing_is_written(
        silos: Silos, tmp_path: Path) -> None:
    """The limit is on the record as it is sent: 28 MB in the file, whose numbers written
    `1E2` are sent as `100.0`, is over 32 MiB once spilled."""
    numbers = 7_000_000
    big = ('{"model": "sentry.useroption", "pk": 9, "fields": {"user": 1, "project_id": null, '
           '"organization_id": null, "key": "big", "value": [' + ",".join(["1E2"] * numbers)
           + "]}}")
    assert len(big) < MAX_RECORD_BYTES
    sent = len(orjson.dumps(orjson.loads(big)))
    assert sent > MAX_RECORD_BYTES
    src = tmp_path / "export.json"
    src.write_text("[\n" + ",\n".join([json.dumps(user(1, "alice")),
                                         json.dumps(_user_option(7, 1000)), big]) + "\n]\n")
    findings = tmp_path / "findings.json"
    result = silos.relocate("import", "users", src, "--no-prompt", "--findings-file", findings)
    assert result.code == 1, result.stderr
    assert "Traceback" not in result.stderr
    (finding,) = json.loads(findings.read_text())
    assert (finding["kind"], finding["on"], finding["left_pk"]) == (
        "ValidationError", {"model": "sentry.useroption", "ordinal": 2}, 9)
    assert finding["reason"].startswith(
        f"item #3 of the export is {sent:,} bytes of JSON, over the {MAX_RECORD_BYTES:,} bytes "
        "one record may have")
    assert "ValidationError on sentry.useroption #2 (pk 9)" in result.stderr
    nothing_anywhere(silos)


def test_a_message_over_the_limit_is_message_too_large_naming_the_records(
        silos: Silos) -> None:
    """Sent by the orchestrator (gRPC refuses it before it leaves), or by a client that would
    send more than a silo reads: a typed MessageTooLarge, never retried, not Unknown."""
    head = silo_service_pb2.ImportByModelRequest(
        model="sentry.controloption", scope=CONFIG, min_ordinal=4001,
        flags=silo_service_pb2.ImportFlags(import_uuid=IMPORT_UUID)).SerializeToString()
    records = bytearray(b"[" + b" " * MAX_MESSAGE_BYTES + b"]")
    size = len(with_json_records(head, records))
    with SiloClient(silos.control_address, "control", retry_deadline=30, timeout=60) as client, \
            pytest.raises(ImportFailure) as caught:
        client.import_batch(head, records, BatchLine(IMPORT_UUID, "control", "sentry.controloption",
                                                     4001, 4003))
    failure = caught.value
    assert (failure.kind, failure.model, failure.ordinal) == (
        ErrorKind.MESSAGE_TOO_LARGE, "sentry.controloption", 4001)
    assert failure.reason.startswith(
        f"records #4001 to #4003 (a {size:,}-byte request): a message to or from the control "
        f"silo was over the {MAX_MESSAGE_BYTES:,}-byte limit (CLIENT: Sent message larger than "
        "max")

    oversize = request("sentry.controloption", b"[" + b" " * MAX_MESSAGE_BYTES + b"]",
                       scope=CONFIG)
    channel = grpc.insecure_channel(silos.control_address, options=[
        ("grpc.max_send_message_length", 2 * MAX_MESSAGE_BYTES)])
    with pytest.raises(grpc.RpcError) as raised:
        channel.unary_unary(IMPORT_BY_MODEL)(oversize.SerializeToString(), timeout=60)
    channel.close()
    assert ImportFailure.from_rpc_error(raised.value).kind is ErrorKind.MESSAGE_TOO_LARGE
    nothing_anywhere(silos)


# --- the concurrent-call limit and transport failures ---------------------------------------


def test_an_import_keeps_fewer_calls_in_flight_than_a_silo_takes_at_once() -> None:
    """An import's pool (two calls per model running) and its main thread stay under a silo's
    default limit with room for a second import, so one import is never refused for it."""
    assert 2 * (DEFAULT_PARALLEL_MODELS * 2 + 1) <= DEFAULT_MAX_CONCURRENT_CALLS


@contextlib.contextmanager
def _ledger_locked(silos: Silos) -> Iterator[Callable[[], None]]:
    """The control silo's chunk ledger locked by a transaction of the test's: every batch
    reads it first, so batches wait in the silo until the lock is released (by the function
    given, or at the end)."""
    lock = psycopg.connect(silos.control_url)
    lock.execute("LOCK TABLE sentry_controlimportchunk IN ACCESS EXCLUSIVE MODE")

    def release() -> None:
        if not lock.closed:
            lock.rollback()
            lock.close()

    try:
        yield release
    finally:
        release()


class _Busy(NamedTuple):
    """A control silo on the silos' database that takes one call at a time, that call held
    behind the locked ledger."""

    silos: Silos
    address: str
    release: Callable[[], None]


@pytest.fixture
def busy(silos: Silos) -> Iterator[_Busy]:
    server = control_app.start(silos.control_url, "127.0.0.1:0", max_concurrent_calls=1)
    address = f"127.0.0.1:{server.port}"
    batch = request("sentry.controloption", [option("sentry.controloption", 7, "k", '"v"')],
                    scope=CONFIG)

    def hold() -> None:
        with stub(address) as silo:
            silo.ImportByModel(batch, timeout=120)

    held = threading.Thread(target=hold)
    try:
        with _ledger_locked(silos) as release:
            held.start()
            _wait_for_a_lock(silos)
            yield _Busy(silos, address, release)
        held.join(timeout=120)
    finally:
        server.stop(1)


def _wait_for_a_lock(silos: Silos) -> None:
    """Until a call waits on a lock in the control silo's database."""
    with psycopg.connect(silos.control_url, autocommit=True) as conn:
        for _ in range(600):
            if conn.execute("SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                            "AND datname = current_database()").fetchone():
                return
            time.sleep(0.1)
    pytest.fail("no call reached the lock")


def test_a_call_refused_by_the_concurrent_call_limit_is_retried(
        busy: _Busy, caplog: pytest.LogCaptureFixture) -> None:
    """The silo serving its one call refuses the next with RESOURCE_EXHAUSTED; the client
    retries it with backoff and gets its answer once the silo has room again."""
    answer: list[silo_service_pb2.DescribeModelsResponse] = []
    with caplog.at_level(logging.WARNING, "orchestrator.client"), \
            SiloClient(busy.address, "control", retry_deadline=120, timeout=60) as client:
        caller = threading.Thread(target=lambda: answer.append(client.describe()))
        caller.start()
        for _ in range(600):
            if "RESOURCE_EXHAUSTED" in caplog.text:
                break
            time.sleep(0.1)
        busy.release()
        caller.join(timeout=120)
    assert "did not answer a call (RESOURCE_EXHAUSTED: Concurrent RPC limit exceeded!); " \
           "retrying in" in caplog.text
    assert answer and "sentry.user" in {m.name for m in answer[0].models}
    assert busy.silos.count("control", "sentry_controloption") == 1  # the held call, once


def test_a_silo_that_stays_busy_past_the_retry_deadline_is_silo_unavailable(
        busy: _Busy, tmp_path: Path) -> None:
    src = tmp_path / "export.json"
    src.write_text(json.dumps([user(1, "alice")]))
    findings = tmp_path / "findings.json"
    result = run_cli(["import", "users", str(src), "--no-prompt", "--control", busy.address,
                      "--region", busy.address, "--retry-deadline", "2",
                      "--findings-file", str(findings)])
    assert result.code == 1, result.stderr
    assert "SiloUnavailable" in result.stderr
    assert (f"the control silo at {busy.address} refused the call for the retry deadline (2s, "
            "--retry-deadline): it was serving as many calls as it takes at once (relocate "
            "serve --max-concurrent-calls) (RESOURCE_EXHAUSTED: Concurrent RPC limit "
            "exceeded!)") in " ".join(result.stderr.split())
    assert [f["kind"] for f in json.loads(findings.read_text())] == ["SiloUnavailable"]


def test_a_silo_that_does_not_answer_in_time_is_silo_unavailable(silos: Silos) -> None:
    """DEADLINE_EXCEEDED on every attempt until the retry deadline (the batch waits behind a
    lock): SiloUnavailable, saying the silo did not answer in time (it was Unknown)."""
    head = silo_service_pb2.ImportByModelRequest(
        model="sentry.controloption", scope=CONFIG, min_ordinal=1,
        flags=silo_service_pb2.ImportFlags(import_uuid=IMPORT_UUID)).SerializeToString()
    records = bytearray(json.dumps([option("sentry.controloption", 8, "j", '"w"')]).encode())
    with _ledger_locked(silos), \
            SiloClient(silos.control_address, "control", retry_deadline=1, timeout=0.5) as client, \
            pytest.raises(ImportFailure) as caught:
        client.import_batch(head, records, BatchLine(IMPORT_UUID, "control", "sentry.controloption",
                                                     1, 1))
    failure = caught.value
    assert (failure.kind, failure.model) == (ErrorKind.SILO_UNAVAILABLE, "sentry.controloption")
    assert failure.reason.startswith(
        f"the control silo at {silos.control_address} did not answer within 0.5s for the "
        "retry deadline (1s, --retry-deadline) (DEADLINE_EXCEEDED: Deadline Exceeded)")
