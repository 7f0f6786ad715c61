"""The spill of an encrypted tarball is sealed (issue 18 §2): the decrypted records never reach
disk in clear, not even when the orchestrator is killed with SIGKILL; they read back exactly as
a plain spill does, and a sealed file changed on disk is refused, never used. A plain export's
spill stays in clear, byte for byte the documented layout."""

from __future__ import annotations

import io
import json
import os
import random
import signal
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import orjson
import pytest

from orchestrator import source, storage
from orchestrator.crypto import open_export
from orchestrator.source import spill
from orchestrator.storage import (
    LINE,
    ImportedOrganization,
    SpilledExport,
    SpillKey,
    open_spill,
)
from tests.conftest import ROOT, Silos, run_import
from tests.test_crypto import KeyPair, make_keypair, sentry_tarball
from tests.test_spill import CATALOG, KEEP, ONE_PASS, TWO_HALVES
from tools.bench.generate import generate
from tools.bench.verify import verify
from wire import MAX_MESSAGE_BYTES
from wire.errors import ErrorKind, ImportFailure
from wire.scopes import ImportScope

RELOCATE = [sys.executable, "-m", "commands.cli"]
# What a record of the export looks like on disk in clear: any of these in a sealed spill file
# is plaintext that leaked.
RECORD_MARKS = (b'"model"', b'"fields"', b"pbkdf2_sha256$", b"@example.org", b"sentry.")


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> KeyPair:
    return make_keypair(tmp_path_factory.mktemp("keys"), "spill")


def _first(records: list[dict[str, Any]], model: str) -> dict[str, Any]:
    return next(r["fields"] for r in records if r["model"] == model)


def _spill_tarball(tarball: Path, keys: KeyPair, workdir: Path) -> SpilledExport:
    """Spill a tarball as the importer does (sealed, since it was encrypted)."""
    workdir.mkdir(exist_ok=True)
    with open_export(tarball, keys.private_path) as stream:
        return spill(stream, CATALOG, workdir, KEEP, sealed=True)


def _spill_plain(path: Path, workdir: Path, sealed: bool = False) -> SpilledExport:
    workdir.mkdir(exist_ok=True)
    with path.open("rb") as stream:
        return spill(stream, CATALOG, workdir, KEEP, sealed=sealed)


def _read_back(spilled: SpilledExport) -> dict[str, Any]:
    """Everything an import reads of a spill: entries and batches of every model."""
    return {model: (list(spilled.entries(model)),
                    [(b.references, bytes(b.kept), bytes(b.json_array))
                     for b in spilled.batches(model, 333, MAX_MESSAGE_BYTES)])
            for model in spilled.counts}


def _leaks(directory: Path, needles: tuple[bytes, ...]) -> dict[str, list[bytes]]:
    """File -> the needles it holds in clear, for every file under `directory`."""
    found = {}
    for f in sorted(p for p in directory.rglob("*") if p.is_file() and p.name != "owner"):
        data = f.read_bytes()
        hits = [n for n in needles if n in data]
        if hits:
            found[f.name] = hits
    return found


# --- (a) a killed import leaves only sealed files ---------------------------------------------


class _Import:
    """`relocate import` of an encrypted tarball of a generated export, in a process of its
    own, its spill under `spill_root`."""

    def __init__(self, silos: Silos, keys: KeyPair, tmp_path: Path, records: int,
                 seed: int) -> None:
        self.export = generate(tmp_path / "export.json", records, seed=seed)
        self.tarball = sentry_tarball(tmp_path / "export.tar", self.export.path.read_bytes(),
                                      keys.public_pem)
        self.spill_root = tmp_path / "spill"
        self.spill_root.mkdir()
        self.env = {**os.environ, "TMPDIR": str(self.spill_root)}
        self.args = [*RELOCATE, "import", "organizations", str(self.tarball), "--decrypt-with",
                     str(keys.private_path), "--no-prompt", "--control", silos.control_address,
                     "--region", silos.region_address, "--import-uuid", uuid.uuid4().hex]
        self.proc = subprocess.Popen(self.args, stderr=subprocess.PIPE, text=True,
                                     env=self.env, cwd=ROOT)

    def stop_at(self, start: str) -> Path:
        """SIGSTOP the import once its stderr prints a line that starts with `start`; its
        spill folder."""
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            if line.startswith(start):
                break
        self.proc.send_signal(signal.SIGSTOP)
        [directory] = self.spill_root.iterdir()
        return directory

    def again(self) -> subprocess.CompletedProcess:
        return subprocess.run(self.args, capture_output=True, text=True, env=self.env, cwd=ROOT,
                              timeout=300)


def test_a_tarball_import_killed_with_sigkill_leaves_no_plaintext_and_resumes(
        silos: Silos, keys: KeyPair, tmp_path: Path) -> None:
    """kill -9 once organizations are imported (the spill complete, organizations.jsonl
    written): no file under the spill folder holds the known password hash, email, username,
    organization slug or any record JSON; every file is 0600 in a 0700 folder. The same command
    with the same --import-uuid then resumes, lands every record and removes the dead folder."""
    run = _Import(silos, keys, tmp_path, 30_000, seed=8)
    records = json.loads(run.export.path.read_text())
    user = _first(records, "sentry.user")
    slug = _first(records, "sentry.organization")["slug"]
    secrets_ = (user["password"].encode(), user["email"].encode(), user["username"].encode(),
                slug.encode())
    try:
        killed = run.stop_at("sentry.organization: ")  # held still while its files are read
        files = [f for f in killed.rglob("*") if f.is_file()]
        assert (killed / "organizations.jsonl").stat().st_size > 0
        assert (killed / "sentry.user.jsonl").stat().st_size > 0
        assert {oct(f.stat().st_mode & 0o777) for f in files} == {"0o600"}
        assert killed.stat().st_mode & 0o777 == 0o700
        assert _leaks(killed, secrets_ + RECORD_MARKS) == {}
    finally:
        run.proc.kill()
        run.proc.wait(timeout=30)
    assert killed.exists()  # nothing could clean up after SIGKILL
    assert _leaks(killed, secrets_ + RECORD_MARKS) == {}

    again = run.again()
    assert again.returncode == 0, again.stderr
    assert "resumed" in again.stderr
    assert list(run.spill_root.iterdir()) == []
    checked = verify({"control": silos.control_url, "region": silos.region_url},
                     run.export.counts, ImportScope.ORGANIZATION)
    assert checked.ok, checked.to_json()


# --- (b) a sealed spill imports every row ------------------------------------------------------


def test_a_tarball_import_lands_every_row_and_its_values(silos: Silos, keys: KeyPair,
                                                         tmp_path: Path) -> None:
    """Global scope, so users keep their password hashes: every table holds the export's count,
    every reference resolves, and the user and organization values are the export's."""
    export = generate(tmp_path / "export.json", 5_000, seed=9)
    records = json.loads(export.path.read_text())
    tarball = sentry_tarball(tmp_path / "export.tar", export.path.read_bytes(), keys.public_pem)
    run_import(silos, tmp_path, "global", tarball, "--decrypt-with", str(keys.private_path))
    checked = verify({"control": silos.control_url, "region": silos.region_url},
                     export.counts, ImportScope.GLOBAL)
    assert checked.ok, checked.to_json()
    users = {r["fields"]["username"]: r["fields"]["password"]
             for r in records if r["model"] == "sentry.user"}
    assert {r.username: r.password for r in silos.rows(
        "control", "SELECT username, password FROM auth_user")} == users
    slugs = {r["fields"]["slug"] for r in records if r["model"] == "sentry.organization"}
    assert {r.slug for r in silos.rows("region", "SELECT slug FROM sentry_organization")} \
        == slugs


@pytest.mark.parametrize("halves", [ONE_PASS, TWO_HALVES], ids=["one pass", "two halves"])
def test_a_sealed_spill_reads_back_what_the_plain_one_holds(
        halves: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Shuffled records (so every model is merge-sorted, in several runs), spilled in one pass
    or in two processes (the second's files appended): sealed, the files hold no record in
    clear, and entries and batches are exactly the plain spill's."""
    monkeypatch.setattr(source, "PARALLEL_SPILL_BYTES", halves)
    monkeypatch.setattr(storage, "SORT_RUN", 97)
    records = json.loads(generate(tmp_path / "ordered.json", 3_000, seed=2).path.read_text())
    random.Random(4).shuffle(records)
    path = tmp_path / "export.json"
    path.write_text(json.dumps(records, indent=2))
    plain = _spill_plain(path, tmp_path / "plain")
    sealed = _spill_plain(path, tmp_path / "sealed", sealed=True)
    assert sealed.key is not None and plain.key is None
    assert _leaks(sealed.directory, RECORD_MARKS) == {}
    assert sorted(p.name for p in sealed.directory.iterdir()) \
        == sorted(p.name for p in plain.directory.iterdir())
    assert (sealed.counts, sealed.total) == (plain.counts, plain.total)
    assert _read_back(sealed) == _read_back(plain)


def test_imported_organizations_and_large_writes_round_trip_sealed(tmp_path: Path) -> None:
    """organizations.jsonl appended by several writers, and a write over one frame, read back
    whole and in order; the key's repr shows nothing of it."""
    key = SpillKey()
    orgs = SpilledExport(tmp_path, key=key).imported_organizations()
    added = [ImportedOrganization(n, f"slug-{n}", f"Org {n}", 0, f"slug-{n}")
             for n in range(250)]
    for start in range(0, 250, 100):
        orgs.add_organizations(added[start:start + 100])
    assert [org for part in orgs.slices(7) for org in part] == added
    assert b"slug-" not in orgs.path.read_bytes()
    big = os.urandom(storage.FRAME * 2 + 5)
    with open_spill(tmp_path / "big", "wb", key) as out:
        out.write(big)
    with open_spill(tmp_path / "big", "rb", key) as f:
        assert f.read() == big
    assert repr(key) == "SpillKey(<in memory>)"


def test_the_reports_full_lists_wait_sealed_and_stream_out_whole(tmp_path: Path) -> None:
    """A rerun renames every user: the renames wait in the spill, sealed like the records
    (usernames are emails), and come out as the report's JSON array."""
    spilled = SpilledExport(tmp_path, key=SpillKey())
    section = spilled.report_section("renamed_users")
    renames = [[f"user{n}@example.com", f"user{n}@example.com-x"] for n in range(120)]
    section.add(renames[:70])
    section.add(renames[70:])
    assert b"@example.com" not in section.path.read_bytes()
    out = io.BytesIO()
    section.write_array(out, b"")
    assert json.loads(out.getvalue()) == renames
    empty = io.BytesIO()
    spilled.report_section("changed_dsns").write_array(empty, b"  ")
    assert empty.getvalue() == b"[]"


# --- (c) a plain export's spill is unchanged --------------------------------------------------


def test_a_plain_exports_spill_stays_in_clear_in_the_documented_layout(tmp_path: Path) -> None:
    """Each model file of a plain export is its records' lines, pk<TAB>references<TAB>kept
    <TAB>json, nothing more: no framing, no key."""
    path = tmp_path / "export.json"
    records = json.loads(generate(path, 2_000, seed=3).path.read_text())
    spilled = _spill_plain(path, tmp_path / "work")
    assert spilled.key is None
    for model in spilled.counts:
        info = CATALOG.models[model]
        expected = b"".join(
            LINE % (r["pk"],
                    b",".join(b"%d" % r["fields"][name] if r["fields"].get(name) is not None
                              else b"" for name, _ in info.foreign_keys),
                    orjson.dumps([r["pk"], *(r["fields"].get(n) for n in KEEP[model])])
                    if model in KEEP else b"",
                    orjson.dumps({"model": model, "pk": r["pk"], "fields": r["fields"]}))
            for r in records if r["model"] == model)
        assert spilled.path(model).read_bytes() == expected, model


# --- (d) a changed sealed file is refused -----------------------------------------------------


def _tamper_byte(data: bytes) -> bytes:
    """One bit of the first frame's ciphertext flipped."""
    return data[:40] + bytes([data[40] ^ 1]) + data[41:]


def _swap_first_frames(data: bytes) -> bytes:
    first = 17 + int.from_bytes(data[:4], "big")
    second = first + 17 + int.from_bytes(data[first:first + 4], "big")
    return data[first:second] + data[:first] + data[second:]


def _cut_writer(data: bytes) -> bytes:
    """The file without its last (final) frame: a whole frame fewer, at a frame boundary."""
    return data[:-(17 + 16)]


TAMPERINGS = {
    "a flipped bit": (_tamper_byte, "fails its AES-GCM check"),
    "two frames swapped": (_swap_first_frames, "is out of place"),
    "cut at a frame boundary": (_cut_writer, "ends before its writer's last frame"),
    "cut inside a frame": (lambda data: data[:-5], "is cut short"),
    "a forged length": (lambda data: b"\xff\xff\xff\xff" + data[4:], "is out of place"),
}


@pytest.mark.parametrize("name", list(TAMPERINGS))
def test_a_changed_sealed_spill_file_is_refused_not_used(name: str, tmp_path: Path,
                                                         keys: KeyPair) -> None:
    export = generate(tmp_path / "export.json", 3_000, seed=5)
    tarball = sentry_tarball(tmp_path / "export.tar", export.path.read_bytes(), keys.public_pem)
    spilled = _spill_tarball(tarball, keys, tmp_path / "work")
    model = "sentry.organizationmember"
    path = spilled.path(model)
    assert path.stat().st_size > storage._BUFFER  # two frames at least, and the final one
    change, reason = TAMPERINGS[name]
    path.write_bytes(change(path.read_bytes()))
    with pytest.raises(ImportFailure) as failure:
        list(spilled.batches(model, 10_000, MAX_MESSAGE_BYTES))
    assert (failure.value.kind, failure.value.model) == (ErrorKind.DESERIALIZATION_FAILED,
                                                         model)
    assert f"the sealed spill file {path} was changed after it was written" in \
        failure.value.reason
    assert reason in failure.value.reason


def test_an_import_whose_sealed_spill_is_changed_stops_with_one_error(
        silos: Silos, keys: KeyPair, tmp_path: Path) -> None:
    """A sealed spill file changed while the import runs (here the organization auth tokens',
    the last model it reads): exit 1 with the DeserializationFailed error naming the file, no
    traceback, and none of that model's rows written."""
    run = _Import(silos, keys, tmp_path, 10_000, seed=6)
    try:
        directory = run.stop_at("Read ")  # spilled; no model read yet
        path = directory / "sentry.orgauthtoken.jsonl"
        path.write_bytes(_tamper_byte(path.read_bytes()))
        run.proc.send_signal(signal.SIGCONT)
        _, stderr = run.proc.communicate(timeout=300)
    finally:
        run.proc.kill()
        run.proc.wait(timeout=30)
    assert run.proc.returncode == 1, stderr
    assert "Traceback" not in stderr
    assert "Import failed: DeserializationFailed on sentry.orgauthtoken: the sealed spill file " \
           f"{path} was changed after it was written: its frame at byte 0 fails its AES-GCM " \
           "check." in stderr
    assert silos.count("control", "sentry_orgauthtoken") == 0
    assert not directory.exists()
