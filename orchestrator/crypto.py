"""Sentry's encrypted export tarballs, read and written as streams.

The format (spec §2.2): an uncompressed tar holding exactly `export.json` (a Fernet token of the
JSON export), `data.key` (the 44-byte Fernet key, RSA-OAEP-SHA256 encrypted) and `key.pub` (the
PEM SubjectPublicKeyInfo of the wrapping key). `cryptography.fernet.Fernet` needs the whole token
in memory, so the token is handled here with the primitives Fernet itself uses: one streaming
pass checks the HMAC, a second decrypts, so exports of any size need constant memory and nothing
is parsed (let alone written to a silo) before the whole ciphertext is known to be authentic.
A file changed between the passes is caught in the second one: each chunk's CRC32 from the first
pass is compared before the chunk is decrypted (so the parser never sees garbage and the error
names the cause), and the HMAC is checked again before the last plaintext block is released.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import enum
import io
import os
import tarfile
import time
import zlib
from array import array
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import hashes, hmac, serialization
from cryptography.hazmat.primitives.asymmetric import padding as asym_padding
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.padding import PKCS7

EXPORT, DATA_KEY, KEY_PUB = "export.json", "data.key", "key.pub"
MEMBERS = (EXPORT, DATA_KEY, KEY_PUB)  # the order Sentry's writer adds them in
CHUNK = 1 << 20  # base64 characters per read; a multiple of 4 so chunks decode on their own
VERSION = 0x80
HEADER = 1 + 8 + 16  # version, timestamp, IV
TAG = 32  # HMAC-SHA256
BLOCK = 16  # AES block
MAX_DATA_KEY = 1024  # an RSA-8192 ciphertext
MAX_KEY_PUB = 64 * 1024
MAX_KEY_FILE = 1 << 20
MAX_TAR_METADATA = 1 << 20  # pax / GNU long-name headers are read whole by tarfile
TAR_MAGIC_OFFSET = 257
REMAKE = "re-create it with `sentry export --encrypt-with` or `relocate backup encrypt`"
FETCH_AGAIN = "copy or download the complete tarball again"

_OAEP = asym_padding.OAEP(mgf=asym_padding.MGF1(algorithm=hashes.SHA256()),
                          algorithm=hashes.SHA256(), label=None)
_URLSAFE = bytes.maketrans(b"-_", b"+/")


class DecryptionError(Exception):
    """An encrypted export that cannot be read; the message is the one sentence the user sees."""


class EncryptionError(Exception):
    """An export that cannot be encrypted; the message is the one sentence the user sees."""


class Form(enum.Enum):
    JSON = "json"
    TARBALL = "tarball"
    GZIP = "gzip"
    OTHER = "other"


def detect_form(path: Path) -> Form:
    """Tell a plain export from a tarball by content, so nobody has to say which it is."""
    with path.open("rb") as f:
        head = f.read(512)
    if head[TAR_MAGIC_OFFSET:TAR_MAGIC_OFFSET + 5] == b"ustar":
        return Form.TARBALL
    if head.lstrip().startswith(b"["):
        return Form.JSON
    if head.startswith(b"\x1f\x8b"):
        return Form.GZIP
    return Form.OTHER


# --- keys -----------------------------------------------------------------------------------


def public_pem(key: rsa.RSAPublicKey) -> bytes:
    """The one PEM form Sentry compares byte for byte: SubjectPublicKeyInfo."""
    return key.public_bytes(serialization.Encoding.PEM,
                            serialization.PublicFormat.SubjectPublicKeyInfo)


def generate_keypair(bits: int = 4096) -> tuple[bytes, bytes]:
    """A new RSA key pair as (PKCS#8 unencrypted private PEM, SubjectPublicKeyInfo PEM)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    return private, public_pem(key.public_key())


def load_private_key(path: Path) -> rsa.RSAPrivateKey:
    """The RSA private key at `path`, or a DecryptionError saying what is wrong with it."""
    try:
        if path.stat().st_size > MAX_KEY_FILE:
            raise DecryptionError(f"{path} is too large to be a PEM private key; pass the "
                                  "unencrypted RSA private key PEM the export was encrypted for.")
        pem = path.read_bytes()
    except OSError as exc:
        raise DecryptionError(f"Cannot read the private key {path} ({exc.strerror}); check the "
                              "path and its permissions.") from exc
    if b"PUBLIC KEY-----" in pem and b"PRIVATE KEY-----" not in pem:
        raise DecryptionError(f"{path} is a public key; pass the private key whose public half "
                              "the export was encrypted with.")
    try:
        key = serialization.load_pem_private_key(pem, password=None)
    except TypeError as exc:  # cryptography's signal for "this key needs a password"
        raise DecryptionError(f"{path} is encrypted with a passphrase; write an unencrypted copy "
                              f"(openssl pkey -in {path} -out PLAIN.pem) and pass that.") from exc
    except (ValueError, UnsupportedAlgorithm) as exc:
        raise DecryptionError(f"{path} is not a PEM private key that can be loaded; pass the "
                              "unencrypted PKCS#8 or PKCS#1 RSA private key PEM the export was "
                              "encrypted for.") from exc
    if not isinstance(key, rsa.RSAPrivateKey):
        raise DecryptionError(f"{path} holds a {type(key).__name__.removeprefix('_')} key, not "
                              "an RSA private key; pass the RSA private key the export was "
                              "encrypted for.")
    return key


def load_public_key(pem: bytes, label: str = "the public key") -> rsa.RSAPublicKey:
    """The RSA public key in `pem`, or an EncryptionError saying what is wrong with it."""
    if b"PRIVATE KEY-----" in pem:
        raise EncryptionError(f"{label} is a private key; encrypt with its public half "
                              "(`relocate backup keygen` writes both).")
    try:
        key = serialization.load_pem_public_key(pem)
    except (ValueError, UnsupportedAlgorithm) as exc:
        raise EncryptionError(f"{label} is not a PEM public key that can be loaded; pass the "
                              "RSA public key PEM (BEGIN PUBLIC KEY) to encrypt for.") from exc
    if not isinstance(key, rsa.RSAPublicKey):
        raise EncryptionError(f"{label} is not an RSA public key; Sentry's format wraps the data "
                              "key with RSA-OAEP, so pass an RSA public key PEM.")
    return key


# --- the tar container ----------------------------------------------------------------------


class _MetadataTooLarge(tarfile.TarError):
    pass


class _BoundedTarInfo(tarfile.TarInfo):
    """tarfile reads pax and GNU long-name headers whole; refuse huge ones to keep memory flat."""

    def _proc_member(self, tarfile_: tarfile.TarFile) -> tarfile.TarInfo:
        if self.type in (tarfile.XHDTYPE, tarfile.XGLTYPE, tarfile.SOLARIS_XHDTYPE,
                         tarfile.GNUTYPE_LONGNAME, tarfile.GNUTYPE_LONGLINK) \
                and self.size > MAX_TAR_METADATA:
            raise _MetadataTooLarge(f"a {self.size}-byte extended header at byte {self.offset}")
        return super()._proc_member(tarfile_)  # type: ignore[misc]


@dataclass(frozen=True)
class EncryptedTarball:
    """Where the token is, and the two small members, read."""

    export_offset: int
    export_size: int
    encrypted_key: bytes
    public_key_pem: bytes


_KINDS = {tarfile.SYMTYPE: "symbolic link", tarfile.LNKTYPE: "hard link",
          tarfile.DIRTYPE: "directory", tarfile.FIFOTYPE: "FIFO",
          tarfile.CHRTYPE: "character device", tarfile.BLKTYPE: "block device",
          tarfile.GNUTYPE_SPARSE: "sparse file", tarfile.CONTTYPE: "contiguous file"}


def _check_member(member: tarfile.TarInfo, found: dict[str, tarfile.TarInfo], file_size: int,
                  label: str) -> str:
    name = member.name
    if name not in MEMBERS:
        raise DecryptionError(f"{label} holds an unexpected member {name!r}; an encrypted "
                              "export holds exactly export.json, data.key and key.pub, so "
                              f"{REMAKE}.")
    if name in found:
        raise DecryptionError(f"{label} holds {name} twice; an encrypted export holds each "
                              f"member once, so {REMAKE}.")
    if member.type not in (tarfile.REGTYPE, tarfile.AREGTYPE):
        kind = _KINDS.get(member.type, f"member of type {member.type!r}")
        raise DecryptionError(f"{label} holds {name} as a {kind}, not a regular file; "
                              f"{REMAKE}.")
    if member.offset_data + member.size > file_size:
        raise DecryptionError(f"{label} is truncated: {name} ends past the end of the file; "
                              f"{FETCH_AGAIN}.")
    return name


def read_tarball(f: BinaryIO, label: str) -> EncryptedTarball:
    """Check the container holds exactly Sentry's three regular members, whole; read the small two.

    Anything else is refused rather than ignored: a tarball we did not expect is more likely
    damaged or tampered with than a newer format, and the error says so before any work is done.
    """
    file_size = f.seek(0, os.SEEK_END)
    f.seek(0)
    found: dict[str, tarfile.TarInfo] = {}
    try:
        with tarfile.open(fileobj=f, mode="r:", tarinfo=_BoundedTarInfo) as tar:
            for member in tar:
                found[_check_member(member, found, file_size, label)] = member
            end = tar.offset
    except tarfile.TarError as exc:
        raise DecryptionError(f"{label} is not a readable tar archive ({exc}); "
                              f"{FETCH_AGAIN}.") from exc
    missing = [name for name in MEMBERS if name not in found]
    if missing:
        f.seek(end)
        trailer = f.read(tarfile.BLOCKSIZE)
        if len(trailer) < tarfile.BLOCKSIZE or trailer.count(0) != tarfile.BLOCKSIZE:
            raise DecryptionError(f"{label} is truncated or damaged after byte {end} (it lacks "
                                  f"{' and '.join(missing)}); {FETCH_AGAIN}.")
        raise DecryptionError(f"{label} lacks {' and '.join(missing)}; an encrypted export holds "
                              f"exactly export.json, data.key and key.pub, so {REMAKE}.")
    small = {}
    for name, limit in ((DATA_KEY, MAX_DATA_KEY), (KEY_PUB, MAX_KEY_PUB)):
        member = found[name]
        if member.size > limit:
            raise DecryptionError(f"{label} holds a {member.size}-byte {name}, too large for "
                                  f"Sentry's format; {REMAKE}.")
        f.seek(member.offset_data)
        small[name] = f.read(member.size)
    export = found[EXPORT]
    return EncryptedTarball(export.offset_data, export.size, small[DATA_KEY], small[KEY_PUB])


def unwrap_data_key(tarball: EncryptedTarball, private_key: rsa.RSAPrivateKey, label: str,
                    key_label: str) -> bytes:
    """The Fernet key, after checking the private key is the one the export was made for."""
    if public_pem(private_key.public_key()) != tarball.public_key_pem:
        raise DecryptionError(f"The private key {key_label} does not match the public key "
                              f"{label} was encrypted with (its key.pub); pass the private key "
                              "whose public half is that key.pub.")
    try:
        fernet_key = private_key.decrypt(tarball.encrypted_key, _OAEP)
    except ValueError as exc:
        raise DecryptionError(f"data.key in {label} cannot be decrypted with {key_label} "
                              f"although the keys match, so the tarball is damaged; "
                              f"{FETCH_AGAIN}.") from exc
    try:
        if len(fernet_key) != 44 or len(base64.urlsafe_b64decode(fernet_key)) != 32:
            raise ValueError
    except (ValueError, binascii.Error) as exc:
        raise DecryptionError(f"data.key in {label} does not hold a Fernet key, so the tarball "
                              f"was not written by Sentry's encryptor; {REMAKE}.") from exc
    return fernet_key


# --- the Fernet token, streamed ---------------------------------------------------------------


def token_length(plaintext_size: int) -> int:
    """The base64 length of a Fernet token for this many plaintext bytes (PKCS7 always pads)."""
    raw = HEADER + (plaintext_size // BLOCK + 1) * BLOCK + TAG
    return 4 * ((raw + 2) // 3)


def _split_key(fernet_key: bytes) -> tuple[bytes, bytes]:
    key = base64.urlsafe_b64decode(fernet_key)
    return key[:16], key[16:]  # signing, encryption: Fernet's halves


def _member_chunks(f: BinaryIO, offset: int, size: int, label: str) -> Iterator[bytes]:
    f.seek(offset)
    remaining = size
    while remaining:
        chunk = f.read(min(CHUNK, remaining))
        if not chunk:
            raise DecryptionError(f"{label} is truncated: export.json ends past the end of the "
                                  f"file; {FETCH_AGAIN}.")
        remaining -= len(chunk)
        yield chunk


def _changed(label: str) -> DecryptionError:
    return DecryptionError(f"{label} changed while it was being decrypted (it no longer matches "
                           "what was verified); make sure nothing writes to it and run the "
                           "command again.")


def _recorded(chunks: Iterable[bytes], crcs: array) -> Iterator[bytes]:
    """First pass: remember each chunk's CRC32 (4 bytes per MiB read)."""
    for chunk in chunks:
        crcs.append(zlib.crc32(chunk))
        yield chunk


def _unchanged(chunks: Iterable[bytes], crcs: array, label: str) -> Iterator[bytes]:
    """Second pass: each chunk as the first pass saw it, or an error before it is used."""
    count = 0
    for count, chunk in enumerate(chunks, 1):
        if count > len(crcs) or zlib.crc32(chunk) != crcs[count - 1]:
            raise _changed(label)
        yield chunk
    if count != len(crcs):
        raise _changed(label)


def _b64decode(chunks: Iterable[bytes], label: str) -> Iterator[bytes]:
    """Strict url-safe base64, decoded in pieces of whole 4-character groups."""
    pending = b""
    padded = False

    def invalid(why: str) -> DecryptionError:
        return DecryptionError(f"export.json in {label} is not a valid Fernet token ({why}); "
                               f"{FETCH_AGAIN}, or {REMAKE}.")

    for chunk in chunks:
        data = pending + chunk if pending else chunk
        cut = len(data) - len(data) % 4
        pending = data[cut:]
        if not cut:
            continue
        if padded:
            raise invalid("data after the base64 padding")
        part = data[:cut]
        padded = b"=" in part
        try:
            yield binascii.a2b_base64(part.translate(_URLSAFE), strict_mode=True)
        except binascii.Error as exc:
            raise invalid(f"not URL-safe base64: {exc}") from exc
    if pending:
        raise invalid("its length is not a multiple of 4")


class _Token:
    """A decoded token's bytes minus the trailing HMAC, which is kept aside in `tag`."""

    def __init__(self, raw: Iterable[bytes], label: str) -> None:
        self.raw = raw
        self.label = label
        self.tag = b""
        self.length = 0

    def __iter__(self) -> Iterator[bytes]:
        tail = b""
        for chunk in self.raw:
            data = tail + chunk if tail else chunk
            if len(data) <= TAG:
                tail = data
                continue
            body, tail = data[:-TAG], data[-TAG:]
            if self.length == 0 and body[0] != VERSION:
                raise DecryptionError(f"export.json in {self.label} is not a Fernet token of "
                                      f"version 0x80 (its version byte is 0x{body[0]:02x}); "
                                      f"{REMAKE}.")
            self.length += len(body)
            yield body
        self.tag = tail
        if self.length < HEADER + BLOCK or (self.length - HEADER) % BLOCK:
            raise DecryptionError(f"export.json in {self.label} is not a valid Fernet token (a "
                                  f"{self.length + len(tail)}-byte token cannot hold whole AES "
                                  f"blocks); {FETCH_AGAIN}, or {REMAKE}.")


def _mismatch(label: str) -> DecryptionError:
    return DecryptionError(f"export.json in {label} fails its integrity check (HMAC-SHA256 "
                           "mismatch), so it was altered or damaged or data.key belongs to "
                           f"another export; {FETCH_AGAIN}.")


def verify_token(token_b64: Iterable[bytes], fernet_key: bytes, label: str) -> None:
    """First pass: the token's version, shape and HMAC, reading it once and keeping nothing."""
    signing, _ = _split_key(fernet_key)
    mac = hmac.HMAC(signing, hashes.SHA256())
    token = _Token(_b64decode(token_b64, label), label)
    for body in token:
        mac.update(body)
    try:
        mac.verify(token.tag)
    except InvalidSignature as exc:
        raise _mismatch(label) from exc


def decrypt_token(token_b64: Iterable[bytes], fernet_key: bytes, label: str) -> Iterator[bytes]:
    """Second pass: plaintext pieces; the last is held back until the HMAC matches again."""
    signing, encryption = _split_key(fernet_key)
    mac = hmac.HMAC(signing, hashes.SHA256())
    unpadder = PKCS7(BLOCK * 8).unpadder()
    token = _Token(_b64decode(token_b64, label), label)
    head = b""
    decryptor = None
    for body in token:
        mac.update(body)
        if decryptor is None:
            head += body
            if len(head) < HEADER:
                continue
            decryptor = Cipher(algorithms.AES(encryption), modes.CBC(head[9:HEADER])).decryptor()
            body, head = head[HEADER:], b""
        out = unpadder.update(decryptor.update(body))
        if out:
            yield out
    try:
        mac.verify(token.tag)
    except InvalidSignature as exc:
        raise _changed(label) from exc
    assert decryptor is not None  # _Token guarantees a header and at least one block
    try:
        out = unpadder.update(decryptor.finalize()) + unpadder.finalize()
    except ValueError as exc:
        raise DecryptionError(f"export.json in {label} has invalid padding although its HMAC "
                              f"matches, so its writer is broken; {REMAKE}.") from exc
    if out:
        yield out


class IterStream(io.RawIOBase):
    """A read-only raw stream over an iterator of byte pieces (wrap it in io.BufferedReader)."""

    def __init__(self, pieces: Iterator[bytes]) -> None:
        super().__init__()
        self._pieces = pieces
        self._piece = memoryview(b"")
        self._at = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while self._at >= len(self._piece):
            piece = next(self._pieces, None)
            if piece is None:
                return 0
            self._piece, self._at = memoryview(piece), 0
        n = min(len(buffer), len(self._piece) - self._at)
        buffer[:n] = self._piece[self._at:self._at + n]
        self._at += n
        return n


# --- reading an export of either form ---------------------------------------------------------


def _form_error(path: Path, form: Form, decrypt_with: Path | None) -> DecryptionError | None:
    if decrypt_with is None:
        if form is Form.TARBALL:
            return DecryptionError(f"{path} is an encrypted export (a tarball); pass "
                                   "--decrypt-with with the private key PEM it was encrypted "
                                   "for.")
        return None
    if form is Form.JSON:
        return DecryptionError(f"{path} is a plain JSON export, not an encrypted tarball; "
                               "use it as it is, without --decrypt-with.")
    if form is Form.GZIP:
        return DecryptionError(f"{path} is gzip-compressed, not an encrypted export tarball; "
                               "decompress it (gunzip) and pass the .tar inside.")
    if form is Form.OTHER:
        return DecryptionError(f"{path} is not an encrypted export tarball (it has no tar "
                               f"header); pass the tarball written by `sentry export "
                               "--encrypt-with` or `relocate backup encrypt`.")
    return None


def _prepare(f: BinaryIO, path: Path, decrypt_with: Path) -> tuple[EncryptedTarball, bytes]:
    private_key = load_private_key(decrypt_with)
    tarball = read_tarball(f, str(path))
    return tarball, unwrap_data_key(tarball, private_key, str(path), str(decrypt_with))


def check_export(path: Path, decrypt_with: Path | None) -> None:
    """The cheap checks (form, key, container, key match), to fail before any service starts."""
    error = _form_error(path, detect_form(path), decrypt_with)
    if error is not None:
        raise error
    if decrypt_with is not None:
        with path.open("rb") as f:
            _prepare(f, path, decrypt_with)


@contextlib.contextmanager
def open_export(path: Path, decrypt_with: Path | None) -> Iterator[BinaryIO]:
    """A plain-JSON byte stream of either form; a tarball is fully verified before this yields."""
    error = _form_error(path, detect_form(path), decrypt_with)
    if error is not None:
        raise error
    if decrypt_with is None:
        with path.open("rb") as f:
            yield f
        return
    label = str(path)
    with path.open("rb") as f:
        tarball, fernet_key = _prepare(f, path, decrypt_with)

        def token() -> Iterator[bytes]:
            return _member_chunks(f, tarball.export_offset, tarball.export_size, label)

        crcs = array("I")
        verify_token(_recorded(token(), crcs), fernet_key, label)
        pieces = decrypt_token(_unchanged(token(), crcs, label), fernet_key, label)
        plaintext = io.BufferedReader(IterStream(pieces), buffer_size=1 << 16)
        yield plaintext


# --- writing ----------------------------------------------------------------------------------


def _token_pieces(plaintext: BinaryIO, size: int, fernet_key: bytes) -> Iterator[bytes]:
    """version | timestamp | IV | AES-128-CBC(PKCS7(plaintext)) | HMAC, in pieces."""
    signing, encryption = _split_key(fernet_key)
    iv = os.urandom(16)
    mac = hmac.HMAC(signing, hashes.SHA256())
    header = bytes([VERSION]) + int(time.time()).to_bytes(8, "big") + iv
    mac.update(header)
    yield header
    padder = PKCS7(BLOCK * 8).padder()
    encryptor = Cipher(algorithms.AES(encryption), modes.CBC(iv)).encryptor()
    remaining = size
    while remaining:
        chunk = plaintext.read(min(CHUNK, remaining))
        if not chunk:
            raise EncryptionError(f"The plaintext ended {remaining} bytes short of the "
                                  f"{size} bytes announced; make sure nothing writes to it "
                                  "while it is encrypted.")
        remaining -= len(chunk)
        out = encryptor.update(padder.update(chunk))
        mac.update(out)
        yield out
    if plaintext.read(1):
        raise EncryptionError(f"The plaintext is longer than the {size} bytes announced; make "
                              "sure nothing writes to it while it is encrypted.")
    out = encryptor.update(padder.finalize()) + encryptor.finalize()
    mac.update(out)
    yield out
    yield mac.finalize()


def _b64encode(pieces: Iterable[bytes]) -> Iterator[bytes]:
    pending = b""
    for piece in pieces:
        data = pending + piece if pending else piece
        cut = len(data) - len(data) % 3
        pending = data[cut:]
        if cut:
            yield base64.urlsafe_b64encode(data[:cut])
    if pending:
        yield base64.urlsafe_b64encode(pending)


def write_encrypted_tarball(plaintext: BinaryIO, plaintext_size: int, public_key_pem: bytes,
                            out: BinaryIO) -> None:
    """Write Sentry's encrypted tarball of `plaintext_size` bytes from `plaintext` to `out`.

    Streams: the token's length follows from the plaintext's, so the tar header goes first and
    the token follows in pieces with its HMAC last. key.pub is written in the canonical
    SubjectPublicKeyInfo PEM whatever form the key came in, because readers (Sentry's and ours)
    compare it byte for byte with the PEM derived from the private key.
    """
    public_key = load_public_key(public_key_pem)
    spki = public_pem(public_key)
    fernet_key = Fernet.generate_key()
    wrapped = public_key.encrypt(fernet_key, _OAEP)
    token = io.BufferedReader(IterStream(_b64encode(_token_pieces(plaintext, plaintext_size,
                                                                   fernet_key))),
                              buffer_size=CHUNK)
    now = int(time.time())
    with tarfile.open(fileobj=out, mode="w|", format=tarfile.PAX_FORMAT) as tar:
        for name, size, body in ((EXPORT, token_length(plaintext_size), token),
                                 (DATA_KEY, len(wrapped), io.BytesIO(wrapped)),
                                 (KEY_PUB, len(spki), io.BytesIO(spki))):
            info = tarfile.TarInfo(name)
            info.size, info.mtime, info.mode = size, now, 0o644
            tar.addfile(info, body)
        if token.read(1):
            raise AssertionError("token_length() disagrees with the token written")
