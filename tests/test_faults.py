"""`relocate bench faults`, short: one fault of each kind lands in a small import and the
resumed import equals the uninterrupted one; and the checks see a record written twice."""

from __future__ import annotations

import uuid
from pathlib import Path

import psycopg

from tools.bench.faults import KINDS, FaultConfig, Harness, run_faults
from tools.models import declared_specs


def _config(pg_admin_url: str, tmp_path: Path, records: int, faults: int) -> FaultConfig:
    return FaultConfig(records=records, faults_per_kind=faults, seed=5, pg_url=pg_admin_url,
                       db_prefix=f"t_faults_{uuid.uuid4().hex[:8]}", workdir=tmp_path,
                       report_file=tmp_path / "report.json", echo=lambda _: None)


def test_one_fault_of_each_kind_resumes_to_the_same_data(pg_admin_url: str,
                                                          tmp_path: Path) -> None:
    report = run_faults(_config(pg_admin_url, tmp_path, 5000, 1))
    failures = [(f["kind"], f["problems"], f["log_tail"]) for f in report["faults"]
                if not f["identical"]]
    assert report["identical"] and not failures, failures
    assert list(report["table"]) == list(KINDS)
    for kind, row in report["table"].items():
        assert (row["faults"], row["injected"], row["resumed"], row["identical"]) == (
            1, 1, 1, 1), (kind, row)
    faults = {f["kind"]: f for f in report["faults"]}
    assert faults["orchestrator"]["orchestrator_runs"] == 2  # killed, then run again
    assert faults["postgres"]["backends_terminated"] >= 1
    assert (tmp_path / "report.json").exists()
    with psycopg.connect(pg_admin_url) as conn:  # every database it made is dropped
        assert not conn.execute("SELECT datname FROM pg_database WHERE datname LIKE %s",
                                (report["config"]["db_prefix"] + "%",)).fetchall()


def test_a_user_written_twice_is_named_by_the_checks(pg_admin_url: str,
                                                     tmp_path: Path) -> None:
    """What a resume that wrote a batch again would leave (a renamed copy of a user) fails
    the row counts, the natural keys and `relocate compare`."""
    harness = Harness(_config(pg_admin_url, tmp_path, 1500, 0), pg_admin_url, tmp_path)
    try:
        harness.prepare()
        with harness.importing("twice") as run:
            assert run.start().wait() == 0
            assert harness.check(run) == []
            columns = [c.name for c in declared_specs()["sentry.user"].table.columns]
            copied = [{"id": "(SELECT max(id) + 1 FROM auth_user)",
                       "username": "username || '-7e'"}.get(c, c) for c in columns]
            with psycopg.connect(run.urls["control"], autocommit=True) as conn:
                conn.execute(f"INSERT INTO auth_user ({', '.join(columns)}) SELECT "
                             f"{', '.join(copied)} FROM auth_user ORDER BY id LIMIT 1")
            problems = harness.check(run)
    finally:
        harness.dbs.drop_all()
    assert any(p.startswith("sentry.user: ") and "rows" in p for p in problems), problems
    assert any(p.startswith("sentry.user.username: 1 value(s) not in the reference")
               for p in problems), problems
    assert any("relocate compare exited with 1" in p and "UnequalCounts" in p
               for p in problems), problems
