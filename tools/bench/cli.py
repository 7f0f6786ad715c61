"""The `relocate bench generate|run|faults` verbs: their options, and what each prints.

Every `relocate` command loads this module, the benchmarked import too, so the benchmark's own
modules are loaded only when a bench verb runs.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from pathlib import Path
from typing import Any

from commands.arguments import positive_int
from orchestrator.importer import DEFAULT_BATCH_SIZE
from wire.scopes import ImportScope


def _kinds(text: str) -> tuple[str, ...]:
    from tools.bench.faults import KINDS

    kinds = tuple(dict.fromkeys(k.strip() for k in text.split(",") if k.strip()))
    unknown = [k for k in kinds if k not in KINDS]
    if unknown or not kinds:
        raise argparse.ArgumentTypeError(f"give some of {','.join(KINDS)}")
    return kinds


def _prefix(text: str) -> str:
    if not re.fullmatch(r"[a-z][a-z0-9_]{0,39}", text):
        raise argparse.ArgumentTypeError("lower-case letters, digits and _, at most 40, "
                                         "beginning with a letter")
    return text


def _server_options(parser: argparse.ArgumentParser, keep: str) -> None:
    """Where a bench verb's PostgreSQL and files are."""
    parser.add_argument("--pg-url", default=os.environ.get("RELOCATE_BENCH_PG_URL") or None,
                        help="an admin URL of the PostgreSQL server to use (env "
                             "RELOCATE_BENCH_PG_URL; default 127.0.0.1:5432, else an embedded "
                             "one)")
    parser.add_argument("--data-dir", type=Path, default=Path(".relocate-bench"),
                        help="where the embedded PostgreSQL lives, when one is needed")
    parser.add_argument("--workdir", type=Path,
                        help=f"keep the export, logs and {keep} here (default: a temp dir)")
    parser.add_argument("--keep", action="store_true",
                        help="keep the databases and files afterwards, for inspection")


def _add_faults(bsub: Any) -> None:
    faults = bsub.add_parser("faults", help="kill silos, the orchestrator and database "
                             "connections during imports; check each resumed import")
    faults.add_argument("--records", type=positive_int, default=200_000,
                        help="size of the generated export (default 200000)")
    faults.add_argument("--faults-per-kind", type=positive_int, default=20,
                        help="faults of each kind, each in its own import (default 20)")
    faults.add_argument("--kinds", type=_kinds, default=("region", "control", "orchestrator",
                                                          "postgres"),
                        help="which faults, comma-separated (default "
                             "region,control,orchestrator,postgres)")
    faults.add_argument("--seed", type=int, default=1,
                        help="generator seed and the faults' moments (default 1)")
    faults.add_argument("--db-prefix", type=_prefix,
                        help="name every database made with this prefix (default: faults_ "
                             "and a random tag)")
    faults.add_argument("--report-file", type=Path, metavar="OUT",
                        help="write the table and every fault as JSON here")
    _server_options(faults, "the reference import's export")


def add_bench_commands(sub: Any) -> None:
    """`relocate bench generate|run|faults`."""
    bench = sub.add_parser("bench", help="generate Sentry-shaped exports and benchmark imports")
    bsub = bench.add_subparsers(dest="bench_command", required=True)
    gen = bsub.add_parser("generate", help="write a deterministic Sentry-shaped export")
    gen.add_argument("--records", type=positive_int, default=10_000,
                     help="about how many records (whole organizations; default 10000)")
    gen.add_argument("--seed", type=int, default=1, help="same seed, same bytes (default 1)")
    gen.add_argument("out", type=Path, help="the export file to write")
    run = bsub.add_parser("run", help="benchmark the import end to end against COPY")
    run.add_argument("--records", type=positive_int, default=100_000,
                     help="size of the generated export (default 100000)")
    run.add_argument("--runs", type=positive_int, default=3,
                     help="runs per measurement; figures are medians (default 3)")
    run.add_argument("--batch-size", type=positive_int, default=None,
                     help=f"the import's batch size for every model (default "
                          f"{DEFAULT_BATCH_SIZE})")
    run.add_argument("--reference-batch-size", type=int, default=20,
                     help="batch size of the reference import (Sentry's is 20; 0 skips it)")
    run.add_argument("--seed", type=int, default=1, help="generator seed (default 1)")
    run.add_argument("--scope", choices=[s.value for s in ImportScope],
                     default=ImportScope.ORGANIZATION.value, help="import scope "
                     "(default organizations; models outside it must stay empty)")
    run.add_argument("--json", type=Path, metavar="OUT", help="write every figure here")
    _server_options(run, "COPY files")
    run.add_argument("--encrypted", action="store_true",
                     help="import the export as Sentry's encrypted tarball (--decrypt-with)")
    _add_faults(bsub)


def _generate(args: argparse.Namespace) -> int:
    from tools.bench.generate import generate

    started = time.perf_counter()
    export = generate(args.out, args.records, args.seed)
    print(f"Wrote {export.total:,} records ({export.organizations:,} organizations, "
          f"{export.users:,} users) to {args.out} in {time.perf_counter() - started:.1f}s",
          file=sys.stderr)
    for model, count in export.counts.items():
        print(f"  {model:<34} {count:>10,}", file=sys.stderr)
    return 0


def _run(args: argparse.Namespace) -> int:
    from tools.bench.processes import BenchError
    from tools.bench.report import format_report
    from tools.bench.run import BenchConfig, run_benchmark

    config = BenchConfig(
        records=args.records, runs=args.runs, batch_size=args.batch_size,
        reference_batch_size=max(0, args.reference_batch_size), seed=args.seed,
        scope=ImportScope(args.scope), pg_url=args.pg_url, data_dir=args.data_dir,
        workdir=args.workdir, keep=args.keep, encrypted=args.encrypted)
    try:
        report = run_benchmark(config)
    except BenchError as exc:
        print(f"relocate bench: {exc}", file=sys.stderr)
        return 1
    print(format_report(report), flush=True)
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n")
    return 0 if report["verified"] else 1


def _faults(args: argparse.Namespace) -> int:
    from tools.bench.faults import FaultConfig, format_table, run_faults
    from tools.bench.processes import BenchError

    config = FaultConfig(
        records=args.records, faults_per_kind=args.faults_per_kind, kinds=args.kinds,
        seed=args.seed, db_prefix=args.db_prefix, pg_url=args.pg_url, data_dir=args.data_dir,
        workdir=args.workdir, keep=args.keep, report_file=args.report_file)
    try:
        report = run_faults(config)
    except BenchError as exc:
        print(f"relocate bench: {exc}", file=sys.stderr)
        return 1
    print(format_table(report["table"]), flush=True)
    return 0 if report["identical"] else 1


def run_bench(args: argparse.Namespace) -> int:
    """Run the bench verb `args` names; the process's exit code."""
    verbs = {"generate": _generate, "run": _run, "faults": _faults}
    return verbs[args.bench_command](args)
