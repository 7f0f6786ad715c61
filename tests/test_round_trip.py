"""Round trips as the correctness proof (Sentry behaviours K 75-82 and J 74).

Import an export in Global scope into empty silos, export it again with `relocate export`, and
`relocate compare` the two: nothing may differ but what an import is allowed to change. Then
`relocate compare` itself, on small hand-made pairs.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from orchestrator import storage
from orchestrator.findings import Finding
from tests.conftest import DETAILED, FIXTURES, Silos, fixture_path, run_cli
from tests.every_model import COUNT, declared_specs, generate
from tools.compare import Comparer, Summary
from wire.scopes import ImportScope, Silo

ROUND_TRIP_FIXTURES = sorted(p.name for p in FIXTURES.glob("*.json")
                             if p.name != "invalid-user.json")

# Records no import takes, because a reference points at a record the file does not hold:
# this fixture's UserRoleUser names role 1, which is in user-with-maximum-privileges.json (the
# fixtures are meant to be concatenated).
UNIMPORTABLE = {"user-with-roles-no-superadmin.json": 1}


def _write(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text(json.dumps(records, indent=2))
    return path


def _import_global(silos: Silos, src: Path, findings: Path) -> None:
    result = silos.relocate("import", "global", src, "--no-prompt", "--silent",
                            "--findings-file", findings)
    assert result.code == 0, result.stderr
    # Nothing but notices about fields this version does not store (e.g. Team.actor).
    notices = json.loads(findings.read_text())
    assert all(n["finding"] == "UnknownFieldDropped" for n in notices), notices


def _export_global(silos: Silos, dest: Path, findings: Path) -> Path:
    result = silos.relocate("export", "global", dest, "--silent", "--findings-file", findings,
                            "--control", silos.control_address,
                            "--region", silos.region_address)
    assert result.code == 0, result.stderr
    assert json.loads(findings.read_text()) == []
    return dest


def _compare(left: Path, right: Path, findings: Path, capsys: pytest.CaptureFixture[str],
             *extra: str) -> tuple[int, str, list[dict[str, Any]]]:
    capsys.readouterr()
    result = run_cli(["compare", str(left), str(right), "--findings-file", str(findings),
                      *extra])
    out = capsys.readouterr().out
    return result.code, out, json.loads(findings.read_text())


# --- (a) the shared fixtures ------------------------------------------------------------------


@pytest.mark.parametrize("name", ROUND_TRIP_FIXTURES)
def test_fixture_round_trips_in_global_scope(name: str, silos: Silos, tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    source = fixture_path(name)
    _import_global(silos, source, tmp_path / "import-findings.json")
    exported = _export_global(silos, tmp_path / "export.json", tmp_path / "export-findings.json")
    code, out, findings = _compare(source, exported, tmp_path / "compare.json", capsys)
    assert findings == [], out
    assert code == 0
    assert out.rstrip().endswith("found 0 difference(s)")
    # The comparison was not vacuous: every record of the fixture that an import can take has
    # its counterpart.
    records = len(json.loads(source.read_text())) - UNIMPORTABLE.get(name, 0)
    assert f"compared {records} record pair(s)" in out


@pytest.mark.parametrize(("scope", "name"), [
    ("users", "user-with-maximum-privileges.json"),
    ("organizations", "fresh-install.json"),
    ("config", "fresh-install.json"),
    ("organizations", "duplicate-username-and-organization-slug.json"),
])
def test_fixture_round_trips_in_its_scope_with_that_scopes_rules(
        scope: str, name: str, silos: Silos, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    source = fixture_path(name)
    result = silos.relocate("import", scope, source, "--no-prompt", "--silent")
    assert result.code == 0, result.stderr
    result = silos.relocate("export", scope, tmp_path / "export.json", "--silent",
                            "--control", silos.control_address, "--region", silos.region_address)
    assert result.code == 0, result.stderr
    code, out, findings = _compare(source, tmp_path / "export.json", tmp_path / "f.json", capsys,
                                   "--scope", scope)
    assert (code, findings) == (0, []), out
    assert "not compared (outside the" in out  # models of other scopes were left out
    # The same files under Global rules: the sanitised users are differences.
    code, out, findings = _compare(source, tmp_path / "export.json", tmp_path / "f.json", capsys)
    assert code == 1
    assert any(f["on"]["model"] == "sentry.user" and "'is_unclaimed'" in f["reason"]
               for f in findings), out


def test_invalid_user_fixture_fails_and_imports_nothing(silos: Silos, tmp_path: Path) -> None:
    findings = tmp_path / "findings.json"
    result = silos.relocate("import", "global", fixture_path("invalid-user.json"), "--no-prompt",
                            "--findings-file", findings)
    assert result.code == 1
    (error,) = json.loads(findings.read_text())
    assert error["kind"] == "ValidationError" and error["on"]["model"] == "sentry.user"
    assert silos.count("control", "auth_user") == 0


# --- (b) an export holding every declared model -----------------------------------------------


def test_generated_export_covers_every_declared_model() -> None:
    specs = declared_specs()
    generated = generate()
    assert set(generated.pks) | set(generated.skipped) == set(specs)
    for name, pks in generated.pks.items():
        assert len(pks) == COUNT and pks == sorted(pks), name
    # Only models whose required references leave the relocatable models are left out.
    sentry = json.loads(DETAILED.read_text())
    for name in generated.skipped:
        targets = {fk["model"] for fk in sentry[name]["foreign_keys"].values()
                   if not fk["nullable"]}
        assert any(sentry.get(t, {}).get("relocation_scope") == "Excluded" for t in targets), \
            f"{name}: {generated.skipped[name]}"
    # Every foreign key, nullable ones too, is filled in at least one record.
    by_model: dict[str, list[dict[str, Any]]] = {}
    for record in generated.records:
        by_model.setdefault(record["model"], []).append(record["fields"])
    for name in generated.pks:
        for fk in specs[name].foreign_keys:
            if fk.target in generated.pks:
                assert any(f[fk.field] is not None for f in by_model[name]), \
                    f"{name}.{fk.field} is never filled"
            # and always with a record of the target that the export holds
            for fields in by_model[name]:
                assert fields[fk.field] is None or fields[fk.field] in generated.pks[fk.target]


def test_every_model_imports_lands_in_its_silo_and_round_trips(
        silos: Silos, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    specs = declared_specs()
    generated = generate()
    source = _write(tmp_path / "every-model.json", generated.records)
    _import_global(silos, source, tmp_path / "import-findings.json")

    counts = generated.counts()
    landed: dict[str, int] = {}
    for name, spec in specs.items():
        silo = "control" if spec.silo is Silo.CONTROL else "region"
        other = "region" if silo == "control" else "control"
        landed[name] = silos.count(silo, spec.table.name)
        tables = {r[0] for r in silos.rows(other, "SELECT table_name FROM "
                                                  "information_schema.tables WHERE "
                                                  "table_schema = 'public'")}
        if spec.table.name in tables:
            assert silos.count(other, spec.table.name) == 0, f"{name} landed in {other}"
    assert landed == {name: counts.get(name, 0) for name in specs}

    exported = _export_global(silos, tmp_path / "export.json", tmp_path / "export-findings.json")
    code, out, findings = _compare(source, exported, tmp_path / "compare.json", capsys)
    assert findings == [], out
    assert code == 0
    assert f"compared {len(generated.records)} record pair(s)" in out

    # The same comparison does see a changed value and a reference to another record.
    records = json.loads(exported.read_text())
    by_model: dict[str, list[dict[str, Any]]] = {}
    for record in records:
        by_model.setdefault(record["model"], []).append(record)
    by_model["sentry.user"][0]["fields"]["name"] = "someone else"
    member = by_model["sentry.organizationmember"][0]
    others = [r["pk"] for r in by_model["sentry.organization"]
              if r["pk"] != member["fields"]["organization"]]
    member["fields"]["organization"] = others[0]
    tampered = _write(tmp_path / "tampered.json", records)
    code, out, findings = _compare(source, tampered, tmp_path / "compare.json", capsys)
    assert code == 1
    assert sorted((f["finding"], f["on"]["model"], f["on"]["ordinal"]) for f in findings) == [
        ("UnequalJSON", "sentry.user", 1), ("UnequalReference", "sentry.organizationmember", 1)]


def test_records_keep_their_order_across_many_batches(
        silos: Silos, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """New pks ascend in the export's order however many batches a model takes, so the silos'
    export compares record by record with the original (batches of one model written side by
    side once gave later records lower pks, and the comparison thousands of differences)."""
    source, batch = tmp_path / "generated.json", 10
    assert run_cli(["bench", "generate", "--records", "1500", str(source)]).code == 0
    result = silos.relocate("import", "global", source, "--no-prompt", "--silent",
                            "--batch-size", str(batch), "--findings-file", tmp_path / "f.json")
    assert result.code == 0, result.stderr
    rules = [r.id for r in silos.rows("region", "SELECT id FROM sentry_rule ORDER BY id")]
    assert len(rules) > 4 * batch  # the model took several batches
    exported = _export_global(silos, tmp_path / "export.json", tmp_path / "export-findings.json")
    code, out, findings = _compare(source, exported, tmp_path / "compare.json", capsys)
    assert findings == [], out[:2000]
    assert code == 0


# --- (c) compare itself -----------------------------------------------------------------------


def _user(pk: int, username: str = "ada", **fields: Any) -> dict[str, Any]:
    base = {"password": "pbkdf2_sha256$1$salt$hash", "username": username, "name": "",
            "email": f"{username}@example.com", "is_staff": False, "is_superuser": False,
            "is_managed": False, "is_active": True, "is_unclaimed": False,
            "date_joined": "2023-06-22T22:59:55.488Z", "flags": "0"}
    return {"model": "sentry.user", "pk": pk, "fields": base | fields}


def _email(pk: int, user: int, address: str, **fields: Any) -> dict[str, Any]:
    return {"model": "sentry.useremail", "pk": pk,
            "fields": {"user": user, "email": address, "is_verified": True,
                       "validation_hash": "mCnWesSVvYQcq7qXQ36AZHwosAd6cghE",
                       "date_hash_added": "2023-06-22T22:59:55.521Z"} | fields}


def _differences(left: Path, right: Path, scope: ImportScope = ImportScope.GLOBAL
                 ) -> tuple[list[Finding], Summary]:
    """What `relocate compare` finds (its Comparer's findings, in order) and its summary."""
    found: list[Finding] = []
    summary = Comparer(scope).run(left, right, found.append)
    return found, summary


def _pair(tmp_path: Path, left: list[dict[str, Any]],
          right: list[dict[str, Any]]) -> tuple[Path, Path]:
    return _write(tmp_path / "left.json", left), _write(tmp_path / "right.json", right)


def test_identical_exports_are_equal(tmp_path: Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    records = [_user(1), _user(2, "bob"), _email(1, 1, "ada@example.com")]
    left, right = _pair(tmp_path, records, records)
    code, out, findings = _compare(left, right, tmp_path / "f.json", capsys)
    assert (code, findings) == (0, [])
    assert out.splitlines()[-1] == "found 0 difference(s)"
    assert (tmp_path / "f.json").read_text() == "[]\n"


def test_a_changed_field_is_one_unequal_json(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    left, right = _pair(tmp_path, [_user(1), _user(2, "bob")],
                        [_user(1), _user(2, "bob", name="Bob")])
    code, out, findings = _compare(left, right, tmp_path / "f.json", capsys)
    assert code == 1
    assert findings == [{"finding": "UnequalJSON", "kind": "UnequalJSON",
                         "on": {"model": "sentry.user", "ordinal": 2}, "left_pk": 2,
                         "right_pk": 2,
                         "reason": "field 'name' differs: left \"\", right \"Bob\""}]
    assert out.splitlines()[-1] == "found 1 difference(s)"
    # Sentry's findings format: sorted keys, ASCII, two-space indent.
    text = (tmp_path / "f.json").read_text()
    assert text == json.dumps(findings, sort_keys=True, ensure_ascii=True, indent=2) + "\n"


def test_references_are_compared_by_the_record_they_point_at(tmp_path: Path) -> None:
    # Same numbers, but on the right user 10 is the second user, not the first.
    left = [_user(10), _user(20, "bob"), _email(1, 10, "x@example.com")]
    right = [_user(5, "bob"), _user(10), _email(1, 10, "x@example.com")]
    right[0]["fields"] = left[0]["fields"]
    right[1]["fields"] = left[1]["fields"]
    findings, _ = _differences(*_pair(tmp_path, left, right))
    assert [(f.finding, f.kind, f.model, f.field) for f in findings] == [
        ("UnequalReference", "ForeignKeyComparator", "sentry.useremail", "user")]
    assert "sentry.user #1 (pk 10)" in findings[0].reason
    assert "sentry.user #2 (pk 10)" in findings[0].reason


def test_references_with_other_numbers_to_the_matching_record_are_equal(tmp_path: Path) -> None:
    left = [_user(1), _user(2, "bob"), _email(7, 2, "b@example.com")]
    right = [_user(31), _user(44, "bob"), _email(90, 44, "b@example.com")]
    findings, summary = _differences(*_pair(tmp_path, left, right))
    assert findings == [] and summary.compared_records == 3


def test_null_reference_must_match_null(tmp_path: Path) -> None:
    key = {"model": "sentry.apiapplication", "pk": 1,
           "fields": {"owner": 1, "name": "app", "client_id": "a" * 64}}
    unowned = {**key, "fields": key["fields"] | {"owner": None}}
    findings, _ = _differences(*_pair(tmp_path, [_user(1), key], [_user(1), unowned]))
    assert [(f.finding, f.field) for f in findings] == [("UnequalReference", "owner")]


def test_encodings_that_mean_the_same_value_are_equal(tmp_path: Path) -> None:
    left = [
        _user(1, last_login="2023-06-22T22:59:55Z", flags="5"),
        {"model": "sentry.userrole", "pk": 1,
         "fields": {"name": "Super Admin", "date_added": "2023-06-22T22:54:27.960Z",
                    "permissions": "['broadcasts.admin', 'users.admin']"}},
        {"model": "sentry.option", "pk": 1,
         "fields": {"key": "a", "value": "\"23.6.1\"", "last_updated": "2023-06-22T00:00:00Z"}},
        {"model": "sentry.option", "pk": 2,
         "fields": {"key": "b", "value": "{\"x\": [1, 2]}",
                    "last_updated": "2023-06-22T02:00:00+02:00"}},
    ]
    right = [
        _user(3, last_login="2023-06-22T22:59:55.000+00:00", flags=5),
        {"model": "sentry.userrole", "pk": 9,
         "fields": {"name": "Super Admin", "date_added": "2023-06-22T22:54:27.960000+00:00",
                    "permissions": ["broadcasts.admin", "users.admin"]}},
        {"model": "sentry.option", "pk": 4,
         "fields": {"key": "a", "value": "23.6.1", "last_updated": "2023-06-22T00:00:00.000Z"}},
        {"model": "sentry.option", "pk": 5,
         "fields": {"key": "b", "value": {"x": [1, 2]},
                    "last_updated": "2023-06-22T00:00:00.000Z"}},
    ]
    findings, _ = _differences(*_pair(tmp_path, left, right))
    assert findings == []
    # ... but a different instant, flag set, list or JSON value is a difference.
    right[0]["fields"]["last_login"] = "2023-06-22T22:59:55.001Z"
    right[0]["fields"]["flags"] = "4"
    right[1]["fields"]["permissions"] = '["users.admin", "broadcasts.admin"]'
    right[2]["fields"]["value"] = "\"23.6.2\""
    right[3]["fields"]["value"] = {"x": [1, True]}
    findings, _ = _differences(*_pair(tmp_path, left, right))
    assert sorted((f.model, f.field) for f in findings) == [
        ("sentry.option", "value"), ("sentry.option", "value"), ("sentry.user", "flags"),
        ("sentry.user", "last_login"), ("sentry.userrole", "permissions")]


def test_fields_on_one_side_only_are_counted_not_different(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    newer = _user(1)
    newer["fields"]["is_password_expired"] = False
    left, right = _pair(tmp_path, [_user(1)], [newer])
    code, out, findings = _compare(left, right, tmp_path / "f.json", capsys)
    assert (code, findings) == (0, [])
    assert "sentry.user.is_password_expired present on the right only (in 1 record(s))" in out


def test_maximum_and_minimum_privilege_users_differ(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, findings = _compare(fixture_path("user-with-maximum-privileges.json"),
                                   fixture_path("user-with-minimum-privileges.json"),
                                   tmp_path / "f.json", capsys)
    assert code == 1
    kinds = {(f["finding"], f["on"]["model"]) for f in findings}
    assert ("UnequalJSON", "sentry.user") in kinds
    assert ("UnequalCounts", "sentry.userpermission") in kinds
    assert out.splitlines()[-1] == f"found {len(findings)} difference(s)"
    assert any("'is_superuser'" in f["reason"] for f in findings)


def test_unequal_counts_is_one_finding_per_model(tmp_path: Path) -> None:
    left = [_user(1), _user(2, "bob"), _user(3, "cy")]
    right = [_user(1), _user(2, "bob")]
    findings, _ = _differences(*_pair(tmp_path, left, right))
    assert [(f.finding, f.model, f.ordinal, f.left_pk) for f in findings] == [
        ("UnequalCounts", "sentry.user", None, None)]
    assert "3 record(s) on the left and 2 on the right" in findings[0].reason


def test_records_are_matched_in_ascending_pk_order(tmp_path: Path) -> None:
    left = [_user(2, "bob"), _user(1)]  # not in pk order: ada (pk 1) is the first user
    right = [_user(8), _user(9, "bob")]
    findings, _ = _differences(*_pair(tmp_path, left, right))
    assert findings == []


def test_files_larger_than_a_sort_run_are_merge_sorted(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(storage, "SORT_RUN", 3)
    names = [f"user{i}" for i in range(10)]
    shuffled = [7, 2, 9, 0, 5, 3, 8, 1, 6, 4]
    left = [_user(pk, names[pk]) for pk in shuffled]
    right = [_user(100 + pk, names[pk]) for pk in range(10)]
    right += [_email(pk, 100 + pk, f"{names[pk]}@example.com") for pk in range(10)]
    left += [_email(50 - pk, pk, f"{names[pk]}@example.com") for pk in shuffled]
    left.sort(key=lambda r: r["model"] != "sentry.user")  # emails by descending pk: reversed
    findings, summary = _differences(*_pair(tmp_path, left, right))
    # Left emails in pk order belong to users 9..0, right ones to users 0..9.
    assert {f.finding for f in findings} == {"UnequalJSON", "UnequalReference"}
    assert summary.compared_records == 20
    right[10:] = [_email(pk, 100 + 9 - pk, f"{names[9 - pk]}@example.com") for pk in range(10)]
    findings, _ = _differences(*_pair(tmp_path, left, right))
    assert findings == []


def test_records_no_import_takes_are_counted_not_compared(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    org = {"model": "sentry.organization", "pk": 1,
           "fields": {"name": "Org", "slug": "org", "status": 0, "flags": "1"}}
    member = {"model": "sentry.organizationmember", "pk": 1,
              "fields": {"organization": 1, "user_id": None, "email": "a@example.com",
                         "role": "member", "inviter_id": 77}}
    orphan = {"model": "sentry.team", "pk": 3,
              "fields": {"organization": 2, "slug": "t", "name": "T"}}
    project = {"model": "sentry.project", "pk": 1,
               "fields": {"organization": 1, "slug": "p", "name": "P"}}
    orphan_child = {"model": "sentry.projectteam", "pk": 1,
                    "fields": {"team": 3, "project": 1}}
    imported = {**member, "pk": 8, "fields": member["fields"] | {"inviter_id": None}}
    left, right = _pair(tmp_path, [org, member, orphan, project, orphan_child],
                        [org, imported, project])
    code, out, findings = _compare(left, right, tmp_path / "f.json", capsys)
    assert (code, findings) == (0, [])  # the inviter missing from the file is cleared on import
    assert "sentry.team: 1 record(s) on the left not compared" in out
    assert "sentry.projectteam: 1 record(s) on the left not compared" in out  # its team is
    # A reference the model does not clear must still match.
    imported["fields"]["inviter_id"] = 5
    left, right = _pair(tmp_path, [org, member], [org, imported])
    findings, _ = _differences(left, right)
    assert [(f.finding, f.field) for f in findings] == [("UnequalReference", "inviter_id")]


def test_credentials_are_never_shown(tmp_path: Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    secret = "pbkdf2_sha256$1$salt$SECRETVALUE"
    left, right = _pair(tmp_path, [_user(1, password=secret)], [_user(1)])
    code, out, findings = _compare(left, right, tmp_path / "f.json", capsys)
    assert code == 1 and len(findings) == 1
    assert "'password'" in out and "SECRETVALUE" not in out
    assert "SECRETVALUE" not in (tmp_path / "f.json").read_text()


def test_scope_rules_accept_what_a_non_global_import_changes(tmp_path: Path) -> None:
    left = [_user(1, is_staff=True, is_superuser=True), _user(2, "bob"),
            _email(1, 1, "ada@example.com")]
    sanitized = [_user(5, is_unclaimed=True, password="!unusable"),
                 _user(6, "bob-x7", email="bob@example.com", is_unclaimed=True,
                       password="!other"),
                 _email(3, 5, "ada@example.com", is_verified=False,
                        validation_hash="n3wHash", date_hash_added="2030-01-01T00:00:00.000Z")]
    lpath, rpath = _pair(tmp_path, left, sanitized)
    users_scope, _ = _differences(lpath, rpath, scope=ImportScope.USER)
    assert users_scope == []
    # Config scope keeps privilege flags; Global keeps everything but suffixed usernames.
    config_scope, _ = _differences(lpath, rpath, scope=ImportScope.CONFIG)
    assert sorted(f.field or "" for f in config_scope) == ["is_staff", "is_superuser"]
    global_scope, _ = _differences(lpath, rpath, scope=ImportScope.GLOBAL)
    assert sorted(f.field or "" for f in global_scope) == [
        "date_hash_added", "is_staff", "is_superuser", "is_unclaimed", "is_unclaimed",
        "is_verified", "password", "password", "validation_hash"]
    # A username that is not the original with a suffix is a difference in every scope.
    sanitized[1]["fields"]["username"] = "bobby"
    lpath, rpath = _pair(tmp_path, left, sanitized)
    users_scope, _ = _differences(lpath, rpath, scope=ImportScope.USER)
    assert [(f.field, f.kind) for f in users_scope] == [("username", "AutoSuffixComparator")]


def test_secrets_regenerated_on_collision_are_accepted_outside_global(tmp_path: Path) -> None:
    project = {"model": "sentry.project", "pk": 1,
               "fields": {"organization": None, "slug": "p", "name": "P"}}

    def key(public: str | None) -> dict[str, Any]:
        return {"model": "sentry.projectkey", "pk": 1,
                "fields": {"project": 1, "public_key": public, "secret_key": "b" * 32}}

    lpath, rpath = _pair(tmp_path, [project, key("a" * 32)], [project, key("c" * 32)])
    assert _differences(lpath, rpath, scope=ImportScope.ORGANIZATION)[0] == []
    findings, _ = _differences(lpath, rpath)
    assert [(f.field, f.kind) for f in findings] == [("public_key", "SecretHexComparator")]
    assert "a" * 32 not in findings[0].reason  # a credential: never shown
    # A key left empty is minted by every import, Global included.
    lpath, rpath = _pair(tmp_path, [project, key(None)], [project, key("c" * 32)])
    assert _differences(lpath, rpath)[0] == []


def test_compare_usage_errors(tmp_path: Path) -> None:
    there = _write(tmp_path / "a.json", [])
    assert run_cli(["compare", str(there), str(tmp_path / "missing.json")]).code == 2
    assert run_cli(["compare", str(there), str(there), "--scope", "everything"]).code == 2


def test_malformed_export_fails_with_a_finding(tmp_path: Path) -> None:
    there = _write(tmp_path / "a.json", [])
    broken = tmp_path / "broken.json"
    broken.write_text('[{"model": "sentry.user", "pk": 1, "fields": {}}, {"model"')
    findings = tmp_path / "f.json"
    result = run_cli(["compare", str(there), str(broken), "--findings-file", str(findings)])
    assert result.code == 1
    (error,) = json.loads(findings.read_text())
    assert error["kind"] == "DeserializationFailed"
