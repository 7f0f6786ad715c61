"""What an operator watches: the silos' Prometheus metrics (scraped during and after real
imports, against the rows that landed and the import's report) and the log formats (plain
lines with a batch's fields, JSON lines that every stderr line parses as)."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families

from commands.logs import PLAIN, LineFormatter
from control_service.models import REGISTRY as CONTROL_MODELS
from region_service.models import REGISTRY as REGION_MODELS
from tests.conftest import ROOT, Silos, _admin, _db_url, fixture_path, fresh_silos
from tools.bench.generate import generate
from wire.batchlog import BatchLine

RELOCATE = [sys.executable, "-m", "commands.cli"]
SECRET = "observe-" + "x" * 32
BATCH_FIELDS = ("import_uuid", "silo", "model", "min_ordinal", "max_ordinal")
Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def scrape(url: str) -> Samples:
    """Every sample of a /metrics page: (name, sorted labels) -> value."""
    with urllib.request.urlopen(url, timeout=10) as page:
        text = page.read().decode()
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(text) for sample in family.samples}


def by(samples: Samples, name: str, label: str, **where: str) -> dict[str, float]:
    """Sum of the samples named `name` whose labels match `where`, by the value of `label`."""
    sums: dict[str, float] = defaultdict(float)
    for (sample, labels), value in samples.items():
        given = dict(labels)
        if sample == name and all(given.get(k) == v for k, v in where.items()):
            sums[given[label]] += value
    return {key: value for key, value in sums.items() if value}


def total(samples: Samples, name: str, **where: str) -> float:
    return sum(value for (sample, labels), value in samples.items()
               if sample == name and all(dict(labels).get(k) == v for k, v in where.items()))


@pytest.fixture
def watched(pg_admin_url: str, templates: dict[str, str]) -> Iterator[Silos]:
    with fresh_silos(pg_admin_url, templates, metrics=True) as s:
        yield s


def _import(silos: Silos, src: Path, report: Path, *extra: str) -> int:
    return silos.relocate("import", "organizations", src, "--no-prompt", "--silent",
                          "--report-file", report, *extra).code


def _table_rows(silos: Silos) -> dict[str, int]:
    """Rows in every model's table, by model."""
    return {spec.name: silos.count(silo, spec.table.name)
            for silo, registry in (("control", CONTROL_MODELS), ("region", REGION_MODELS))
            for spec in registry}


def _silo(model: str) -> str:
    return "control" if CONTROL_MODELS.get(model) is not None else "region"


def test_metrics_count_what_an_import_wrote_and_what_a_rerun_read_from_the_ledger(
        watched: Silos, tmp_path: Path) -> None:
    src = tmp_path / "export.json"
    generate(src, 600, seed=3)
    before = _table_rows(watched)
    import_uuid = uuid.uuid4().hex
    during: list[float] = []  # batches both silos had handled, scrape after scrape
    done = threading.Event()

    def poll() -> None:  # scrapes all through the import
        while not done.is_set():
            during.append(sum(total(scrape(url), "relocate_silo_batches_total")
                              for url in watched.metrics.values()))
            time.sleep(0.01)

    poller = threading.Thread(target=poll)
    poller.start()
    try:
        code = _import(watched, src, tmp_path / "report.json", "--import-uuid", import_uuid,
                       "--batch-size", "40")
    finally:
        done.set()
        poller.join()
    assert code == 0
    after = {silo: scrape(url) for silo, url in watched.metrics.items()}
    handled = sum(total(samples, "relocate_silo_batches_total") for samples in after.values())
    assert during == sorted(during) and any(0 < count < handled for count in during), \
        "no scrape answered in the middle of the import"
    report = json.loads((tmp_path / "report.json").read_text())["models"]

    landed = {model: rows - before[model] for model, rows in _table_rows(watched).items()
              if rows != before[model]}
    inserted: dict[str, float] = {}
    for silo, samples in after.items():
        inserted |= by(samples, "relocate_silo_records_total", "model", kind="inserted")
        assert by(samples, "relocate_silo_batches_total", "model", outcome="written") == {
            model: counts["batches"] for model, counts in report.items()
            if counts["batches"] and _silo(model) == silo}
        assert total(samples, "relocate_silo_in_flight") == 0
        assert total(samples, "relocate_silo_batch_seconds_count") == total(
            samples, "relocate_silo_batches_total")
    assert inserted == landed
    assert {model: counts["inserted"] for model, counts in report.items()
            if counts["inserted"]} == landed

    # The same import again: every batch is answered from the ledger, and counted as such.
    assert _import(watched, src, tmp_path / "again.json", "--import-uuid", import_uuid,
                   "--batch-size", "40") == 0
    again = json.loads((tmp_path / "again.json").read_text())["models"]
    for silo, url in watched.metrics.items():
        hits = by(scrape(url), "relocate_silo_ledger_hits_total", "model")
        assert hits == {model: counts["resumed_batches"] for model, counts in again.items()
                        if counts["resumed_batches"]
                        and _silo(model) == silo}
    assert sum(c["resumed_batches"] for c in again.values()) == sum(
        c["batches"] for c in report.values())
    assert _table_rows(watched) == {model: rows + landed.get(model, 0)
                                    for model, rows in before.items()}


def test_a_failed_import_counts_its_error_by_kind(watched: Silos, tmp_path: Path) -> None:
    code = watched.relocate("import", "global", fixture_path("invalid-user.json"),
                            "--no-prompt").code
    assert code == 1
    control = scrape(watched.metrics["control"])
    assert by(control, "relocate_silo_errors_total", "kind") == {"VALIDATION_ERROR": 1}
    assert by(control, "relocate_silo_batches_total", "outcome") == {"failed": 1}
    assert by(control, "relocate_silo_batches_total", "model") == {"sentry.user": 1}


# --- log formats ------------------------------------------------------------------------------

def _record(**extra: Any) -> logging.LogRecord:
    return logging.makeLogRecord({"name": "relocation.silo", "levelname": "INFO",
                                  "levelno": logging.INFO, "msg": "batch %s",
                                  "args": ("written",), **extra})


def test_the_plain_format_is_unchanged_and_adds_a_batchs_fields_as_key_value() -> None:
    plain = LineFormatter("plain")
    record = _record()
    assert plain.format(record) == logging.Formatter(PLAIN).format(record)
    line = BatchLine("7a1f", "us", "sentry.user", 1, 40).extra(outcome="written")
    assert plain.format(_record(**line)).endswith(
        " INFO relocation.silo batch written import_uuid=7a1f silo=us model=sentry.user "
        "min_ordinal=1 max_ordinal=40 records=40 outcome=written")


def test_the_json_format_is_one_object_with_the_batchs_fields() -> None:
    line = BatchLine("7a1f", "control", "sentry.user", 41, None).extra(error_kind="X")
    entry = json.loads(LineFormatter("json").format(_record(**line)))
    assert entry.pop("time").endswith("+00:00")
    assert entry == {"level": "INFO", "logger": "relocation.silo", "message": "batch written",
                     "import_uuid": "7a1f", "silo": "control", "model": "sentry.user",
                     "min_ordinal": 41, "error_kind": "X"}


def _json_lines(text: str) -> list[dict[str, Any]]:
    """Every line of `text` as JSON (failing on the first that is not)."""
    return [json.loads(line) for line in text.splitlines()]


def test_json_lines_on_stderr_even_for_what_the_user_is_told() -> None:
    """A failed import's progress line and its error are JSON records too."""
    result = subprocess.run(
        [*RELOCATE, "import", "users", str(fixture_path("user-with-minimum-privileges.json")),
         "--control", "127.0.0.1:1", "--region", "127.0.0.1:1", "--no-prompt",
         "--retry-deadline", "0", "--shared-secret", SECRET, "--log-format", "json"],
        capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert result.returncode == 1
    lines = _json_lines(result.stderr)
    assert any("SiloUnavailable" in line["message"] for line in lines)
    assert {line["logger"] for line in lines} <= {"relocate", "orchestrator.client"}


def test_a_metrics_address_or_log_format_that_cannot_be_is_a_usage_error() -> None:
    example = str(fixture_path("user-with-minimum-privileges.json"))
    for argv, env, refusal in (
            (["serve", "region", "--db-url", "postgresql://x/y", "--allow-unauthenticated",
              "--metrics-listen", "9100"], {}, "--metrics-listen: '9100' is not HOST:PORT"),
            (["compare", example, example], {"RELOCATE_LOG_FORMAT": "xml"},
             "RELOCATE_LOG_FORMAT='xml' is not a log format; use one of plain, json")):
        result = subprocess.run([*RELOCATE, *argv], capture_output=True, text=True, timeout=60,
                                cwd=ROOT, env={**os.environ, **env})
        assert (result.returncode, result.stderr) == (2, f"relocate: {refusal}\n")


@contextlib.contextmanager
def _databases(pg_admin_url: str, templates: dict[str, str]) -> Iterator[dict[str, str]]:
    """A migrated database per silo, dropped after: its URL by silo."""
    suffix = uuid.uuid4().hex[:8]
    names = {silo: f"t_{silo}_{suffix}" for silo in templates}
    try:
        for silo, name in names.items():
            _admin(pg_admin_url, f'CREATE DATABASE "{name}" TEMPLATE "{templates[silo]}"')
        yield {silo: _db_url(pg_admin_url, name) for silo, name in names.items()}
    finally:
        for name in names.values():
            _admin(pg_admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_serve_refuses_a_metrics_port_another_program_holds(
        pg_admin_url: str, templates: dict[str, str]) -> None:
    with _databases(pg_admin_url, templates) as urls, socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        taken = f"127.0.0.1:{holder.getsockname()[1]}"
        result = subprocess.run(
            [*RELOCATE, "serve", "control", "--db-url", urls["control"], "--listen",
             "127.0.0.1:0", "--shared-secret", SECRET, "--metrics-listen", taken],
            capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1].startswith(
        f"relocate: cannot serve metrics on {taken}: "), result.stderr


@pytest.fixture
def served(pg_admin_url: str, templates: dict[str, str],
           tmp_path: Path) -> Iterator[tuple[str, str, Path]]:
    """Both silos as `relocate serve --log-format json` processes: (control address, region
    address, the directory of their stderr files)."""
    env = {**os.environ, "RELOCATE_SHARED_SECRET": SECRET}
    servers: list[subprocess.Popen] = []
    with _databases(pg_admin_url, templates) as urls:
        try:
            for silo, url in urls.items():
                with (tmp_path / f"{silo}.err").open("w") as stderr:
                    servers.append(subprocess.Popen(
                        [*RELOCATE, "serve", silo, "--db-url", url, "--listen", "127.0.0.1:0",
                         "--log-format", "json", *(["--name", "us"] if silo == "region" else [])],
                        stderr=stderr, env=env, cwd=ROOT))
            control, region = (f"127.0.0.1:{_served_port(tmp_path / f'{silo}.err')}"
                               for silo in ("control", "region"))
            yield control, region, tmp_path
        finally:
            for server in servers:
                server.terminate()
                assert server.wait(timeout=30) == 0


def _served_port(err: Path) -> int:
    """The port a `relocate serve` says it serves on (a JSON line on its stderr)."""
    for _ in range(600):
        for line in _json_lines(err.read_text()):
            if "serving on port" in line["message"]:
                return int(line["message"].rsplit(" ", 1)[1])
        time.sleep(0.1)
    raise AssertionError(f"the silo did not start: {err.read_text()}")


def test_two_concurrent_imports_log_json_lines_told_apart_by_import_uuid(
        served: tuple[str, str, Path]) -> None:
    control, region, logs = served
    src = logs / "export.json"
    generate(src, 300, seed=5)
    env = {**os.environ, "RELOCATE_SHARED_SECRET": SECRET, "RELOCATE_LOG_LEVEL": "info",
           "RELOCATE_LOG_FORMAT": "json"}
    uuids = [uuid.uuid4().hex, uuid.uuid4().hex]
    imports = [subprocess.Popen(
        [*RELOCATE, "import", "organizations", str(src), "--control", control, "--region",
         region, "--no-prompt", "--batch-size", "50", "--import-uuid", import_uuid],
        stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT) for import_uuid in uuids]
    outputs = [process.communicate(timeout=300)[1] for process in imports]
    assert [process.returncode for process in imports] == [0, 0], outputs

    for import_uuid, output in zip(uuids, outputs, strict=True):
        lines = _json_lines(output)
        batches = [line for line in lines if line["message"] == "batch answered"]
        assert batches and all(line.keys() >= {"time", "level", "logger", *BATCH_FIELDS}
                               for line in batches)
        assert {line["import_uuid"] for line in lines if "import_uuid" in line} == {import_uuid}
        assert {line["silo"] for line in batches} == {"control", "us"}
        assert any(line["logger"] == "relocate" and "finished" in line["message"]
                   for line in lines)  # the summary, as a record

    served_lines = [line for silo in ("control", "region")
                    for line in _json_lines((logs / f"{silo}.err").read_text())]
    written = [line for line in served_lines if line["message"] == "batch written"]
    for import_uuid, output in zip(uuids, outputs, strict=True):
        answered = {(line["silo"], line["model"], line["min_ordinal"], line["max_ordinal"])
                    for line in _json_lines(output) if line["message"] == "batch answered"}
        assert {(line["silo"], line["model"], line["min_ordinal"], line["max_ordinal"])
                for line in written if line["import_uuid"] == import_uuid} == answered
