"""Text the silos accept (issue 18): lone surrogates, control characters in usernames, and
organization slugs with SQL-looking punctuation. Over the CLI or real gRPC, asserting on what
landed in PostgreSQL."""

from __future__ import annotations

import json
import re
from pathlib import Path

import grpc
import pytest

from tests.conftest import Silos, run_import
from tests.test_rpc_and_chunks import (
    USERS,
    WHEN,
    failing_call,
    nothing_anywhere,
    request,
    user,
)
from wire.errors import ErrorKind


@pytest.mark.parametrize("layout", ["one line", "a record per line"])
def test_a_lone_surrogate_is_refused_naming_the_item(silos: Silos, tmp_path: Path,
                                                     layout: str) -> None:
    """JSON may escape half of a surrogate pair; ijson's C parser stored it as "?" silently.
    A whole pair (an emoji) still imports."""
    records = [json.dumps(user(1, "ada\\ud83d\\ude00")), json.dumps(user(2, "bob\\ud800x"))]
    joint = ", " if layout == "one line" else ",\n"
    src = tmp_path / "export.json"
    src.write_text(("[" + joint.join(records) + "]").replace("\\\\u", "\\u"))
    result = silos.relocate("import", "users", src, "--no-prompt",
                            "--findings-file", tmp_path / "findings.json")
    assert result.code == 1, result.stderr
    assert "DeserializationFailed" in result.stderr
    assert "item #2 of the export holds \\ud800 in a string" in result.stderr
    assert "Traceback" not in result.stderr
    nothing_anywhere(silos)
    src.write_text(("[" + records[0] + "]").replace("\\\\u", "\\u"))
    run_import(silos, tmp_path, "users", src)
    assert [row.username for row in silos.rows("control", "SELECT username FROM auth_user")] \
        == ["ada\U0001f600"]


@pytest.mark.parametrize("username, code_point", [
    ("line\nbreak", "U+000A"),
    ("tab\there", "U+0009"),
    ("evil\u202eexe.txt", "U+202E"),  # right-to-left override
    ("\u2066isolated\u2069", "U+2066"),  # left-to-right isolate
    ("zero\u200bwidth", "U+200B"),  # a format character too
])
def test_a_username_with_a_control_character_is_refused(silos: Silos, username: str,
                                                        code_point: str) -> None:
    """Refused with a ValidationError naming the record and field; the batch's good record
    before it is not written either."""
    code, failure = failing_call(silos.control_address, request(
        "sentry.user", [user(3, "fine"), user(4, username)], scope=USERS))
    assert code == grpc.StatusCode.INVALID_ARGUMENT
    assert (failure.kind, failure.model, failure.ordinal, failure.left_pk) == (
        ErrorKind.VALIDATION_ERROR, "sentry.user", 2, 4)
    assert "'username'" in failure.reason and code_point in failure.reason
    nothing_anywhere(silos)


def test_the_cli_refuses_a_username_with_a_newline_in_one_line(silos: Silos,
                                                               tmp_path: Path) -> None:
    src = tmp_path / "export.json"
    src.write_text(json.dumps([user(1, "ada"), user(2, "mallory\nadmin")]))
    result = silos.relocate("import", "users", src, "--no-prompt",
                            "--findings-file", tmp_path / "findings.json")
    assert result.code == 1, result.stderr
    assert "ValidationError on sentry.user #2 (pk 2)" in result.stderr
    assert "U+000A" in result.stderr and "Traceback" not in result.stderr
    nothing_anywhere(silos)


def test_usernames_in_other_scripts_still_import(silos: Silos, tmp_path: Path) -> None:
    names = ["jürgen", "Ωmega", "名前", "o'brien", "ada@example.com"]
    src = tmp_path / "export.json"
    src.write_text(json.dumps([user(pk, name) for pk, name in enumerate(names, 1)]))
    run_import(silos, tmp_path, "users", src)
    assert sorted(row.username for row in silos.rows("control", "SELECT username FROM auth_user")) \
        == sorted(names)


def test_an_organization_slug_with_sql_punctuation_is_normalized_as_sentry_does(
        silos: Silos, tmp_path: Path) -> None:
    """Sentry's import slugifies an organization's slug rather than refusing it: `acme';--`
    becomes `acme`, and `';--`, with nothing left, a random slug. Only [a-z0-9-] lands, in the
    region and in the control silo's reservations."""
    orgs = [{"model": "sentry.organization", "pk": pk, "fields": {
        "name": f"Org {pk}", "slug": slug, "status": 0, "date_added": WHEN}}
        for pk, slug in ((1, "acme';--"), (2, "';--"), (3, "Robert'); DROP TABLE x;--"))]
    src = tmp_path / "export.json"
    src.write_text(json.dumps(orgs))
    run_import(silos, tmp_path, "organizations", src)
    region = [row.slug for row in silos.rows("region", "SELECT slug FROM sentry_organization "
                                                       "ORDER BY id")]
    control = {row.slug for row in silos.rows(
        "control", "SELECT slug FROM sentry_organizationslugreservation")}
    assert region[0] == "acme" and region[2] == "robert-drop-table-x"
    assert all(re.fullmatch(r"[a-z0-9][a-z0-9-]*", slug) for slug in region), region
    assert control == set(region)
