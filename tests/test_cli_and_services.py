"""The CLI as a user runs it: separate processes, signals, exit codes, the embedded default."""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from importlib.metadata import version
from pathlib import Path
from types import ModuleType

import psycopg
import pytest
import yaml

from commands.arguments import EnvDefault
from commands.main import build_parser
from control_service import app as control_app
from region_service import app as region_app
from silo_engine.database import head_revision
from tests.conftest import (
    ROOT,
    Silos,
    _admin,
    _db_url,
    fixture_path,
    run_cli,
    run_import,
)
from tools.bench.generate import generate
from tools.bench.verify import verify
from wire.scopes import ImportScope

RELOCATE = [sys.executable, "-m", "commands.cli"]
SECRET = "s3cret-" + "x" * 32  # a shared secret must be 32 characters or more


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
                  "--findings-file", findings, "--retry-deadline", "1")
    assert result.returncode == 1
    assert "not reachable for the retry deadline (1s, --retry-deadline)" in result.stderr
    assert "Is it running?" in result.stderr
    assert [f["kind"] for f in json.loads(findings.read_text())] == ["SiloUnavailable"]


@pytest.mark.parametrize(("then", "deadline"),
                         [("restart", 30), ("never", 4), ("sigterm", 120)])
def test_a_silo_restarted_mid_import_is_waited_for_within_the_retry_deadline(
        silos: Silos, tmp_path: Path, then: str, deadline: int) -> None:
    """The region silo stops in the middle of an import (its in-flight calls cancelled) and
    starts again 8 s later (longer than a few quick retries last) on the same port and
    database: the import retries, logging each retry, and lands every record exactly once. A
    silo that never comes back is SiloUnavailable once the retry deadline has passed, not long
    after; and SIGTERM while retrying stops the import at once, not at the deadline."""
    export = generate(tmp_path / "export.json", 30_000, seed=7)
    region = region_app.start(silos.region_url, "127.0.0.1:0")
    port = region.port
    findings = tmp_path / "findings.json"
    proc = subprocess.Popen(
        [*RELOCATE, "import", "organizations", str(export.path), "--no-prompt",
         "--control", silos.control_address, "--region", f"127.0.0.1:{port}",
         "--findings-file", str(findings), "--retry-deadline", str(deadline)],
        stderr=subprocess.PIPE, text=True, cwd=ROOT)
    assert proc.stderr is not None
    try:
        seen = []
        for line in proc.stderr:  # a first model is written and others are going out
            seen.append(line)
            if " records in " in line:
                break
        region.stop(0)
        stopped = time.monotonic()
        if then == "restart":
            time.sleep(8)
            region = region_app.start(silos.region_url, f"127.0.0.1:{port}")
        elif then == "sigterm":
            for line in proc.stderr:
                seen.append(line)
                if "retrying in" in line:
                    break
            proc.send_signal(signal.SIGTERM)
            stopped = time.monotonic()
        seen.append(proc.stderr.read())
        code = proc.wait(timeout=300)
        ended = time.monotonic() - stopped
    finally:
        region.stop(1)
    stderr = "".join(seen)
    assert "Traceback" not in stderr
    assert f"the region silo at 127.0.0.1:{port} did not answer a call on sentry." in stderr
    assert "retrying in" in stderr
    if then == "restart":
        assert code == 0, stderr
        checked = verify({"control": silos.control_url, "region": silos.region_url},
                         export.counts, ImportScope.ORGANIZATION)
        assert checked.ok, checked.to_json()
    elif then == "never":
        assert code == 1, stderr
        assert "SiloUnavailable" in stderr
        assert [f["kind"] for f in json.loads(findings.read_text())] == ["SiloUnavailable"]
        assert ended < deadline + 10  # the deadline, a last attempt and the in-flight batches
    else:
        assert code == 143, stderr
        assert [f["kind"] for f in json.loads(findings.read_text())] == ["SIGTERM"]
        assert ended < 15  # not the 120 s of the retry deadline


def test_service_refuses_a_database_without_its_schema(empty_db: str) -> None:
    result = _run("serve", "control", "--db-url", empty_db, "--listen", "127.0.0.1:0",
                  "--shared-secret", SECRET, timeout=60)
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
                               address, "--name", "eu", "--shared-secret", SECRET], cwd=ROOT,
                              stderr=subprocess.PIPE, text=True)
    try:
        _wait_healthy(address)
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=30) == 0
    finally:
        if server.poll() is None:
            server.kill()
    assert _run("health", address, timeout=10).returncode == 1


def test_a_second_silo_on_a_taken_port_is_refused(empty_db: str) -> None:
    """gRPC would share a port with the process already listening on it (SO_REUSEPORT), and
    an import would then split its batches between two databases: the second silo must refuse
    to start, in one line, and the first keep serving."""
    assert _run("db", "upgrade", "--silo", "region", "--db-url", empty_db).returncode == 0
    address = f"127.0.0.1:{_free_port()}"
    serve = [*RELOCATE, "serve", "region", "--db-url", empty_db, "--listen", address,
             "--shared-secret", SECRET]
    first = subprocess.Popen(serve, cwd=ROOT, stderr=subprocess.DEVNULL)
    try:
        _wait_healthy(address)
        second = subprocess.run(serve, cwd=ROOT, capture_output=True, text=True, timeout=60)
        assert second.returncode == 1, second.stderr
        assert second.stderr.strip().splitlines()[-1] == (
            f"relocate: cannot listen on {address}: the address is in use (by another silo "
            "or another program) or not this machine's; choose another with --listen")
        assert first.poll() is None
        assert _run("health", address, timeout=10).returncode == 0
    finally:
        first.kill()
        first.wait(timeout=30)


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
            ((users,),) = conn.execute("SELECT count(*) FROM auth_user").fetchall()
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
    assert orchestrator["environment"]["RELOCATE_REGION_ADDR"] == "region:50052"
    for var in ("RELOCATE_CONTROL_ADDR", "RELOCATE_REGION_ADDR", "RELOCATE_LISTEN",
                "RELOCATE_REGION_NAME", "RELOCATE_SHARED_SECRET"):
        assert f'"{var}"' in cli
    assert orchestrator["command"][0] == "import"
    data = orchestrator["volumes"][0].split(":")[0]
    assert (ROOT / data / Path(orchestrator["command"][2]).name).exists()


def test_compose_requires_a_secret_and_gives_the_orchestrator_somewhere_to_write() -> None:
    """No default secret (everyone would know it), findings and the report on a writable
    volume, and a build context without the virtualenv, history and caches."""
    text = (ROOT / "docker-compose.yml").read_text()
    compose = yaml.safe_load(text)
    for name in ("control", "region", "orchestrator"):
        secret = compose["services"][name]["environment"]["RELOCATE_SHARED_SECRET"]
        assert secret.startswith("${RELOCATE_SHARED_SECRET:?") and ":-" not in secret
    orchestrator = compose["services"]["orchestrator"]
    outputs = [v for v in orchestrator["volumes"] if not v.endswith(":ro")]
    assert len(outputs) == 1
    volume, mount = outputs[0].split(":")
    assert volume in compose["volumes"]  # a named volume: made writable from the image's /output
    assert f"mkdir {mount} && chown relocate {mount}" in (ROOT / "Dockerfile").read_text()
    command = orchestrator["command"]
    for flag in ("--findings-file", "--report-file"):
        assert command[command.index(flag) + 1].startswith(mount + "/")
    ignored = {line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()
               if line.strip() and not line.startswith("#")}
    assert {".git", ".venv", ".tools", ".relocate", "**/__pycache__", ".pytest_cache",
            ".mypy_cache", ".ruff_cache", "tests", ".env"} <= ignored
    copied = re.findall(r"^COPY (.+) \S+$", (ROOT / "Dockerfile").read_text(), re.MULTILINE)
    for source in " ".join(copied).split():  # nothing the image needs is left out
        assert source not in ignored


# --- conventions: --version, exit codes, defaults in --help, environment variables ------------


def _parsers(parser: argparse.ArgumentParser) -> Iterator[argparse.ArgumentParser]:
    """`parser` and every parser below it."""
    yield parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in action.choices.values():
                yield from _parsers(child)


def test_version_is_the_distributions() -> None:
    result = _run("--version", timeout=30)
    assert result.returncode == 0
    assert result.stdout.strip() == f"relocate {version('relocation')}"


@pytest.mark.parametrize("argv", [
    ["import", "organizations", "EXAMPLE", "--control", "127.0.0.1:1"],  # no --region
    ["export", "users", "OUT", "--region", "127.0.0.1:1"],  # no --control
    ["import", "users", "EXAMPLE", "--filter-usernames-file", "MISSING", "--control",
     "127.0.0.1:1", "--region", "127.0.0.1:1"],
    ["import", "users", "EXAMPLE", "--tls-ca", "MISSING", "--control", "127.0.0.1:1",
     "--region", "127.0.0.1:1"],
    ["import", "global", "EXAMPLE", "--control", "127.0.0.1:1", "--region", "127.0.0.1:1"],
    ["import", "users", "EXAMPLE", "--import-uuid", "nope"],
    ["db", "upgrade", "--silo", "control"],  # no --db-url and no RELOCATE_CONTROL_DB_URL
    ["db", "revision", "--silo", "region", "-m", "x", "--autogenerate"],
    ["serve", "control", "--db-url", "postgresql://x/y", "--listen", "127.0.0.1:0"],
    ["backup", "keygen", "SAME", "SAME"],
    ["compare", "EXAMPLE", "MISSING"],
    ["nonsense"],
    ["import", "users"],
])
def test_every_usage_error_exits_2_with_one_line(argv: list[str], tmp_path: Path) -> None:
    """The command line asks for what cannot be done as asked: exit 2, say why in one line,
    start nothing (a global import with no terminal to confirm on is one too)."""
    places = {"EXAMPLE": ROOT / "examples" / "acme-export.json", "OUT": tmp_path / "out.json",
              "MISSING": tmp_path / "missing", "SAME": tmp_path / "key.pem"}
    env = {k: v for k, v in os.environ.items() if not k.startswith("RELOCATE_")}
    result = _run(*[places.get(arg, arg) for arg in argv], env=env, stdin=subprocess.DEVNULL,
                  timeout=60)
    assert result.returncode == 2, result.stderr
    assert not (tmp_path / "out.json").exists() and not (tmp_path / "key.pem").exists()
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("relocate") and ": " in last, result.stderr


def test_help_shows_every_default_and_no_environment_value(monkeypatch: pytest.MonkeyPatch
                                                           ) -> None:
    monkeypatch.setenv("RELOCATE_SHARED_SECRET", "s3cret-value")
    monkeypatch.setenv("RELOCATE_LISTEN", "10.1.2.3:4")
    parser = build_parser()
    checked = 0
    for each in _parsers(parser):
        text = " ".join(each.format_help().split())
        assert "s3cret-value" not in text and "10.1.2.3:4" not in text
        for action in each._actions:
            default = getattr(action, "fallback", action.default)
            if (not action.option_strings or action.help == argparse.SUPPRESS
                    or default is None or default is False or default == argparse.SUPPRESS):
                continue
            assert "default" in (action.help or "") or f"default: {default}" in text, \
                (each.prog, action.option_strings)
            checked += 1
    assert checked > 20
    serve = " ".join(_help(parser, "serve", "region").split())
    assert "(env RELOCATE_LISTEN; default: 0.0.0.0:50052)" in serve
    assert "(env RELOCATE_LISTEN; default: 0.0.0.0:50051)" in " ".join(
        _help(parser, "serve", "control").split())
    assert "(env RELOCATE_REGION_NAME; default: default)" in serve
    assert "(env RELOCATE_DATA_DIR; default: .relocate)" in " ".join(
        _help(parser, "import", "users").split())


def _help(parser: argparse.ArgumentParser, *path: str) -> str:
    for name in path:
        (sub,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
        parser = sub.choices[name]
    return parser.format_help()


def test_a_flag_reads_the_same_variable_in_every_verb_that_takes_it() -> None:
    """One flag, one environment variable, wherever it is taken. `db` picks the silo's
    RELOCATE_*_DB_URL after parsing (the next test); `bench run|faults --data-dir` is the
    benchmark's own PostgreSQL, not the embedded default's, so RELOCATE_DATA_DIR must not move
    it."""
    taken: dict[str, dict[str, str | None]] = {}  # flag -> parser -> its variable
    for each in _parsers(build_parser()):
        for action in each._actions:
            for flag in action.option_strings:
                env = action.env if isinstance(action, EnvDefault) else None
                taken.setdefault(flag, {})[each.prog] = env
    exempt = {("--db-url", "relocate db upgrade"), ("--db-url", "relocate db revision"),
              ("--data-dir", "relocate bench run"),
              ("--data-dir", "relocate bench faults")}
    for flag, by_parser in taken.items():
        variables = {env for env in by_parser.values() if env is not None}
        if not variables:
            continue
        if flag != "--db-url":
            assert len(variables) == 1, (flag, variables)
        assert not [prog for prog, env in by_parser.items()
                    if env is None and (flag, prog) not in exempt], (flag, by_parser)
    assert {"--control", "--region", "--data-dir", "--shared-secret", "--tls-ca", "--tls-cert",
            "--tls-key", "--listen", "--name", "--db-url"} <= {
        flag for flag, by_parser in taken.items() if any(by_parser.values())}


def test_db_upgrade_reads_the_silos_database_url_from_the_environment(empty_db: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RELOCATE_")}
    upgraded = _run("db", "upgrade", "--silo", "control",
                    env={**env, "RELOCATE_CONTROL_DB_URL": empty_db})
    assert upgraded.returncode == 0, upgraded.stderr
    with psycopg.connect(empty_db) as conn:
        tables = {r[0] for r in conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}
    assert {"auth_user", "sentry_controlimportchunk"} <= tables


@pytest.fixture
def migrated_control_db(pg_admin_url: str, templates: dict[str, str]) -> Iterator[str]:
    name = f"t_revision_{uuid.uuid4().hex[:8]}"
    _admin(pg_admin_url, f'CREATE DATABASE "{name}" TEMPLATE "{templates["control"]}"')
    yield _db_url(pg_admin_url, name)
    _admin(pg_admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def migrations_copy(tmp_path: Path,
                    monkeypatch: pytest.MonkeyPatch) -> Callable[[ModuleType], Path]:
    """Point a silo's MIGRATIONS at a copy, so that a revision written by a test is never seen
    by tests running beside it (a second head would break their schemas)."""

    def copy(app: ModuleType) -> Path:
        target = tmp_path / f"{app.__name__}.migrations"
        shutil.copytree(app.MIGRATIONS, target, ignore=shutil.ignore_patterns("__pycache__"))
        monkeypatch.setattr(app, "MIGRATIONS", target)
        return target

    return copy


def test_db_revision_autogenerates_nothing_for_an_up_to_date_schema(
        migrated_control_db: str, migrations_copy: Callable[[ModuleType], Path]) -> None:
    migrations = migrations_copy(control_app)
    head = head_revision(migrations)
    number = int(head.removeprefix("control_"))
    expected = migrations / "versions" / f"control_{number + 1:04d}_nothing_to_change.py"
    result = run_cli(["db", "revision", "--silo", "control", "-m", "nothing to change",
                      "--autogenerate", "--db-url", migrated_control_db])
    assert result.code == 0, result.stderr
    text = expected.read_text()
    assert f"Revises: {head}" in text and f"down_revision: str | None = {head!r}" in text
    body = text[text.index("def upgrade() -> None:"):text.index("def downgrade()")]
    assert [line.strip() for line in body.splitlines()[1:] if line.strip()
            and not line.strip().startswith("#")] == ["pass"]


def test_db_revision_without_autogenerate_needs_no_database(
        migrations_copy: Callable[[ModuleType], Path], monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """An empty revision is written from the script directory alone, numbered after the head."""
    for name in ("RELOCATE_CONTROL_DB_URL", "RELOCATE_REGION_DB_URL"):
        monkeypatch.delenv(name, raising=False)
    migrations = migrations_copy(region_app)
    head = head_revision(migrations)
    number = int(head.removeprefix("region_"))
    expected = migrations / "versions" / f"region_{number + 1:04d}_by_hand.py"
    assert run_cli(["db", "revision", "--silo", "region", "-m", "by hand"]).code == 0
    assert f"Generating {expected}" in capsys.readouterr().out
    assert f"down_revision: str | None = {head!r}" in expected.read_text()
    assert head_revision(migrations) == expected.stem.split("_by_")[0]


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP])
def test_a_signal_stops_an_import_cleanly_and_its_resume_command_resumes_it(
        silos: Silos, tmp_path: Path, sig: signal.Signals) -> None:
    """Ctrl-C, SIGTERM (`timeout`, `docker stop`) or SIGHUP while batches are being written:
    exit 128 + the signal with one line that gives the exact command to resume with (no
    traceback), the spill is removed, the findings file says so, and that command, run as
    printed, resumes (batches from the ledger) and lands every record exactly once."""
    export = generate(tmp_path / "export.json", 30_000, seed=3)
    import_uuid = uuid.uuid4().hex
    spill_root = tmp_path / "spill"
    spill_root.mkdir()
    findings = tmp_path / "findings.json"
    env = {**os.environ, "TMPDIR": str(spill_root),
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    args = [*RELOCATE, "import", "organizations", str(export.path), "--no-prompt",
            "--control", silos.control_address, "--region", silos.region_address,
            "--findings-file", str(findings), "--import-uuid", import_uuid]
    proc = subprocess.Popen(args, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT)
    assert proc.stderr is not None
    seen = []
    for line in proc.stderr:  # wait until a first model is written and others are going out
        seen.append(line)
        if " records in " in line:  # "sentry.x: N records in 0.12s (...)"
            break
    proc.send_signal(sig)
    seen.append(proc.stderr.read())
    stderr = "".join(seen)
    assert proc.wait(timeout=120) == 128 + sig, stderr
    assert "Traceback" not in stderr
    resume = (f"relocate import organizations {export.path} --no-prompt "
              f"--control {silos.control_address} --region {silos.region_address} "
              f"--findings-file {findings} --import-uuid {import_uuid}")
    assert stderr.rstrip().splitlines()[-1] == (
        f"relocate: interrupted by {sig.name}. Batches written before it are kept; to resume, "
        f"run: {resume}")
    assert json.loads(findings.read_text()) == [{
        "finding": "Interrupted", "kind": sig.name, "on": {"model": None, "ordinal": None},
        "left_pk": None, "right_pk": None,
        "reason": f"the import was interrupted by {sig.name}. Batches written before it are "
                  f"kept; to resume, run: {resume}"}]
    assert list(spill_root.iterdir()) == []
    written = silos.count("region", "sentry_organizationmember")
    assert written < export.counts["sentry.organizationmember"]  # it did stop part way

    resumed = subprocess.run(resume, shell=True, capture_output=True, text=True, env=env,
                             cwd=ROOT, timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    assert "resumed" in resumed.stderr
    checked = verify({"control": silos.control_url, "region": silos.region_url},
                     export.counts, ImportScope.ORGANIZATION)
    assert checked.ok, checked.to_json()


def test_spill_files_are_private_and_a_killed_imports_spill_is_removed_by_the_next(
        silos: Silos, tmp_path: Path) -> None:
    """Every spill file is 0600 in a 0700 folder; after a kill -9 (no cleanup possible) the
    next import removes that folder, and only folders whose owner process is gone: not a live
    process's, nor one with no owner mark; a reused pid (another start time) counts as gone."""
    export = generate(tmp_path / "export.json", 30_000, seed=5)
    spill_root = tmp_path / "spill"
    spill_root.mkdir()
    live, unmarked, reused = (spill_root / f"relocate-spill-{name}"
                              for name in ("live", "unmarked", "reused"))
    for directory in (live, unmarked, reused):
        directory.mkdir()
    started = Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()[19]
    (live / "owner").write_text(f"{os.getpid()} {started}")
    (reused / "owner").write_text(f"{os.getpid()} {int(started) - 1}")
    env = {**os.environ, "TMPDIR": str(spill_root)}
    args = [*RELOCATE, "import", "organizations", str(export.path), "--no-prompt",
            "--control", silos.control_address, "--region", silos.region_address,
            "--import-uuid", uuid.uuid4().hex]
    proc = subprocess.Popen(args, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT)
    assert proc.stderr is not None
    for line in proc.stderr:  # the spill is complete once a model is imported
        if " records in " in line:
            break
    killed = [d for d in spill_root.iterdir() if d not in (live, unmarked)]
    assert len(killed) == 1 and not reused.exists()  # the import removed the reused pid's
    files = [f for f in killed[0].rglob("*") if f.is_file()]
    assert len(files) > 5
    assert {oct(f.stat().st_mode & 0o777) for f in files} == {"0o600"}
    assert killed[0].stat().st_mode & 0o777 == 0o700
    proc.kill()
    proc.wait(timeout=30)
    proc.stderr.close()
    assert killed[0].exists()  # nothing could clean up after SIGKILL

    again = subprocess.run(args, capture_output=True, text=True, env=env, cwd=ROOT,
                           timeout=300)
    assert again.returncode == 0, again.stderr
    assert sorted(spill_root.iterdir()) == [live, unmarked]


def test_a_closed_output_pipe_does_not_stop_an_import(silos: Silos, tmp_path: Path) -> None:
    """`relocate import ... 2>&1 | head -2`: once the reader is gone, progress and the summary
    are dropped, and the import still lands every record and exits 0."""
    export = generate(tmp_path / "export.json", 10_000, seed=6)
    proc = subprocess.Popen(
        [*RELOCATE, "import", "organizations", str(export.path), "--no-prompt",
         "--control", silos.control_address, "--region", silos.region_address],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=ROOT)
    assert proc.stdout is not None
    assert proc.stdout.readline().startswith("Importing ")
    proc.stdout.close()  # `head` has what it wanted and leaves
    assert proc.wait(timeout=300) == 0
    checked = verify({"control": silos.control_url, "region": silos.region_url},
                     export.counts, ImportScope.ORGANIZATION)
    assert checked.ok, checked.to_json()


def test_sigterm_stops_an_export_and_leaves_its_destination_unchanged(
        silos: Silos, tmp_path: Path) -> None:
    """SIGTERM during an export: exit 143, one line with the command to run it again, the
    findings file says so, and no partial file is left beside DEST."""
    export = generate(tmp_path / "export.json", 30_000, seed=4)
    run_import(silos, tmp_path, "global", export.path)
    out = tmp_path / "out"
    out.mkdir()
    dest, findings = out / "again.json", tmp_path / "export-findings.json"
    proc = subprocess.Popen(
        [*RELOCATE, "export", "global", str(dest), "--findings-file", str(findings),
         "--control", silos.control_address, "--region", silos.region_address,
         "--shared-secret", "not-shown-0123456789abcdef0123456789"],
        stderr=subprocess.PIPE, text=True, cwd=ROOT)
    deadline = time.monotonic() + 60
    while not any(out.iterdir()) and time.monotonic() < deadline:  # the .partial file
        time.sleep(0.01)
    proc.send_signal(signal.SIGTERM)
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 143, stderr
    assert "Traceback" not in stderr and "not-shown" not in stderr
    assert stderr.rstrip().splitlines()[-1] == (
        f"relocate: interrupted by SIGTERM; {dest} is unchanged. To export again, run: "
        f"relocate export global {dest} --findings-file {findings} "
        f"--control {silos.control_address} --region {silos.region_address} "
        '--shared-secret "$RELOCATE_SHARED_SECRET"')
    assert [f["kind"] for f in json.loads(findings.read_text())] == ["SIGTERM"]
    assert list(out.iterdir()) == []


def test_a_closed_pipe_ends_compare_quietly(tmp_path: Path) -> None:
    """`relocate compare ... | head`: the reader leaving is not an error to print a traceback
    for."""
    left = generate(tmp_path / "left.json", 3_000, seed=1).path
    right = generate(tmp_path / "right.json", 3_000, seed=2).path
    proc = subprocess.Popen([*RELOCATE, "compare", str(left), str(right)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.read(10)
    proc.stdout.close()  # as `head` does once it has its lines
    stderr = proc.stderr.read().decode()
    assert proc.wait(timeout=120) in (0, 1), stderr
    assert "Traceback" not in stderr and "BrokenPipeError" not in stderr


def test_the_cli_loads_no_silo_code_until_a_verb_needs_it() -> None:
    """An import's process holds the pipeline, not the silos' model declarations, SQLAlchemy
    or Alembic: loading them for every verb raised the orchestrator's peak memory and CPU time
    per import (docs/performance.md, "Commands"). `serve`, `db` and `compare` load them when
    they run."""
    heavy = ("sqlalchemy", "alembic", "silo_engine", "control_service", "region_service",
             "tools.compare")
    probe = ("import sys, commands.main; commands.main.build_parser(); "
             f"print(','.join(m for m in {heavy!r} if m in sys.modules))")
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            cwd=ROOT, check=True).stdout.strip()
    assert loaded == ""


@pytest.mark.db  # starts the embedded PostgreSQL
def test_embedded_default_with_a_long_data_dir_keeps_the_socket_private(tmp_path: Path) -> None:
    """A data dir too long for a socket path must not put PostgreSQL's socket in a directory
    other local users can enter, nor let them in by `trust`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("RELOCATE_")}
    data_dir = tmp_path / ("d" * 60) / ("e" * 60)
    assert len(str(data_dir)) >= 120
    example = ROOT / "examples" / "acme-export.json"
    result = _run("import", "organizations", example, "--no-prompt", "--data-dir", data_dir,
                  env=env, timeout=300)
    assert result.returncode == 0, result.stderr
    hba = (data_dir / "pg" / "pg_hba.conf").read_text()
    assert not [line for line in hba.splitlines() if line.split()[:1] == ["local"]
                and "trust" in line.split()]

    from commands.embedded import embedded_postgres

    with embedded_postgres(data_dir) as urls:
        socket_dir = Path(urls["control"].split("host=", 1)[1].split("&", 1)[0])
        with psycopg.connect(urls["control"]) as conn:
            ((users,),) = conn.execute("SELECT count(*) FROM auth_user").fetchall()
        status = socket_dir.stat()
        pg_uid = (data_dir / "pg").stat().st_uid  # the OS user PostgreSQL runs as
        assert socket_dir != data_dir / "pg"
        assert status.st_mode & 0o777 == 0o700, oct(status.st_mode)
        assert status.st_uid == pg_uid
    assert users == 3  # the example's users, imported once
