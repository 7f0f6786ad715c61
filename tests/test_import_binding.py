"""An import uuid is bound to what it imports (scope, flags, name filters, the source file),
in both silos, before its first batch: a rerun under it with anything else is refused up front,
naming what differs, and writes nothing (real PostgreSQL and gRPC, through the CLI)."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest

from orchestrator.source import fingerprint
from tests.conftest import CliResult, Silos, run_cli
from tests.test_rpc_and_chunks import user

UUID = "5eed5eed5eed5eed5eed5eed5eed5eed"


def _import(silos: Silos, export: Path, scope: str = "users", *extra: str,
            import_uuid: str = UUID) -> CliResult:
    return silos.relocate("import", scope, export, "--no-prompt", "--import-uuid", import_uuid,
                          *extra)


def _usernames(silos: Silos) -> list[str]:
    return sorted(r.username for r in silos.rows("control", "SELECT username FROM auth_user"))


def _refused(result: CliResult, *named: str) -> None:
    assert result.code == 1
    assert "Import failed: ImportUuidMismatch: import uuid 5eed5eed" in result.stderr
    for text in named:
        assert text in result.stderr, result.stderr
    assert "under a new --import-uuid" in result.stderr


def test_both_silos_record_the_binding_before_the_first_batch(
        silos: Silos, export_file: Any) -> None:
    export = export_file([user(1, "bound-a")])
    assert _import(silos, export, "users", "--filter-usernames", "bound-a").code == 0
    data = export.read_bytes()
    for silo in ("control", "region"):
        (row,) = silos.rows(silo, "SELECT * FROM relocation_importbinding")
        assert (row.import_uuid.hex, row.scope, row.merge_users,
                row.overwrite_configs, row.org_slugs, row.usernames) == (
            UUID, "users", False, False, None, ["bound-a"])
        assert (row.source_size, row.source_sha256) == (
            len(data), hashlib.sha256(data).hexdigest())
    resumed = _import(silos, export, "users", "--filter-usernames", "bound-a")
    assert resumed.code == 0 and f"Resuming import {UUID}" in resumed.stderr


def test_a_uuid_reused_for_another_file_is_refused_and_writes_nothing(
        silos: Silos, export_file: Any) -> None:
    """It used to be answered from the first file's chunks: "resumed", and the other file's
    user written nowhere."""
    assert _import(silos, export_file([user(1, "first-file")])).code == 0
    other = export_file([user(1, "other-file-user")])
    _refused(_import(silos, other), "another source file (", "bytes, SHA-256")
    assert _usernames(silos) == ["first-file"]


@pytest.mark.parametrize(("first", "second", "named"), [
    (("global",), ("users",), "scope global, not users"),
    (("users",), ("users", "--merge-users"), "--merge-users off, not on"),
    (("users", "--filter-usernames", "a"), ("users", "--filter-usernames", "a,b"),
     "--filter-usernames a, not a,b"),
], ids=["scope", "flag", "filter"])
def test_a_uuid_reused_with_another_scope_flag_or_filter_is_refused(
        silos: Silos, export_file: Any, first: tuple[str, ...], second: tuple[str, ...],
        named: str) -> None:
    export = export_file([user(1, "a"), user(2, "b")])
    assert _import(silos, export, *first).code == 0
    before = _usernames(silos)
    _refused(_import(silos, export, *second), named)
    assert _usernames(silos) == before


def test_a_record_fixed_after_a_failure_is_refused_under_the_uuid_and_imported_under_a_new_one(
        silos: Silos, export_file: Any) -> None:
    """The issue's scenario: a bad record stops the import part way; the operator fixes the
    record and reruns with the same uuid. The fixed file is another file: refused up front (its
    batches need not be cut as before, and a stored chunk could hide records), and under a new
    uuid every record of it is imported."""
    names = [f"fixed-{i}" for i in range(1, 7)]
    records = [user(i, name) for i, name in enumerate(names, 1)]
    records[3]["fields"]["username"] = "x" * 2000  # record #4: too long for its column
    failed = _import(silos, export_file(records), "users", "--batch-size", "2")
    assert failed.code == 1 and "ValidationError on sentry.user #4" in failed.stderr
    assert "import the fixed export under a new --import-uuid" in failed.stderr
    assert _usernames(silos) == names[:2]  # the first batch was written

    records[3]["fields"]["username"] = names[3]
    fixed = export_file(records)
    _refused(_import(silos, fixed, "users", "--batch-size", "2"), "another source file (")
    # Cut into other batches too, the file is refused for what it is first: another file.
    other_cut = _import(silos, fixed, "users", "--batch-size", "3")
    _refused(other_cut, "another source file (")
    assert "InvalidMinOrdinal" not in other_cut.stderr
    assert _usernames(silos) == names[:2]

    again = _import(silos, fixed, "users", "--batch-size", "2",
                    import_uuid="6eed6eed6eed6eed6eed6eed6eed6eed")
    assert again.code == 0, again.stderr
    stored = _usernames(silos)
    # Every record of the fixed file landed; the two written by the failed run are there twice
    # (the new import's copies renamed, as any import over existing users).
    assert len(stored) == 2 + len(names)
    assert set(names) <= set(stored)


def test_an_encrypted_tarball_is_bound_by_the_tarball_s_own_bytes(
        silos: Silos, export_file: Any, tmp_path: Path) -> None:
    """The fingerprint is of the file the operator gives (the tarball), read before it is
    decrypted; the same records given as plain JSON are another file."""
    private, public = tmp_path / "k.pem", tmp_path / "k.pub"
    assert run_cli(["backup", "keygen", "--bits", "2048", str(private), str(public)]).code == 0
    plain = export_file([user(1, "sealed")])
    tarball = tmp_path / "export.tar"
    assert run_cli(["backup", "encrypt", "--src", str(plain), "--encrypt-with", str(public),
                    str(tarball)]).code == 0
    assert _import(silos, tarball, "users", "--decrypt-with", str(private)).code == 0
    data = tarball.read_bytes()
    for silo in ("control", "region"):
        (row,) = silos.rows(silo, "SELECT source_size, source_sha256 FROM "
                                  "relocation_importbinding")
        assert (row.source_size, row.source_sha256) == (
            len(data), hashlib.sha256(data).hexdigest())
    _refused(_import(silos, plain), "another source file (")
    assert _usernames(silos) == ["sealed"]


def test_the_fingerprint_is_the_size_and_sha256_of_the_file(tmp_path: Path) -> None:
    path = tmp_path / "export.tar"
    data = bytes(range(256)) * 9000  # spans more than one read
    path.write_bytes(data)
    found = fingerprint(path)
    assert (found.size, found.sha256) == (len(data), hashlib.sha256(data).hexdigest())
