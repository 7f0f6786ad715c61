"""What calls a silo refuses cost it in memory: issue 18's unsigned calls with large bodies.

Why: a silo must not hold what an unsigned caller sends. This starts `relocate serve control`
from a source tree (this one, or another revision's, run with this virtualenv's Python) on a
fresh database, sends it N unsigned calls of ImportByModel with a body of the given size, one
after another, and prints the silo process's VmRSS and VmHWM (from /proc) before and after,
with how each call ended.

    .venv/bin/python benchmarks/refused_calls.py [--size 60000000] [--calls 4] [--tree DIR]
        [--pg-url postgresql://postgres@127.0.0.1:5432/postgres]

Another revision's tree: `git archive REV | tar -x -C DIR`.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import grpc
import psycopg

ROOT = Path(__file__).resolve().parent.parent

SECRET = "refused-calls-benchmark-" + "s" * 32
METHOD = "/relocation.v1.SiloService/ImportByModel"


def _memory(pid: int) -> str:
    status = Path(f"/proc/{pid}/status").read_text().splitlines()
    values = dict(line.split(":", 1) for line in status if line.startswith(("VmRSS", "VmHWM")))
    return ", ".join(f"{key} {int(value.split()[0]) / 1024:,.0f} MB"
                     for key, value in sorted(values.items(), reverse=True))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _relocate(*args: str) -> list[str]:
    """`relocate ARGS` from the tree in the working directory (and on PYTHONPATH)."""
    return [sys.executable, "-m", "commands.cli", *args]


def _serving(address: str, deadline: float = 60) -> None:
    channel = grpc.insecure_channel(address)
    try:
        grpc.channel_ready_future(channel).result(timeout=deadline)
    finally:
        channel.close()


def measure(tree: Path, pg_url: str, size: int, calls: int) -> None:
    name = f"bench_refused_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    db_url = pg_url.rsplit("/", 1)[0] + f"/{name}"
    env = {**os.environ, "PYTHONPATH": str(tree)}
    try:
        subprocess.run(_relocate("db", "upgrade", "--silo", "control", "--db-url", db_url),
                       check=True, capture_output=True, env=env, cwd=tree)
        address = f"127.0.0.1:{_free_port()}"
        silo = subprocess.Popen(_relocate("serve", "control", "--db-url", db_url,
                                          "--listen", address, "--shared-secret", SECRET),
                                env=env, cwd=tree, stderr=subprocess.DEVNULL)
        try:
            _serving(address)
            channel = grpc.insecure_channel(address, options=[
                ("grpc.max_send_message_length", 2 * size + (1 << 20))])
            call = channel.unary_unary(METHOD)
            body = b"x" * size  # refused unsigned: whether it would decode does not matter
            with contextlib.suppress(grpc.RpcError):  # the first call's threads, not a body's
                call(b"", timeout=60)
            time.sleep(0.5)
            print(f"{tree}: {calls} unsigned calls of {size / 1e6:,.0f} MB")
            print(f"  before: {_memory(silo.pid)}")
            for _ in range(calls):
                started = time.monotonic()
                try:
                    call(body, timeout=120)
                    ended = "OK"
                except grpc.RpcError as error:
                    ended = f"{error.code().name}: {(error.details() or '')[:70]}"
                print(f"  call: {ended} ({time.monotonic() - started:.2f}s)")
            time.sleep(0.5)
            print(f"  after:  {_memory(silo.pid)}")
            channel.close()
        finally:
            silo.terminate()
            silo.wait(timeout=30)
    finally:
        with psycopg.connect(pg_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=60_000_000, help="bytes of each body")
    parser.add_argument("--calls", type=int, default=4)
    parser.add_argument("--tree", type=Path, default=ROOT)
    parser.add_argument("--pg-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()
    measure(args.tree.resolve(), args.pg_url, args.size, args.calls)


if __name__ == "__main__":
    main()
