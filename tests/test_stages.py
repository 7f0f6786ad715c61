"""The orchestrator's stages on their own: the scheduler (pure, no gRPC), the selection a filter
makes, and over a real gRPC channel (to a test silo) the client's export stream resuming and
the model sender's window."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from concurrent import futures
from concurrent.futures import Future, ThreadPoolExecutor
from functools import partial
from typing import Any

import grpc
import orjson
import pytest

from orchestrator.catalog import ModelInfo
from orchestrator.client import SiloClient
from orchestrator.scheduler import Scheduler
from orchestrator.selection import emails_of, select
from orchestrator.sender import ModelSender
from orchestrator.storage import Batch
from wire.batchlog import BatchLine
from wire.relocation.v1 import silo_service_pb2, silo_service_pb2_grpc
from wire.scopes import ImportScope, Silo

# --- scheduler ----------------------------------------------------------------------------------


class _Log:
    """What the jobs of a run did, from their threads."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.started: list[str] = []
        self.finished: list[str] = []
        self.running = 0
        self.most_at_once = 0

    def job(self, name: str) -> None:
        with self.lock:
            self.started.append(name)
            self.running += 1
            self.most_at_once = max(self.most_at_once, self.running)
        time.sleep(0.02)
        with self.lock:
            self.running -= 1
            self.finished.append(name)


def test_jobs_start_once_their_dependencies_are_done_up_to_n_at_once() -> None:
    jobs = {"a": set(), "b": set(), "c": set(), "d": {"a", "b"}, "e": {"d", "not-a-job"}}
    log = _Log()
    Scheduler(parallel=2).run(jobs, log.job)
    assert sorted(log.finished) == sorted(jobs)
    assert log.most_at_once == 2
    assert log.started[:2] == ["a", "b"]  # in the order given
    for name, deps in jobs.items():
        assert all(log.finished.index(d) < log.started.index(name) for d in deps if d in jobs)


def test_the_first_failure_stops_the_run_and_its_dependents_never_start() -> None:
    log = _Log()

    def work(name: str) -> None:
        if name == "b":
            raise RuntimeError("b failed")
        log.job(name)

    with pytest.raises(RuntimeError, match="b failed"):
        Scheduler(parallel=1).run({"a": set(), "b": {"a"}, "c": {"b"}, "d": set()}, work)
    assert log.started == ["a"]


def test_hooks_run_as_jobs_finish_and_a_failed_background_future_stops_the_run() -> None:
    seen: list[tuple[str, str]] = []

    def noting(label: str) -> Callable[[str], None]:
        return lambda name: seen.append((label, name))

    scheduler = Scheduler(parallel=1)
    scheduler.on_finished(noting("any"))
    scheduler.on_finished(noting("b only"), "b")
    scheduler.run({"a": set(), "b": {"a"}}, lambda name: None)
    assert seen == [("any", "a"), ("any", "b"), ("b only", "b")]

    log = _Log()
    with ThreadPoolExecutor(1) as pool:
        def fail() -> None:
            raise ValueError("reservation failed")

        stopping = Scheduler(parallel=1)
        stopping.on_finished(lambda name: pool.submit(fail), "a")
        with pytest.raises(ValueError, match="reservation failed"):
            stopping.run({"a": set(), "b": {"a"}, "c": {"b"}, "d": {"c"}}, log.job)
    assert "d" not in log.started


def test_a_watched_future_is_its_starters_to_collect() -> None:
    """A hook's future that is still running when the jobs are done does not hold the run."""
    release = threading.Event()
    scheduler = Scheduler(parallel=2)
    with ThreadPoolExecutor(1) as pool:
        started: list[Future] = []

        def start(name: str) -> Future:
            started.append(pool.submit(release.wait))
            return started[-1]

        scheduler.on_finished(start, "a")
        scheduler.run({"a": set(), "b": {"a"}}, lambda name: None)
        assert not started[0].done()
        release.set()
        assert started[0].result() is True


def test_circular_dependencies_are_refused() -> None:
    with pytest.raises(ValueError, match="circular"):
        Scheduler(parallel=2).run({"a": {"b"}, "b": {"a"}}, lambda name: None)


# --- selection ----------------------------------------------------------------------------------


def _record(model: str, pk: int, **fields: Any) -> dict[str, Any]:
    return {"model": f"sentry.{model}", "pk": pk, "fields": fields}


RECORDS = [
    _record("organization", 1, slug="alpha"), _record("organization", 2, slug="beta"),
    _record("organizationmember", 1, organization=1, user_id=10),
    _record("organizationmember", 2, organization=1, user_id=None, email="invited@x.io"),
    _record("organizationmember", 3, organization=2, user_id=11),
    _record("user", 10, username="ada", email="ada@x.io"),
    _record("user", 11, username="bob", email="bob@x.io"),
    _record("useremail", 1, user=10, email="ada@work.io"),
    _record("useremail", 2, user=11, email="bob@work.io"),
    _record("useremail", 3, user=12, email="nobody@x.io"),  # a user that is not there
]


def _records(model: str) -> Iterator[dict[str, Any]]:
    return (r for r in RECORDS if r["model"] == model)


def test_an_organization_filter_selects_its_members_users_and_their_emails() -> None:
    selection = select(_records, frozenset({"alpha"}), None)
    assert selection.organizations == {1} and selection.users == {10}
    assert emails_of(selection.users, _records) == {"ada@x.io", "ada@work.io"}


def test_a_username_filter_selects_users_and_only_existing_users_emails() -> None:
    selection = select(_records, None, frozenset({"bob"}))
    assert selection.organizations is None and selection.users == {11}
    assert emails_of(selection.users, _records) == {"bob@x.io", "bob@work.io"}
    assert emails_of({12}, _records) == frozenset()
    assert select(_records, None, None).users is None


# --- the silo client's export stream ------------------------------------------------------------


class _BreakingSilo(silo_service_pb2_grpc.SiloServiceServicer):
    """Streams pks 1-6, two a message; the first stream breaks (UNAVAILABLE) after four."""

    def __init__(self) -> None:
        self.calls = 0

    def ExportByModel(self, request: Any, context: grpc.ServicerContext) -> Iterator[Any]:
        self.calls += 1
        for start in (1, 3, 5):
            if self.calls == 1 and start == 5:
                context.abort(grpc.StatusCode.UNAVAILABLE, "restarting")
            records = [{"model": request.model, "pk": pk, "fields": {}}
                       for pk in (start, start + 1)]
            yield silo_service_pb2.ExportByModelResponse(json_records=orjson.dumps(records),
                                                         count=2)


def test_a_broken_export_stream_is_opened_again_and_resumes_after_the_last_record() -> None:
    silo = _BreakingSilo()
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    silo_service_pb2_grpc.add_SiloServiceServicer_to_server(silo, server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    try:
        with SiloClient(f"127.0.0.1:{port}", "region", timeout=10) as client:
            pks = [r["pk"] for r in client.export_model("sentry.email", ImportScope.GLOBAL, 2)]
    finally:
        server.stop(None)
    assert pks == [1, 2, 3, 4, 5, 6]
    assert silo.calls == 2


# --- the model sender's window ------------------------------------------------------------------


class _SlowSilo(silo_service_pb2_grpc.SiloServiceServicer):
    """Answers each batch after a pause, counting the batches it holds at once."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.holding = 0
        self.most_at_once = 0
        self.records: list[list[int]] = []

    def ImportByModel(self, request: Any, context: grpc.ServicerContext) -> Any:
        with self.lock:
            self.holding += 1
            self.most_at_once = max(self.most_at_once, self.holding)
        time.sleep(0.05)
        with self.lock:
            self.holding -= 1
            self.records.append([r["pk"] for r in orjson.loads(request.json_records)])
        return silo_service_pb2.ImportByModelResponse(min_ordinal=request.min_ordinal)


def _batches(pks: list[int], size: int) -> Iterator[Batch]:
    for start in range(0, len(pks), size):
        part = pks[start:start + size]
        records = bytearray(b"[" + b"".join(b'{"pk":%d}\n' % pk for pk in part))
        yield Batch.of([b""] * len(part), bytearray(b"["), records)


@pytest.mark.parametrize("self_referencing", [False, True])
def test_a_model_sends_one_batch_at_a_time_and_prepares_the_next_meanwhile(
        self_referencing: bool) -> None:
    """The next request is built while the previous batch is written, unless the model
    references itself: then it waits for the answer (the pks it needs)."""
    name = "sentry.example"
    info = ModelInfo(name, Silo.REGION, frozenset(), ((("parent", name),) if self_referencing
                                                      else ()), frozenset(), frozenset(), None,
                     frozenset(), False)
    silo = _SlowSilo()
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    silo_service_pb2_grpc.add_SiloServiceServicer_to_server(silo, server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    events: list[str] = []

    def head(references: list[bytes], min_ordinal: int) -> bytes:
        events.append(f"head {min_ordinal}")
        return silo_service_pb2.ImportByModelRequest(
            model=name, min_ordinal=min_ordinal).SerializeToString()

    def answered(records: int, kept: bytearray, reply: Any) -> list[Future]:
        events.append(f"answer {reply.min_ordinal}")
        return []

    try:
        with SiloClient(f"127.0.0.1:{port}", "region", timeout=10) as client, \
                ThreadPoolExecutor(4) as pool:
            ModelSender(info, client, pool, head, answered,
                        partial(BatchLine, "7a1f", "default", name)).send(
                _batches(list(range(1, 8)), 3))
    finally:
        server.stop(None)
    assert silo.records == [[1, 2, 3], [4, 5, 6], [7]]
    assert silo.most_at_once == 1
    if self_referencing:
        assert events == ["head 1", "answer 1", "head 4", "answer 4", "head 7", "answer 7"]
    else:
        assert events == ["head 1", "head 4", "answer 1", "head 7", "answer 4", "answer 7"]
