"""Bad input and a hostile environment meet one line, the right exit code and no traceback;
database URLs never show their password; secrets and findings are kept to their owner."""

from __future__ import annotations

import gzip
import json
import re
import socket
import stat
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT, Silos, _admin, _db_url, fixture_path, load_fixture

RELOCATE = [sys.executable, "-m", "commands.cli"]
PASSWORD = "hunter2-not-shown"
SECRET = "0123456789abcdef" * 4  # 64 characters, as `openssl rand -hex 32` gives


def _run(*args: str | Path, env: dict[str, str] | None = None,
         timeout: float = 120) -> subprocess.CompletedProcess:
    import os

    return subprocess.run([*RELOCATE, *map(str, args)], capture_output=True, text=True,
                          timeout=timeout, cwd=ROOT, env={**os.environ, **(env or {})})


def _one_line(result: subprocess.CompletedProcess) -> str:
    """The refusal, asserting it is the only thing on stderr and no traceback."""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    assert lines[0].startswith("relocate: ")
    return lines[0]


def _with_password(url: str) -> str:
    """The same database, with a password in the URL (trust auth ignores it)."""
    return re.sub(r"://([^:@/]*)(:[^@/]*)?@", rf"://\1:{PASSWORD}@", url, count=1)


@pytest.fixture
def database(pg_admin_url: str) -> Iterator[str]:
    name = f"t_msg_{uuid.uuid4().hex[:8]}"
    _admin(pg_admin_url, f'CREATE DATABASE "{name}"')
    yield _db_url(pg_admin_url, name)
    _admin(pg_admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# --- db upgrade and serve: wrong databases, taken ports, passwords ----------------------------

def test_db_upgrade_of_a_database_that_does_not_exist(pg_admin_url: str) -> None:
    url = _with_password(_db_url(pg_admin_url, f"t_missing_{uuid.uuid4().hex[:8]}"))
    result = _run("db", "upgrade", "--silo", "control", "--db-url", url)
    assert result.returncode == 1
    line = _one_line(result)
    assert "does not exist" in line and "createdb" in line
    assert PASSWORD not in result.stderr and ":***@" in line


def test_db_upgrade_of_the_other_silos_database_is_refused(database: str) -> None:
    assert _run("db", "upgrade", "--silo", "region", "--db-url", database).returncode == 0
    result = _run("db", "upgrade", "--silo", "control", "--db-url", _with_password(database))
    assert result.returncode == 1
    line = _one_line(result)
    assert "not the control silo's" in line and "region_" in line
    assert PASSWORD not in result.stderr
    import psycopg

    with psycopg.connect(database) as conn:  # nothing of the control silo's was created
        tables = {r[0] for r in conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}
    assert "auth_user" not in tables and "sentry_organization" in tables


def test_an_unmigrated_database_is_named_without_its_password(database: str) -> None:
    url = _with_password(database)
    result = _run("serve", "control", "--db-url", url, "--listen", "127.0.0.1:0",
                  "--shared-secret", SECRET, timeout=60)
    assert result.returncode == 1
    line = _one_line(result)
    assert "relocate db upgrade --silo control" in line
    assert PASSWORD not in result.stderr and ":***@" in line


def test_serve_on_a_port_another_program_holds(database: str) -> None:
    assert _run("db", "upgrade", "--silo", "region", "--db-url", database).returncode == 0
    with socket.socket() as holder:  # not gRPC: a plain listening socket
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        address = f"127.0.0.1:{holder.getsockname()[1]}"
        result = _run("serve", "region", "--db-url", database, "--listen", address,
                      "--shared-secret", SECRET, timeout=60)
    assert result.returncode == 1
    assert f"cannot listen on {address}" in _one_line(result)


# --- the shared secret's rule ------------------------------------------------------------------

@pytest.mark.parametrize("secrets", ["x", "short-but-not-empty", f"{SECRET},old"])
def test_a_short_shared_secret_is_refused_by_serve(database: str, secrets: str) -> None:
    result = _run("serve", "control", "--db-url", database, "--listen", "127.0.0.1:0",
                  "--shared-secret", secrets, timeout=60)
    assert result.returncode == 2
    assert "at least 32 characters" in _one_line(result)


def test_a_short_shared_secret_is_refused_by_the_orchestrator() -> None:
    result = _run("import", "users", fixture_path("user-with-minimum-privileges.json"),
                  "--control", "127.0.0.1:1", "--region", "127.0.0.1:1", "--no-prompt",
                  env={"RELOCATE_SHARED_SECRET": "abc"})
    assert result.returncode == 2
    assert "at least 32 characters" in _one_line(result)


# --- RELOCATE_LOG_LEVEL ------------------------------------------------------------------------

@pytest.mark.parametrize("level", ["info", "Debug", "WARNING", " error "])
def test_any_case_of_a_log_level_is_accepted(level: str) -> None:
    example = fixture_path("user-with-minimum-privileges.json")
    result = _run("compare", example, example, env={"RELOCATE_LOG_LEVEL": level})
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr


def test_an_unknown_log_level_is_a_usage_error() -> None:
    example = fixture_path("user-with-minimum-privileges.json")
    result = _run("compare", example, example, env={"RELOCATE_LOG_LEVEL": "verbose"})
    assert result.returncode == 2
    line = _one_line(result)
    assert "'verbose'" in line and "DEBUG, INFO, WARNING, ERROR, CRITICAL" in line


# --- export: where it cannot write --------------------------------------------------------------

@pytest.mark.parametrize("where", ["directory", "missing", "under-a-file"])
def test_export_to_a_path_it_cannot_write(silos: Silos, tmp_path: Path, where: str) -> None:
    (tmp_path / "a-file").write_text("")
    dest = {"directory": tmp_path, "missing": tmp_path / "nope" / "out.json",
            "under-a-file": tmp_path / "a-file" / "out.json"}[where]
    before = sorted(tmp_path.rglob("*"))
    result = _run("export", "users", dest, "--control", silos.control_address,
                  "--region", silos.region_address)
    assert result.returncode == 2
    line = _one_line(result)
    assert str(dest) in line
    assert {"directory": "is a directory", "missing": "does not exist",
            "under-a-file": "is not a directory"}[where] in line
    assert sorted(tmp_path.rglob("*")) == before  # no partial file left behind


# --- import: what the export argument is --------------------------------------------------------

def test_import_of_a_directory_says_so(tmp_path: Path) -> None:
    result = _run("import", "users", tmp_path, "--control", "127.0.0.1:1", "--region",
                  "127.0.0.1:1")
    assert result.returncode == 2
    assert "is a directory" in _one_line(result)


def test_import_of_a_gzip_file_hints_to_decompress_it(silos: Silos, tmp_path: Path) -> None:
    src = tmp_path / "export.json.gz"
    src.write_bytes(gzip.compress(fixture_path("user-with-minimum-privileges.json")
                                  .read_bytes()))
    result = _run("import", "users", src, "--no-prompt", "--control", silos.control_address,
                  "--region", silos.region_address)
    assert result.returncode == 1
    line = _one_line(result)
    assert "gzip" in line and "gunzip" in line
    assert silos.count("control", "auth_user") == 0


def _import(silos: Silos, scope: str, src: Path) -> subprocess.CompletedProcess:
    return _run("import", scope, src, "--no-prompt", "--control", silos.control_address,
                "--region", silos.region_address)


def test_an_empty_export_succeeds_with_a_warning(silos: Silos, tmp_path: Path) -> None:
    src = tmp_path / "empty.json"
    src.write_text("[]")
    result = _import(silos, "users", src)
    assert result.returncode == 0, result.stderr
    assert ("warning: nothing was imported: the export holds no records"
            in result.stderr.splitlines())


def test_an_export_with_nothing_in_the_scope_succeeds_with_a_warning(
        silos: Silos, tmp_path: Path) -> None:
    options = load_fixture("single-option.json")
    assert {r["model"] for r in options} == {"sentry.option"}
    src = tmp_path / "options.json"
    src.write_text(json.dumps(options))
    result = _import(silos, "users", src)
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip().splitlines()[-1] == (
        f"warning: nothing was imported: the export has {len(options)} record(s) outside the "
        "users scope (sentry.option); import it in the scope it was exported in")
    assert silos.count("control", "sentry_controloption") == 0


def test_an_export_of_unknown_models_only_succeeds_with_a_warning(
        silos: Silos, tmp_path: Path) -> None:
    src = tmp_path / "unknown.json"
    src.write_text(json.dumps([{"model": f"sentry.gone{n}", "pk": n, "fields": {}}
                               for n in range(7)]))
    result = _import(silos, "users", src)
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip().splitlines()[-1] == (
        "warning: nothing was imported: the export has 7 record(s) of models this version "
        "does not import (sentry.gone0, sentry.gone1, sentry.gone2, sentry.gone3, "
        "sentry.gone4 and 2 more)")


def test_an_import_that_imports_something_has_no_warning(silos: Silos, tmp_path: Path) -> None:
    result = _import(silos, "users", fixture_path("user-with-minimum-privileges.json"))
    assert result.returncode == 0, result.stderr
    assert "nothing was imported" not in result.stderr


# --- findings files are their owner's ------------------------------------------------------------

def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_findings_files_are_readable_only_by_their_owner(silos: Silos, tmp_path: Path) -> None:
    findings = tmp_path / "findings.json"
    findings.write_text("old")
    findings.chmod(0o644)  # a file already there is made private as well
    result = _run("import", "users", fixture_path("user-with-minimum-privileges.json"),
                  "--no-prompt", "--findings-file", findings, "--control",
                  silos.control_address, "--region", silos.region_address)
    assert result.returncode == 0, result.stderr
    assert json.loads(findings.read_text()) == [] and _mode(findings) == 0o600


def test_compare_findings_are_readable_only_by_their_owner(tmp_path: Path) -> None:
    left = fixture_path("user-with-minimum-privileges.json")
    records = load_fixture("user-with-minimum-privileges.json")
    records[0]["fields"]["email"] = "someone.else@example.com"
    right = tmp_path / "right.json"
    right.write_text(json.dumps(records))
    findings = tmp_path / "differences.json"
    result = _run("compare", left, right, "--findings-file", findings)
    assert result.returncode == 1
    assert "someone.else@example.com" in findings.read_text()
    assert _mode(findings) == 0o600
