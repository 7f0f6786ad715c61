"""Findings: one type, one writer, in Sentry's format byte for byte."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from orchestrator.crypto import DecryptionError
from orchestrator.findings import Finding, FindingKind, FindingsWriter, write_findings
from orchestrator.report import ImportReport
from orchestrator.storage import SpilledExport
from wire.errors import ErrorKind, ImportFailure

FINDINGS = [
    Finding.from_failure(ImportFailure(ErrorKind.INTEGRITY_ERROR, "sentry.user", "taken",
                                       ordinal=3, left_pk=7, right_pk=9)),
    Finding.from_decryption(DecryptionError("the key does not match")),
    Finding.unknown_model("sentry.gone", 2),
    Finding.dropped_field("sentry.user", "new_field", 5),
    Finding.unequal_counts("sentry.email", 1, 0),
    Finding.unequal_reference("sentry.useremail", 1, 1, 5, "user", "sentry.user #1 (pk 1)",
                              "sentry.user #2 (pk 12)"),
    Finding.unequal_value(None, "sentry.user", 1, 1, 11, "name", '"\u00e9"', '"\u00fc"'),
    Finding.unequal_value("AutoSuffixComparator", "sentry.user", 2, 2, 12, "username", '"b"',
                          '"b-x"'),
    Finding.interrupted("SIGTERM", "the import was interrupted by SIGTERM; to resume, run: "
                                   "relocate import global export.json --import-uuid 1"),
    Finding.unaccounted("sentry.projectkey", 8),
]


def sentry_format(findings: list[Finding]) -> str:
    """How Sentry writes a findings file."""
    return json.dumps([f.to_json() for f in findings], sort_keys=True, ensure_ascii=True,
                      indent=2) + "\n"


@pytest.mark.parametrize("count", [0, 1, 2, len(FINDINGS)])
def test_the_streaming_writer_writes_what_sentry_writes(count: int, tmp_path: Path) -> None:
    out = io.StringIO()
    writer = FindingsWriter(out)
    for finding in FINDINGS[:count]:
        writer.add(finding)
    writer.close()
    assert out.getvalue() == sentry_format(FINDINGS[:count])
    write_findings(tmp_path / "f.json", FINDINGS[:count])
    assert (tmp_path / "f.json").read_bytes() == sentry_format(FINDINGS[:count]).encode()
    assert out.getvalue().isascii()


def test_every_finding_has_sentrys_keys_and_a_documented_kind() -> None:
    for finding in FINDINGS:
        shape = finding.to_json()
        assert set(shape) == {"finding", "kind", "on", "left_pk", "right_pk", "reason"}
        assert set(shape["on"]) == {"model", "ordinal"}
        assert json.loads(json.dumps(shape))["finding"] in {k.value for k in FindingKind}
    assert {f.finding for f in FINDINGS} == set(FindingKind)
    assert FINDINGS[0].to_json() == {
        "finding": "RpcImportError", "kind": "IntegrityError",
        "on": {"model": "sentry.user", "ordinal": 3}, "left_pk": 7, "right_pk": 9,
        "reason": "taken"}
    assert FINDINGS[1].to_json() == {
        "finding": "DecryptionError", "kind": "DecryptionFailed",
        "on": {"model": None, "ordinal": None}, "left_pk": None, "right_pk": None,
        "reason": "the key does not match"}
    assert FINDINGS[-1].to_json() == {
        "finding": "UnaccountedRecords", "kind": "Accounting",
        "on": {"model": "sentry.projectkey", "ordinal": None}, "left_pk": None,
        "right_pk": None,
        "reason": "8 record(s) of sentry.projectkey in the export were neither inserted, "
                  "reused, overwritten, filtered out nor dropped: the import's books do not "
                  "balance"}


def test_a_reports_notices_are_findings_and_stay_in_its_json(tmp_path: Path) -> None:
    report = ImportReport("u", "global", SpilledExport(tmp_path))
    report.unknown_models["sentry.gone"] = 2
    report.dropped_fields[("sentry.user", "new_field")] = 5
    assert report.notices() == FINDINGS[2:4]
    out = io.BytesIO()
    report.write_json(out)
    assert json.loads(out.getvalue())["notices"] == [f.to_json() for f in FINDINGS[2:4]]
    assert "  sentry.gone: 2 record(s) of a model" in report.summary()


def test_compare_findings_print_on_one_line() -> None:
    assert FINDINGS[4].line() == ("UnequalCounts [UnequalCounts] sentry.email: sentry.email has "
                                  "1 record(s) on the left and 0 on the right")
    assert FINDINGS[7].line() == ("UnequalJSON [AutoSuffixComparator] sentry.user #2 (left pk "
                                  "2, right pk 12) field 'username': left \"b\" | right \"b-x\"")
