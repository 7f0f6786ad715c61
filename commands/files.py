"""How commands write the files they are asked for: never half a file, never too readable."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

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


def public_mode() -> int:
    """The mode a new file gets by the umask (what `open` would give), for what is not secret."""
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o666 & ~mask
