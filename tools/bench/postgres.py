"""The PostgreSQL side of a benchmark: which server, databases made and dropped on it, and the
floor an import is measured against: its rows dumped and loaded again with COPY."""

from __future__ import annotations

import contextlib
import json
import re
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg

from silo_engine.database import masked_url
from tools.bench.processes import SILOS, BenchError, Code
from tools.models import declared_specs, spec_order

DEFAULT_PG_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


def db_url(admin_url: str, name: str) -> str:
    """The URL of database `name` on the server of `admin_url` (TCP or socket form)."""
    if "?" in admin_url:  # socket form: postgresql://postgres:@/postgres?host=/dir
        base, query = admin_url.split("?", 1)
        return base.rsplit("/", 1)[0] + f"/{name}?{query}"
    return admin_url.rsplit("/", 1)[0] + f"/{name}"


def db_name(url: str) -> str:
    return url.split("?")[0].rsplit("/", 1)[1]


def admin(admin_url: str, *statements: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement)


def scalar(conn: psycopg.Connection, query: str) -> Any:
    """The one value a query answers."""
    row = conn.execute(query).fetchone()
    assert row is not None, query
    return row[0]


def settle(admin_url: str) -> None:
    """Write out what the previous run left dirty (CHECKPOINT), so a timed run does not pay
    for the one before it: an import leaves enough WAL to start a checkpoint in the middle of
    the COPY that follows. Skipped without the privilege."""
    with contextlib.suppress(psycopg.errors.InsufficientPrivilege):
        admin(admin_url, "CHECKPOINT")


class Databases:
    """The silo databases a tool makes on one server, all named `prefix_...`: one template per
    silo migrated with `relocate db upgrade`, fresh copies of it, and all of them dropped in
    the end unless kept for inspection."""

    def __init__(self, admin_url: str, prefix: str, keep: bool = False) -> None:
        self.admin_url, self.prefix, self.keep = admin_url, prefix, keep
        self.templates: dict[str, str] = {}
        self.names: list[str] = []
        self.counter = 0

    def make_templates(self, code: Code, log: Path) -> None:
        for silo in SILOS:
            name = f"{self.prefix}_tpl_{silo}"
            admin(self.admin_url, f'CREATE DATABASE "{name}"')
            self.names.append(name)
            code.relocate("db", "upgrade", "--silo", silo, "--db-url",
                          db_url(self.admin_url, name), log=log)
            self.templates[silo] = name

    def fresh(self, label: str) -> dict[str, str]:
        """A copy of each template; the URLs by silo."""
        self.counter += 1
        urls = {}
        for silo, template in self.templates.items():
            name = f"{self.prefix}_{label}{self.counter}_{silo}"
            admin(self.admin_url, f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
            self.names.append(name)
            urls[silo] = db_url(self.admin_url, name)
        return urls

    def drop(self, urls: dict[str, str]) -> None:
        if self.keep:
            return
        for url in urls.values():
            name = db_name(url)
            admin(self.admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            self.names.remove(name)

    def drop_all(self) -> None:
        if self.keep:
            return
        for name in list(reversed(self.names)):
            with contextlib.suppress(Exception):
                admin(self.admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.names.clear()


def reachable(url: str) -> bool:
    try:
        with psycopg.connect(url, connect_timeout=3):
            return True
    except psycopg.OperationalError:
        return False


def server_info(admin_url: str) -> dict[str, Any]:
    """The server's version and the settings that change its write speed."""
    with psycopg.connect(admin_url) as conn:
        info = {"server_version": scalar(conn, "SHOW server_version")}
        for setting in ("shared_buffers", "fsync", "synchronous_commit", "max_wal_size"):
            info[setting] = scalar(conn, f"SHOW {setting}")
    host = re.sub(r"//[^@/]*@", "//", admin_url)  # no credentials in the report
    return {"url": host, **info}


@contextlib.contextmanager
def server(pg_url: str | None, data_dir: Path, echo: Callable[[str], None]) -> Iterator[str]:
    """The PostgreSQL server to use: `pg_url`, else 127.0.0.1:5432, else an embedded one."""
    if pg_url:
        if not reachable(pg_url):
            raise BenchError(f"cannot connect to {masked_url(pg_url)}")
        yield pg_url
        return
    if reachable(DEFAULT_PG_URL):
        yield DEFAULT_PG_URL
        return
    from commands.embedded import embedded_postgres

    echo(f"No PostgreSQL at 127.0.0.1:5432: using an embedded one in {data_dir}/")
    with embedded_postgres(data_dir) as urls:
        yield urls["control"].replace("/relocate_control?", "/postgres?", 1)


@contextlib.contextmanager
def workplace(pg_url: str | None, data_dir: Path, workdir: Path | None, keep: bool,
              echo: Callable[[str], None]) -> Iterator[tuple[str, Path]]:
    """The server (as `server` chooses it) and the directory a bench verb works in: `workdir`,
    else a temporary one, removed at the end unless kept."""
    own = workdir is None
    directory = Path(tempfile.mkdtemp(prefix="relocate-bench-")) if workdir is None \
        else Path(workdir)
    directory.mkdir(parents=True, exist_ok=True)
    try:
        with server(pg_url, data_dir, echo) as admin_url:
            yield admin_url, directory
    finally:
        if own and not keep:
            shutil.rmtree(directory, ignore_errors=True)


def dump_tables(urls: dict[str, str], directory: Path) -> None:
    """COPY every model table with rows TO files (binary), per silo in dependency order."""
    manifest: list[dict[str, Any]] = []
    for silo in SILOS:
        specs = [s for s in declared_specs().values() if s.silo.value == silo]
        with psycopg.connect(urls[silo]) as conn:
            for spec in spec_order(specs):
                table = spec.table.name
                rows = scalar(conn, f'SELECT count(*) FROM "{table}"')
                if not rows:
                    continue
                columns = ", ".join(f'"{c.name}"' for c in spec.table.columns)
                path = directory / f"{silo}.{table}.bin"
                with path.open("wb") as out, conn.cursor().copy(
                        f'COPY "{table}" ({columns}) TO STDOUT (FORMAT binary)') as copy:
                    for data in copy:
                        out.write(data)
                manifest.append({"silo": silo, "table": table, "columns": columns,
                                 "rows": rows, "file": path.name})
    (directory / "manifest.json").write_text(json.dumps(manifest, indent=1))


def load_tables(urls: dict[str, str], directory: Path) -> tuple[float, int]:
    """COPY FROM the dumped files, one transaction per silo (constraints checked at commit);
    returns (seconds, rows)."""
    manifest = json.loads((directory / "manifest.json").read_text())
    seconds = 0.0
    rows = 0
    for silo in SILOS:
        with psycopg.connect(urls[silo]) as conn:
            started = time.perf_counter()
            with conn.transaction(), conn.cursor() as cur:
                for entry in (e for e in manifest if e["silo"] == silo):
                    with (directory / entry["file"]).open("rb") as f, cur.copy(
                            f'COPY "{entry["table"]}" ({entry["columns"]}) FROM STDIN '
                            "(FORMAT binary)") as copy:
                        while data := f.read(1 << 20):
                            copy.write(data)
                    rows += entry["rows"]
            seconds += time.perf_counter() - started
    return seconds, rows
