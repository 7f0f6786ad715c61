"""`relocate bench run`: the import measured end to end, as a user runs it, against COPY.

Fresh migrated databases on one PostgreSQL server; the control and region services and the
orchestrator as separate processes; wall time, records/s overall and per model (from the
import's own JSON report, `--report-file`), peak RSS and CPU time of each process; then the
floor: the same rows, already remapped, loaded with COPY FROM into fresh databases. Every
import is verified (rows per table, and every foreign key, cross-silo ones included, resolves).
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import secrets
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tools.bench.generate import GeneratedExport, generate
from tools.bench.postgres import (
    Databases,
    dump_tables,
    load_tables,
    server_info,
    settle,
    workplace,
)
from tools.bench.processes import (
    SILOS,
    BenchError,
    Code,
    PeakSampler,
    Service,
    cpu_seconds,
    machine_busy_seconds,
    reap,
    tail,
)
from tools.bench.report import CPU_USERS, batches
from tools.bench.verify import verify
from tools.models import declared_specs
from wire.scopes import ImportScope


@dataclass
class BenchConfig:
    records: int = 100_000
    runs: int = 3
    batch_size: int | None = None  # None: the importer's defaults
    reference_batch_size: int = 20  # Sentry's; 0 skips the reference import
    seed: int = 1
    scope: ImportScope = ImportScope.ORGANIZATION
    pg_url: str | None = None
    data_dir: Path = Path(".relocate-bench")
    workdir: Path | None = None
    keep: bool = False
    encrypted: bool = False  # import the export as Sentry's encrypted tarball
    echo: Callable[[str], None] = field(default=lambda text: print(text, file=sys.stderr,
                                                                  flush=True))


def model_figures(report: dict[str, Any]) -> dict[str, Any]:
    """Per model, from the import's JSON report (`--report-file`, docs/report.md): records,
    seconds and records/s, and what became of the records; the import's own duration, and
    whether its books balanced (every record accounted for)."""
    models: dict[str, dict[str, Any]] = {}
    for model, counts in report["models"].items():
        records, seconds = counts["in_file"], counts["seconds"]
        models[model] = {"records": records, "seconds": seconds,
                         "records_per_s": records / seconds if seconds > 0 else None,
                         **{key: counts[key] for key in ("inserted", "existing", "overwritten")},
                         **{key: counts[key]["total"] for key in ("filtered", "dropped")}}
    return {"models": models, "reported_seconds": report["seconds"],
            "balanced": report["balance"]["balanced"]}


@dataclass
class _Timed:
    """What one run of the orchestrator cost."""

    wall: float = 0.0
    rss: dict[str, int] = field(default_factory=dict)
    cpu: dict[str, float] = field(default_factory=dict)


class _Bench:
    def __init__(self, config: BenchConfig, admin_url: str, workdir: Path) -> None:
        self.config = config
        self.admin_url = admin_url
        self.tag = f"bench_{uuid.uuid4().hex[:8]}"
        self.workdir = workdir / self.tag  # export, code, logs and COPY files of this benchmark
        self.workdir.mkdir(parents=True)
        declared_specs()  # this process's view of the models, taken with the snapshot
        self.code = Code.snapshot(self.workdir / "code")
        self.dbs = Databases(admin_url, self.tag, config.keep)
        self.source: list[str] = []  # what the import reads: the export, or its tarball and key

    # one import

    @contextlib.contextmanager
    def _services(self, urls: dict[str, str], secret: str, logs: Path,
                  timed: _Timed) -> Iterator[list[Service]]:
        """Both silos serving; once stopped, their peak RSS and the CPU time they used after
        starting up (imports, the migrations check) go into `timed`."""
        services = [Service(self.code, silo, urls[silo], secret, logs / f"{silo}.log")
                    for silo in SILOS]
        idle: dict[str, float] = {}
        try:
            for service in services:
                service.wait_ready()
            settle(self.admin_url)
            idle = {s.silo: cpu_seconds(s.proc.pid) for s in services}
            yield services
        finally:
            for service in services:
                timed.rss[service.silo], used = service.stop()
                timed.cpu[service.silo] = used - idle.get(service.silo, used)

    def _orchestrate(self, args: list[str], log: Path, timed: _Timed, title: str) -> None:
        """Run the orchestrator to the end, timing it; its stderr goes to `log`."""
        with log.open("wb") as err:
            started, busy = time.perf_counter(), machine_busy_seconds()
            proc = self.code.popen(args, stdout=subprocess.DEVNULL, stderr=err)
            sampler = PeakSampler(proc.pid)
            sampler.start()
            timed.cpu["orchestrator"] = reap(proc)
            timed.wall = time.perf_counter() - started
            timed.cpu["machine"] = machine_busy_seconds() - busy
            timed.rss["orchestrator"] = sampler.stop()
        if proc.returncode != 0:
            raise BenchError(f"{title} exited with {proc.returncode}:\n{tail(log, 40)}")

    def import_once(self, export: GeneratedExport, batch_size: int | None, label: str,
                    dump_to: Path | None = None) -> dict[str, Any]:
        urls = self.dbs.fresh(label)
        logs = self.workdir / f"{label}{self.dbs.counter}"
        logs.mkdir()
        secret = secrets.token_hex(16)
        report_file = logs / "report.json"
        timed = _Timed()
        with self._services(urls, secret, logs, timed) as (control, region):
            args = ["import", self.config.scope.value, *(self.source or [str(export.path)]),
                    "--control", control.address, "--region", region.address,
                    "--shared-secret", secret, "--no-prompt", "--report-file", str(report_file)]
            if batch_size is not None:
                args += ["--batch-size", str(batch_size)]
            self._orchestrate(args, logs / "orchestrator.log", timed,
                              f"the import ({batches(batch_size)})")
        # What the three processes did not use went to PostgreSQL (and the benchmark itself).
        timed.cpu["postgresql_and_other"] = max(0.0, timed.cpu.get("machine", 0.0) - sum(
            timed.cpu.get(p, 0.0) for p in ("orchestrator", *SILOS)))
        figures = model_figures(json.loads(report_file.read_text()))
        checked = verify(urls, export.counts, self.config.scope)
        if dump_to is not None:
            dump_tables(urls, dump_to)
        self.dbs.drop(urls)
        return {"batch_size": batch_size, "wall_seconds": timed.wall,
                "records_per_s": export.total / timed.wall,
                "rows_written": sum(found for _, found in checked.rows.values()),
                **figures, "peak_rss_bytes": timed.rss, "cpu_seconds": timed.cpu,
                "verification": checked.to_json(), "logs": str(logs),
                "command": "relocate " + " ".join(a if a != secret else "S" for a in args)}

    # COPY

    def copy_once(self, dump: Path) -> dict[str, Any]:
        urls = self.dbs.fresh("copy")
        settle(self.admin_url)
        seconds, rows = load_tables(urls, dump)
        self.dbs.drop(urls)
        return {"seconds": seconds, "rows": rows, "records_per_s": rows / seconds}


def median(values: list[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return statistics.median(present) if present else None


def _summarise(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Medians over runs of every figure of an import."""
    models = list(dict.fromkeys(m for run in runs for m in run["models"]))  # import order

    def median_of(model: str, figure: str) -> float | None:
        return median([r["models"].get(model, {}).get(figure) for r in runs])

    return {
        "batch_size": runs[0]["batch_size"],
        "wall_seconds": median([r["wall_seconds"] for r in runs]),
        "records_per_s": median([r["records_per_s"] for r in runs]),
        "rows_written": runs[0]["rows_written"],
        "peak_rss_bytes": {p: median([r["peak_rss_bytes"][p] for r in runs])
                           for p in ("orchestrator", *SILOS)},
        "cpu_seconds": {p: median([r["cpu_seconds"].get(p) for r in runs]) for p in CPU_USERS},
        "models": {m: {"records": runs[0]["models"].get(m, {}).get("records"),
                       "seconds": median_of(m, "seconds"),
                       "records_per_s": median_of(m, "records_per_s")}
                   for m in models},
        # The orchestrator's own duration; the rest of the wall time is starting the process
        # (imports, connecting) and exiting.
        "reported_seconds": median([r["reported_seconds"] for r in runs]),
        "verified": all(r["verification"]["ok"] and r["balanced"] for r in runs),
    }


def run_benchmark(config: BenchConfig) -> dict[str, Any]:
    """Generate, import `runs` times, COPY `runs` times, import with Sentry's batch size."""
    with workplace(config.pg_url, config.data_dir, config.workdir, config.keep,
                   config.echo) as (admin_url, workdir):
        bench = _Bench(config, admin_url, workdir)
        try:
            return _run(bench, config, config.echo)
        finally:
            bench.dbs.drop_all()

def _imports_and_copies(bench: _Bench, export: GeneratedExport, dump: Path
                        ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Each import is followed by a COPY of its rows: a machine whose speed drifts over minutes
    (a shared host) then slows both of a pair alike, and each pair's ratio stays fair."""
    config, echo = bench.config, bench.config.echo
    imports, copies = [], []
    for run in range(config.runs):
        echo(f"Import run {run + 1}/{config.runs} ({batches(config.batch_size)}) ...")
        result = bench.import_once(export, config.batch_size, "imp",
                                   dump_to=dump if run == 0 else None)
        echo(f"  {result['wall_seconds']:.1f}s, {result['records_per_s']:,.0f} records/s, "
             f"verified: {result['verification']['ok']}")
        imports.append(result)
        echo(f"COPY run {run + 1}/{config.runs} ...")
        copied = bench.copy_once(dump)
        echo(f"  {copied['seconds']:.2f}s, {copied['records_per_s']:,.0f} rows/s; the import "
             f"ran at {copied['seconds'] / result['wall_seconds']:.2f}x its speed")
        copies.append(copied)
    return imports, copies


def _references(bench: _Bench, export: GeneratedExport) -> list[dict[str, Any]]:
    """The imports with Sentry's batch size, when asked for."""
    config, echo = bench.config, bench.config.echo
    references = []
    for run in range(config.runs if config.reference_batch_size else 0):
        echo(f"Reference import run {run + 1}/{config.runs} (batch size "
             f"{config.reference_batch_size}) ...")
        result = bench.import_once(export, config.reference_batch_size, "ref")
        echo(f"  {result['wall_seconds']:.1f}s, {result['records_per_s']:,.0f} records/s, "
             f"verified: {result['verification']['ok']}")
        references.append(result)
    return references


def _encrypt(export: Path, workdir: Path) -> list[str]:
    """The export as Sentry's encrypted tarball, for a new key pair: the import's arguments."""
    from orchestrator.crypto import generate_keypair, write_encrypted_tarball

    private, public = generate_keypair(2048)
    key, tarball = workdir / "bench-key.pem", workdir / "export.tar"
    key.write_bytes(private)
    with export.open("rb") as plain, tarball.open("wb") as out:
        write_encrypted_tarball(plain, export.stat().st_size, public, out)
    return [str(tarball), "--decrypt-with", str(key)]


def _run(bench: _Bench, config: BenchConfig, echo: Callable[[str], None]) -> dict[str, Any]:
    workdir = bench.workdir
    echo(f"Generating about {config.records:,} records (seed {config.seed}) ...")
    started = time.perf_counter()
    export = generate(workdir / f"export-{config.records}-{config.seed}.json", config.records,
                      config.seed)
    generated_in = time.perf_counter() - started
    echo(f"  {export.total:,} records, {export.path.stat().st_size / 1e6:,.1f} MB in "
         f"{generated_in:.1f}s")
    if config.encrypted:
        bench.source = _encrypt(export.path, workdir)
    bench.dbs.make_templates(bench.code, workdir / "upgrade.log")
    dump = workdir / "copy"
    dump.mkdir()
    imports, copies = _imports_and_copies(bench, export, dump)
    references = _references(bench, export)

    main = _summarise(imports)
    copy = {"seconds": median([c["seconds"] for c in copies]),
            "rows": copies[0]["rows"],
            "records_per_s": median([c["records_per_s"] for c in copies])}
    report: dict[str, Any] = {
        "config": {"records": config.records, "runs": config.runs,
                   "batch_size": config.batch_size,
                   "reference_batch_size": config.reference_batch_size, "seed": config.seed,
                   "scope": config.scope.value, "encrypted": config.encrypted},
        "machine": {"cpus": os.cpu_count(), "load_average": list(os.getloadavg()),
                    "python": platform.python_version(), "platform": platform.platform()},
        "code": bench.code.version,
        "postgresql": server_info(bench.admin_url),
        "export": {**export.to_json(), "bytes": export.path.stat().st_size,
                   "generate_seconds": generated_in},
        "import": main,
        "copy": copy,
        "import_over_copy": main["wall_seconds"] / copy["seconds"],
        # The import's speed as a fraction of COPY's, run by run (each import against the COPY
        # right after it), and their median: the figure the target in docs/performance.md is
        # about.
        "speed_vs_copy_by_run": [c["seconds"] / i["wall_seconds"]
                                 for i, c in zip(imports, copies, strict=True)],
        "reference": _summarise(references) if references else None,
        "runs": {"import": imports, "copy": copies, "reference": references},
        "verified": main["verified"] and all(r["verification"]["ok"] and r["balanced"]
                                             for r in references),
    }
    report["speed_vs_copy"] = median(report["speed_vs_copy_by_run"])
    if report["reference"] is not None:
        report["reference_over_import"] = report["reference"]["wall_seconds"] / \
            main["wall_seconds"]
    return report
