"""Unknown models and fields are counted in bounded memory and reported in bounded size
(issue 18): names in an export are the sender's to make up, by the million."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT, Silos, fixture_path

# The child writes its own peak resident memory (VmHWM) on exit: wait4's figure would include
# what the test process held when it forked.
PEAK_WRAPPER = """\
import atexit, re, sys
out = sys.argv.pop(1)
def peak():
    status = open("/proc/self/status").read()
    open(out, "w").write(re.search(r"VmHWM:\\s+(\\d+)", status).group(1))
atexit.register(peak)
from commands.main import main
sys.exit(main())
"""


def test_many_unknown_models_and_fields_cost_bounded_memory_and_output(
        silos: Silos, tmp_path: Path) -> None:
    user = json.loads(fixture_path("user-with-minimum-privileges.json").read_text())
    record = next(r for r in user if r["model"] == "sentry.user")
    record["fields"].update({f"made_up_{n}": n for n in range(50_000)})
    src = tmp_path / "unknown.json"
    with src.open("w") as out:
        out.write(json.dumps(user)[:-1])
        for n in range(200_000):
            out.write(f',{{"model":"sentry.gone{n}","pk":{n + 1},"fields":{{}}}}')
        out.write("]")
    findings, peak = tmp_path / "findings.json", tmp_path / "peak"
    result = subprocess.run(
        [sys.executable, "-c", PEAK_WRAPPER, str(peak), "import", "users", str(src),
         "--no-prompt", "--findings-file", str(findings), "--control", silos.control_address,
         "--region", silos.region_address],
        capture_output=True, text=True, timeout=300, cwd=ROOT, env=dict(os.environ))
    assert result.returncode == 0, result.stderr[-2000:]
    assert silos.count("control", "auth_user") == 1
    assert len(result.stderr) < 100_000 and findings.stat().st_size < 100_000
    notices = json.loads(findings.read_text())
    models = [n for n in notices if n["finding"] == "UnknownModelSkipped"]
    fields = [n for n in notices if n["finding"] == "UnknownFieldDropped"]
    assert len(models) == 21 and len(fields) == 21
    assert models[-1]["on"]["model"] is None
    assert models[-1]["reason"].startswith("199,980 record(s) of more than ")
    assert fields[-1]["reason"].startswith("more than ")
    assert "49,980 time(s) in all" in fields[-1]["reason"]
    assert int(peak.read_text()) * 1024 < 300 << 20


def test_a_tally_keeps_its_others_through_pickle_and_update() -> None:
    """Parts of a large export are spilled by a child process and sent back pickled."""
    import pickle

    from orchestrator.findings import NAMES_COUNTED, Tally

    tally: Tally[str] = Tally()
    for n in range(NAMES_COUNTED + 5):
        tally[f"m{n}"] += 2
    assert len(tally) == NAMES_COUNTED and tally.others == 10
    copy = pickle.loads(pickle.dumps(tally))
    assert copy == tally and copy.others == 10
    copy.update(tally)
    assert copy.others == 20 and copy.records() == 4 * (NAMES_COUNTED + 5)
