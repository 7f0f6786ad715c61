"""ImportByModel over real gRPC (Sentry behaviours H 56-63) and the chunk ledger (I 65-70).

Error kinds are checked on the wire: the gRPC status code and the ImportError detail the silo
attaches, turned back into the typed error by ImportFailure.from_rpc_error. Every error case
also checks that nothing was written in either silo.
"""

from __future__ import annotations

import json
import logging
import threading
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import grpc
import pytest

from orchestrator.client import SiloClient
from tests.conftest import CliResult, Silos, _admin, fixture_path, fresh_silos
from wire.errors import ErrorKind, ImportFailure
from wire.pkwire import from_columns
from wire.relocation.v1 import models_pb2, silo_service_pb2, silo_service_pb2_grpc
from wire.scopes import ImportKind

Record = dict[str, Any]
Stub = silo_service_pb2_grpc.SiloServiceStub
WHEN = "2023-06-22T22:59:55.488Z"
GLOBAL, USERS = models_pb2.IMPORT_SCOPE_GLOBAL, models_pb2.IMPORT_SCOPE_USER
UNSPECIFIED = models_pb2.IMPORT_SCOPE_UNSPECIFIED
IMPORT_UUID = "6a1b2c3d4e5f40718293a4b5c6d7e8f9"


# --- helpers ----------------------------------------------------------------------------------


@contextmanager
def stub(address: str) -> Iterator[Stub]:
    with grpc.insecure_channel(address) as channel:
        yield silo_service_pb2_grpc.SiloServiceStub(channel)


def request(model: str, records: list[Record] | bytes, *, scope: int = GLOBAL,
            import_uuid: str | None = IMPORT_UUID, min_ordinal: int = 1,
            pk_map: list[models_pb2.PkMapColumns] | None = None
            ) -> silo_service_pb2.ImportByModelRequest:
    payload = records if isinstance(records, bytes) else json.dumps(records).encode()
    msg = silo_service_pb2.ImportByModelRequest(model=model, scope=scope, json_records=payload,
                                                min_ordinal=min_ordinal, pk_map=pk_map or [])
    if import_uuid is not None:
        msg.flags.CopyFrom(silo_service_pb2.ImportFlags(import_uuid=import_uuid))
    return msg


def failing_call(address: str, req: silo_service_pb2.ImportByModelRequest
                 ) -> tuple[grpc.StatusCode, ImportFailure]:
    with stub(address) as silo, pytest.raises(grpc.RpcError) as raised:
        silo.ImportByModel(req, timeout=30)
    error = raised.value
    return error.code(), ImportFailure.from_rpc_error(error)


def table_counts(silos: Silos) -> dict[str, int]:
    """Row count of every table in both silos (except the schema version and the import
    bindings, which a refused import records before its first batch)."""
    counts = {}
    for silo in ("control", "region"):
        tables = [r.table_name for r in silos.rows(
            silo, "SELECT table_name FROM information_schema.tables WHERE table_schema = "
                  "'public' AND table_type = 'BASE TABLE' AND table_name NOT IN "
                  "('alembic_version', 'relocation_importbinding')")]
        for table in tables:
            counts[f"{silo}.{table}"] = silos.count(silo, table)
    return counts


def nothing_anywhere(silos: Silos) -> None:
    counts = table_counts(silos)
    assert counts and {name: n for name, n in counts.items() if n} == {}


def user(pk: int, username: str) -> Record:
    return {"model": "sentry.user", "pk": pk, "fields": {
        "password": "pbkdf2_sha256$150000$iEvdIknqYjTr$+QsGn0tfIJ1FZLxQI37mVU1gL2KbL/wqjMtG/dF=",
        "last_login": None, "username": username, "name": "", "email": "", "is_staff": False,
        "is_active": True, "is_superuser": False, "is_managed": False, "is_sentry_app": None,
        "is_password_expired": False, "is_unclaimed": False, "last_password_change": WHEN,
        "flags": "0", "session_nonce": None, "date_joined": WHEN, "last_active": WHEN,
        "avatar_type": 0, "avatar_url": None}}


def option(model: str, pk: int, key: str, value: str) -> Record:
    return {"model": model, "pk": pk, "fields": {
        "key": key, "last_updated": WHEN, "last_updated_by": "unknown", "value": value}}


def project(pk: int) -> Record:
    return {"model": "sentry.project", "pk": pk, "fields": {
        "slug": "p", "name": "P", "organization": 1, "public": False, "date_added": WHEN,
        "status": 0, "flags": "10"}}


def import_one_user(silos: Silos, scope: int) -> models_pb2.PkMapColumns:
    """Import user pk 2 over RPC; return its pk-map entry for dependent batches."""
    with stub(silos.control_address) as silo:
        reply = silo.ImportByModel(request("sentry.user", [user(2, "owner")], scope=scope,
                                           import_uuid=uuid.uuid4().hex), timeout=30)
    assert list(reply.mapped.old_pks) == [2]
    return reply.mapped


# --- H 56-59: each error kind over gRPC -------------------------------------------------------


@pytest.fixture(scope="module")
def untouched_silos(pg_admin_url: str, templates: dict[str, str]) -> Iterator[Silos]:
    """One pair of silos for the error cases: each must leave them empty."""
    with fresh_silos(pg_admin_url, templates) as s:
        yield s


LONG_NAME = "x" * 129

# (id, silo, request, status code, kind, model, ordinal, left_pk)
ERROR_CASES = [
    ("unknown-model", "control", request("sentry.doesnotexist", []),
     grpc.StatusCode.NOT_FOUND, ErrorKind.UNKNOWN_MODEL, "sentry.doesnotexist", None, None),
    ("region-model-on-control", "control", request("sentry.project", [project(1)]),
     grpc.StatusCode.FAILED_PRECONDITION, ErrorKind.INCORRECT_SILO_MODE_FOR_MODEL,
     "sentry.project", None, None),
    ("control-model-on-region", "region", request("sentry.user", [user(1, "u")]),
     grpc.StatusCode.FAILED_PRECONDITION, ErrorKind.INCORRECT_SILO_MODE_FOR_MODEL,
     "sentry.user", None, None),
    ("no-scope", "control", request("sentry.user", [user(1, "u")], scope=UNSPECIFIED),
     grpc.StatusCode.INVALID_ARGUMENT, ErrorKind.UNSPECIFIED_SCOPE, "sentry.user", None, None),
    ("no-flags", "control", request("sentry.user", [user(1, "u")], import_uuid=None),
     grpc.StatusCode.INVALID_ARGUMENT, ErrorKind.MISSING_IMPORT_UUID, "sentry.user", None, None),
    ("empty-import-uuid", "control", request("sentry.user", [user(1, "u")], import_uuid=""),
     grpc.StatusCode.INVALID_ARGUMENT, ErrorKind.MISSING_IMPORT_UUID, "sentry.user", None, None),
    ("min-ordinal-0", "control", request("sentry.user", [user(1, "u")], min_ordinal=0),
     grpc.StatusCode.INVALID_ARGUMENT, ErrorKind.INVALID_MIN_ORDINAL, "sentry.user", None, None),
    ("min-ordinal-negative", "region", request("sentry.option", [], min_ordinal=-3),
     grpc.StatusCode.INVALID_ARGUMENT, ErrorKind.INVALID_MIN_ORDINAL, "sentry.option", None,
     None),
    ("json-underscore", "control", request("sentry.user", b"_"),
     grpc.StatusCode.INVALID_ARGUMENT, ErrorKind.DESERIALIZATION_FAILED, "sentry.user", None,
     None),
    # Ours names the offending record's own position (docs/compatibility.md); Sentry reports
    # the last successful ordinal. The valid first record is not written either.
    ("username-129-chars", "control",
     request("sentry.user", [user(1, "fine"), user(9, LONG_NAME)], min_ordinal=11),
     grpc.StatusCode.INVALID_ARGUMENT, ErrorKind.VALIDATION_ERROR, "sentry.user", 12, 9),
    ("user-records-as-option", "region",
     request("sentry.option", [user(1, "u")], scope=GLOBAL),
     grpc.StatusCode.INVALID_ARGUMENT, ErrorKind.UNEXPECTED_MODEL, "sentry.option", 1, 1),
    # A record's shape is checked before anything of it is read.
    *(("record-" + name, "region", request("sentry.option", payload, scope=GLOBAL),
       grpc.StatusCode.INVALID_ARGUMENT, ErrorKind.DESERIALIZATION_FAILED, "sentry.option", 1,
       None) for name, payload in [
        ("not-an-object", b"[1]"),
        ("pk-a-string", b'[{"model": "sentry.option", "pk": "1", "fields": {}}]'),
        ("pk-a-boolean", b'[{"model": "sentry.option", "pk": true, "fields": {}}]'),
        ("fields-not-an-object", b'[{"model": "sentry.option", "pk": 1, "fields": []}]')]),
    # Checks run in Sentry's order: the ordinal before the model name.
    ("ordinal-checked-before-model", "control",
     request("sentry.doesnotexist", [], min_ordinal=0, scope=UNSPECIFIED, import_uuid=None),
     grpc.StatusCode.INVALID_ARGUMENT, ErrorKind.INVALID_MIN_ORDINAL, "sentry.doesnotexist",
     None, None),
    ("scope-checked-before-uuid", "region",
     request("sentry.option", [], scope=UNSPECIFIED, import_uuid=None),
     grpc.StatusCode.INVALID_ARGUMENT, ErrorKind.UNSPECIFIED_SCOPE, "sentry.option", None, None),
]


@pytest.mark.parametrize(("silo", "req", "code", "kind", "model", "ordinal", "left_pk"),
                         [case[1:] for case in ERROR_CASES], ids=[c[0] for c in ERROR_CASES])
def test_import_by_model_error_kinds(untouched_silos: Silos, silo: str,
                                     req: silo_service_pb2.ImportByModelRequest,
                                     code: grpc.StatusCode, kind: ErrorKind, model: str,
                                     ordinal: int | None, left_pk: int | None) -> None:
    """H59/H56: each malformed call fails with its gRPC code and typed ImportError detail,
    and writes nothing in either silo."""
    silos = untouched_silos
    address = silos.control_address if silo == "control" else silos.region_address
    got_code, failure = failing_call(address, req)
    assert got_code == code
    assert (failure.kind, failure.model, failure.ordinal, failure.left_pk) == (
        kind, model, ordinal, left_pk), failure
    assert failure.reason
    nothing_anywhere(silos)


def test_over_long_username_names_the_field(silos: Silos) -> None:
    """H56: a 129-character username is a ValidationError on sentry.user that says why."""
    code, failure = failing_call(silos.control_address,
                                 request("sentry.user", [user(4, LONG_NAME)], scope=USERS))
    assert code == grpc.StatusCode.INVALID_ARGUMENT
    assert (failure.kind, failure.model, failure.ordinal, failure.left_pk) == (
        ErrorKind.VALIDATION_ERROR, "sentry.user", 1, 4)
    assert "username" in failure.reason and "128" in failure.reason
    nothing_anywhere(silos)


def test_invalid_user_ip_is_a_validation_error(silos: Silos) -> None:
    """H57: an unparsable IP address in sentry.userip (Global scope) is a ValidationError."""
    owner = import_one_user(silos, GLOBAL)
    before = table_counts(silos)
    userip = {"model": "sentry.userip", "pk": 3, "fields": {
        "user": 2, "ip_address": "0.1.2.3.4.5.6.7.8.9.abc.def", "country_code": None,
        "region_code": None, "first_seen": WHEN, "last_seen": WHEN}}
    code, failure = failing_call(silos.control_address,
                                 request("sentry.userip", [userip], pk_map=[owner]))
    assert code == grpc.StatusCode.INVALID_ARGUMENT
    assert (failure.kind, failure.model, failure.ordinal, failure.left_pk) == (
        ErrorKind.VALIDATION_ERROR, "sentry.userip", 1, 3)
    assert table_counts(silos) == before
    assert before["control.sentry_userip"] == 0


def test_invalid_timezone_option_is_a_validation_error(silos: Silos) -> None:
    """H58: a user option timezone "MiddleEarth/Gondor" (User scope) is a ValidationError."""
    owner = import_one_user(silos, USERS)
    good = {"model": "sentry.useroption", "pk": 1, "fields": {
        "user": 2, "project_id": None, "organization_id": None, "key": "language",
        "value": '"en"'}}
    bad = {"model": "sentry.useroption", "pk": 2, "fields": {
        "user": 2, "project_id": None, "organization_id": None, "key": "timezone",
        "value": '"MiddleEarth/Gondor"'}}
    before = table_counts(silos)
    code, failure = failing_call(silos.control_address,
                                 request("sentry.useroption", [good, bad], scope=USERS,
                                         pk_map=[owner]))
    assert code == grpc.StatusCode.INVALID_ARGUMENT
    assert (failure.kind, failure.model, failure.ordinal, failure.left_pk) == (
        ErrorKind.VALIDATION_ERROR, "sentry.useroption", 2, 2)
    assert "MiddleEarth/Gondor" in failure.reason
    assert table_counts(silos) == before
    assert before["control.sentry_useroption"] == 0


def test_valid_timezone_option_is_accepted(silos: Silos) -> None:
    """H58 (control case): the same option with a real timezone lands, pointing at the user."""
    owner = import_one_user(silos, USERS)
    tz = {"model": "sentry.useroption", "pk": 2, "fields": {
        "user": 2, "project_id": None, "organization_id": None, "key": "timezone",
        "value": '"Europe/Vienna"'}}
    with stub(silos.control_address) as silo:
        reply = silo.ImportByModel(request("sentry.useroption", [tz], scope=USERS,
                                           pk_map=[owner]), timeout=30)
    ((_, entry),) = from_columns(reply.mapped)
    (row,) = silos.rows("control", "SELECT id, user_id, key FROM sentry_useroption")
    assert (row.id, row.user_id, row.key) == (entry.new_pk, owner.new_pks[0], "timezone")


def test_a_model_name_in_capitals_is_the_model(silos: Silos) -> None:
    """Model names compare case-insensitively, as Sentry's do: a record whose model is spelt
    in capitals is read like any other, in the same batch as the rest."""
    records = [option("sentry.option", 1, "a", '"1"'), option("Sentry.Option", 2, "b", '"2"')]
    with stub(silos.region_address) as silo:
        reply = silo.ImportByModel(request("sentry.option", records, scope=GLOBAL), timeout=30)
    assert [old for old, _ in from_columns(reply.mapped)] == [1, 2]
    assert sorted(r.key for r in silos.rows("region", "SELECT key FROM sentry_option")) == [
        "a", "b"]


# --- H 61-63 through the CLI ------------------------------------------------------------------


@pytest.mark.parametrize("scope", ["users", "organizations", "config", "global"])
def test_cli_invalid_user_reports_one_validation_error(silos: Silos, tmp_path: Path,
                                                       scope: str) -> None:
    """H62: invalid-user.json (no username) exits 1 with exactly one RpcImportError finding,
    ValidationError on sentry.user ordinal 1, and nothing written in either silo."""
    findings = tmp_path / "findings.json"
    result = silos.relocate("import", scope, fixture_path("invalid-user.json"), "--no-prompt",
                            "--findings-file", findings)
    assert result.code == 1, result.stderr
    (finding,) = json.loads(findings.read_text())
    assert finding["finding"] == "RpcImportError"
    assert finding["kind"] == "ValidationError"
    assert finding["on"] == {"model": "sentry.user", "ordinal": 1}
    assert finding["left_pk"] == 1 and finding["right_pk"] is None
    assert "username" in finding["reason"]
    assert "ValidationError" in result.stderr
    nothing_anywhere(silos)


def test_cli_integrity_error_exits_1_with_advice(silos: Silos, tmp_path: Path,
                                                 export_file: Any) -> None:
    """H61: a collision no rule resolves (two invites for one address in one org) exits 1,
    reports an IntegrityError naming both records, and prints the advice."""
    def invite(pk: int) -> Record:
        return {"model": "sentry.organizationmember", "pk": pk, "fields": {
            "organization": 1, "user_id": None, "email": "twice@example.com", "role": "member",
            "flags": "0", "token": None, "date_added": WHEN, "token_expires_at": None,
            "has_global_access": True, "inviter_id": None, "invite_status": 1, "type": 50,
            "user_is_active": True, "user_email": None}}

    org = {"model": "sentry.organization", "pk": 1, "fields": {
        "name": "Twice", "slug": "twice", "status": 0, "date_added": WHEN}}
    findings = tmp_path / "findings.json"
    result = silos.relocate("import", "organizations", export_file([org, invite(1), invite(2)]),
                            "--no-prompt", "--findings-file", findings)
    assert result.code == 1
    (finding,) = json.loads(findings.read_text())
    assert (finding["finding"], finding["kind"]) == ("RpcImportError", "IntegrityError")
    assert finding["on"] == {"model": "sentry.organizationmember", "ordinal": 2}
    assert (finding["left_pk"], finding["right_pk"]) == (2, 1)
    assert "same version of Sentry" in result.stderr and "open an issue" in result.stderr
    assert silos.count("region", "sentry_organizationmember") == 0
    assert silos.count("region", "sentry_regionimportchunk",
                       "model = 'sentry.organizationmember'") == 0


def test_cli_missing_input_file_exits_2(silos: Silos, tmp_path: Path) -> None:
    """H63: a missing export file is a usage error (exit 2), not an import error."""
    findings = tmp_path / "findings.json"
    result = silos.relocate("import", "users", tmp_path / "absent.json", "--no-prompt",
                            "--findings-file", findings)
    assert result.code == 2
    assert "absent.json" in result.stderr
    assert not findings.exists()
    nothing_anywhere(silos)


# --- I 65-66: retries are idempotent ----------------------------------------------------------

RETRY_CASES = [
    ("local-region-option", "region", "sentry.option", 5, "sentry_option",
     "sentry_regionimportchunk"),
    ("remote-control-option", "control", "sentry.controloption", 7, "sentry_controloption",
     "sentry_controlimportchunk"),
]


@pytest.mark.parametrize(("silo", "model", "pk", "table", "chunks"),
                         [c[1:] for c in RETRY_CASES], ids=[c[0] for c in RETRY_CASES])
def test_retry_with_same_import_uuid_is_idempotent(silos: Silos, silo: str, model: str, pk: int,
                                                   table: str, chunks: str) -> None:
    """I65/I66: a repeated ImportByModel returns the same answer from the ledger, writing
    neither a second row nor a second chunk."""
    address = silos.control_address if silo == "control" else silos.region_address
    req = request(model, [option(model, pk, "sentry:latest_version", '"23.6.1"')])
    with stub(address) as s:
        first = s.ImportByModel(req, timeout=30)
        rows_after_first = silos.rows(silo, f"SELECT id, key FROM {table}")
        second = s.ImportByModel(req, timeout=30)

    ((old_pk, entry),) = from_columns(first.mapped)
    assert (first.mapped.model, old_pk, entry.kind) == (model, pk, ImportKind.INSERTED)
    assert (first.min_ordinal, first.max_ordinal) == (1, 1)
    assert (first.min_source_pk, first.max_source_pk) == (pk, pk)
    assert first.min_inserted_pk == first.max_inserted_pk == entry.new_pk
    assert first.from_ledger is False and second.from_ledger is True
    second.from_ledger = False
    assert second == first

    assert [tuple(r) for r in rows_after_first] == [(entry.new_pk, "sentry:latest_version")]
    assert silos.count(silo, table) == 1
    (chunk,) = silos.rows(silo, f"SELECT * FROM {chunks}")
    assert str(uuid.UUID(str(chunk.import_uuid))) == str(uuid.UUID(IMPORT_UUID))
    assert chunk.model == model
    assert (chunk.min_ordinal, chunk.max_ordinal, chunk.min_source_pk, chunk.max_source_pk,
            chunk.min_inserted_pk, chunk.max_inserted_pk) == (1, 1, pk, pk, entry.new_pk,
                                                              entry.new_pk)
    assert chunk.inserted_map == {str(pk): entry.new_pk}
    assert (chunk.existing_map, chunk.overwrite_map, chunk.inserted_identifiers) == ({}, {}, {})


def test_retry_of_a_batch_that_wrote_nothing_runs_again(silos: Silos) -> None:
    """I (ledger): a batch whose records were all skipped leaves no chunk, so its retry runs
    again (and imports, here, once the scope lets the record in)."""
    record = option("sentry.option", 5, "k", '"v"')
    with stub(silos.region_address) as s:
        skipped = s.ImportByModel(request("sentry.option", [record], scope=USERS), timeout=30)
        assert list(skipped.mapped.old_pks) == [] and not skipped.HasField("min_ordinal")
        assert silos.count("region", "sentry_regionimportchunk") == 0
        landed = s.ImportByModel(request("sentry.option", [record]), timeout=30)
    assert landed.from_ledger is False and len(landed.mapped.old_pks) == 1
    assert silos.count("region", "sentry_option") == 1
    assert silos.count("region", "sentry_regionimportchunk") == 1


# --- I 67: racing duplicates ------------------------------------------------------------------

RACE_CASES = [
    ("region-options", "region", "sentry.option", "sentry_option", "sentry_regionimportchunk"),
    ("control-users", "control", "sentry.user", "auth_user", "sentry_controlimportchunk"),
]


@pytest.mark.parametrize(("silo", "model", "table", "chunks"), [c[1:] for c in RACE_CASES],
                         ids=[c[0] for c in RACE_CASES])
def test_racing_identical_batches_write_once(silos: Silos, caplog: pytest.LogCaptureFixture,
                                             silo: str, model: str, table: str,
                                             chunks: str) -> None:
    """I67: two identical ImportByModel calls racing from two threads get the same answer;
    exactly one copy of each row and one chunk are written."""
    caplog.set_level(logging.INFO, logger="relocation.silo")
    address = silos.control_address if silo == "control" else silos.region_address
    size = 40
    for round_number in range(4):
        import_uuid = uuid.uuid4().hex
        if model == "sentry.user":
            records = [user(pk, f"racer-{round_number}-{pk}") for pk in range(1, size + 1)]
        else:
            records = [option(model, pk, f"race:{round_number}:{pk}", '"x"')
                       for pk in range(1, size + 1)]
        req = request(model, records, import_uuid=import_uuid, scope=USERS if
                      model == "sentry.user" else GLOBAL)
        barrier = threading.Barrier(2)

        def call(req: silo_service_pb2.ImportByModelRequest = req,
                 barrier: threading.Barrier = barrier) -> silo_service_pb2.ImportByModelResponse:
            with stub(address) as s:
                barrier.wait()
                return s.ImportByModel(req, timeout=30)

        with ThreadPoolExecutor(2) as pool:
            replies = list(pool.map(lambda _: call(), range(2)))

        assert sorted(r.from_ledger for r in replies) == [False, True]
        for reply in replies:
            reply.from_ledger = False
        assert replies[0] == replies[1]
        assert len(replies[0].mapped.old_pks) == size
        assert silos.count(silo, chunks, "import_uuid = :u", u=import_uuid) == 1
        (chunk,) = silos.rows(silo, f"SELECT inserted_map FROM {chunks} WHERE import_uuid = :u",
                              u=import_uuid)
        assert chunk.inserted_map == {str(old): e.new_pk
                                     for old, e in from_columns(replies[0].mapped)}
    assert silos.count(silo, table) == 4 * size
    # The loser noticed the winner's chunk after its own write failed (Sentry's racing path),
    # at least once in four rounds started together.
    assert any("lost_import_race" in m for m in caplog.messages)
    if model == "sentry.user":
        names = [r.username for r in silos.rows("control", "SELECT username FROM auth_user")]
        assert all(n.count("-") == 2 for n in names)  # no renamed duplicate slipped in
        assert silos.count("control", "sentry_lostpasswordhash") == 4 * size


@pytest.mark.parametrize("hide", [True, False])
def test_hide_organizations_flag_imports_them_pending_approval(silos: Silos, hide: bool) -> None:
    """Sentry's ImportFlags.hide_organizations (set by its relocation service, not by its CLI
    nor ours): organizations land with status RELOCATION_PENDING_APPROVAL (3), whatever the
    export says; without it their status is kept."""
    org = {"model": "sentry.organization", "pk": 1, "fields": {
        "name": "Hidden", "slug": "hidden", "status": 0, "date_added": WHEN}}
    req = request("sentry.organization", [org])
    req.flags.hide_organizations = hide
    with stub(silos.region_address) as s:
        s.ImportByModel(req, timeout=30)
    assert [r.status for r in silos.rows("region", "SELECT status FROM sentry_organization")] \
        == [3 if hide else 0]


def test_racing_identical_batches_of_a_model_whose_collisions_fail_write_once(
        silos: Silos, caplog: pytest.LogCaptureFixture) -> None:
    """One import run twice at once: the batch that waited for the table finds its twin's
    chunk and returns that answer, instead of failing on a collision with its twin's rows
    (organization options have no rule for a collision)."""
    caplog.set_level(logging.INFO, logger="relocation.silo")
    org = {"model": "sentry.organization", "pk": 1, "fields": {
        "name": "Racing", "slug": "racing", "status": 0, "date_added": WHEN}}
    with stub(silos.region_address) as s:
        orgs = s.ImportByModel(request("sentry.organization", [org],
                                       import_uuid=uuid.uuid4().hex), timeout=30).mapped
    size = 40
    for round_number in range(4):
        records = [{"model": "sentry.organizationoption", "pk": pk, "fields": {
            "organization": 1, "key": f"sentry:race-{round_number}-{pk}", "value": '"x"'}}
            for pk in range(1, size + 1)]
        req = request("sentry.organizationoption", records, import_uuid=uuid.uuid4().hex,
                      pk_map=[orgs])
        barrier = threading.Barrier(2)

        def call(req: silo_service_pb2.ImportByModelRequest = req,
                 barrier: threading.Barrier = barrier) -> silo_service_pb2.ImportByModelResponse:
            with stub(silos.region_address) as s:
                barrier.wait()
                return s.ImportByModel(req, timeout=30)

        with ThreadPoolExecutor(2) as pool:
            replies = list(pool.map(lambda _: call(), range(2)))  # neither raises
        assert sorted(r.from_ledger for r in replies) == [False, True]
        assert list(replies[0].mapped.new_pks) == list(replies[1].mapped.new_pks)
        assert silos.count("region", "sentry_organizationoptions") == (round_number + 1) * size
    assert any("lost_import_race" in m for m in caplog.messages)


# --- I 68-70: batching ------------------------------------------------------------------------

BATCH = 3


@pytest.mark.parametrize("n", [2 * BATCH, 2 * BATCH + 1], ids=["exact-multiple", "one-over"])
def test_batches_have_their_own_chunks_and_remap_across_batches(
        silos: Silos, tmp_path: Path, export_file: Any, n: int) -> None:
    """I68/I69: with --batch-size B, n users (pks 101...) and one UserOption each (pks 1001...)
    land in ceil(n/B) chunks per model with the right ordinal and source-pk ranges, and an
    option of a later batch points at its own re-mapped user."""
    import_uuid = "68686868686868686868686868686868"
    records = [user(100 + i, f"batch-user-{i}") for i in range(1, n + 1)]
    records += [{"model": "sentry.useroption", "pk": 1000 + i, "fields": {
        "user": 100 + i, "project_id": None, "organization_id": None, "key": "language",
        "value": f'"lang-{i}"'}} for i in range(1, n + 1)]
    findings = tmp_path / "findings.json"
    result = silos.relocate("import", "users", export_file(records), "--no-prompt",
                            "--batch-size", str(BATCH), "--import-uuid", import_uuid,
                            "--findings-file", findings)
    assert result.code == 0, result.stderr
    assert json.loads(findings.read_text()) == []

    columns = ("model, min_ordinal, max_ordinal, min_source_pk, max_source_pk, inserted_map, "
               "min_inserted_pk, max_inserted_pk")
    chunks = silos.rows("control", f"SELECT {columns} FROM sentry_controlimportchunk "
                                   "WHERE import_uuid = :u ORDER BY model, min_ordinal",
                        u=import_uuid)
    expected = []
    for model, base in (("sentry.user", 100), ("sentry.useroption", 1000)):
        for start in range(1, n + 1, BATCH):
            end = min(start + BATCH - 1, n)
            expected.append((model, start, end, base + start, base + end))
    assert [tuple(c)[:5] for c in chunks] == expected
    assert len(chunks) == 2 * -(-n // BATCH)
    for c in chunks:
        assert len(c.inserted_map) == c.max_ordinal - c.min_ordinal + 1
        assert (c.min_inserted_pk, c.max_inserted_pk) == (min(c.inserted_map.values()),
                                                          max(c.inserted_map.values()))
    replicas = silos.rows("region", f"SELECT {columns} FROM sentry_controlimportchunkreplica "
                                    "WHERE import_uuid = :u ORDER BY model, min_ordinal",
                          u=import_uuid)
    assert [tuple(r) for r in replicas] == [tuple(c) for c in chunks]

    user_map = {int(k): v for c in chunks if c.model == "sentry.user"
                for k, v in c.inserted_map.items()}
    option_map = {int(k): v for c in chunks if c.model == "sentry.useroption"
                  for k, v in c.inserted_map.items()}
    assert sorted(user_map) == list(range(101, 101 + n))
    rows = {r.id: r for r in silos.rows(
        "control", "SELECT o.id, o.user_id, o.value, u.username FROM sentry_useroption o "
                   "JOIN auth_user u ON u.id = o.user_id")}
    assert len(rows) == n
    for i in range(1, n + 1):
        row = rows[option_map[1000 + i]]
        assert row.user_id == user_map[100 + i]
        # JSON-text fields hold the JSON encoding of the exported value.
        assert (row.username, json.loads(row.value)) == (f"batch-user-{i}", f'"lang-{i}"')
    last = rows[option_map[1000 + n]]  # the last batch's option, remapped across batches
    assert last.user_id == user_map[100 + n]


@pytest.mark.parametrize("second", [BATCH - 1, BATCH + 1], ids=["smaller", "larger"])
def test_a_resume_cut_into_other_batches_is_refused_before_writing_twice(
        silos: Silos, tmp_path: Path, export_file: Any, second: int) -> None:
    """Chunks answer a batch by its first ordinal: a run of the same import uuid whose batches
    start elsewhere (another --batch-size, another relocate version) would find none of them
    and write their records again. It is stopped, naming the batch it met, and writes
    nothing; resumed as it was started, the import finds every answer."""
    import_uuid = "69696969696969696969696969696969"
    records = [user(100 + i, f"cut-user-{i}") for i in range(1, 3 * BATCH + 1)]
    export = export_file(records)

    def run(batch: int) -> CliResult:
        return silos.relocate("import", "users", export, "--no-prompt", "--batch-size",
                              str(batch), "--import-uuid", import_uuid)

    assert run(BATCH).code == 0
    before = silos.count("control", "auth_user")
    refused = run(second)
    assert refused.code != 0
    assert "InvalidMinOrdinal" in refused.stderr and "sentry.user records 1 to" in refused.stderr
    # The binding matched (same file, scope, flags), so the message names the real cause.
    assert "another relocate version or another --batch-size" in refused.stderr
    assert "Resume with the version and --batch-size it was started with" in refused.stderr
    assert silos.count("control", "auth_user") == before == len(records)
    resumed = run(BATCH)
    assert resumed.code == 0, resumed.stderr
    assert silos.count("control", "auth_user") == before


def test_a_control_call_whose_database_went_away_is_a_database_error(silos: Silos,
                                                                     pg_admin_url: str) -> None:
    """A control call (here MapOrganizationMembers) that loses its database is DatabaseError,
    which the orchestrator retries, not Unknown, which ends the import (`relocate bench faults`
    found it: a terminated connection at COMMIT made the orchestrator exit); once the database
    is back the same call succeeds."""
    name = silos.control_url.rsplit("/", 1)[1]
    _admin(pg_admin_url, f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false',
           f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'")
    try:
        with SiloClient(silos.control_address, "control", retry_deadline=0) as client, \
                pytest.raises(ImportFailure) as failed:
            client.map_members([])
    finally:
        _admin(pg_admin_url, f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
    assert failed.value.kind is ErrorKind.DATABASE_ERROR, failed.value
    assert "OperationalError" in failed.value.reason
    with SiloClient(silos.control_address, "control", retry_deadline=0) as client:
        client.map_members([])
