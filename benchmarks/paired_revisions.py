"""Benchmark two revisions against each other on this machine, in one invocation.

A shared machine's speed drifts by tens of percent within minutes, so two figures taken apart
compare the minutes more than the code. This runs `relocate bench run` for each revision in
ABBA order (old, new, new, old, once per round), each from its own git worktree and virtual
environment, and prints the medians and ranges over every import/COPY pair of each side.

    python benchmarks/paired_revisions.py OLD_REV NEW_REV [--records N] [--rounds R] [--encrypted]

Both revisions need `relocate bench run --json`. The worktrees are made under a temporary
folder and removed at the end.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def _prepare(rev: str, folder: Path) -> Path:
    """A worktree of `rev` with the project installed in its own .venv."""
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(folder), rev],
                   check=True, capture_output=True)
    subprocess.run([sys.executable, "-m", "venv", str(folder / ".venv")], check=True)
    subprocess.run([str(folder / ".venv/bin/pip"), "install", "--quiet", "-e", str(folder)],
                   check=True, capture_output=True)
    return folder


def _bench(tree: Path, records: int, out: Path, extra: list[str]) -> dict[str, Any]:
    subprocess.run([str(tree / ".venv/bin/relocate"), "bench", "run", "--records", str(records),
                    "--runs", "3", "--reference-batch-size", "0", "--json", str(out), *extra],
                   cwd=tree, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return dict(json.loads(out.read_text()))


def _spread(values: list[float]) -> str:
    return f"{statistics.median(values):.2f} ({min(values):.2f}-{max(values):.2f})"


def _summary(reports: list[dict[str, Any]]) -> str:
    imports = [run for r in reports for run in r["runs"]["import"]]
    python_cpu = [sum(run["cpu_seconds"].get(p) or 0.0 for p in ("orchestrator", "control",
                                                                  "region")) for run in imports]
    orchestrator = [run["cpu_seconds"].get("orchestrator") or 0.0 for run in imports]
    peak = [run["peak_rss_bytes"]["orchestrator"] / 2**20 for run in imports]
    return (f"import/COPY {_spread([x for r in reports for x in r['speed_vs_copy_by_run']])}, "
            f"import wall {_spread([run['wall_seconds'] for run in imports])} s, "
            f"COPY {_spread([run['seconds'] for r in reports for run in r['runs']['copy']])} s, "
            f"Python CPU {_spread(python_cpu)} s (orchestrator {_spread(orchestrator)} s), "
            f"orchestrator peak {_spread(peak)} MB, "
            f"{len(imports)} pairs")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("old")
    parser.add_argument("new")
    parser.add_argument("--records", type=int, default=300_000)
    parser.add_argument("--rounds", type=int, default=2,
                        help="rounds of four runs (old, new, new, old)")
    parser.add_argument("--encrypted", action="store_true",
                        help="import the export as an encrypted tarball (both revisions need "
                             "`relocate bench run --encrypted`)")
    args = parser.parse_args()
    extra = ["--encrypted"] if args.encrypted else []
    with tempfile.TemporaryDirectory(prefix="relocate-paired-") as tmp:
        work = Path(tmp)
        trees = {side: _prepare(rev, work / side) for side, rev in (("old", args.old),
                                                                     ("new", args.new))}
        try:
            reports: dict[str, list[dict[str, Any]]] = {"old": [], "new": []}
            order = ["old", "new", "new", "old"] * args.rounds
            for n, side in enumerate(order, 1):
                print(f"run {n}/{len(order)}: {side} ({getattr(args, side)})", flush=True)
                reports[side].append(_bench(trees[side], args.records, work / f"{n}-{side}.json",
                                            extra))
            for side in ("old", "new"):
                print(f"{side} {getattr(args, side)}: {_summary(reports[side])}")
        finally:
            for tree in trees.values():
                subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force",
                                str(tree)], check=False, capture_output=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
