"""The processes a benchmark runs and what it measures of them: the code they run (a snapshot),
the two silo services, and each process's peak memory and CPU time, read from /proc."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

RELOCATE = [sys.executable, "-m", "commands.cli"]
# Every package the CLI's processes import, copied into the snapshot they run from.
PACKAGES = ("wire", "orchestrator", "silo_engine", "control_service", "region_service",
            "commands", "tools")
SILOS = ("control", "region")


class BenchError(RuntimeError):
    """A step of the benchmark failed; the message says which and shows its output."""


def vm_hwm(pid: int) -> int:
    """VmHWM (peak resident set) of a live process in bytes; 0 when it is gone."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return 0


class PeakSampler(threading.Thread):
    """Samples a process's VmHWM until stopped (VmHWM only grows, so the last read wins; what
    a process adds in its last interval before exiting is missed)."""

    def __init__(self, pid: int, interval: float = 0.02) -> None:
        super().__init__(daemon=True)
        self.pid, self.interval, self.peak = pid, interval, 0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            self.peak = max(self.peak, vm_hwm(self.pid))
            self.done.wait(self.interval)

    def stop(self) -> int:
        self.done.set()
        self.join()
        return self.peak


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time a live process has used so far (0.0 when unreadable)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return 0.0


def machine_busy_seconds() -> float:
    """CPU seconds all cores of the machine have spent busy since boot (from /proc/stat)."""
    try:
        with open("/proc/stat") as f:
            ticks = [int(v) for v in f.readline().split()[1:]]
    except (OSError, ValueError):
        return 0.0
    idle = ticks[3] + (ticks[4] if len(ticks) > 4 else 0)  # idle + iowait
    return (sum(ticks[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def reap(proc: subprocess.Popen, timeout: float | None = None) -> float:
    """Wait for `proc` with wait4 and set its returncode; returns the CPU seconds it used.

    Its ru_maxrss is no measure of its memory: a child started by fork (or vfork) and exec
    keeps the peak of the memory it began with, which is the benchmark's own, so peaks come
    from VmHWM (PeakSampler, and a last read before a service is stopped)."""
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        pid, status, usage = os.wait4(proc.pid, 0 if deadline is None else os.WNOHANG)
        if pid:
            proc.returncode = os.waitstatus_to_exitcode(status)
            return usage.ru_utime + usage.ru_stime
        if deadline is not None and time.monotonic() > deadline:
            proc.kill()
            deadline = None
        time.sleep(0.05)


def tail(path: Path, lines: int = 30) -> str:
    """The last lines of a log, for an error message."""
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def code_version(root: Path) -> dict[str, Any]:
    """The commit measured, and whether the working tree differed from it."""
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True,
                                text=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain"], cwd=root,
                               capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return {}
    return {"commit": commit or None, "uncommitted_changes": bool(dirty)} if commit else {}


@dataclass(frozen=True)
class Code:
    """The code the processes run: a snapshot of the packages, taken once, so that every run
    measures the same code even while the working tree is being edited."""

    directory: Path
    version: dict[str, Any]

    @classmethod
    def snapshot(cls, into: Path) -> Code:
        root = Path(__file__).resolve().parents[2]
        version = code_version(root)
        into.mkdir(parents=True)
        for package in PACKAGES:
            shutil.copytree(root / package, into / package,
                            ignore=shutil.ignore_patterns("__pycache__"))
        return cls(into, version)

    def popen(self, args: list[str], env_extra: dict[str, str] | None = None,
              **kw: Any) -> subprocess.Popen:
        # With -m the working directory comes first on sys.path, then PYTHONPATH: both name the
        # snapshot, ahead of an editable install's finder.
        env = {**os.environ, **(env_extra or {})}
        env["PYTHONPATH"] = os.pathsep.join(
            p for p in (str(self.directory), env.get("PYTHONPATH")) if p)
        return subprocess.Popen([*RELOCATE, *args], cwd=self.directory, env=env, **kw)

    def relocate(self, *args: str, log: Path) -> None:
        """Run `relocate ARGS` to the end, its output appended to `log`."""
        with log.open("ab") as out:
            code = self.popen(list(args), stdout=out, stderr=subprocess.STDOUT).wait()
        if code:
            raise BenchError(f"`relocate {' '.join(args)}` exited with {code}:\n{tail(log)}")


def free_port() -> int:
    """A TCP port nothing listens on now, for a service the benchmark starts."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class Service:
    """`relocate serve control|region` as a separate process on a port chosen here, logging to
    a file; ready once its health service answers SERVING. Given an `address`, it listens there
    (a silo restarted where its clients expect it) and appends to its log."""

    def __init__(self, code: Code, silo: str, url: str, secret: str, log: Path,
                 address: str | None = None) -> None:
        self.silo, self.log = silo, log
        self.address = address or f"127.0.0.1:{free_port()}"
        args = ["serve", silo, "--db-url", url, "--listen", self.address,
                "--shared-secret", secret]
        if silo == "region":
            args += ["--name", "bench"]
        with log.open("ab" if address else "wb") as out:
            self.proc = code.popen(args, stdout=subprocess.DEVNULL, stderr=out)

    def wait_ready(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        with grpc.insecure_channel(self.address) as channel:
            health = health_pb2_grpc.HealthStub(channel)
            while time.monotonic() < deadline and self.proc.poll() is None:
                if self._serving(health):
                    return
                time.sleep(0.05)
        self.stop()
        raise BenchError(f"the {self.silo} service did not start:\n{tail(self.log)}")

    @staticmethod
    def _serving(health: health_pb2_grpc.HealthStub) -> bool:
        try:
            answer = health.Check(health_pb2.HealthCheckRequest(service=""), timeout=1)
        except grpc.RpcError:
            return False
        return bool(answer.status == health_pb2.HealthCheckResponse.SERVING)

    def stop(self) -> tuple[int, float]:
        """SIGTERM, wait; the peak RSS in bytes (VmHWM just before) and the CPU seconds used
        before the signal."""
        if self.proc.returncode is not None:
            return 0, 0.0
        peak, cpu = vm_hwm(self.proc.pid), cpu_seconds(self.proc.pid)
        with contextlib.suppress(ProcessLookupError):
            self.proc.send_signal(signal.SIGTERM)
        reap(self.proc, timeout=60)
        return peak, cpu
