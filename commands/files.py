"""How commands write the files they are asked for: never half a file, never too readable."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from commands.errors import USAGE, CliError

PRIVATE = 0o600  # exports and plaintexts hold password hashes and secrets


@contextlib.contextmanager
def replacing(dest: Path, mode: int) -> Iterator[BinaryIO]:
    """Write beside `dest` and rename into place, so a failure never leaves half a file."""
    fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".partial")
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as out:
            yield out
        os.replace(tmp, dest)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def check_destination(dest: Path) -> None:
    """Refuse, before any work, a file path the command could not write at the end: a
    directory, a missing or unwritable directory to put it in."""
    if dest.is_dir():
        raise CliError(f"{dest}: is a directory; give the path of the file to write", USAGE)
    parent = dest.parent
    if not parent.is_dir():
        why = "is not a directory" if parent.exists() else "does not exist (create it first)"
        raise CliError(f"{dest}: cannot write it: {parent} {why}", USAGE)
    try:  # the real test (permissions, read-only file systems, ACLs): write beside it
        with tempfile.TemporaryFile(dir=parent):
            pass
    except OSError as exc:
        raise CliError(f"{dest}: cannot write it in {parent} ({exc.strerror}); choose a "
                       "directory you can write to", USAGE) from exc


def public_mode() -> int:
    """The mode a new file gets by the umask (what `open` would give), for what is not secret."""
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o666 & ~mask
