"""`relocate bench faults`: a generated import interrupted at random moments by the faults a
deployment meets, resumed, and checked against an uninterrupted import of the same export.

The kinds of fault: SIGKILL to the region silo, to the control silo or to the orchestrator,
and pg_terminate_backend of every connection to the silos' databases. Each fault runs on fresh
databases with both silos and the orchestrator as real processes; its moment is drawn uniformly
over the reference import's wall time (from the seed, the kind and the fault's number), and
halved until it lands while the orchestrator is still running. A killed silo is started again
on the same address and the running orchestrator rides it out; a killed orchestrator (or one
that gave up) is run again with the same command and import uuid. The result must equal the
reference: rows per table, every foreign key, the natural keys (no duplicate or renamed user,
email or slug), no spill left behind, and `relocate compare` of both exports.
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import random
import secrets
import shutil
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import psycopg

from orchestrator.storage import OWNER, SPILL_PREFIX
from tools.bench.generate import GeneratedExport, generate
from tools.bench.postgres import Databases, db_name, server_info, workplace
from tools.bench.processes import SILOS, BenchError, Code, Service, tail
from tools.bench.run import median
from tools.bench.verify import verify
from tools.models import declared_specs
from wire.scopes import ImportScope

KINDS = ("region", "control", "orchestrator", "postgres")
SCOPE = ImportScope.ORGANIZATION
# Natural keys that an import writing a record twice would duplicate (or rename): model, column.
NATURAL_KEYS = (("sentry.user", "username"), ("sentry.email", "email"),
                ("sentry.organization", "slug"))
ATTEMPTS = 8  # moments tried per fault, each half the one before, until one lands in the import
RERUNS = 3  # orchestrator runs after the first, before a fault counts as not resumed
RUN_TIMEOUT = 600.0  # seconds one orchestrator run may take (the retry deadline is 180 s)


@dataclass
class FaultConfig:
    records: int = 200_000
    faults_per_kind: int = 20
    kinds: tuple[str, ...] = KINDS
    seed: int = 1
    db_prefix: str | None = None  # default: faults_ and a random tag
    pg_url: str | None = None
    data_dir: Path = Path(".relocate-bench")
    workdir: Path | None = None
    keep: bool = False
    report_file: Path | None = None  # the report as JSON, written again after every fault
    echo: Callable[[str], None] = field(default=lambda text: print(text, file=sys.stderr,
                                                                  flush=True))


@dataclass
class Outcome:
    """What became of one fault."""

    kind: str
    number: int
    moment: float = 0.0  # seconds after the orchestrator started, of the attempt that counted
    attempts: int = 0
    injected: bool = False
    resumed: bool = False
    identical: bool = False
    orchestrator_runs: int = 0
    backends_terminated: int = 0
    retries: int = 0  # calls the orchestrator retried (its log's "retrying in" warnings)
    resumed_batches: int = 0  # batches the last run found in the silos' ledgers
    recovery_seconds: float | None = None  # from the fault to the import's successful end
    extra_seconds: float | None = None  # the import's whole wall time minus the reference's
    exits: list[str] = field(default_factory=list)  # each failed orchestrator run: why
    problems: list[str] = field(default_factory=list)
    log_tail: str = ""


@dataclass
class Reference:
    """The uninterrupted import everything is compared with."""

    seconds: float
    rows: dict[str, int]
    keys: dict[str, Counter[str]]
    export: Path


def natural_keys(urls: dict[str, str]) -> dict[str, Counter[str]]:
    """Each natural key's values (lower case, as they are unique) and how often each occurs."""
    specs = declared_specs()
    found: dict[str, Counter[str]] = {}
    for model, column in NATURAL_KEYS:
        spec = specs[model]
        with psycopg.connect(urls[spec.silo.value]) as conn:
            rows = conn.execute(f'SELECT lower("{column}") FROM "{spec.table.name}"')
            found[f"{model}.{column}"] = Counter(value for (value,) in rows)
    return found


def _describe_spill(directory: Path) -> str:
    """A spill directory left behind: its name, its owner mark, what else it holds."""
    owner = directory / OWNER
    mark = repr(owner.read_text(errors="replace")) if owner.exists() else "no owner mark"
    held = sorted(p.name for p in directory.iterdir() if p.name != OWNER)
    return f"{directory.name} ({mark}; holds {len(held)}: {held[:5]})"


def terminate_backends(admin_url: str, urls: dict[str, str]) -> int:
    """pg_terminate_backend every connection to the silos' databases; how many there were."""
    names = [db_name(url) for url in urls.values()]
    with psycopg.connect(admin_url, autocommit=True) as conn:
        rows = conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE "
                            "datname = ANY(%s) AND pid <> pg_backend_pid()", (names,))
        return sum(1 for (done,) in rows if done)


class _Import:
    """One import of the export into fresh databases: both silos serving, the orchestrator a
    process run (and run again) with the same command and import uuid."""

    def __init__(self, harness: Harness, label: str) -> None:
        self.harness, self.code = harness, harness.code
        self.urls = harness.dbs.fresh(label)
        self.logs = harness.workdir / f"{label}{harness.dbs.counter}"
        self.tmpdir = self.logs / "tmp"  # TMPDIR: where the spill goes, to see it removed
        self.tmpdir.mkdir(parents=True)
        self.secret = secrets.token_hex(16)
        self.services = {silo: Service(self.code, silo, self.urls[silo], self.secret,
                                       self.logs / f"{silo}.log") for silo in SILOS}
        self.args = ["import", SCOPE.value, str(harness.export.path),
                     "--control", self.services["control"].address,
                     "--region", self.services["region"].address,
                     "--shared-secret", self.secret, "--no-prompt",
                     "--report-file", str(self.logs / "report.json"),
                     "--import-uuid", uuid.uuid4().hex]
        self.runs = 0

    def wait_ready(self) -> None:
        for service in self.services.values():
            service.wait_ready()

    def start(self) -> subprocess.Popen:
        """The orchestrator, its output appended to one log over its runs."""
        self.runs += 1
        with (self.logs / "orchestrator.log").open("ab") as log:
            log.write(f"--- run {self.runs}\n".encode())
            log.flush()
            return self.code.popen(self.args, env_extra={"TMPDIR": str(self.tmpdir)},
                                   stdout=log, stderr=subprocess.STDOUT)

    def restart(self, silo: str) -> None:
        """SIGKILL the silo and start it again where the orchestrator expects it."""
        old = self.services[silo]
        old.proc.kill()
        old.proc.wait()
        self.services[silo] = Service(self.code, silo, self.urls[silo], self.secret,
                                      old.log, address=old.address)
        self.services[silo].wait_ready()

    def log_tail(self) -> str:
        return "\n".join(f"[{name}]\n{tail(self.logs / f'{name}.log', 15)}"
                         for name in ("orchestrator", *SILOS))

    def close(self) -> None:
        for service in self.services.values():
            service.stop()
        self.harness.dbs.drop(self.urls)
        if not self.harness.config.keep:
            shutil.rmtree(self.logs, ignore_errors=True)


class Harness:
    """The export, the databases and the reference every fault is checked against."""

    def __init__(self, config: FaultConfig, admin_url: str, workdir: Path) -> None:
        self.config, self.admin_url, self.echo = config, admin_url, config.echo
        prefix = config.db_prefix or f"faults_{uuid.uuid4().hex[:8]}"
        self.workdir = workdir / prefix
        self.workdir.mkdir(parents=True)
        declared_specs()  # this process's view of the models, taken with the snapshot
        self.code = Code.snapshot(self.workdir / "code")
        self.dbs = Databases(admin_url, prefix, config.keep)
        self.export: GeneratedExport
        self.reference: Reference

    @contextlib.contextmanager
    def importing(self, label: str) -> Iterator[_Import]:
        run = _Import(self, label)
        try:
            run.wait_ready()
            yield run
        finally:
            run.close()

    def prepare(self) -> None:
        """The export, the migrated templates, and the reference import."""
        config = self.config
        self.export = generate(self.workdir / "export.json", config.records, config.seed)
        self.echo(f"Generated {self.export.total:,} records (seed {config.seed})")
        self.dbs.make_templates(self.code, self.workdir / "upgrade.log")
        self._make_reference()
        self.echo(f"Reference import: {self.reference.seconds:.1f}s")

    def _make_reference(self) -> None:
        with self.importing("ref") as run:
            started = time.monotonic()
            code = run.start().wait()
            seconds = time.monotonic() - started
            if code:
                raise BenchError(f"the reference import exited with {code}:\n{run.log_tail()}")
            checked = verify(run.urls, self.export.counts, SCOPE)
            if not checked.ok:
                raise BenchError("the reference import did not land whole: "
                                 + "; ".join(checked.problems))
            export = self.workdir / "reference-export.json"
            self._export(run, export)
            self.reference = Reference(seconds, {m: f for m, (_, f) in checked.rows.items()},
                                       natural_keys(run.urls), export)

    def _export(self, run: _Import, path: Path) -> None:
        self.code.relocate("export", SCOPE.value, str(path),
                           "--control", run.services["control"].address,
                           "--region", run.services["region"].address,
                           "--shared-secret", run.secret, "--silent",
                           log=run.logs / "export.log")

    # one fault

    def fault(self, kind: str, number: int) -> Outcome:
        """Inject fault `number` of `kind`; moved earlier until it lands in the import."""
        outcome = Outcome(kind, number)
        moment = random.Random(f"{self.config.seed}:{kind}:{number}").uniform(
            0, self.reference.seconds)
        for attempt in range(1, ATTEMPTS + 1):
            outcome.moment, outcome.attempts = moment, attempt
            with self.importing(f"{kind}{number}_") as run:
                self._attempt(run, outcome)
                if outcome.injected:
                    return outcome
            moment /= 2
        outcome.problems.append(f"no moment landed while the import ran ({ATTEMPTS} tried)")
        return outcome

    def _attempt(self, run: _Import, outcome: Outcome) -> None:
        started = time.monotonic()
        proc = run.start()
        while time.monotonic() < started + outcome.moment and proc.poll() is None:
            time.sleep(0.005)
        if proc.poll() is not None:
            proc.wait()
            return  # the import ended first: too late
        faulted = time.monotonic()
        outcome.injected = True
        try:
            self._inject(run, proc, outcome)
        except BenchError as exc:  # a silo that did not start again
            proc.kill()
            proc.wait()
            outcome.problems.append(str(exc))
            outcome.log_tail = run.log_tail()
            return
        outcome.resumed = self._finish(run, proc, outcome)
        done = time.monotonic()
        outcome.orchestrator_runs = run.runs
        outcome.retries = (run.logs / "orchestrator.log").read_text(errors="replace").count(
            "retrying in")
        if outcome.resumed:
            report = json.loads((run.logs / "report.json").read_text())
            outcome.resumed_batches = sum(m["resumed_batches"] for m in report["models"].values())
            outcome.recovery_seconds = done - faulted
            outcome.extra_seconds = done - started - self.reference.seconds
            outcome.problems += self.check(run)
            outcome.identical = not outcome.problems
        if outcome.problems:
            outcome.log_tail = run.log_tail()

    def _inject(self, run: _Import, proc: subprocess.Popen, outcome: Outcome) -> None:
        if outcome.kind == "orchestrator":
            proc.kill()
        elif outcome.kind == "postgres":
            outcome.backends_terminated = terminate_backends(self.admin_url, run.urls)
        else:
            run.restart(outcome.kind)

    def _finish(self, run: _Import, proc: subprocess.Popen, outcome: Outcome) -> bool:
        """Wait for the orchestrator, running it again while it fails; whether it succeeded."""
        while True:
            try:
                code = proc.wait(timeout=RUN_TIMEOUT)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
                outcome.problems.append(f"orchestrator run {run.runs} still running after "
                                        f"{RUN_TIMEOUT:.0f}s")
                return False
            if code == 0:
                return True
            why = "" if code == -9 else ":\n" + tail(run.logs / "orchestrator.log", 4)
            outcome.exits.append(f"run {run.runs} exited with {code}{why}")
            if run.runs > RERUNS:
                outcome.problems.append(f"the import failed {run.runs} times (last exit "
                                        f"{code})")
                return False
            proc = run.start()

    def check(self, run: _Import) -> list[str]:
        """Every way the faulted import may differ from the reference, one line each."""
        checked = verify(run.urls, self.export.counts, SCOPE)
        problems = list(checked.problems)
        for model, (_, found) in checked.rows.items():
            if found != self.reference.rows[model]:
                problems.append(f"{model}: {found} rows, the reference has "
                                f"{self.reference.rows[model]}")
        for key, values in natural_keys(run.urls).items():
            duplicated = sorted(v for v, n in values.items() if n > 1)
            if duplicated:
                problems.append(f"{key}: {len(duplicated)} duplicated, e.g. {duplicated[:3]}")
            if set(values) != set(self.reference.keys[key]):
                extra = sorted(set(values) - set(self.reference.keys[key]))
                problems.append(f"{key}: {len(extra)} value(s) not in the reference, "
                                f"e.g. {extra[:3]}")
        left = [_describe_spill(p) for p in sorted(run.tmpdir.glob(SPILL_PREFIX + "*"))]
        if left:
            problems.append(f"spill directories left behind: {'; '.join(left)}")
        export = run.logs / "export.json"
        try:
            self._export(run, export)
        except BenchError as exc:
            return [*problems, str(exc)]
        compared = run.logs / "compare.log"
        with compared.open("wb") as out:
            code = self.code.popen(["compare", str(self.reference.export), str(export),
                                    "--scope", SCOPE.value],
                                   stdout=out, stderr=subprocess.STDOUT).wait()
        if code:
            problems.append(f"relocate compare exited with {code}:\n{tail(compared, 10)}")
        return problems


def summarise(outcomes: list[Outcome], kinds: tuple[str, ...]) -> dict[str, dict[str, Any]]:
    """Per kind: faults planned, injected, resumed, identical, median recovery and extra time."""
    table = {}
    for kind in kinds:
        of = [o for o in outcomes if o.kind == kind]
        table[kind] = {"faults": len(of), "injected": sum(o.injected for o in of),
                       "resumed": sum(o.resumed for o in of),
                       "identical": sum(o.identical for o in of),
                       "orchestrator_reruns": sum(max(0, o.orchestrator_runs - 1) for o in of),
                       "retried_calls": sum(o.retries for o in of),
                       "ledger_batches": sum(o.resumed_batches for o in of),
                       "median_recovery_seconds": median([o.recovery_seconds for o in of]),
                       "median_extra_seconds": median([o.extra_seconds for o in of])}
    return table


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def format_table(table: dict[str, dict[str, Any]]) -> str:
    """The per-kind table; reruns, retries and ledger batches are totals over the kind's
    faults (orchestrator runs after the first, calls retried, batches a rerun found written)."""
    lines = [f"{'kind':<13} {'faults':>6} {'injected':>8} {'resumed':>7} {'identical':>9} "
             f"{'reruns':>6} {'retries':>7} {'ledger':>6} {'median recovery s':>17} "
             f"{'median extra s':>14}"]
    for kind, row in table.items():
        lines.append(f"{kind:<13} {row['faults']:>6} {row['injected']:>8} {row['resumed']:>7} "
                     f"{row['identical']:>9} {row['orchestrator_reruns']:>6} "
                     f"{row['retried_calls']:>7} {row['ledger_batches']:>6} "
                     f"{_num(row['median_recovery_seconds']):>17} "
                     f"{_num(row['median_extra_seconds']):>14}")
    return "\n".join(lines)


def format_failure(outcome: Outcome, seed: int) -> str:
    head = (f"FAILED: {outcome.kind} fault {outcome.number} (seed {seed}, at "
            f"{outcome.moment:.3f}s after the orchestrator started, attempt {outcome.attempts}, "
            f"{outcome.orchestrator_runs} orchestrator run(s))")
    return "\n".join([head, *[f"  {p}" for p in outcome.problems], outcome.log_tail])


def run_faults(config: FaultConfig) -> dict[str, Any]:
    """Generate, import once uninterrupted, then every fault of every kind; the report."""
    with workplace(config.pg_url, config.data_dir, config.workdir, config.keep,
                   config.echo) as (admin_url, workdir):
        harness = Harness(config, admin_url, workdir)
        try:
            return _run(harness, config)
        finally:
            harness.dbs.drop_all()

def _run(harness: Harness, config: FaultConfig) -> dict[str, Any]:
    echo = config.echo
    harness.prepare()
    outcomes: list[Outcome] = []
    for number in range(1, config.faults_per_kind + 1):  # kinds interleaved: load drifts
        for kind in config.kinds:
            outcome = harness.fault(kind, number)
            outcomes.append(outcome)
            report = _report(harness, outcomes)
            if config.report_file is not None:  # so far: a run cut short keeps its faults
                config.report_file.write_text(json.dumps(report, indent=2) + "\n")
            echo(f"{kind} fault {number}: at {outcome.moment:.2f}s, injected "
                 f"{outcome.injected}, resumed {outcome.resumed}, identical "
                 f"{outcome.identical}; {outcome.orchestrator_runs} run(s), "
                 f"{outcome.retries} retried call(s), {outcome.resumed_batches} batch(es) "
                 f"from the ledger, {outcome.recovery_seconds or 0:.1f}s to recover")
            for line in outcome.exits if outcome.kind != "orchestrator" else ():
                echo(f"  orchestrator {line}")  # rode it out only by a rerun: say why
            if outcome.problems:
                echo(format_failure(outcome, config.seed))
    return _report(harness, outcomes)


def _report(harness: Harness, outcomes: list[Outcome]) -> dict[str, Any]:
    config = harness.config
    return {
        "config": {"records": config.records, "faults_per_kind": config.faults_per_kind,
                   "kinds": list(config.kinds), "seed": config.seed, "scope": SCOPE.value,
                   "db_prefix": harness.dbs.prefix},
        "machine": {"cpus": os.cpu_count(), "load_average": list(os.getloadavg()),
                    "python": platform.python_version(), "platform": platform.platform()},
        "code": harness.code.version,
        "postgresql": server_info(harness.admin_url),
        "export": harness.export.to_json(),
        "reference_seconds": harness.reference.seconds,
        "table": summarise(outcomes, config.kinds),
        "faults": [asdict(o) for o in outcomes],
        "identical": len(outcomes) == config.faults_per_kind * len(config.kinds)
        and all(o.identical for o in outcomes),
    }
