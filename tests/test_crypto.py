"""Encrypted exports (Sentry behaviours G): Sentry's tarball format read and written as streams.

Tarballs are built here straight from `cryptography` primitives and `tarfile`, following the
spec (§2.2), never through orchestrator.crypto, so the tests check interoperability rather than
our code agreeing with itself. Imports run the real CLI against real gRPC silos on PostgreSQL.
"""

from __future__ import annotations

import base64
import gzip
import io
import json
import os
import stat
import tarfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import ijson
import pytest
from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import hashes, hmac, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.padding import PKCS7

from orchestrator import crypto
from orchestrator.crypto import DecryptionError, open_export, write_encrypted_tarball
from tests.conftest import Silos, fixture_path, fresh_silos, run_cli

FRESH = "fresh-install.json"
OAEP = padding.OAEP(mgf=padding.MGF1(algorithm=hashes.SHA256()), algorithm=hashes.SHA256(),
                    label=None)
REMAKE = "re-create it with `sentry export --encrypt-with` or `relocate backup encrypt`"
FETCH_AGAIN = "copy or download the complete tarball again"


# --- building Sentry tarballs from primitives --------------------------------------------------


@dataclass(frozen=True)
class KeyPair:
    private: rsa.RSAPrivateKey
    private_path: Path
    public_pem: bytes
    public_path: Path


def make_keypair(directory: Path, name: str) -> KeyPair:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private_path, public_path = directory / f"{name}.pem", directory / f"{name}.pub"
    private_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                               serialization.PrivateFormat.PKCS8,
                                               serialization.NoEncryption()))
    public_pem = key.public_key().public_bytes(serialization.Encoding.PEM,
                                               serialization.PublicFormat.SubjectPublicKeyInfo)
    public_path.write_bytes(public_pem)
    return KeyPair(key, private_path, public_pem, public_path)


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> KeyPair:
    return make_keypair(tmp_path_factory.mktemp("keys"), "mine")


@pytest.fixture(scope="module")
def other_keys(tmp_path_factory: pytest.TempPathFactory) -> KeyPair:
    return make_keypair(tmp_path_factory.mktemp("other-keys"), "theirs")


def fernet_token(key: bytes, plaintext: bytes, version: int = 0x80) -> bytes:
    """A Fernet token assembled by hand, so the version byte can be wrong with a valid HMAC."""
    raw = base64.urlsafe_b64decode(key)
    iv = os.urandom(16)
    padder = PKCS7(128).padder()
    encryptor = Cipher(algorithms.AES(raw[16:]), modes.CBC(iv)).encryptor()
    body = bytes([version]) + int(time.time()).to_bytes(8, "big") + iv + \
        encryptor.update(padder.update(plaintext) + padder.finalize()) + encryptor.finalize()
    mac = hmac.HMAC(raw[:16], hashes.SHA256())
    mac.update(body)
    return base64.urlsafe_b64encode(body + mac.finalize())


def sentry_members(plaintext: bytes, public_pem: bytes,
                   token: Callable[[bytes, bytes], bytes] | None = None) -> list[tuple[str, bytes]]:
    """What Sentry's writer puts in the tarball, in its order."""
    data_key = Fernet.generate_key()
    wrapping = serialization.load_pem_public_key(public_pem)
    assert isinstance(wrapping, rsa.RSAPublicKey)
    encrypted = token(data_key, plaintext) if token else Fernet(data_key).encrypt(plaintext)
    return [("export.json", encrypted), ("data.key", wrapping.encrypt(data_key, OAEP)),
            ("key.pub", public_pem)]


def tar_bytes(members: list[tuple[str, bytes] | tarfile.TarInfo]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for member in members:
            if isinstance(member, tarfile.TarInfo):
                tar.addfile(member)
            else:
                name, body = member
                info = tarfile.TarInfo(name)
                info.size = len(body)
                tar.addfile(info, io.BytesIO(body))
    return buffer.getvalue()


def sentry_tarball(path: Path, plaintext: bytes, public_pem: bytes) -> Path:
    path.write_bytes(tar_bytes(list(sentry_members(plaintext, public_pem))))
    return path


def member_offsets(data: bytes) -> dict[str, tarfile.TarInfo]:
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        return {m.name: m for m in tar.getmembers()}


# --- importing Sentry's tarballs into real silos -----------------------------------------------


def table_counts(silos: Silos) -> dict[str, int]:
    """Rows in every table of both silos (chunk ledgers and replicas included)."""
    counts = {}
    for silo in ("control", "region"):
        tables = [r.table_name for r in silos.rows(
            silo, "SELECT table_name FROM information_schema.tables WHERE table_schema = "
                  "'public' AND table_type = 'BASE TABLE' AND table_name <> 'alembic_version'")]
        for table in tables:
            counts[f"{silo}.{table}"] = silos.count(silo, f'"{table}"')
    return counts


SCOPE_CHECKS = {
    # scope: (users, organizations, user roles, authenticators) that must land
    "users": (3, 0, 0, 0),
    "organizations": (3, 1, 0, 0),
    "config": (3, 0, 1, 0),
    "global": (3, 1, 1, 2),
}


@pytest.mark.parametrize("scope", list(SCOPE_CHECKS))
def test_sentry_tarball_imports_in_every_scope(scope: str, silos: Silos, keys: KeyPair,
                                               tmp_path: Path, pg_admin_url: str,
                                               templates: dict[str, str]) -> None:
    tarball = sentry_tarball(tmp_path / "export.tar", fixture_path(FRESH).read_bytes(),
                             keys.public_pem)
    findings = tmp_path / "findings.json"
    result = silos.relocate("import", scope, tarball, "--decrypt-with", keys.private_path,
                            "--no-prompt", "--findings-file", findings)
    assert result.code == 0, result.stderr
    assert json.loads(findings.read_text()) == []
    users, orgs, roles, authenticators = SCOPE_CHECKS[scope]
    assert silos.count("control", "auth_user") == users
    assert silos.count("region", "sentry_organization") == orgs
    assert silos.count("control", "sentry_userrole") == roles
    assert silos.count("control", "auth_authenticator") == authenticators
    if orgs:
        assert [r.slug for r in silos.rows("region", "SELECT slug FROM sentry_organization")] \
            == ["testing"]
    # Exactly the rows the same export lands when imported as plain JSON.
    with fresh_silos(pg_admin_url, templates) as plain:
        result = plain.relocate("import", scope, fixture_path(FRESH), "--no-prompt", "--silent")
        assert result.code == 0, result.stderr
        assert table_counts(silos) == table_counts(plain)


# --- backup encrypt / decrypt / keygen ---------------------------------------------------------


def test_backup_encrypt_output_decrypts_with_plain_primitives(keys: KeyPair,
                                                              tmp_path: Path) -> None:
    source = fixture_path(FRESH)
    dest = tmp_path / "out.tar"
    result = run_cli(["backup", "encrypt", "--src", str(source), "--encrypt-with",
                      str(keys.public_path), str(dest)])
    assert result.code == 0, result.stderr
    with tarfile.open(dest, "r:") as tar:  # uncompressed
        members = tar.getmembers()
        assert [m.name for m in members] == ["export.json", "data.key", "key.pub"]
        assert all(m.type == tarfile.REGTYPE for m in members)
        body = {m.name: tar.extractfile(m).read() for m in members}  # type: ignore[union-attr]
    assert body["key.pub"] == keys.public_pem
    data_key = keys.private.decrypt(body["data.key"], OAEP)
    assert len(data_key) == 44
    assert body["export.json"].startswith(b"gAAAAA")  # version 0x80, url-safe base64
    assert Fernet(data_key).decrypt(body["export.json"]) == source.read_bytes()


def test_export_encrypt_with_decrypts_with_plain_primitives_to_the_same_json(
        silos: Silos, keys: KeyPair, tmp_path: Path) -> None:
    """`relocate export --encrypt-with` writes Sentry's tarball of exactly the plain export."""
    assert silos.relocate("import", "global", fixture_path(FRESH), "--no-prompt").code == 0
    plain, sealed = tmp_path / "plain.json", tmp_path / "sealed.tar"
    for dest, extra in ((plain, []), (sealed, ["--encrypt-with", str(keys.public_path)])):
        result = silos.relocate("export", "global", dest, *extra)
        assert result.code == 0, result.stderr
        assert stat.S_IMODE(dest.stat().st_mode) == 0o600  # password hashes and secrets
    with tarfile.open(sealed, "r:") as tar:
        body = {m.name: tar.extractfile(m).read() for m in tar.getmembers()}  # type: ignore[union-attr]
    assert list(body) == ["export.json", "data.key", "key.pub"]
    decrypted = Fernet(keys.private.decrypt(body["data.key"], OAEP)).decrypt(body["export.json"])
    assert decrypted == plain.read_bytes()
    assert len(json.loads(decrypted)) == len(json.loads(fixture_path(FRESH).read_text()))
    assert not list(tmp_path.glob("*.partial"))


def test_export_refuses_a_bad_public_key_before_exporting(silos: Silos, tmp_path: Path) -> None:
    bad = tmp_path / "bad.pub"
    bad.write_text("not a key")
    result = silos.relocate("export", "global", tmp_path / "out.tar", "--encrypt-with", bad)
    assert result.code == 1 and "not a PEM public key" in result.stderr
    assert not (tmp_path / "out.tar").exists()


def test_backup_encrypt_writes_key_pub_in_the_canonical_form(keys: KeyPair,
                                                            tmp_path: Path) -> None:
    """Readers compare key.pub byte for byte, so a PKCS#1 public key is written as SPKI."""
    pkcs1 = tmp_path / "pkcs1.pub"
    pkcs1.write_bytes(keys.private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.PKCS1))
    assert pkcs1.read_bytes() != keys.public_pem
    dest = tmp_path / "out.tar"
    result = run_cli(["backup", "encrypt", "--src", str(fixture_path(FRESH)), "--encrypt-with",
                      str(pkcs1), str(dest)])
    assert result.code == 0, result.stderr
    with tarfile.open(dest) as tar:
        assert tar.extractfile("key.pub").read() == keys.public_pem  # type: ignore[union-attr]
    plain = tmp_path / "plain.json"
    assert run_cli(["backup", "decrypt", "--src", str(dest), "--decrypt-with",
                    str(keys.private_path), str(plain)]).code == 0
    assert plain.read_bytes() == fixture_path(FRESH).read_bytes()


def test_backup_encrypt_then_decrypt_round_trips_byte_exactly(tmp_path: Path) -> None:
    private, public = tmp_path / "k.pem", tmp_path / "k.pub"
    assert run_cli(["backup", "keygen", "--bits", "2048", str(private), str(public)]).code == 0
    source = tmp_path / "odd.json"
    # Formatting, key order, non-ASCII and a trailing newline all survive: bytes, not JSON.
    source.write_bytes(b'  [\n{"model":"sentry.option","pk":1,"fields":{"value":"caf\xc3\xa9"'
                       b',"key":"a"}}  ]\r\n\n' + b" " * 5000)
    tarball, plain = tmp_path / "odd.tar", tmp_path / "odd.out.json"
    result = run_cli(["backup", "encrypt", "--src", str(source), "--encrypt-with", str(public),
                      str(tarball)])
    assert result.code == 0, result.stderr
    result = run_cli(["backup", "decrypt", "--src", str(tarball), "--decrypt-with",
                      str(private), str(plain)])
    assert result.code == 0, result.stderr
    assert plain.read_bytes() == source.read_bytes()
    assert stat.S_IMODE(plain.stat().st_mode) == 0o600  # password hashes and secrets inside
    assert not list(tmp_path.glob(".*.partial"))


def test_backup_decrypt_reads_sentry_tarballs(keys: KeyPair, tmp_path: Path) -> None:
    tarball = sentry_tarball(tmp_path / "s.tar", fixture_path(FRESH).read_bytes(),
                             keys.public_pem)
    plain = tmp_path / "s.json"
    result = run_cli(["backup", "decrypt", "--src", str(tarball), "--decrypt-with",
                      str(keys.private_path), str(plain)])
    assert result.code == 0, result.stderr
    assert plain.read_bytes() == fixture_path(FRESH).read_bytes()


def test_backup_encrypt_refuses_what_is_not_a_plain_export(keys: KeyPair,
                                                           tmp_path: Path) -> None:
    tarball = sentry_tarball(tmp_path / "s.tar", b"[]", keys.public_pem)
    dest = tmp_path / "again.tar"
    result = run_cli(["backup", "encrypt", "--src", str(tarball), "--encrypt-with",
                      str(keys.public_path), str(dest)])
    assert result.code == 1
    assert result.stderr.strip() == (f"relocate: {tarball} is already an encrypted tarball; "
                                     "pass the plain JSON export written by `sentry export`.")
    result = run_cli(["backup", "encrypt", "--src", str(fixture_path(FRESH)), "--encrypt-with",
                      str(keys.private_path), str(dest)])
    assert result.code == 1
    assert result.stderr.strip() == (f"relocate: {keys.private_path} is a private key; encrypt "
                                     "with its public half (`relocate backup keygen` writes "
                                     "both).")
    assert not dest.exists() and not list(tmp_path.glob(".*.partial"))


def test_backup_keygen_writes_pkcs8_and_spki_and_never_overwrites(tmp_path: Path) -> None:
    private, public = tmp_path / "new.pem", tmp_path / "new.pub"
    result = run_cli(["backup", "keygen", str(private), str(public)])
    assert result.code == 0, result.stderr
    assert private.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----\n")  # PKCS#8
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    key = serialization.load_pem_private_key(private.read_bytes(), password=None)
    assert isinstance(key, rsa.RSAPrivateKey) and key.key_size == 4096
    assert public.read_bytes() == key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    before = (private.read_bytes(), public.read_bytes())
    again = run_cli(["backup", "keygen", "--bits", "2048", str(private), str(tmp_path / "x")])
    assert again.code == 1
    assert again.stderr.strip() == (f"relocate: {private} exists; choose another name or remove "
                                    "it first.")
    assert (private.read_bytes(), public.read_bytes()) == before
    assert not (tmp_path / "x").exists()
    assert run_cli(["backup", "keygen", "--bits", "1024", str(tmp_path / "a"),
                    str(tmp_path / "b")]).code == 2


# --- the stream reader and writer, at the edges of blocks and chunks ---------------------------


RAW_PER_CHUNK = crypto.CHUNK * 3 // 4  # token bytes per base64 read


def _sizes() -> list[int]:
    """Plaintext sizes whose token ends just before, at and just after a read boundary."""
    sizes = [0, 1, 15, 16, 17, 4096]
    for raw in (RAW_PER_CHUNK - 7, RAW_PER_CHUNK + 9, RAW_PER_CHUNK + 25, RAW_PER_CHUNK + 41):
        sizes.append(raw - crypto.HEADER - crypto.TAG - 1)  # tag split across two reads
    return [*sizes, 2 * crypto.CHUNK + 5]


@pytest.mark.parametrize("size", _sizes())
def test_reader_decrypts_fernet_tokens_of_any_size(size: int, keys: KeyPair,
                                                   tmp_path: Path) -> None:
    plaintext = os.urandom(size)
    tarball = sentry_tarball(tmp_path / "t.tar", plaintext, keys.public_pem)
    with open_export(tarball, keys.private_path) as stream:
        assert stream.read() == plaintext


@pytest.mark.parametrize("size", _sizes())
def test_writer_output_is_a_fernet_token_of_the_announced_length(size: int,
                                                                 keys: KeyPair) -> None:
    plaintext = os.urandom(size)
    out = io.BytesIO()
    write_encrypted_tarball(io.BytesIO(plaintext), size, keys.public_pem, out)
    with tarfile.open(fileobj=io.BytesIO(out.getvalue())) as tar:
        token = tar.extractfile("export.json").read()  # type: ignore[union-attr]
        data_key = keys.private.decrypt(tar.extractfile("data.key").read(), OAEP)  # type: ignore[union-attr]
    assert len(token) == len(Fernet(data_key).encrypt(plaintext))
    assert Fernet(data_key).decrypt(token) == plaintext


def test_writer_refuses_a_plaintext_shorter_or_longer_than_announced(keys: KeyPair) -> None:
    with pytest.raises(crypto.EncryptionError, match="ended 5 bytes short of the 105 bytes"):
        write_encrypted_tarball(io.BytesIO(b"x" * 100), 105, keys.public_pem, io.BytesIO())
    with pytest.raises(crypto.EncryptionError, match="longer than the 99 bytes announced"):
        write_encrypted_tarball(io.BytesIO(b"x" * 100), 99, keys.public_pem, io.BytesIO())


def test_hand_built_tokens_are_real_fernet_tokens() -> None:
    """The helper behind the version-byte case builds what Fernet itself accepts."""
    key = Fernet.generate_key()
    assert Fernet(key).decrypt(fernet_token(key, b"[1, 2]")) == b"[1, 2]"


def test_nothing_is_yielded_before_the_hmac_is_checked(keys: KeyPair, tmp_path: Path) -> None:
    members = sentry_members(b"[" + b'{"a": 1},' * 2000 + b"{}]", keys.public_pem)
    token = bytearray(members[0][1])
    token[len(token) // 2] = ord("A") if token[len(token) // 2] != ord("A") else ord("B")
    tarball = tmp_path / "t.tar"
    tarball.write_bytes(tar_bytes([("export.json", bytes(token)), *members[1:]]))
    entered = False
    with pytest.raises(DecryptionError, match="fails its integrity check"), \
            open_export(tarball, keys.private_path):
        entered = True
    assert not entered


def test_a_tarball_changed_between_the_passes_fails_before_its_end(keys: KeyPair,
                                                                   tmp_path: Path) -> None:
    plaintext = b"[" + b",".join(b'{"n": %d}' % i for i in range(50_000)) + b"]"
    tarball = sentry_tarball(tmp_path / "t.tar", plaintext, keys.public_pem)
    export = member_offsets(tarball.read_bytes())["export.json"]
    with pytest.raises(DecryptionError) as caught, \
            open_export(tarball, keys.private_path) as stream:
        with tarball.open("r+b") as f:  # rewrite one base64 character after verification
            f.seek(export.offset_data + export.size // 2)
            char = f.read(1)
            f.seek(-1, os.SEEK_CUR)
            f.write(b"A" if char != b"A" else b"B")
        for _ in ijson.items(stream, "item"):  # the parser the importer uses
            pass
    assert str(caught.value) == (f"{tarball} changed while it was being decrypted (it no longer "
                                 "matches what was verified); make sure nothing writes to it and "
                                 "run the command again.")


# --- every failure: one sentence, exit 1, one finding, nothing written -------------------------


@dataclass
class Case:
    src: Path
    decrypt_with: Path | None
    message: str


def _tampered(ctx: Ctx) -> Case:
    members = sentry_members(fixture_path(FRESH).read_bytes(), ctx.keys.public_pem)
    token = bytearray(members[0][1])
    i = len(token) // 2
    token[i] = ord("A") if token[i] != ord("A") else ord("B")
    src = ctx.write("tampered.tar", tar_bytes([("export.json", bytes(token)), *members[1:]]))
    return Case(src, ctx.keys.private_path,
                f"export.json in {src} fails its integrity check (HMAC-SHA256 mismatch), so it "
                "was altered or damaged or data.key belongs to another export; "
                f"{FETCH_AGAIN}.")


def _wrong_version(ctx: Ctx) -> Case:
    members = sentry_members(fixture_path(FRESH).read_bytes(), ctx.keys.public_pem,
                             token=lambda key, text: fernet_token(key, text, version=0x81))
    src = ctx.write("v81.tar", tar_bytes(members))
    return Case(src, ctx.keys.private_path,
                f"export.json in {src} is not a Fernet token of version 0x80 (its version byte "
                f"is 0x81); {REMAKE}.")


def _wrong_key(ctx: Ctx) -> Case:
    src = ctx.sentry("mine.tar")
    return Case(src, ctx.other.private_path,
                f"The private key {ctx.other.private_path} does not match the public key {src} "
                "was encrypted with (its key.pub); pass the private key whose public half is "
                "that key.pub.")


def _damaged_data_key(ctx: Ctx) -> Case:
    members = sentry_members(fixture_path(FRESH).read_bytes(), ctx.keys.public_pem)
    wrapped = bytearray(members[1][1])
    wrapped[10] ^= 0xFF
    src = ctx.write("dek.tar", tar_bytes([members[0], ("data.key", bytes(wrapped)),
                                          members[2]]))
    return Case(src, ctx.keys.private_path,
                f"data.key in {src} cannot be decrypted with {ctx.keys.private_path} although "
                f"the keys match, so the tarball is damaged; {FETCH_AGAIN}.")


def _truncated_in_export(ctx: Ctx) -> Case:
    data = ctx.sentry("whole.tar").read_bytes()
    export = member_offsets(data)["export.json"]
    src = ctx.write("cut.tar", data[:export.offset_data + export.size // 2])
    return Case(src, ctx.keys.private_path,
                f"{src} is truncated: export.json ends past the end of the file; "
                f"{FETCH_AGAIN}.")


def _truncated_between_members(ctx: Ctx) -> Case:
    data = ctx.sentry("whole.tar").read_bytes()
    at = member_offsets(data)["data.key"].offset
    src = ctx.write("cut.tar", data[:at])
    return Case(src, ctx.keys.private_path,
                f"{src} is truncated or damaged after byte {at} (it lacks data.key and "
                f"key.pub); {FETCH_AGAIN}.")


def _missing_member(ctx: Ctx) -> Case:
    members = sentry_members(fixture_path(FRESH).read_bytes(), ctx.keys.public_pem)
    src = ctx.write("two.tar", tar_bytes([members[0], members[2]]))
    return Case(src, ctx.keys.private_path,
                f"{src} lacks data.key; an encrypted export holds exactly export.json, data.key "
                f"and key.pub, so {REMAKE}.")


def _extra_member(ctx: Ctx) -> Case:
    members = sentry_members(fixture_path(FRESH).read_bytes(), ctx.keys.public_pem)
    src = ctx.write("four.tar", tar_bytes([*members, ("README", b"hello")]))
    return Case(src, ctx.keys.private_path,
                f"{src} holds an unexpected member 'README'; an encrypted export holds exactly "
                f"export.json, data.key and key.pub, so {REMAKE}.")


def _traversal(ctx: Ctx) -> Case:
    members = sentry_members(fixture_path(FRESH).read_bytes(), ctx.keys.public_pem)
    src = ctx.write("up.tar", tar_bytes([("../export.json", members[0][1]), *members[1:]]))
    return Case(src, ctx.keys.private_path,
                f"{src} holds an unexpected member '../export.json'; an encrypted export holds "
                f"exactly export.json, data.key and key.pub, so {REMAKE}.")


def _symlink(ctx: Ctx) -> Case:
    members = sentry_members(fixture_path(FRESH).read_bytes(), ctx.keys.public_pem)
    link = tarfile.TarInfo("export.json")
    link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
    src = ctx.write("link.tar", tar_bytes([link, *members[1:]]))
    return Case(src, ctx.keys.private_path,
                f"{src} holds export.json as a symbolic link, not a regular file; {REMAKE}.")


def _duplicate(ctx: Ctx) -> Case:
    members = sentry_members(fixture_path(FRESH).read_bytes(), ctx.keys.public_pem)
    src = ctx.write("dup.tar", tar_bytes([*members, members[0]]))
    return Case(src, ctx.keys.private_path,
                f"{src} holds export.json twice; an encrypted export holds each member once, "
                f"so {REMAKE}.")


def _huge_pax_header(ctx: Ctx) -> Case:
    members = sentry_members(fixture_path(FRESH).read_bytes(), ctx.keys.public_pem)
    info = tarfile.TarInfo("export.json")
    info.size = len(members[0][1])
    info.pax_headers = {"comment": "x" * (2 << 20)}
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        tar.addfile(info, io.BytesIO(members[0][1]))
    src = ctx.write("pax.tar", buffer.getvalue())
    return Case(src, ctx.keys.private_path,
                f"{src} is not a readable tar archive (a 2097169-byte extended header at byte "
                f"0); {FETCH_AGAIN}.")


def _gzipped(ctx: Ctx) -> Case:
    src = ctx.write("s.tar.gz", gzip.compress(ctx.sentry("s.tar").read_bytes()))
    return Case(src, ctx.keys.private_path,
                f"{src} is gzip-compressed, not an encrypted export tarball; decompress it "
                "(gunzip) and pass the .tar inside.")


def _plain_with_key(ctx: Ctx) -> Case:
    src = fixture_path(FRESH)
    return Case(src, ctx.keys.private_path,
                f"{src} is a plain JSON export, not an encrypted tarball; use it as it is, "
                "without --decrypt-with.")


def _tarball_without_key(ctx: Ctx) -> Case:
    src = ctx.sentry("s.tar")
    return Case(src, None, f"{src} is an encrypted export (a tarball); pass --decrypt-with with "
                           "the private key PEM it was encrypted for.")


def _garbage_key(ctx: Ctx) -> Case:
    key = ctx.write("garbage.pem", b"-----BEGIN PRIVATE KEY-----\nnot a key\n"
                                   b"-----END PRIVATE KEY-----\n")
    return Case(ctx.sentry("s.tar"), key,
                f"{key} is not a PEM private key that can be loaded; pass the unencrypted PKCS#8 "
                "or PKCS#1 RSA private key PEM the export was encrypted for.")


def _missing_key_file(ctx: Ctx) -> Case:
    key = ctx.directory / "nowhere.pem"
    return Case(ctx.sentry("s.tar"), key,
                f"Cannot read the private key {key} (No such file or directory); check the path "
                "and its permissions.")


def _passphrase_key(ctx: Ctx) -> Case:
    key = ctx.write("locked.pem", ctx.keys.private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"secret")))
    return Case(ctx.sentry("s.tar"), key,
                f"{key} is encrypted with a passphrase; write an unencrypted copy (openssl pkey "
                f"-in {key} -out PLAIN.pem) and pass that.")


def _public_as_private(ctx: Ctx) -> Case:
    return Case(ctx.sentry("s.tar"), ctx.keys.public_path,
                f"{ctx.keys.public_path} is a public key; pass the private key whose public half "
                "the export was encrypted with.")


@dataclass
class Ctx:
    directory: Path
    keys: KeyPair
    other: KeyPair

    def write(self, name: str, data: bytes) -> Path:
        path = self.directory / name
        path.write_bytes(data)
        return path

    def sentry(self, name: str) -> Path:
        return sentry_tarball(self.directory / name, fixture_path(FRESH).read_bytes(),
                              self.keys.public_pem)


CASES: dict[str, Callable[[Ctx], Case]] = {
    "wrong-private-key": _wrong_key, "tampered-ciphertext": _tampered,
    "wrong-version-byte": _wrong_version, "damaged-data-key": _damaged_data_key,
    "truncated-in-export": _truncated_in_export,
    "truncated-between-members": _truncated_between_members,
    "missing-member": _missing_member, "extra-member": _extra_member,
    "path-traversal-name": _traversal, "symlink-export": _symlink,
    "duplicate-member": _duplicate, "huge-pax-header": _huge_pax_header, "gzipped": _gzipped,
    "plain-json-with-key": _plain_with_key, "tarball-without-key": _tarball_without_key,
    "invalid-private-key": _garbage_key, "unreadable-private-key": _missing_key_file,
    "passphrase-private-key": _passphrase_key, "public-key-as-private": _public_as_private,
}


@pytest.fixture(scope="module")
def populated(pg_admin_url: str, templates: dict[str, str]) -> Iterator[Silos]:
    """Silos that already hold an import, so a stray write would show in any table."""
    with fresh_silos(pg_admin_url, templates) as silos:
        result = silos.relocate("import", "global", fixture_path(FRESH), "--no-prompt",
                                "--silent")
        assert result.code == 0, result.stderr
        yield silos


def _one_sentence(text: str) -> bool:
    return text.endswith(".") and ". " not in text and "\n" not in text


@pytest.mark.parametrize("name", list(CASES))
def test_import_failure_is_one_sentence_and_writes_nothing(name: str, populated: Silos,
                                                           keys: KeyPair, other_keys: KeyPair,
                                                           tmp_path: Path) -> None:
    case = CASES[name](Ctx(tmp_path, keys, other_keys))
    assert _one_sentence(case.message), case.message
    before = table_counts(populated)
    assert before["control.auth_user"] and before["region.sentry_organization"]
    findings = tmp_path / "findings.json"
    argv: list[str | Path] = ["import", "global", case.src, "--no-prompt", "--silent",
                              "--findings-file", findings]
    if case.decrypt_with is not None:
        argv += ["--decrypt-with", case.decrypt_with]
    result = populated.relocate(*argv)
    assert result.code == 1
    assert result.stderr.strip() == f"relocate: {case.message}"
    assert findings.read_text() == json.dumps(
        [{"finding": "DecryptionError", "kind": "DecryptionFailed",
          "on": {"model": None, "ordinal": None}, "left_pk": None, "right_pk": None,
          "reason": case.message}], sort_keys=True, ensure_ascii=True, indent=2) + "\n"
    assert table_counts(populated) == before


@pytest.mark.parametrize("name", [n for n in CASES if n != "tarball-without-key"])
def test_backup_decrypt_failure_leaves_no_file(name: str, keys: KeyPair, other_keys: KeyPair,
                                               tmp_path: Path) -> None:
    case = CASES[name](Ctx(tmp_path, keys, other_keys))
    assert case.decrypt_with is not None
    dest = tmp_path / "out" / "plain.json"
    dest.parent.mkdir()
    result = run_cli(["backup", "decrypt", "--src", str(case.src), "--decrypt-with",
                      str(case.decrypt_with), str(dest)])
    assert result.code == 1
    assert result.stderr.strip() == f"relocate: {case.message}"
    assert list(dest.parent.iterdir()) == []
