"""The import report (docs/report.md): every record of the file accounted for, per model and
reason, the full rename, DSN and regenerated-secret lists, and the balance check that fails an
import whose books do not balance. Imports run through the CLI against real gRPC silos."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from orchestrator.report import ImportReport, ModelCounts
from orchestrator.storage import SpilledExport
from tests.conftest import ROOT, Silos, fixture_path, load_fixture, run_cli

# Every fixture export that imports (invalid-user.json is refused by design).
FIXTURES = sorted(p.name for p in (ROOT / "tests/fixtures/sentry").glob("*.json")
                  if p.name != "invalid-user.json")

# The fixtures' records whose reference points at a record the file does not hold.
DANGLING: dict[str, dict[str, dict[str, int]]] = {
    "user-with-roles-no-superadmin.json": {"sentry.userroleuser": {"missing_reference": 1}},
}


def _import(silos: Silos, tmp_path: Path, scope: str, src: Path, *extra: str,
            code: int = 0) -> tuple[dict[str, Any], str]:
    """Import with a report file; (the report, stderr)."""
    report_file = tmp_path / f"report-{uuid.uuid4().hex}.json"
    args = list(extra) if "--import-uuid" in extra else [*extra, "--import-uuid",
                                                          uuid.uuid4().hex]
    result = silos.relocate("import", scope, src, "--no-prompt", "--report-file", report_file,
                            *args)
    assert result.code == code, result.stderr
    return json.loads(report_file.read_text()), result.stderr


def _books(report: dict[str, Any]) -> dict[str, tuple[int, int, int, int, int, int]]:
    """Model -> (in file, inserted, existing, overwritten, filtered, dropped)."""
    return {m: (c["in_file"], c["inserted"], c["existing"], c["overwritten"],
                c["filtered"]["total"], c["dropped"]["total"])
            for m, c in report["models"].items()}


@pytest.mark.parametrize("fixture", FIXTURES)
def test_every_fixture_export_balances_fresh_and_rerun(silos: Silos, tmp_path: Path,
                                                       fixture: str) -> None:
    """Each of Sentry's fixture exports, imported into empty silos then again under a new uuid:
    both imports account for every record of the file, in the categories the silos' collision
    policies give."""
    records = load_fixture(fixture)
    in_file = Counter(r["model"] for r in records)
    first, stderr = _import(silos, tmp_path, "global", fixture_path(fixture))
    assert first["balance"] == {"balanced": True, "records": len(records), "unaccounted": {},
                                "verdict": f"All {len(records):,} records accounted for."}
    assert stderr.rstrip().endswith(f"All {len(records):,} records accounted for.")
    assert {m: c["in_file"] for m, c in first["models"].items()} == in_file
    # Into empty silos, a global import inserts every record but those whose reference points
    # at a record the file does not hold.
    assert {m: c["dropped"]["reasons"] for m, c in first["models"].items()
            if c["inserted"] != c["in_file"]} == DANGLING.get(fixture, {})
    assert first["totals"]["inserted"] + first["totals"]["dropped"]["total"] == len(records)

    second, _ = _import(silos, tmp_path, "global", fixture_path(fixture))
    assert second["balance"]["balanced"] and second["balance"]["records"] == len(records)
    books = _books(second)
    for model, count in in_file.items():
        assert sum(books[model][1:]) == count, (model, books[model])
    # The silos' policies: users and organizations are renamed, emails and options reused.
    for model in ("sentry.user", "sentry.organization"):
        if model in in_file:
            assert books[model][1] == second["models"][model]["renamed"] == in_file[model]
    for model in ("sentry.email", "sentry.option"):
        if model in in_file:
            assert books[model][2] == in_file[model], (model, books[model])
    assert len(second["renamed_users"]) == in_file["sentry.user"]
    assert len(second["renamed_organizations"]) == in_file["sentry.organization"]


def _users(count: int) -> list[dict[str, Any]]:
    return [{"model": "sentry.user", "pk": pk,
             "fields": {"username": f"user{pk}@example.com", "email": f"user{pk}@example.com",
                        "name": "", "password": "", "is_active": True,
                        "date_joined": "2023-06-22T22:59:55.488Z"}}
            for pk in range(1, count + 1)]


def test_a_rerun_lists_every_rename_in_the_file_and_the_first_50_on_screen(
        silos: Silos, tmp_path: Path, export_file: Any) -> None:
    src = export_file(_users(120))
    _import(silos, tmp_path, "users", src)
    report, stderr = _import(silos, tmp_path, "users", src)

    renamed = report["renamed_users"]
    assert len(renamed) == 120 == report["models"]["sentry.user"]["renamed"]
    assert [old for old, _ in renamed] == [f"user{pk}@example.com" for pk in range(1, 121)]
    landed = {r.username for r in silos.rows("control", "SELECT username FROM auth_user")}
    assert {new for _, new in renamed} <= landed and len(landed) == 240
    assert all(re.fullmatch(re.escape(old) + r"-[a-z0-9]+", new) for old, new in renamed)
    shown = [line for line in stderr.splitlines() if " -> " in line]
    assert len(shown) == 50 and "  ... and 70 more (all of them in the --report-file)" in stderr


def test_changed_dsns_and_regenerated_secrets_are_listed_without_secret_values(
        silos: Silos, tmp_path: Path) -> None:
    """A project key whose public and secret keys are taken gets new ones: the report lists
    the DSN's old and new public key, and which secrets were regenerated, never their values."""
    src = fixture_path("fresh-install.json")
    (key,) = [r for r in load_fixture("fresh-install.json") if r["model"] == "sentry.projectkey"]
    _import(silos, tmp_path, "global", src)
    report, stderr = _import(silos, tmp_path, "global", src)

    (row,) = silos.rows("region", "SELECT id, public_key, secret_key FROM sentry_projectkey "
                                  "ORDER BY id DESC LIMIT 1")
    old_public, old_secret = key["fields"]["public_key"], key["fields"]["secret_key"]
    assert row.public_key != old_public and row.secret_key != old_secret
    assert report["changed_dsns"] == [
        {"model": "sentry.projectkey", "old_pk": key["pk"], "new_pk": row.id,
         "old_public_key": old_public, "new_public_key": row.public_key}]
    keys = [s for s in report["regenerated_secrets"] if s["model"] == "sentry.projectkey"]
    assert keys == [{"model": "sentry.projectkey", "old_pk": key["pk"], "new_pk": row.id,
                     "field": name} for name in ("public_key", "secret_key")]
    text = json.dumps(report)
    assert old_secret not in text and row.secret_key not in text
    assert f"{old_public} -> {row.public_key}" in stderr.split("Changed DSNs")[1]


def _two_organizations() -> list[dict[str, Any]]:
    """Two organizations (slugs `testing` and `other`), a member and a user each."""
    records = load_fixture("duplicate-username-and-organization-slug.json")
    second = next(r for r in records if r["model"] == "sentry.organization" and r["pk"] == 2)
    second["fields"]["slug"] = "other"  # the fixture gives both the slug `testing`
    return records


def _one_of_two(import_uuid: str) -> tuple[str, ...]:
    """The import of the first of `_two_organizations` alone, under `import_uuid`."""
    return ("--filter-org-slugs", "testing", "--import-uuid", import_uuid)


def test_records_left_out_are_filtered_or_dropped_by_reason(silos: Silos, tmp_path: Path,
                                                            export_file: Any) -> None:
    """An organization filter filters the other organization out, with its members; a project
    key whose project is not in the export is dropped for its missing reference, and the
    summary says so."""
    records = _two_organizations()
    orphan = {"model": "sentry.projectkey", "pk": 7,
              "fields": {"project": 999, "label": "Default", "public_key": "a" * 32,
                         "secret_key": "b" * 32, "roles": "1", "status": 0, "data": {}}}
    report, stderr = _import(silos, tmp_path, "organizations", export_file(records, [orphan]),
                             "--filter-org-slugs", "testing")

    models = report["models"]
    assert models["sentry.organization"]["filtered"] == {"total": 1, "reasons": {"filter": 1}}
    assert models["sentry.projectkey"]["dropped"] == {
        "total": 1, "reasons": {"missing_reference": 1}}
    assert models["sentry.option"]["filtered"] == {"total": 2, "reasons": {"scope": 2}}
    assert report["balance"]["balanced"]
    assert report["totals"]["in_file"] == len(records) + 1
    assert "  sentry.projectkey dropped: 1 missing reference" in stderr
    assert re.search(r"^total +12 ", stderr, re.MULTILINE), stderr


def test_report_on_stdout_when_asked_and_nothing_else_there(silos: Silos) -> None:
    src = fixture_path("fresh-install.json")
    result = subprocess.run(
        [sys.executable, "-m", "commands.cli", "import", "global", str(src), "--no-prompt",
         "--report-file", "-", "--control", silos.control_address, "--region",
         silos.region_address], capture_output=True, text=True, check=False, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["balance"]["balanced"] and report["dry_run"] is False
    assert report["scope"] == "global" and report["totals"]["inserted"] == 34
    assert report["source"]["size"] == src.stat().st_size
    assert report["silos"] == {"control": {"address": silos.control_address},
                               "region": {"address": silos.region_address, "name": "default"}}
    assert "All 34 records accounted for." in result.stderr


def test_a_report_file_that_cannot_be_written_is_refused_before_any_work(tmp_path: Path) -> None:
    dest = tmp_path / "missing" / "report.json"
    result = run_cli(["import", "users", str(fixture_path("single-option.json")), "--no-prompt",
                      "--report-file", str(dest), "--control", "127.0.0.1:1", "--region",
                      "127.0.0.1:1", "--retry-deadline", "0"])
    assert result.code == 2, result.stderr
    assert f"{dest}: cannot write it: {dest.parent} does not exist" in result.stderr


def test_a_resume_answers_the_books_from_the_ledger(silos: Silos, tmp_path: Path,
                                                    export_file: Any) -> None:
    """Rerun under the same uuid: every batch answered from the chunk ledger, with its records
    left out by reason as the first run counted them."""
    src, args = export_file(_two_organizations()), _one_of_two(uuid.uuid4().hex)
    first, _ = _import(silos, tmp_path, "organizations", src, *args)
    again, _ = _import(silos, tmp_path, "organizations", src, *args)
    assert _books(again) == _books(first)
    assert again["models"]["sentry.organization"]["resumed_batches"] == 1
    assert again["models"]["sentry.organization"]["filtered"]["reasons"] == {"filter": 1}


def test_a_batch_the_silo_does_not_account_for_fails_the_import(
        silos: Silos, tmp_path: Path, export_file: Any) -> None:
    """A resumed batch whose ledger row says neither why records were left out nor how many
    the batch had (a row written by an older relocate) leaves records unaccounted for: the
    import exits 1 naming the model and the count, in the findings and the report too. With the
    batch's size known, they are counted as `unrecorded` and the books balance."""
    src, args = export_file(_two_organizations()), _one_of_two(uuid.uuid4().hex)
    _import(silos, tmp_path, "organizations", src, *args)

    with silos.region_db.begin() as conn:
        conn.exec_driver_sql("UPDATE sentry_regionimportchunk SET accounting = NULL "
                             "WHERE model = 'sentry.organization'")
    report, _ = _import(silos, tmp_path, "organizations", src, *args)
    assert report["models"]["sentry.organization"]["dropped"]["reasons"] == {"unrecorded": 1}
    assert report["balance"]["balanced"]

    with silos.region_db.begin() as conn:
        conn.exec_driver_sql("UPDATE sentry_regionimportchunk SET batch_last_ordinal = NULL "
                             "WHERE model = 'sentry.organization'")
    findings = tmp_path / "findings.json"
    report, stderr = _import(silos, tmp_path, "organizations", src, *args,
                             "--findings-file", str(findings), code=1)
    assert report["balance"]["balanced"] is False
    assert report["balance"]["unaccounted"] == {"sentry.organization": 1}
    assert report["models"]["sentry.organization"]["unaccounted"] == 1
    verdict = ("The books do not balance: 1 record(s) unaccounted for "
               "(sentry.organization: 1).")
    assert report["balance"]["verdict"] == verdict and verdict in stderr
    (finding,) = [f for f in json.loads(findings.read_text())
                  if f["finding"] == "UnaccountedRecords"]
    assert finding["on"]["model"] == "sentry.organization" and finding["kind"] == "Accounting"
    assert finding["reason"].startswith("1 record(s) of sentry.organization in the export")


# --- the pure books ----------------------------------------------------------------------------


def test_the_balance_check_names_each_model_and_count(tmp_path: Path) -> None:
    report = ImportReport("u", "organizations", SpilledExport(tmp_path))
    report.models["sentry.user"] = ModelCounts(in_file=10, inserted=6, existing=1,
                                               filtered=Counter(filter=2),
                                               dropped=Counter(missing_reference=1))
    report.models["sentry.projectkey"] = ModelCounts(in_file=18, inserted=10)
    report.models["sentry.team"] = ModelCounts(in_file=1, inserted=2)  # answered beyond it
    report.out_of_scope["sentry.option"] = 4
    report.unknown_models["sentry.actor"] = 3
    assert report.imbalances() == [("sentry.projectkey", 8), ("sentry.team", -1)]
    totals = report.totals()
    assert (totals.in_file, totals.inserted, totals.filtered.total(), totals.dropped.total()) \
        == (36, 18, 6, 4)
    assert report.verdict() == ("The books do not balance: 9 record(s) unaccounted for "
                                "(sentry.projectkey: 8, sentry.team: -1).")
    reasons = [f.reason for f in report.imbalance_findings()]
    assert reasons[0].startswith("8 record(s) of sentry.projectkey in the export were neither")
    assert reasons[1].startswith("the silos answered for 1 record(s) of sentry.team more")

    report.models["sentry.projectkey"].dropped["missing_reference"] = 8
    report.models["sentry.team"].in_file = 2
    assert report.imbalances() == [] and report.verdict() == "All 37 records accounted for."
    out = io.BytesIO()
    report.write_json(out)
    document = json.loads(out.getvalue())
    assert document["models"]["sentry.option"]["filtered"] == {"total": 4,
                                                               "reasons": {"scope": 4}}
    assert document["models"]["sentry.actor"]["dropped"] == {"total": 3,
                                                             "reasons": {"unknown_model": 3}}
    assert document["balance"]["balanced"] and document["totals"]["in_file"] == 37
