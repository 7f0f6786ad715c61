"""Hostile input: huge numbers, huge values in errors (issue 18, input hardening).

Every case goes through a real silo over gRPC or the CLI, and checks that the error keeps its
kind and names the record, and that what it prints stays small.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import grpc
import pytest

from tests.conftest import Silos, run_import
from tests.test_rpc_and_chunks import USERS, failing_call, nothing_anywhere, request, user
from wire.errors import ErrorKind

MAX_REASON = 1000  # wire.errors.MAX_REASON

HUGE_NUMBER = "9" * 5000  # beyond int()'s 4,300 digits


@pytest.mark.parametrize("value, said", [
    (HUGE_NUMBER, "5,000 digits"),  # int() raised: Unknown, no record named
    ("x" * (2 << 20), "more characters"),  # echoed whole, it overflowed gRPC's trailers
])
def test_a_huge_value_in_an_integer_field_is_a_validation_error_naming_the_record(
        silos: Silos, value: str, said: str) -> None:
    record = user(4, "alice")
    record["fields"]["avatar_type"] = value
    code, failure = failing_call(silos.control_address,
                                 request("sentry.user", [record], scope=USERS))
    assert code == grpc.StatusCode.INVALID_ARGUMENT
    assert (failure.kind, failure.model, failure.ordinal, failure.left_pk) == (
        ErrorKind.VALIDATION_ERROR, "sentry.user", 1, 4)
    assert "avatar_type" in failure.reason and said in failure.reason
    assert len(failure.reason) < 300
    nothing_anywhere(silos)


def _email(pk: int, user_ref: Any) -> dict[str, Any]:
    return {"model": "sentry.useremail", "pk": pk, "fields": {
        "user": user_ref, "email": "a@example.com", "validation_hash": "x" * 32,
        "date_hash_added": "2023-06-22T22:59:55.488Z", "is_verified": True}}


def test_a_5000_digit_reference_is_a_validation_error_naming_the_record(
        silos: Silos, tmp_path: Path) -> None:
    """A reference the orchestrator would read as a number is left to the silo, which names
    the model, record and field (it was a traceback from the orchestrator)."""
    src = tmp_path / "export.json"
    src.write_text(json.dumps([user(1, "alice"), _email(7, HUGE_NUMBER)]))
    result = silos.relocate("import", "users", src, "--no-prompt",
                            "--findings-file", tmp_path / "findings.json")
    assert result.code == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert "ValidationError on sentry.useremail #1 (pk 7)" in result.stderr
    assert "'user'" in result.stderr and "5,000 digits" in result.stderr
    assert len(result.stderr) < 5000


def test_a_huge_model_name_keeps_the_error_kind(silos: Silos) -> None:
    """The model name travels in the status and its detail: capped, the kind survives."""
    model = "sentry." + "x" * (1 << 20)
    code, failure = failing_call(silos.control_address, request(model, [], scope=USERS))
    assert code == grpc.StatusCode.NOT_FOUND
    assert failure.kind is ErrorKind.UNKNOWN_MODEL
    assert failure.model is not None and len(failure.model) < MAX_REASON + 100
    assert len(failure.reason) < MAX_REASON + 100


def test_a_huge_pk_is_cut_in_the_message(silos: Silos, tmp_path: Path) -> None:
    """A 2 MB pk string printed itself twice over on stderr."""
    src = tmp_path / "export.json"
    record = user(1, "alice")
    record["pk"] = "1" * (2 << 20)
    src.write_text(json.dumps([record]))
    result = silos.relocate("import", "users", src, "--no-prompt",
                            "--findings-file", tmp_path / "findings.json")
    assert result.code == 1, result.stderr
    assert "item #1 of the export (sentry.user) has no 64-bit integer pk" in result.stderr
    assert len(result.stderr) < 2000


def test_an_export_nested_100000_deep_is_refused_naming_the_item(silos: Silos,
                                                                 tmp_path: Path) -> None:
    src = tmp_path / "export.json"
    src.write_bytes(b"[" + json.dumps(user(1, "alice")).encode() + b","
                    + b"[" * 100_000 + b"]" * 100_000 + b"]")
    started = time.monotonic()
    result = silos.relocate("import", "users", src, "--no-prompt",
                            "--findings-file", tmp_path / "findings.json")
    assert time.monotonic() - started < 30
    assert result.code == 1, result.stderr
    assert "DeserializationFailed" in result.stderr
    assert "item #2 of the export nests deeper than 512 levels" in result.stderr
    nothing_anywhere(silos)


def test_a_record_nested_100_deep_imports(silos: Silos, tmp_path: Path) -> None:
    value: Any = "leaf"
    for _ in range(100):
        value = {"next": value}
    option = {"model": "sentry.useroption", "pk": 1, "fields": {
        "user": 1, "project_id": None, "organization_id": None, "key": "nested",
        "value": value}}
    src = tmp_path / "export.json"
    src.write_text(json.dumps([user(1, "alice"), option]))  # one line: ijson reads it
    run_import(silos, tmp_path, "users", src)
    (row,) = silos.rows("control", "SELECT value FROM sentry_useroption")
    assert json.loads(row.value) == value
