"""What sealing the spill costs: spill and read-back time of one export as a plain file and as an
encrypted tarball, in this tree and in another revision's, alternated run by run.

Why: an import of an encrypted tarball writes its spill as AES-256-GCM frames
(`orchestrator.storage`), and a plain export's spill must stay as fast as before. Each run is a
child process that does what the importer does with the file: `open_export` and `spill` (the
tarball verified, decrypted and, in a tree that seals, sealed), then every model's batches read
back; it reports the wall and CPU seconds (its own and its second-half child's) of both steps.
Forms: `plain` (the JSON file), `tarball` (the same export encrypted, `--decrypt-with`), and
`plain-sealed` (the JSON file spilled sealed, in trees that can: the cost of sealing alone).

    .venv/bin/python benchmarks/spill_sealing.py --records 300000 --runs 3 --before main
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FORMS = ("plain", "plain-sealed", "tarball")

# Runs in the child, with the measured tree first on sys.path.
CHILD = """
import inspect, json, resource, shutil, sys, time
from pathlib import Path
from orchestrator.catalog import Catalog, ModelInfo
from orchestrator.cross_silo import KEPT_FIELDS
from orchestrator.crypto import open_export
from orchestrator.source import spill
from silo_engine.server import describe
from tools.models import declared_specs

source, private, workdir, sealed = sys.argv[1], sys.argv[2] or None, sys.argv[3], sys.argv[4]
catalog = Catalog(ModelInfo.from_proto(describe(s)) for s in declared_specs().values())
options = {"sealed": sealed == "1"} if "sealed" in inspect.signature(spill).parameters else {}
if sealed == "1" and not options:
    print(json.dumps(None)); sys.exit(0)

def cpu():
    return sum(resource.getrusage(who).ru_utime + resource.getrusage(who).ru_stime
               for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))

started, used = time.perf_counter(), cpu()
with open_export(Path(source), private and Path(private)) as stream:
    export = spill(stream, catalog, Path(workdir), KEPT_FIELDS, **options)
spilled, spill_cpu = time.perf_counter(), cpu()
records = sum(len(batch.references) for model in export.counts
              for batch in export.batches(model, 2000))
read, read_cpu = time.perf_counter(), cpu()
size = sum(export.size(model) for model in export.counts)
shutil.rmtree(export.directory)
print(json.dumps({"spill_wall": spilled - started, "spill_cpu": spill_cpu - used,
                  "read_wall": read - spilled, "read_cpu": read_cpu - spill_cpu,
                  "records": records, "spilled_bytes": size}))
"""


def _tree(rev: str, folder: Path) -> Path:
    """`rev`'s files, extracted (no worktree, no install: the child imports them by path)."""
    folder.mkdir()
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev], check=True,
                             capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    return folder


def _run(tree: Path, form: str, export: Path, tarball: Path, private: Path,
         workdir: Path) -> dict[str, Any] | None:
    source, key = (tarball, private) if form == "tarball" else (export, "")
    env = {**os.environ, "PYTHONPATH": str(tree), "PYTHONDONTWRITEBYTECODE": "1"}
    out = subprocess.run([sys.executable, "-c", CHILD, str(source), str(key), str(workdir),
                          "1" if form == "plain-sealed" else "0"],
                         check=True, capture_output=True, text=True, env=env, cwd=tree).stdout
    result: dict[str, Any] | None = json.loads(out)
    return result


def _spread(values: list[float]) -> str:
    return f"{statistics.median(values):.2f} ({min(values):.2f}-{max(values):.2f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=300_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--before", default="main", help="the revision to compare with")
    parser.add_argument("--dir", type=Path, help="work here (default: a temporary folder)")
    args = parser.parse_args()

    from orchestrator.crypto import generate_keypair, write_encrypted_tarball
    from tools.bench.generate import generate

    work = Path(tempfile.mkdtemp(prefix="spill-sealing-", dir=args.dir))
    try:
        export = generate(work / "export.json", args.records, seed=1).path
        private_pem, public_pem = generate_keypair(2048)
        private = work / "key.pem"
        private.write_bytes(private_pem)
        tarball = work / "export.tar"
        with export.open("rb") as plain, tarball.open("wb") as out:
            write_encrypted_tarball(plain, export.stat().st_size, public_pem, out)
        trees = {"after": ROOT, "before": _tree(args.before, work / "before")}
        spill_root = work / "spill"
        spill_root.mkdir()
        results: dict[tuple[str, str], list[dict[str, Any]]] = {}
        for run in range(args.runs):
            order = list(trees.items()) if run % 2 == 0 else list(reversed(trees.items()))
            for form in FORMS:
                for name, tree in order:
                    result = _run(tree, form, export, tarball, private, spill_root)
                    if result is not None:
                        results.setdefault((name, form), []).append(result)
        print(f"{args.records:,} records requested, {export.stat().st_size / 1e6:.1f} MB "
              f"plain, {tarball.stat().st_size / 1e6:.1f} MB tarball; medians (ranges) of "
              f"{args.runs} runs, seconds")
        for (name, form), runs in sorted(results.items(), key=lambda item: item[0][::-1]):
            print(f"{form:13} {name:6}  spill wall {_spread([r['spill_wall'] for r in runs])}"
                  f"  CPU {_spread([r['spill_cpu'] for r in runs])}  read wall "
                  f"{_spread([r['read_wall'] for r in runs])}  CPU "
                  f"{_spread([r['read_cpu'] for r in runs])}  {runs[0]['records']:,} records, "
                  f"{runs[0]['spilled_bytes'] / 1e6:.1f} MB spilled")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
