"""The adversarial corpus (issue 18 §4, cases in tests/corpus/generate.py), each case imported
through the real CLI, in a child process, into real silos.

Each case asserts its exit code, the one line that says what happened (and no traceback), the
findings file, a bounded peak memory, a finish within the subprocess timeout, and either both
databases unchanged or exactly the rows expected. Cases that must write nothing share one pair
of silos per worker, which already hold an import, so a stray insert, update or delete shows in
the fingerprint; cases that import something get empty silos of their own.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.conftest import ROOT, Silos, fixture_path, fresh_silos
from tests.corpus.generate import Case, Corpus, cases, generate, wrong_types
from tests.test_rpc_and_chunks import failing_call, request
from tools.models import declared_specs

PEAK_LIMIT = 300 << 20  # bytes of resident memory the orchestrator may reach, children included
TIMEOUT = 60  # seconds a case may take; a case past it fails (and its processes are killed)
STDERR_LIMIT = 20_000  # characters: a hostile value must not come back whole

# Runs the CLI as its own child and writes the child's peak resident memory (ru_maxrss from
# wait4: the child and the processes it reaped, such as the spill's second reader). A child of
# the test process itself would inherit the test process's peak: Linux carries the peak of
# the memory a process had before exec into it.
LAUNCHER = """\
import os, sys
out, argv = sys.argv[1], [sys.executable, "-m", "commands.cli", *sys.argv[2:]]
pid = os.posix_spawn(sys.executable, argv, os.environ)
_, status, usage = os.wait4(pid, 0)
open(out, "w").write(str(usage.ru_maxrss * 1024))
sys.exit(os.waitstatus_to_exitcode(status))
"""

NOT_DATA = ("relocation_importbinding", "alembic_version")


def _params() -> list[pytest.param]:  # type: ignore[valid-type]
    return [pytest.param(case.name, id=case.name) for case in cases()]


@pytest.fixture(scope="session")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    """The corpus's keys and expectations; each test writes its own case's file."""
    return generate(tmp_path_factory.mktemp("corpus"), names=set())


@pytest.fixture(scope="module")
def scratch(pg_admin_url: str, templates: dict[str, str]) -> Iterator[Silos]:
    """Silos for the cases that import something, emptied before each."""
    with fresh_silos(pg_admin_url, templates) as silos:
        yield silos


@pytest.fixture(scope="module")
def shared(pg_admin_url: str, templates: dict[str, str]) -> Iterator[Silos]:
    with fresh_silos(pg_admin_url, templates) as silos:
        result = silos.relocate("import", "global", fixture_path("fresh-install.json"),
                                "--no-prompt", "--silent")
        assert result.code == 0, result.stderr
        yield silos


def _tables(silos: Silos, silo: str) -> list[str]:
    return [r.table_name for r in silos.rows(
        silo, "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' "
              "AND table_type = 'BASE TABLE' ORDER BY table_name")
        if r.table_name not in NOT_DATA]


def fingerprint(silos: Silos) -> dict[str, tuple[int, str]]:
    """Every table of both silos (chunk ledgers included): its row count and a hash of its
    rows, in one query per silo. The import bindings are left out: every import records its
    own before its first batch, by design."""
    found = {}
    for silo in ("control", "region"):
        sql = " UNION ALL ".join(
            f"SELECT '{table}', count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY "
            f"t::text), '')) FROM \"{table}\" t" for table in _tables(silos, silo))
        found |= {f"{silo}.{name}": (count, digest) for name, count, digest in
                  silos.rows(silo, sql)}
    return found


def data_rows(silos: Silos) -> dict[str, int]:
    """The row count of every data table that holds rows (not the chunk ledgers)."""
    return {name: count for name, (count, _) in fingerprint(silos).items()
            if count and "importchunk" not in name}


def empty(silos: Silos) -> None:
    """Both silos back to empty (a fresh pair per case costs two DROP DATABASEs, each a
    checkpoint: seconds on a busy machine)."""
    for silo in ("control", "region"):
        tables = ", ".join(f'"{t}"' for t in _tables(silos, silo))
        engine = silos.control_db if silo == "control" else silos.region_db
        with engine.begin() as conn:
            conn.execute(sa.text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


def _run(silos: Silos, corpus: Corpus, case: Case, src: Path,
         findings: Path, peak: Path) -> subprocess.CompletedProcess:
    argv = ["import", case.scope, str(src), "--no-prompt", "--silent", "--findings-file",
            str(findings), "--control", silos.control_address, "--region",
            silos.region_address]
    if case.decrypt:
        key = corpus.keys.other if case.wrong_key else corpus.keys.mine
        argv += ["--decrypt-with", str(key.private_path)]
    with subprocess.Popen([sys.executable, "-c", LAUNCHER, str(peak), *argv], cwd=ROOT,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          start_new_session=True) as child:
        try:
            out, err = child.communicate(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(child.pid, signal.SIGKILL)
            child.communicate()
            pytest.fail(f"{case.name} did not finish in {TIMEOUT} s")
    return subprocess.CompletedProcess(argv, child.returncode, out, err)


def _check_output(case: Case, result: subprocess.CompletedProcess, findings: Path) -> None:
    expect, stderr = case.expect, result.stderr
    assert result.returncode == expect.code, stderr[-3000:]
    assert "Traceback" not in stderr and len(stderr) < STDERR_LIMIT, stderr[-3000:]
    lines = stderr.strip().splitlines()
    notices = json.loads(findings.read_text())
    if expect.code == 0:  # a silent import says nothing, unless it imported nothing
        if expect.line:
            assert lines and re.fullmatch(expect.line, lines[-1]), stderr
        else:
            assert lines == [], stderr
        assert {n["kind"] for n in notices} <= {"Compatibility"}, notices
        assert findings.stat().st_size < 100_000
        return
    if expect.line.startswith("relocate: "):
        assert len(lines) == 1, stderr
        said = lines
    else:
        said = [line for line in lines if line.startswith("Import failed: ")]
    assert len(said) == 1, stderr
    assert re.fullmatch(expect.line, said[0]), said[0]
    assert len(notices) == 1 and re.fullmatch(expect.kind or "", notices[0]["kind"]), notices


@pytest.mark.parametrize("name", _params())
def test_corpus_case(name: str, corpus: Corpus, shared: Silos, scratch: Silos,
                     tmp_path: Path, record_property: Callable[[str, object], None]) -> None:
    case = corpus.cases[name]
    src = case.build(corpus.source(case))
    findings, peak = tmp_path / "findings.json", tmp_path / "peak"
    try:
        if case.expect.rows is None:
            before = fingerprint(shared)
            result = _run(shared, corpus, case, src, findings, peak)
            _check_output(case, result, findings)
            assert fingerprint(shared) == before
        else:
            empty(scratch)
            result = _run(scratch, corpus, case, src, findings, peak)
            _check_output(case, result, findings)
            rows = data_rows(scratch)
            assert rows == case.expect.rows, set(rows.items()) ^ set(case.expect.rows.items())
            for silo, sql, expected in case.expect.queries:
                assert [list(row) for row in scratch.rows(silo, sql)] == expected, sql
    finally:
        src.unlink()
    record_property("peak_rss", int(peak.read_text()))  # for docs/reliability.md's table
    assert int(peak.read_text()) < PEAK_LIMIT


def test_every_field_of_every_model_refuses_a_wrong_type(shared: Silos) -> None:
    """Each field of each model (the JSON ones aside), alone of the wrong type in its model's
    record, is a ValidationError naming the record and the field: over gRPC, since a CLI run
    for each of some 600 fields would take minutes (the corpus runs one per model)."""
    before = fingerprint(shared)
    specs = declared_specs()
    wrong = []
    for model, fields in wrong_types().items():
        address = shared.control_address if specs[model].silo.value == "control" \
            else shared.region_address
        for case in fields:
            _, failure = failing_call(address, request(model, [case.record]))
            if not re.fullmatch(f"ValidationError {case.pattern}.*", str(failure)):
                wrong.append(f"{model}.{case.field}: {failure}")
    assert wrong == []
    assert sum(map(len, wrong_types().values())) > 500
    assert fingerprint(shared) == before
