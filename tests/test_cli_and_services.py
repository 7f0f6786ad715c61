"""The CLI as a user runs it: separate processes, signals, exit codes, the embedded default."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import psycopg
import pytest
import yaml

from commands.cli import build_parser
from tests.conftest import ROOT, _admin, _db_url, fixture_path

RELOCATE = [sys.executable, "-m", "commands.cli"]


def _run(*args: str | Path, timeout: float = 120, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([*RELOCATE, *map(str, args)], capture_output=True, text=True,
                          timeout=timeout, cwd=ROOT, **kw)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_healthy(address: str, deadline: float = 30) -> None:
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        if _run("health", address, timeout=10).returncode == 0:
            return
        time.sleep(0.3)
    pytest.fail(f"{address} never became healthy")


@pytest.fixture
def empty_db(pg_admin_url: str):
    name = f"t_empty_{uuid.uuid4().hex[:8]}"
    _admin(pg_admin_url, f'CREATE DATABASE "{name}"')
    yield _db_url(pg_admin_url, name)
    _admin(pg_admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_missing_source_file_is_a_usage_error(tmp_path: Path) -> None:
    result = _run("import", "users", tmp_path / "nope.json", "--control", "127.0.0.1:1",
                  "--region", "127.0.0.1:1")
    assert result.returncode == 2
    assert "no such file" in result.stderr


def test_unreachable_silo_fails_with_a_clear_message(tmp_path: Path) -> None:
    findings = tmp_path / "findings.json"
    port = _free_port()
    result = _run("import", "users", fixture_path("user-with-minimum-privileges.json"),
                  "--control", f"127.0.0.1:{port}", "--region", f"127.0.0.1:{port}",
                  "--findings-file", findings)
    assert result.returncode == 1
    assert "not reachable" in result.stderr and "Is it running?" in result.stderr
    assert '"kind": "DatabaseError"' in findings.read_text() or \
        '"kind": "Unknown"' in findings.read_text()


def test_service_refuses_a_database_without_its_schema(empty_db: str) -> None:
    result = _run("serve", "control", "--db-url", empty_db, "--listen", "127.0.0.1:0",
                  "--shared-secret", "s3cret", timeout=60)
    assert result.returncode == 1
    assert f"relocate db upgrade --silo control --db-url {empty_db}" in result.stderr


def test_serve_refuses_to_run_without_a_secret(empty_db: str) -> None:
    result = _run("serve", "region", "--db-url", empty_db, "--listen", "127.0.0.1:0",
                  timeout=60)
    assert result.returncode == 2
    assert "--shared-secret" in result.stderr and "--allow-unauthenticated" in result.stderr


def test_serve_health_and_graceful_stop_on_sigterm(empty_db: str) -> None:
    upgraded = _run("db", "upgrade", "--silo", "region", "--db-url", empty_db)
    assert upgraded.returncode == 0, upgraded.stderr
    with psycopg.connect(empty_db) as conn:
        tables = {r[0] for r in conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}
    assert {"sentry_organization", "sentry_regionimportchunk",
            "sentry_controlimportchunkreplica"} <= tables
    address = f"127.0.0.1:{_free_port()}"
    server = subprocess.Popen([*RELOCATE, "serve", "region", "--db-url", empty_db, "--listen",
                               address, "--name", "eu", "--shared-secret", "s3cret"], cwd=ROOT,
                              stderr=subprocess.PIPE, text=True)
    try:
        _wait_healthy(address)
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=30) == 0
    finally:
        if server.poll() is None:
            server.kill()
    assert _run("health", address, timeout=10).returncode == 1


@pytest.mark.db  # starts the embedded PostgreSQL
def test_embedded_default_keeps_data_between_runs(tmp_path: Path) -> None:
    """No addresses: PostgreSQL and both silos start locally; a second run sees the first."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("RELOCATE_")}
    data_dir = tmp_path / "data"
    example = ROOT / "examples" / "acme-export.json"
    first = _run("import", "organizations", example, "--no-prompt", "--data-dir", data_dir,
                 env=env, timeout=300)
    assert first.returncode == 0, first.stderr
    assert "embedded default" in first.stderr
    second = _run("import", "organizations", example, "--no-prompt", "--data-dir", data_dir,
                  env=env, timeout=300)
    assert second.returncode == 0, second.stderr
    assert "acme -> acme-" in second.stderr  # the slug is taken by the first run

    from commands.embedded import embedded_postgres

    with embedded_postgres(data_dir) as urls:
        with psycopg.connect(urls["region"]) as conn:
            slugs = sorted(r[0] for r in conn.execute("SELECT slug FROM sentry_organization"))
        with psycopg.connect(urls["control"]) as conn:
            users = conn.execute("SELECT count(*) FROM auth_user").fetchone()[0]
    assert slugs[0] == "acme" and slugs[1].startswith("acme-") and len(slugs) == 2
    assert users == 6


def test_compose_file_names_the_services_and_settings_the_code_reads() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert set(services) == {"control-db", "region-db", "control", "region", "orchestrator"}
    cli = "".join(p.read_text() for p in sorted((ROOT / "commands").glob("*.py")))
    for name in ("control", "region"):
        env = services[name]["environment"]
        db_var = f"RELOCATE_{name.upper()}_DB_URL"
        with pytest.MonkeyPatch.context() as mp:  # the CLI reads the variable compose sets
            mp.setenv(db_var, env[db_var])
            assert build_parser().parse_args(["serve", name]).db_url == env[db_var]
        assert env[db_var].startswith("postgresql://")
        assert f"{name}-db" in env[db_var]
        assert f"relocate serve {name}" in " ".join(services[name]["command"])
        assert f"relocate db upgrade --silo {name}" in " ".join(services[name]["command"])
        assert services[name]["depends_on"][f"{name}-db"]["condition"] == "service_healthy"
    secrets = {services[n]["environment"]["RELOCATE_SHARED_SECRET"]
               for n in ("control", "region", "orchestrator")}
    assert len(secrets) == 1 and secrets.pop()  # one secret, shared by all three
    orchestrator = services["orchestrator"]
    assert orchestrator["environment"]["RELOCATE_CONTROL_ADDR"] == "control:50051"
    assert orchestrator["environment"]["RELOCATE_REGION_ADDR"] == "region:50051"
    for var in ("RELOCATE_CONTROL_ADDR", "RELOCATE_REGION_ADDR", "RELOCATE_LISTEN",
                "RELOCATE_REGION_NAME", "RELOCATE_SHARED_SECRET"):
        assert f'"{var}"' in cli
    assert orchestrator["command"][0] == "import"
    data = orchestrator["volumes"][0].split(":")[0]
    assert (ROOT / data / Path(orchestrator["command"][2]).name).exists()
