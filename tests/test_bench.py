"""`relocate bench`: the generator's output is deterministic, well formed and imports cleanly;
the benchmark runs end to end (figures are printed, never asserted)."""

from __future__ import annotations

import hashlib
import io
import json
import os
import statistics
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from orchestrator.catalog import Catalog, ModelInfo, dependencies_of, dependency_order
from orchestrator.report import ImportReport, ModelCounts
from orchestrator.source import spill
from orchestrator.storage import SpilledExport
from silo_engine.server import describe
from tests.conftest import ROOT, Silos
from tools.bench.generate import generate
from tools.bench.processes import BenchError, Code, PeakSampler, Service, reap
from tools.bench.run import model_figures
from tools.bench.verify import verify
from tools.bench.vocabulary import EXPORT_ORDER
from tools.models import declared_specs, spec_order
from wire.scopes import ImportScope

# sha256 of `generate(path, 1500, seed=7)`, as the generator has written it since it was made.
GENERATED_SEED_7 = "c69f40943b41fdb047bf4a142c0952ecff44f80fcdb890487315e58975bc0357"


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path: Path) -> None:
    first = generate(tmp_path / "a.json", 1500, seed=7)
    again = generate(tmp_path / "b.json", 1500, seed=7)
    other = generate(tmp_path / "c.json", 1500, seed=8)
    assert (tmp_path / "a.json").read_bytes() == (tmp_path / "b.json").read_bytes()
    assert first.counts == again.counts
    assert (tmp_path / "a.json").read_bytes() != (tmp_path / "c.json").read_bytes()
    # The bytes a seed gives stay the same from version to version: benchmark figures taken
    # before and after a change measure the same export.
    assert hashlib.sha256((tmp_path / "a.json").read_bytes()).hexdigest() == GENERATED_SEED_7
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # spool removed
    assert other.total >= 1500


def test_export_parses_with_the_counts_and_fan_out_it_reports(tmp_path: Path) -> None:
    export = generate(tmp_path / "export.json", 3000, seed=1)
    records = json.loads(export.path.read_text())
    assert 3000 <= len(records) == export.total < 3000 + 1000  # whole organizations

    # Models come in blocks, in dependency order; pks count from 1 within each model.
    blocks = [m for i, m in enumerate(r["model"] for r in records)
              if i == 0 or records[i - 1]["model"] != m]
    assert blocks == [m for m in EXPORT_ORDER if m in export.counts]
    assert Counter(r["model"] for r in records) == export.counts
    pks: dict[str, set[int]] = defaultdict(set)
    for r in records:
        assert r["pk"] == len(pks[r["model"]]) + 1
        pks[r["model"]].add(r["pk"])

    # The orchestrator's own parser reads it: no unknown model, no dropped field.
    specs = declared_specs()
    catalog = Catalog(ModelInfo.from_proto(describe(s)) for s in specs.values())
    with export.path.open("rb") as stream:
        spilled = spill(stream, catalog, tmp_path)
    assert dict(spilled.counts) == export.counts
    assert not spilled.unknown_models and not spilled.dropped_fields

    # Every reference points at a record earlier in the file.
    seen: dict[str, set[int]] = defaultdict(set)
    for r in records:
        for fk in specs[r["model"]].foreign_keys:
            value = r["fields"].get(fk.field)
            assert value is None or value in seen[fk.target], (r, fk)
        seen[r["model"]].add(r["pk"])

    def values(model: str, name: str) -> list:
        return [r["fields"][name] for r in records if r["model"] == model]

    # Unique keys are unique.
    for model, name in [("sentry.user", "username"), ("sentry.email", "email"),
                        ("sentry.organization", "slug"), ("sentry.projectkey", "public_key"),
                        ("sentry.projectkey", "secret_key"), ("sentry.monitor", "guid"),
                        ("sentry.orgauthtoken", "token_hashed")]:
        found = [str(v).lower() for v in values(model, name)]
        assert len(found) == len(set(found)), (model, name)

    # Fan-out: users shared between organizations; every organization has members, teams
    # and projects; every project a team and a key.
    orgs_of_user: dict[int, set[int]] = defaultdict(set)
    for r in records:
        if r["model"] == "sentry.organizationmember" and r["fields"]["user_id"] is not None:
            orgs_of_user[r["fields"]["user_id"]].add(r["fields"]["organization"])
    shared = sum(1 for orgs in orgs_of_user.values() if len(orgs) >= 2)
    assert shared == export.shared_users > 0
    assert set(orgs_of_user) == pks["sentry.user"]  # every user is a member somewhere
    assert sum(len(o) for o in orgs_of_user.values()) == export.memberships
    assert export.organizations == export.counts["sentry.organization"]
    for model, field in [("sentry.organizationmember", "organization"),
                         ("sentry.team", "organization"), ("sentry.project", "organization")]:
        assert set(values(model, field)) == pks["sentry.organization"], model
    for model in ("sentry.projectteam", "sentry.projectkey"):
        assert set(values(model, "project")) == pks["sentry.project"], model
    per_org = Counter(values("sentry.organizationmember", "organization"))
    assert max(per_org.values()) > 3 * min(per_org.values())  # a few large organizations


def test_small_generated_export_imports_every_row(silos: Silos, tmp_path: Path) -> None:
    export = generate(tmp_path / "export.json", 1500, seed=3)
    result = silos.relocate("import", "organizations", export.path, "--no-prompt")
    assert result.code == 0, result.stderr
    checked = verify({"control": silos.control_url, "region": silos.region_url},
                     export.counts, ImportScope.ORGANIZATION)
    assert checked.ok, checked.problems
    landed = {m: found for m, (_, found) in checked.rows.items() if found}
    out_of_scope = {"sentry.option", "sentry.controloption"}
    assert landed == {m: c for m, c in export.counts.items() if m not in out_of_scope}
    assert checked.foreign_keys and not any(checked.foreign_keys.values())


def test_bench_run_completes_and_prints_the_figures(pg_admin_url: str, tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    result = subprocess.run(
        [sys.executable, "-m", "commands.cli", "bench", "run", "--records", "2000",
         "--runs", "1", "--pg-url", pg_admin_url, "--json", str(out),
         "--workdir", str(tmp_path / "work")],
        capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    print(result.stdout)
    for text in ("import (default batches)", "import (batch 20, Sentry's)", "COPY FROM (same rows)",
                 "import / COPY", "import speed / COPY speed", "sentry.organizationmember",
                 "verified after every import"):
        assert text in result.stdout
    report = json.loads(out.read_text())
    assert report["verified"]
    main, copy, reference = report["import"], report["copy"], report["reference"]
    assert main["batch_size"] is None and reference["batch_size"] == 20
    assert copy["rows"] == main["rows_written"] == reference["rows_written"] > 0
    for figures in (main, reference):
        assert figures["records_per_s"] > 0 and figures["wall_seconds"] > 0
        assert all(figures["peak_rss_bytes"][p] > 0 for p in ("orchestrator", "control",
                                                               "region"))
        assert figures["models"]["sentry.user"]["records"] == report["export"]["counts"][
            "sentry.user"]
    assert report["import_over_copy"] > 0 and copy["records_per_s"] > 0
    # Per model, what the import's own report says: a fresh import inserts every record.
    first = report["runs"]["import"][0]
    assert 0 < first["reported_seconds"] < first["wall_seconds"]
    assert list(first["models"]) == list(main["models"])
    assert all(f["inserted"] + f["filtered"] == f["records"] > 0
               and not f["existing"] + f["dropped"] for f in first["models"].values())
    assert {m for m, f in first["models"].items() if f["filtered"]} == {
        "sentry.option", "sentry.controloption"}  # outside the organizations scope
    # Each import against the COPY run right after it, and the median of those ratios.
    runs = report["runs"]
    assert all(run["balanced"] for run in runs["import"] + runs["reference"])
    assert report["speed_vs_copy_by_run"] == pytest.approx(
        [c["seconds"] / i["wall_seconds"] for i, c in zip(runs["import"], runs["copy"],
                                                          strict=True)])
    assert report["speed_vs_copy"] == pytest.approx(
        statistics.median(report["speed_vs_copy_by_run"]))


def test_a_process_peak_memory_is_its_own_not_the_benchmarks() -> None:
    """A child started by fork and exec reports (ru_maxrss) the peak of the memory it began
    with, the benchmark's; the figures come from the child's own VmHWM instead."""
    ballast = bytearray(b"x") * (200 << 20)  # the benchmark holding 200 MB, every page touched
    idle = [sys.executable, "-c", "import time; time.sleep(0.3)"]
    child = subprocess.Popen(idle)
    _, _, usage = os.wait4(child.pid, 0)
    assert usage.ru_maxrss * 1024 >= len(ballast)  # why wait4's figure is not used

    child = subprocess.Popen(idle)
    sampler = PeakSampler(child.pid)
    sampler.start()
    cpu = reap(child)
    peak = sampler.stop()
    assert child.returncode == 0 and 0 <= cpu < 5
    assert 1 << 20 < peak < 100 << 20
    del ballast


def test_per_model_figures_come_from_the_imports_json_report(tmp_path: Path) -> None:
    report = ImportReport("u", "organizations", SpilledExport(tmp_path), seconds=2.5)
    report.models["sentry.user"] = ModelCounts(in_file=10, inserted=7, existing=2,
                                               overwritten=0, seconds=0.5,
                                               filtered=Counter(filter=1))
    report.models["sentry.email"] = ModelCounts(in_file=3, inserted=3, seconds=0.0)
    out = io.BytesIO()
    report.write_json(out)
    figures = model_figures(json.loads(out.getvalue()))
    assert figures["reported_seconds"] == 2.5 and figures["balanced"]
    assert list(figures["models"]) == ["sentry.user", "sentry.email"]  # the report's order
    assert figures["models"]["sentry.user"] == {
        "records": 10, "seconds": 0.5, "records_per_s": 20.0, "inserted": 7, "existing": 2,
        "overwritten": 0, "filtered": 1, "dropped": 0}
    assert figures["models"]["sentry.email"]["records_per_s"] is None  # no time measured
    report.models["sentry.email"].in_file = 4  # a record the silo did not answer for
    out = io.BytesIO()
    report.write_json(out)
    assert not model_figures(json.loads(out.getvalue()))["balanced"]


def test_the_tools_order_models_as_the_orchestrator_does() -> None:
    """One dependency order: the tools' (from the declarations) is the catalog's (from the
    silos' descriptions), and a model's reference to itself does not order it."""
    specs = declared_specs()
    catalog = Catalog(ModelInfo.from_proto(describe(s)) for s in specs.values())
    assert [s.name for s in spec_order(specs.values())] == catalog.order
    assert dependency_order({"app.b": ["app.b", "app.a"], "app.a": ["app.a"]}) == [
        "app.a", "app.b"]
    assert dependencies_of("app.node", ["app.node", "sentry.user"]) == {"sentry.user"}


def test_a_service_that_does_not_start_is_reported_with_its_log(tmp_path: Path) -> None:
    code = Code.snapshot(tmp_path / "code")
    service = Service(code, "control", "postgresql://postgres@127.0.0.1:9/nothing", "secret",
                      tmp_path / "control.log")
    with pytest.raises(BenchError, match="the control service did not start") as raised:
        service.wait_ready(timeout=60)
    assert service.proc.returncode not in (None, 0)
    assert (tmp_path / "control.log").read_text().splitlines()[-1] in str(raised.value)


def test_bench_run_encrypted_imports_the_tarball(pg_admin_url: str, tmp_path: Path) -> None:
    """`--encrypted`: the import reads Sentry's encrypted tarball of the generated export, with
    its key, and lands every record."""
    out = tmp_path / "bench.json"
    result = subprocess.run(
        [sys.executable, "-m", "commands.cli", "bench", "run", "--records", "2000",
         "--runs", "1", "--reference-batch-size", "0", "--encrypted", "--pg-url", pg_admin_url,
         "--json", str(out), "--workdir", str(tmp_path / "work")],
        capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(out.read_text())
    assert report["verified"] and report["config"]["encrypted"]
    [run] = report["runs"]["import"]
    assert "/export.tar --decrypt-with " in run["command"]
    assert run["rows_written"] == report["copy"]["rows"] > 0
