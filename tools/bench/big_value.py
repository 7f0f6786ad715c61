"""An export with one record of a chosen size: the reader's limit and its speed on long values
(tests/test_big_values.py, benchmarks/big_values.py).

Three `sentry.option` records; the second holds a string value that makes it exactly the size
asked for, as written. The value is written in pieces, never held whole, so a file far larger
than memory can be made.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

_PIECE = b"ab" * (1 << 19)  # the value's bytes, 1 MiB at a time


def option(pk: int, value: Any) -> dict[str, Any]:
    return {"model": "sentry.option", "pk": pk, "fields": {
        "key": f"bench.big.{pk}", "last_updated": "2023-06-22T00:00:00.000Z",
        "last_updated_by": "unknown", "value": value}}


def _text(record: dict[str, Any], one_line: bool) -> bytes:
    """A record as `sentry export` writes it inside its array (indent 4, itself indented), or
    on one line."""
    if one_line:
        return json.dumps(record).encode()
    return json.dumps(record, indent=4).replace("\n", "\n    ").encode()


def write_big_record_export(path: Path, record_bytes: int, one_line: bool = False,
                            before: int = 0) -> int:
    """Write the export; its second record is `record_bytes` long from its "{" to its "}"
    (after `before` bytes of small records, pks from 4 up, if asked). Returns the length of
    its string value."""
    around = _text(option(2, ""), one_line)
    head, tail = around.split(b'""')
    value_bytes = record_bytes - len(head) - len(tail) - 2
    if value_bytes < 0:
        raise ValueError(f"a record of this layout takes {len(around)} bytes or more")
    between = b", " if one_line else b",\n    "
    with path.open("wb") as out:
        out.write(b"[" if one_line else b"[\n    ")
        out.write(_text(option(1, "before"), one_line) + between)
        pk = 4
        while out.tell() < before:
            out.write(_text(option(pk, f"padding {pk}"), one_line) + between)
            pk += 1
        out.write(head + b'"')
        left = value_bytes
        while left > 0:
            out.write(_PIECE[:left])
            left -= len(_PIECE)
        out.write(b'"' + tail + between + _text(option(3, "after"), one_line))
        out.write(b"]" if one_line else b"\n]\n")
    return value_bytes


def big_value(value_bytes: int) -> str:
    """The value `write_big_record_export` wrote (for a test to compare; this one is whole)."""
    return (_PIECE * (value_bytes // len(_PIECE) + 1))[:value_bytes].decode()
