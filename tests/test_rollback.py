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
