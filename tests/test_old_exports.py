"""Exports from other Sentry versions: removed models and fields, old encodings, any order."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

from tests.conftest import Silos, fixture_path, fresh_silos, load_fixture, run_cli

WHEN = "2023-06-22T22:54:28.773Z"


def old_release_export() -> list[dict[str, Any]]:
    """Shaped like an export from a 23.x release: models and fields Sentry has since removed."""
    records = load_fixture("fresh-install.json")
    for record in records:
        if record["model"] == "sentry.team":
            record["fields"]["actor"] = 7
            record["fields"]["org_role"] = None
        if record["model"] == "sentry.rule":
            record["fields"]["owner"] = 7
    return [
        {"model": "sites.site", "pk": 1, "fields": {"domain": "example.com", "name": "example"}},
        {"model": "sentry.actor", "pk": 7, "fields": {"type": 0, "user_id": 1, "team": None}},
        *records,
        {"model": "sentry.organizationmapping", "pk": 1,
         "fields": {"organization_id": 1, "slug": "testing", "name": "Testing",
                    "date_created": WHEN, "region_name": "us"}},
        {"model": "sentry.alertruleexcludedprojects", "pk": 3,
         "fields": {"alert_rule": 1, "project": 1, "date_added": WHEN}},
    ]


def test_removed_models_and_fields_are_skipped_with_findings(silos: Silos, export_file: Any,
                                                             tmp_path: Path) -> None:
    findings = tmp_path / "findings.json"
    result = silos.relocate("import", "global", export_file(old_release_export()),
                            "--no-prompt", "--findings-file", findings)
    assert result.code == 0, result.stderr
    notices = json.loads(findings.read_text())
    skipped = {n["on"]["model"] for n in notices if n["finding"] == "UnknownModelSkipped"}
    dropped = {(n["on"]["model"], n["reason"].split("'")[1]) for n in notices
               if n["finding"] == "UnknownFieldDropped"}
    assert skipped == {"sites.site", "sentry.actor", "sentry.organizationmapping",
                       "sentry.alertruleexcludedprojects"}
    assert dropped == {("sentry.team", "actor"), ("sentry.team", "org_role"),
                       ("sentry.rule", "owner")}
    assert all(n["kind"] == "Compatibility" for n in notices)
    assert "Compatibility notices" in result.stderr
    # Everything this version knows landed, with its references.
    assert silos.count("control", "auth_user") == 3
    (team,) = silos.rows("region", "SELECT organization_id FROM sentry_team")
    (org,) = silos.rows("region", "SELECT id FROM sentry_organization")
    assert team.organization_id == org.id
    assert silos.count("region", "sentry_rule") == 1
    # The organization mapping is control's own, written by slug reservation, not imported.
    (mapping,) = silos.rows("control", "SELECT organization_id, region_name "
                                       "FROM sentry_organizationmapping")
    assert (mapping.organization_id, mapping.region_name) == (org.id, "default")


def test_python_literal_arrays_and_double_encoded_json_are_read(silos: Silos,
                                                               export_file: Any) -> None:
    """Old exports wrote arrays as Python list literals and JSON fields as JSON text."""
    records = load_fixture("user-with-maximum-privileges.json")
    result = silos.relocate("import", "config", export_file(records), "--no-prompt")
    assert result.code == 0, result.stderr
    (role,) = silos.rows("control", "SELECT permissions FROM sentry_userrole")
    assert role.permissions == ["broadcasts.admin", "users.admin", "options.admin"]
    (option,) = silos.rows("control", "SELECT value FROM sentry_useroption")
    assert json.loads(option.value) == '"Europe/Vienna"'  # kept exactly as exported


def test_shuffled_export_imports_to_the_same_result(pg_admin_url: str,
                                                    templates: dict[str, str],
                                                    export_file: Any, tmp_path: Path) -> None:
    """Records in any order are regrouped by model, put back in pk order and imported in
    dependency order: the re-exports of the ordered and the shuffled imports are identical."""
    ordered = load_fixture("fresh-install.json")
    shuffled = list(ordered)
    random.Random(7).shuffle(shuffled)
    assert [r["model"] for r in shuffled] != [r["model"] for r in ordered]
    exports = []
    for records in (ordered, shuffled):
        with fresh_silos(pg_admin_url, templates) as silos:
            result = silos.relocate("import", "global", export_file(records), "--no-prompt")
            assert result.code == 0, result.stderr
            out = tmp_path / f"export-{len(exports)}.json"
            assert silos.relocate("export", "global", out).code == 0
            exports.append(out)
    compared = run_cli(["compare", str(exports[0]), str(exports[1])])
    assert compared.code == 0, compared.stderr
    # Both match the fixture itself as well.
    assert run_cli(["compare", str(fixture_path("fresh-install.json")),
                    str(exports[1])]).code == 0


def test_a_truncated_export_fails_before_anything_is_written(silos: Silos,
                                                             tmp_path: Path) -> None:
    """The whole file is read (and regrouped) before the first batch is sent: a file cut off
    halfway is refused with a DeserializationFailed finding and both silos stay empty."""
    text = fixture_path("fresh-install.json").read_text()
    broken = tmp_path / "cut.json"
    broken.write_text(text[: len(text) * 2 // 3])
    findings = tmp_path / "findings.json"
    result = silos.relocate("import", "global", broken, "--no-prompt", "--findings-file",
                            findings)
    assert result.code == 1
    (finding,) = json.loads(findings.read_text())
    assert finding["kind"] == "DeserializationFailed"
    assert "not valid JSON" in finding["reason"] and "complete" in finding["reason"]
    assert "InstanceID(model: 'None')" not in result.stderr
    for silo, table in (("control", "auth_user"), ("region", "sentry_option"),
                        ("region", "sentry_organization"), ("control", "sentry_email")):
        assert silos.count(silo, table) == 0
