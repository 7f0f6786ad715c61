"""Time to read an export holding one large record, by its size and layout: reading must be
linear in the size (issue 18 §1b).

For each size, an export of three `sentry.option` records whose second is that many bytes
(tools/bench/big_value.py) is written in Sentry's indented layout and on one line, then read
to its end by `orchestrator.json_items.items` in a child process, which prints its time; its
peak RSS comes from wait4 (this process stays small, so the child's peak is its own).

    .venv/bin/python benchmarks/big_values.py [--sizes 8,16,32] [--before MB] [--runs 3]
                                              [--tree DIR ...]

Sizes are in MB (10^6 bytes); 32 MB is under the 32 MiB limit; 0 is a record of a few hundred
bytes, for the time the rest of the file takes. `--before` puts that many MB of small records
before the large one (a reader may treat the start of a file otherwise). `--tree` reads with
the code of another checkout (e.g. `git worktree add /tmp/before REV`); given more than once,
the trees take turns (A B B A ...), since a shared machine's speed drifts within minutes. The
export is written by this checkout. A record over the limit is refused, which the table says.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tools.bench.big_value import write_big_record_export  # noqa: E402

_READ = """
import sys, time
from orchestrator import json_items
started, count, error = time.perf_counter(), 0, "-"
try:
    with open(sys.argv[1], "rb") as f:
        for _ in json_items.items(f):
            count += 1
except Exception as exc:  # a refusal is a result too
    error = type(exc).__name__
print(time.perf_counter() - started, count, error)
"""


def read_once(tree: Path, path: Path) -> tuple[float, int, str]:
    """(seconds, peak RSS in bytes, "" or the error that refused the file) of reading `path`
    with the code in `tree`."""
    child = subprocess.Popen([sys.executable, "-c", _READ, str(path)], cwd=tree,
                             stdout=subprocess.PIPE, text=True,
                             env={**os.environ, "PYTHONPATH": str(tree)})
    assert child.stdout is not None
    seconds, _, error = child.stdout.read().split()
    _, status, usage = os.wait4(child.pid, 0)
    if status:
        raise SystemExit(f"reading {path} with {tree} failed")
    return float(seconds), usage.ru_maxrss * 1024, "" if error == "-" else error


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="8,16,32", help="record sizes in MB, comma-separated")
    parser.add_argument("--before", type=float, default=0,
                        help="MB of small records before the large one")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--tree", type=Path, action="append",
                        help="a checkout whose code reads (default: this one); repeatable")
    args = parser.parse_args()
    trees = args.tree or [ROOT]
    print(f"{'tree':<24} {'layout':<9} {'MB':>4} {'median s':>9} {'s/MB':>6} "
          f"{'runs (s)':<30} {'peak MB':>7}")
    with tempfile.TemporaryDirectory(prefix="relocate-big-values-") as tmp:
        path = Path(tmp) / "export.json"
        for layout, one_line in (("indented", False), ("one line", True)):
            for size in (int(s) for s in args.sizes.split(",")):
                write_big_record_export(path, max(size * 10**6, 300), one_line,
                                        int(args.before * 10**6))
                runs: dict[Path, list[tuple[float, int, str]]] = {tree: [] for tree in trees}
                for turn in range(args.runs):
                    for tree in (trees if turn % 2 == 0 else trees[::-1]):
                        runs[tree].append(read_once(tree, path))
                for tree, measured in runs.items():
                    _row(str(tree)[-24:], layout, size, measured)
    return 0


def _row(tree: str, layout: str, size: int, runs: list[tuple[float, int, str]]) -> None:
    seconds = [s for s, _, _ in runs]
    median = statistics.median(seconds)
    refused = "".join(sorted({f"  refused: {error}" for _, _, error in runs if error}))
    per_mb = f"{median / size:.3f}" if size else "-"
    print(f"{tree:<24} {layout:<9} {size:>4} {median:>9.2f} {per_mb:>6} "
          f"{' '.join(f'{s:.2f}' for s in seconds):<30} "
          f"{max(p for _, p, _ in runs) / 10**6:>7.0f}{refused}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
