"""`relocate backup encrypt|decrypt|keygen`: Sentry's encrypted export tarballs, streamed."""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path

from commands.arguments import Subparsers, public_key
from commands.errors import FAILED, USAGE, CliError
from commands.files import PRIVATE, public_mode, replacing
from orchestrator.crypto import (
    DecryptionError,
    EncryptionError,
    Form,
    detect_form,
    generate_keypair,
    open_export,
    write_encrypted_tarball,
)


def add_parser(sub: Subparsers) -> None:
    backup = sub.add_parser("backup", help="encrypt, decrypt and make keys for Sentry's "
                                           "encrypted export tarballs")
    bsub = backup.add_subparsers(dest="backup_command", required=True)
    # encrypt and decrypt take the same three arguments: a source, a key, a destination.
    for verb, run, help_, src, key, key_file, dest in (
            ("encrypt", encrypt, "encrypt a plain export into Sentry's tarball format",
             "the plain JSON export", "--encrypt-with",
             ("PUBLIC.pem", "RSA public key PEM to encrypt for"), "the tarball to write"),
            ("decrypt", decrypt, "decrypt Sentry's tarball into the plain export",
             "the encrypted tarball", "--decrypt-with",
             ("PRIVATE.pem", "RSA private key PEM (unencrypted)"), "the JSON file to write")):
        p = bsub.add_parser(verb, help=help_)
        p.set_defaults(run=run)
        p.add_argument("--src", type=Path, required=True, help=src)
        p.add_argument(key, type=Path, required=True, metavar=key_file[0], help=key_file[1])
        p.add_argument("dest", type=Path, help=dest)
    keygen = bsub.add_parser("keygen", help="write a new RSA key pair (PEM) for encrypting")
    keygen.set_defaults(run=make_keys)
    keygen.add_argument("private", type=Path, metavar="PRIVATE.pem",
                        help="private key to write (PKCS#8, unencrypted, mode 0600)")
    keygen.add_argument("public", type=Path, metavar="PUBLIC.pem",
                        help="public key to write (SubjectPublicKeyInfo)")
    keygen.add_argument("--bits", type=_key_bits, default=4096,
                        help="RSA modulus size (at least 2048)")


def _key_bits(text: str) -> int:
    try:
        bits = int(text)
    except ValueError:
        bits = 0
    if bits < 2048 or bits > 16384 or bits % 8:
        raise argparse.ArgumentTypeError("give a multiple of 8 from 2048 to 16384")
    return bits


def _source(path: Path) -> Path:
    if not path.is_file():
        raise CliError(f"{path}: no such file", USAGE)
    return path


def encrypt(args: argparse.Namespace) -> int:
    """Sentry's `backup encrypt`, streamed: the bytes of SRC are encrypted exactly as they are."""
    form = detect_form(_source(args.src))
    if form is not Form.JSON:
        what = "already an encrypted tarball" if form is Form.TARBALL else \
            "not a JSON export (it does not start with '[')"
        raise CliError(f"{args.src} is {what}; pass the plain JSON export written by "
                       "`sentry export`.", FAILED)
    public_pem = public_key(args.encrypt_with)
    try:
        with args.src.open("rb") as src, replacing(args.dest, public_mode()) as out:
            write_encrypted_tarball(src, os.fstat(src.fileno()).st_size, public_pem, out)
    except EncryptionError as exc:
        raise CliError(str(exc), FAILED) from exc
    return 0


def decrypt(args: argparse.Namespace) -> int:
    """Sentry's `backup decrypt`, streamed; the plaintext (password hashes, secrets) is 0600."""
    try:
        with open_export(_source(args.src), args.decrypt_with) as plain, \
                replacing(args.dest, PRIVATE) as out:
            shutil.copyfileobj(plain, out, 1 << 20)
    except DecryptionError as exc:
        raise CliError(str(exc), FAILED) from exc
    return 0


def make_keys(args: argparse.Namespace) -> int:
    """A key pair for `--encrypt-with` / `--decrypt-with`; existing files are never replaced."""
    for path in (args.private, args.public):
        if path.exists() or path.is_symlink():
            raise CliError(f"{path} exists; choose another name or remove it first.", FAILED)
    if args.private.resolve() == args.public.resolve():
        raise CliError("give two different files for the private and the public key.", USAGE)
    private_pem, public_pem = generate_keypair(args.bits)
    written: list[Path] = []
    try:
        for path, pem, mode in ((args.private, private_pem, PRIVATE),
                                (args.public, public_pem, public_mode())):
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
            written.append(path)
            with os.fdopen(fd, "wb") as out:
                out.write(pem)
    except OSError as exc:
        for path in written:
            path.unlink(missing_ok=True)
        raise CliError(f"cannot write {exc.filename} ({exc.strerror}); nothing was written.",
                       FAILED) from exc
    print(f"Wrote a {args.bits}-bit RSA private key to {args.private} and its public key to "
          f"{args.public}.", file=sys.stderr)
    return 0
