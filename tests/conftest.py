"""Shared fixtures: real PostgreSQL, fresh databases per test, real gRPC silo services.

PostgreSQL is the server at 127.0.0.1:5432 when one answers (CI has one), else an embedded one
started for the session. Each silo schema is migrated once into a template database; every test
gets its own copies, so tests never see each other's rows.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
import pytest
import sqlalchemy as sa
from hypothesis import settings

from commands.main import main as relocate_main
from control_service import app as control_app
from region_service import app as region_app
from silo_engine.database import make_engine, upgrade
from silo_engine.server import Security

ROOT = Path(__file__).resolve().parent.parent
# Sentry's own fixture exports, kept with the tests (tests/fixtures/sentry/SOURCE.md).
FIXTURES = ROOT / "tests" / "fixtures" / "sentry"
DETAILED = FIXTURES / "model_dependencies" / "detailed.json"

# Property tests check behaviour, not speed: no time limit per example, which a busy 2-core CI
# machine could overrun for no fault of the code.
settings.register_profile("relocation", deadline=None)
settings.load_profile("relocation")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that needs PostgreSQL (directly or through a fixture) `db`, so that
    `-m "not db"` runs the quick, pure part of the suite."""
    for item in items:
        if "pg_admin_url" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.db)


def fixture_path(name: str) -> Path:
    path = FIXTURES / name
    if not path.exists():
        pytest.fail(f"test fixture {path} is missing (see tests/fixtures/sentry/SOURCE.md)")
    return path


def load_fixture(name: str) -> list[dict[str, Any]]:
    return json.loads(fixture_path(name).read_text())


def lookalike_lines_export(inner: int) -> str:
    """Three records, one a record per line; the second holds `inner` lines that open like
    records, at the records' own indentation, so a cut there falls inside it."""
    lines = ",\n".join(['{"model": "sentry.email", "pk": 1}'] * inner)
    return ('[\n{"model": "sentry.option", "pk": 1, "fields": {"key": "a", "value": 1}},\n'
            '{"model": "sentry.option", "pk": 2, "fields": {"key": "b", "value": [\n'
            + lines + '\n]}},\n'
            '{"model": "sentry.option", "pk": 3, "fields": {"key": "c", "value": 3}}\n]\n')


def _local_server() -> str | None:
    url = os.environ.get("RELOCATE_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
    try:
        with psycopg.connect(url, connect_timeout=3):
            return url
    except psycopg.OperationalError:
        return None


@pytest.fixture(scope="session")
def pg_admin_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = _local_server()
    if url is not None:
        yield url
        return
    from commands.embedded import embedded_postgres

    with embedded_postgres(tmp_path_factory.mktemp("pg")) as urls:
        yield urls["control"].replace("/relocate_control?", "/postgres?")


def _db_url(admin_url: str, name: str) -> str:
    if "?" in admin_url:  # socket form: postgresql://postgres:@/postgres?host=/dir
        return admin_url.replace("/postgres?", f"/{name}?", 1)
    return admin_url.rsplit("/", 1)[0] + f"/{name}"


def _admin(admin_url: str, *statements: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement)


@pytest.fixture(scope="session")
def templates(pg_admin_url: str) -> Iterator[dict[str, str]]:
    """One migrated template database per silo."""
    suffix = uuid.uuid4().hex[:8]
    names = {"control": f"tpl_control_{suffix}", "region": f"tpl_region_{suffix}"}
    for silo, name in names.items():
        _admin(pg_admin_url, f'CREATE DATABASE "{name}"')
        app = control_app if silo == "control" else region_app
        upgrade(app.MIGRATIONS, _db_url(pg_admin_url, name), silo)
    yield names
    for name in names.values():
        _admin(pg_admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@dataclass
class Silos:
    """A control and a region service on fresh databases, and SQL access to both."""

    control_address: str
    region_address: str
    control_db: sa.Engine
    region_db: sa.Engine
    control_url: str
    region_url: str
    # Each silo's /metrics when started with metrics, by silo ("control", "region").
    metrics: dict[str, str] = field(default_factory=dict)

    def rows(self, silo: str, sql: str, **params: Any) -> list[sa.Row]:
        engine = self.control_db if silo == "control" else self.region_db
        with engine.connect() as conn:
            return list(conn.execute(sa.text(sql), params))

    def count(self, silo: str, table: str, where: str = "TRUE", **params: Any) -> int:
        return self.rows(silo, f"SELECT count(*) FROM {table} WHERE {where}", **params)[0][0]

    def relocate(self, *args: str | Path) -> CliResult:
        """Run `relocate import|export ...` in this process against these silos."""
        argv = [str(a) for a in args]
        if argv[0] in ("import", "export"):
            argv += ["--control", self.control_address, "--region", self.region_address]
        return run_cli(argv)


def run_import(silos: Silos, tmp_path: Path, scope: str, src: Path, *extra: str,
               findings_expected: bool = False) -> str:
    """Import `src` in `scope` through the CLI and expect success with no findings (unless
    `findings_expected`); return the import uuid, made here unless `extra` names one."""
    args = list(extra)
    if "--import-uuid" in args:
        import_uuid = args[args.index("--import-uuid") + 1]
    else:
        import_uuid = uuid.uuid4().hex
        args += ["--import-uuid", import_uuid]
    findings = tmp_path / f"findings-{uuid.uuid4().hex}.json"
    result = silos.relocate("import", scope, src, "--no-prompt", "--findings-file", findings,
                            *args)
    assert result.code == 0, result.stderr
    if not findings_expected:
        assert json.loads(findings.read_text()) == [], findings.read_text()
    return import_uuid


@dataclass
class CliResult:
    code: int
    stderr: str


def run_cli(argv: list[str]) -> CliResult:
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        try:
            code = relocate_main(argv)
        except SystemExit as exc:
            code = int(exc.code or 0)
    return CliResult(code, err.getvalue())


@contextlib.contextmanager
def fresh_silos(pg_admin_url: str, templates: dict[str, str], region_name: str = "default",
                security: Security | None = None, metrics: bool = False) -> Iterator[Silos]:
    suffix = uuid.uuid4().hex[:8]
    names = {silo: f"t_{silo}_{suffix}" for silo in templates}
    for silo, name in names.items():
        _admin(pg_admin_url, f'CREATE DATABASE "{name}" TEMPLATE "{templates[silo]}"')
    urls = {silo: _db_url(pg_admin_url, name) for silo, name in names.items()}
    metrics_listen = "127.0.0.1:0" if metrics else None
    control = control_app.start(urls["control"], "127.0.0.1:0", security=security,
                                metrics_listen=metrics_listen)
    region = region_app.start(urls["region"], "127.0.0.1:0", region_name=region_name,
                              security=security, metrics_listen=metrics_listen)
    engines = {silo: make_engine(url, pool_size=2) for silo, url in urls.items()}
    try:
        yield Silos(f"127.0.0.1:{control.port}", f"127.0.0.1:{region.port}",
                    engines["control"], engines["region"], urls["control"], urls["region"],
                    {name: f"http://127.0.0.1:{running.metrics_port}/metrics"
                     for name, running in (("control", control), ("region", region))
                     if running.metrics_port is not None})
    finally:
        control.stop(1)
        region.stop(1)
        for engine in engines.values():
            engine.dispose()
        for name in names.values():
            _admin(pg_admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def silos(pg_admin_url: str, templates: dict[str, str]) -> Iterator[Silos]:
    with fresh_silos(pg_admin_url, templates) as s:
        yield s


@pytest.fixture
def export_file(tmp_path: Path):
    """Write records (or fixtures concatenated) to a JSON export file."""
    counter = iter(range(1_000_000))

    def write(*parts: str | list[dict[str, Any]]) -> Path:
        records: list[dict[str, Any]] = []
        for part in parts:
            records.extend(load_fixture(part) if isinstance(part, str) else part)
        path = tmp_path / f"export-{next(counter)}.json"
        path.write_text(json.dumps(records))
        return path

    return write
