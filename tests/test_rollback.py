"""`relocate rollback` and `relocate imports`, end to end through the CLI against real silos.

The check every rollback test makes: export both silos before an import, import, roll it back,
export again, and `relocate compare` finds no difference (and compares a non-empty export).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest

from silo_engine import rollback as silo_rollback
from tests.conftest import ROOT, Silos, fixture_path, load_fixture, run_cli, run_import
from tools.bench.generate import generate

RELOCATE = [sys.executable, "-m", "commands.cli"]


def _connection(silos: Silos) -> list[str]:
    return ["--control", silos.control_address, "--region", silos.region_address]


def _export(silos: Silos, dest: Path, scope: str = "global") -> Path:
    result = run_cli(["export", scope, str(dest), "--silent", *_connection(silos)])
    assert result.code == 0, result.stderr
    return dest


def _rollback(silos: Silos, import_uuid: str, *extra: str) -> tuple[int, str]:
    result = run_cli(["rollback", "--import-uuid", import_uuid, *extra, *_connection(silos)])
    return result.code, result.stderr


def _same(before: Path, after: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`relocate compare` finds no difference between the two exports, comparing records."""
    capsys.readouterr()
    findings = before.with_suffix(".findings.json")
    result = run_cli(["compare", str(before), str(after), "--findings-file", str(findings)])
    out = capsys.readouterr().out
    assert json.loads(findings.read_text()) == [], out
    assert result.code == 0, out
    assert out.rstrip().endswith("found 0 difference(s)")
    assert len(json.loads(before.read_text())) > 0  # not two empty exports


def _imports(silos: Silos, capsys: pytest.CaptureFixture[str]) -> dict[str, dict[str, Any]]:
    capsys.readouterr()
    result = run_cli(["imports", "--json", *_connection(silos)])
    assert result.code == 0, result.stderr
    return {entry["import_uuid"]: entry for entry in json.loads(capsys.readouterr().out)}


def _write(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text(json.dumps(records))
    return path


def test_a_global_import_rolled_back_leaves_both_silos_as_they_were(
        silos: Silos, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A second copy of an installation (users renamed, organization and project slugs
    renamed, keys, options reused) is removed exactly: the export after equals the one before,
    its slug reservations and organization mappings are gone, its ledger is marked, and a
    second rollback changes nothing."""
    run_import(silos, tmp_path, "global", fixture_path("fresh-install.json"),
               findings_expected=True)
    before = _export(silos, tmp_path / "before.json")
    mappings_before = silos.count("control", "sentry_organizationmapping")
    second = run_import(silos, tmp_path, "global", fixture_path("fresh-install.json"),
                        findings_expected=True)
    assert silos.count("control", "sentry_organizationmapping") == mappings_before + 1
    assert silos.count("control", "sentry_organizationmembermapping") == 6

    code, stderr = _rollback(silos, second)
    assert code == 0, stderr
    assert f"Import {second} is rolled back" in stderr
    _same(before, _export(silos, tmp_path / "after.json"), capsys)
    assert silos.count("control", "sentry_organizationmapping") == mappings_before
    assert silos.count("control", "sentry_organizationslugreservation") == mappings_before
    assert silos.count("control", "sentry_organizationmembermapping") == 3
    for silo, table in (("control", "sentry_controlimportchunk"),
                        ("region", "sentry_regionimportchunk"),
                        ("region", "sentry_controlimportchunkreplica")):
        assert silos.count(silo, table, "import_uuid = :u AND NOT rolled_back", u=second) == 0
        assert silos.count(silo, table, "import_uuid = :u", u=second) > 0

    code, stderr = _rollback(silos, second)  # idempotent: nothing left to do
    assert code == 0, stderr
    assert "region: deleted 0 row(s), restored 0" in stderr
    assert "control: deleted 0 row(s), restored 0" in stderr
    _same(before, _export(silos, tmp_path / "again.json"), capsys)


def _changed_configs(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The records with new values for every option, relay and role (which collide)."""
    for record in records:
        fields = record["fields"]
        if record["model"] == "sentry.option":
            fields["value"] = f'"changed {record["pk"]}"'
            fields["last_updated_by"] = "import"
        elif record["model"] == "sentry.relay":
            fields["is_internal"] = False
        elif record["model"] == "sentry.userrole":
            fields["permissions"] = "['users.admin']"
    return records


def test_a_rollback_restores_what_overwrite_configs_wrote_over(
        silos: Silos, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Options, relays and roles an import with --overwrite-configs wrote over get their
    previous values back, every column (dates included), in both silos."""
    run_import(silos, tmp_path, "config", fixture_path("fresh-install.json"))
    before = _export(silos, tmp_path / "before.json")
    values = "SELECT key, value, last_updated, last_updated_by FROM sentry_option ORDER BY key"
    options = silos.rows("region", values)
    roles = silos.rows("control", "SELECT * FROM sentry_userrole ORDER BY id")
    source = _write(tmp_path / "changed.json",
                    _changed_configs(load_fixture("fresh-install.json")))
    changed = run_import(silos, tmp_path, "config", source, "--overwrite-configs")
    assert {row.last_updated_by for row in silos.rows("region", values)} == {"import"}
    assert silos.rows("region", "SELECT is_internal FROM sentry_relay")[0][0] is False
    assert silos.rows("control", "SELECT permissions FROM sentry_userrole")[0][0] == [
        "users.admin"]

    code, stderr = _rollback(silos, changed)
    assert code == 0, stderr
    # Four options, the relay and its usage; the role (the users the import made, renamed,
    # their addresses and role memberships are deleted).
    assert "region: deleted 0 row(s), restored 6" in stderr
    assert "control: deleted 8 row(s), restored 1" in stderr
    assert silos.rows("region", values) == options
    assert silos.rows("control", "SELECT * FROM sentry_userrole ORDER BY id") == roles
    assert silos.rows("region", "SELECT is_internal FROM sentry_relay")[0][0] is True
    _same(before, _export(silos, tmp_path / "after.json"), capsys)


def _copy_row(silos: Silos, table: str, pk: int, changes: dict[str, Any]) -> None:
    """Write a row beside the import: a copy of row `pk` with `changes` (as a user would
    create one since)."""
    with silos.region_db.begin() as conn:
        conn.exec_driver_sql(
            f"INSERT INTO {table} SELECT * FROM json_populate_record(NULL::{table}, "
            f"(SELECT (row_to_json(t)::jsonb || %(changes)s::jsonb)::json FROM {table} AS t "
            "WHERE id = %(pk)s))", {"changes": json.dumps(changes), "pk": pk})


def test_rows_written_since_refuse_the_rollback_and_cascade_removes_them(
        silos: Silos, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A project created since in an organization the import made (and a key of that
    project) refuse the rollback, named, and nothing is removed; --cascade --dry-run lists
    them and changes nothing; --cascade removes them with the import."""
    run_import(silos, tmp_path, "global", fixture_path("user-with-minimum-privileges.json"))
    before = _export(silos, tmp_path / "before.json")
    imported = run_import(silos, tmp_path, "global", fixture_path("fresh-install.json"),
                          findings_expected=True)
    organization = silos.rows("region", "SELECT id FROM sentry_organization")[0][0]
    project = silos.rows("region", "SELECT id FROM sentry_project")[0][0]
    key = silos.rows("region", "SELECT id FROM sentry_projectkey")[0][0]
    _copy_row(silos, "sentry_project", project, {"id": 9001, "slug": "made-since"})
    _copy_row(silos, "sentry_projectkey", key, {"id": 9002, "project_id": 9001,
                                               "public_key": "f" * 32, "secret_key": "e" * 32})
    during = _export(silos, tmp_path / "during.json")

    code, stderr = _rollback(silos, imported)
    assert code == 1
    assert stderr.strip() == (
        f"relocate: rollback refused: 1 row(s) written after import {imported} reference "
        f"rows it inserted: sentry.project pk 9001 (organization -> sentry.organization "
        f"{organization}). Nothing was removed: delete them first, or give --cascade to "
        "delete them too.")
    _same(during, _export(silos, tmp_path / "refused.json"), capsys)

    code, stderr = _rollback(silos, imported, "--cascade", "--dry-run")
    assert code == 0, stderr
    assert (f"would also delete (--cascade), 2 row(s) written after the import: sentry.project "
            f"pk 9001 (organization -> sentry.organization {organization}); sentry.projectkey "
            "pk 9002 (project -> sentry.project 9001)") in stderr
    assert f"Import {imported} was not changed (dry run)" in stderr
    _same(during, _export(silos, tmp_path / "dry.json"), capsys)

    code, stderr = _rollback(silos, imported, "--cascade")
    assert code == 0, stderr
    assert "also deleted (--cascade), 2 row(s)" in stderr
    assert silos.count("region", "sentry_project") == 0
    assert silos.count("region", "sentry_projectkey") == 0
    _same(before, _export(silos, tmp_path / "after.json"), capsys)


def _failing(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The records with one that fails validation late in dependency order (a project key)."""
    for record in records:
        if record["model"] == "sentry.projectkey":
            record["fields"]["status"] = "not a number"
    return records


def test_imports_lists_complete_partial_and_rolled_back_imports_and_a_failed_import_rolls_back(
        silos: Silos, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`relocate imports` lists each import once with both silos' records written and its
    state; an import that failed part way (batches kept) rolls back to the export before it."""
    complete = run_import(silos, tmp_path, "global", fixture_path("fresh-install.json"),
                          findings_expected=True)
    before = _export(silos, tmp_path / "before.json")
    source = _write(tmp_path / "failing.json", _failing(load_fixture("fresh-install.json")))
    failed = uuid.uuid4().hex
    result = silos.relocate("import", "global", source, "--no-prompt", "--import-uuid", failed)
    assert result.code == 1 and "ValidationError on sentry.projectkey" in result.stderr
    assert silos.count("region", "sentry_project") == 2  # batches before the failure kept

    listed = _imports(silos, capsys)
    assert list(listed) == [complete, failed]
    assert listed[complete]["state"] == "complete"
    assert listed[complete]["scope"] == "global"
    assert listed[complete]["source_size"] == fixture_path("fresh-install.json").stat().st_size
    written = "{} AS c, json_object_keys(c.inserted_map) AS k"
    assert listed[complete]["records_written"] == sum(
        silos.count(silo, written.format(table), "c.import_uuid = :u", u=complete)
        for silo, table in (("control", "sentry_controlimportchunk"),
                            ("region", "sentry_regionimportchunk"))) > 20
    assert listed[failed]["state"] == "partial"

    code, stderr = _rollback(silos, failed)
    assert code == 0, stderr
    _same(before, _export(silos, tmp_path / "after.json"), capsys)
    listed = _imports(silos, capsys)
    assert (listed[complete]["state"], listed[failed]["state"]) == ("complete", "rolled back")
    assert listed[complete]["finished_at"] and listed[failed]["finished_at"] is None
    assert listed[failed]["rolled_back_at"] and listed[complete]["rolled_back_at"] is None
    assert listed[failed]["silos"] == {"control": "rolled back", "region": "rolled back"}

    capsys.readouterr()
    assert run_cli(["imports", *_connection(silos)]).code == 0
    table = capsys.readouterr().out.splitlines()
    assert table[0].split() == ["IMPORT", "UUID", "SCOPE", "STARTED", "(UTC)", "SOURCE",
                                "RECORDS", "STATE"]
    assert [line.split()[0] for line in table[1:]] == [complete, failed]
    assert table[2].endswith("rolled back") and table[1].endswith("complete")

    # A rolled-back import cannot be resumed: its ledger would answer without writing.
    result = silos.relocate("import", "global", source, "--no-prompt", "--import-uuid", failed)
    assert result.code == 1 and f"import {failed} was rolled back" in result.stderr


def test_a_rollback_stopped_part_way_finishes_when_run_again(
        silos: Silos, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A rollback that fails in the control silo after the region's part (a trigger refuses
    deleting users) leaves the import `rolling back`, and the same command run again finishes
    it: the same end state as a rollback that was never stopped."""
    run_import(silos, tmp_path, "global", fixture_path("user-with-minimum-privileges.json"))
    before = _export(silos, tmp_path / "before.json")
    imported = run_import(silos, tmp_path, "global", fixture_path("fresh-install.json"),
                          findings_expected=True)
    with silos.control_db.begin() as conn:
        conn.exec_driver_sql(
            "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'no deleting users today'; END $$; "
            "CREATE TRIGGER refuse BEFORE DELETE ON auth_user FOR EACH ROW EXECUTE FUNCTION "
            "refuse()")
    code, stderr = _rollback(silos, imported, "--retry-deadline", "0")
    assert code == 1
    assert "rollback stopped" in stderr and "no deleting users today" in stderr
    assert silos.count("region", "sentry_organization") == 0  # the region's part is done
    assert silos.count("control", "sentry_controlimportchunk",
                       "import_uuid = :u AND rolled_back", u=imported) > 0  # and some of control
    assert _imports(silos, capsys)[imported]["state"] == "rolling back"
    with silos.control_db.begin() as conn:
        conn.exec_driver_sql("DROP TRIGGER refuse ON auth_user")

    code, stderr = _rollback(silos, imported)
    assert code == 0, stderr
    assert "region: deleted 0 row(s), restored 0" in stderr
    _same(before, _export(silos, tmp_path / "after.json"), capsys)
    assert _imports(silos, capsys)[imported]["state"] == "rolled back"


def test_an_interrupted_and_resumed_import_rolls_back(
        silos: Silos, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An import stopped by SIGTERM part way, then resumed to the end, rolls back to the
    export taken before it: the batches of both runs are undone."""
    run_import(silos, tmp_path, "global", fixture_path("fresh-install.json"),
               findings_expected=True)
    before = _export(silos, tmp_path / "before.json")
    export = generate(tmp_path / "export.json", 3_000, seed=7)
    import_uuid = uuid.uuid4().hex
    args = [*RELOCATE, "import", "organizations", str(export.path), "--no-prompt",
            *_connection(silos), "--import-uuid", import_uuid, "--batch-size", "50"]
    proc = subprocess.Popen(args, stderr=subprocess.PIPE, text=True, cwd=ROOT,
                            env={**os.environ})
    assert proc.stderr is not None
    for line in proc.stderr:  # a first model is written and others are going out
        if " records in " in line:
            break
    proc.send_signal(signal.SIGTERM)
    proc.stderr.read()
    assert proc.wait(timeout=120) == 128 + signal.SIGTERM
    assert _imports(silos, capsys)[import_uuid]["state"] == "partial"
    resumed = subprocess.run(args, capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    assert "resumed" in resumed.stderr
    assert _imports(silos, capsys)[import_uuid]["state"] == "complete"

    code, stderr = _rollback(silos, import_uuid)
    assert code == 0, stderr
    _same(before, _export(silos, tmp_path / "after.json"), capsys)


def test_a_region_row_written_since_that_points_at_a_user_the_import_made_refuses_it(
        silos: Silos, tmp_path: Path) -> None:
    """The region knows the control rows an import inserted from its replica of the control
    ledger: a member added since, in an organization from before, for a user the import made,
    refuses the rollback, named; nothing is removed in either silo."""
    run_import(silos, tmp_path, "global", fixture_path("fresh-install.json"),
               findings_expected=True)
    member = silos.rows("region", "SELECT id FROM sentry_organizationmember ORDER BY id")[0][0]
    imported = run_import(silos, tmp_path, "global",
                          fixture_path("user-with-minimum-privileges.json"))
    user = silos.rows("control", "SELECT id FROM auth_user ORDER BY id DESC")[0][0]
    _copy_row(silos, "sentry_organizationmember", member,
              {"id": 9003, "user_id": user, "email": None, "token": None})
    users = silos.count("control", "auth_user")

    code, stderr = _rollback(silos, imported)
    assert code == 1
    assert (f"sentry.organizationmember pk 9003 (user_id -> sentry.user {user})"
            in stderr), stderr
    assert silos.count("control", "auth_user") == users


def test_a_rollback_of_a_uuid_that_is_not_one_is_a_usage_error() -> None:
    """Refused before any silo is reached (none is given: the embedded default is not started)."""
    result = run_cli(["rollback", "--import-uuid", "nope"])
    assert result.code == 2
    assert result.stderr.strip() == "relocate: --import-uuid 'nope' is not a UUID"


def test_a_rollback_longer_than_one_calls_budget_goes_on_in_more_calls(
        silos: Silos, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A silo answers a rollback call after its time budget with batches left (here: after
    each batch); the orchestrator calls again until it is done and adds up what each did, so
    the summary counts what the dry run said, and the end state is the same."""
    run_import(silos, tmp_path, "global", fixture_path("user-with-minimum-privileges.json"))
    before = _export(silos, tmp_path / "before.json")
    imported = run_import(silos, tmp_path, "global", fixture_path("fresh-install.json"),
                          findings_expected=True)
    code, dry = _rollback(silos, imported, "--dry-run")
    assert code == 0, dry
    monkeypatch.setattr(silo_rollback, "CALL_SECONDS", 0.0)
    code, stderr = _rollback(silos, imported)
    assert code == 0, stderr
    expected = [line.replace("would delete", "deleted").replace("would restore", "restored")
                for line in dry.splitlines()[:2]]
    assert stderr.splitlines()[:2] == expected
    assert int(expected[1].split()[2]) > 10  # control's rows took several calls
    assert _imports(silos, capsys)[imported]["state"] == "rolled back"
    _same(before, _export(silos, tmp_path / "after.json"), capsys)
