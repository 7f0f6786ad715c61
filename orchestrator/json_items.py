"""The items of a JSON array read from a stream, in chunks parsed whole where that is safe.

ijson parses item by item; orjson parses a run of records in one call in well under half
the time (figures in docs/performance.md, "orchestrator"). A run can be cut out of the stream
without parsing it wherever records sit on lines of their own, as `sentry export` and most
JSON writers lay them out: a record then opens with a newline, the
first record's indentation and `{"model"` (a raw newline cannot occur inside a JSON string).
Nothing about the cut is trusted: a run that does not parse whole, a file laid out otherwise,
and everything after the last cut (the array's end) are read by ijson, so the items and the
errors are ijson's in every case.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from typing import Any, Protocol

import ijson
import orjson

# How a record opens: its brace and its first key.
_RECORD_START = rb'\{\s*"(?:model|pk|fields)"'
_BLOCK = 1 << 17
# A stream with no cut in this many bytes is not laid out one record per line: ijson reads it.
_MAX_PENDING = 32 << 20
# Every digit becomes "0", every other byte a space, to find runs of digits with one search.
_DIGITS = bytes(48 if 48 <= byte <= 57 else 32 for byte in range(256))
_LONG_RUN = b"0" * 19
_BEFORE_A_NUMBER = frozenset(b" \t\r\n:,[")


class Readable(Protocol):
    """What the readers here need of a stream (a file, or a Framed part of one)."""

    def read(self, n: int = -1, /) -> bytes: ...


def record_indent(text: bytes) -> bytes | None:
    """The indentation of the first record in `text` that opens a line of its own, if any."""
    found = re.search(rb"\n([ \t]*)" + _RECORD_START, text)
    return None if found is None else found.group(1)


def record_boundary(indent: bytes) -> re.Pattern[bytes]:
    """Where a record opens on a line of its own with this indentation."""
    return re.compile(rb"\n" + re.escape(indent) + _RECORD_START)


def items(stream: Readable) -> Iterator[Any]:
    """Each item of the JSON array in `stream`, in order, as ijson would give them (integers
    as int, other numbers as float); ijson.JSONError for what is not valid JSON."""
    head, indent = b"", None
    while indent is None and len(head) < _MAX_PENDING:  # the first records may be large
        more = _read_at_least(stream, max(_BLOCK, len(head)))
        if not more:
            break
        head += more
        indent = record_indent(head)
    opening = head.lstrip()
    if indent is None or not opening.startswith(b"["):
        yield from _ijson_items(Framed(stream, head))
        return
    marker = b"\n" + indent + b"{"
    boundary = record_boundary(indent)
    pending = bytearray(opening)  # "[" and the bytes not yet parsed
    more = b"-"
    while more:
        more = stream.read(_BLOCK)
        pending += more
        cut = _last_cut(pending, marker, boundary)
        if cut is None:
            if len(pending) > _MAX_PENDING:
                break
            continue
        run = pending[:cut[0]] + b"]"
        try:
            records = orjson.loads(run)
        except orjson.JSONDecodeError:  # a cut inside a record, or JSON ijson must judge
            break
        if _may_hold_a_long_integer(run):  # orjson makes one beyond 64 bits a float
            del records
            yield from _ijson_items(io.BytesIO(run))
        else:
            yield from records
        pending[:cut[1]] = b"["
    yield from _ijson_items(Framed(stream, bytes(pending)))


def _ijson_items(stream: Any) -> Iterator[Any]:
    return ijson.items(stream, "item", use_float=True)


def _read_at_least(stream: Readable, size: int) -> bytes:
    parts, got = [], 0
    while got < size and (part := stream.read(size - got)):
        parts.append(part)
        got += len(part)
    return b"".join(parts)


def _last_cut(pending: bytearray, marker: bytes, boundary: re.Pattern[bytes]
              ) -> tuple[int, int] | None:
    """(end of the last whole record, start of the record after it) in `pending`, a JSON
    array's opening and records: the end is before the comma between them."""
    at = len(pending)
    for _ in range(8):  # a marker that is not a boundary is rare: stop looking soon
        at = pending.rfind(marker, 1, at)
        if at < 0:
            return None
        if boundary.match(pending, at):
            end = at
            while pending[end - 1] in b" \t\r\n":
                end -= 1
            if pending[end - 1] == ord(","):
                return end - 1, at + 1
    return None


def _may_hold_a_long_integer(text: bytes | bytearray) -> bool:
    """Whether `text` may hold an integer of 19 or more digits, which only ijson reads as the
    import expects (an error beyond 64 bits). Digit runs in strings (tokens, hashes) are told
    apart from numbers by the byte before them."""
    digits = text.translate(_DIGITS)
    at = digits.find(_LONG_RUN)
    while at > 0:  # the run starts at `at`: the search found its first 19 digits
        before = text[at - 1]
        if before == ord("-"):
            before = text[at - 2]
        if before in _BEFORE_A_NUMBER:
            return True
        at = digits.find(_LONG_RUN, digits.find(b" ", at))
    return at == 0


class Framed:
    """`prefix`, then the rest of `stream` (at most `limit` bytes of it), then `suffix`, read
    like one file: half an export made into a whole JSON array, or what is left of one."""

    def __init__(self, stream: Readable, prefix: bytes = b"", suffix: bytes = b"",
                 limit: int | None = None) -> None:
        self.stream, self.prefix, self.suffix, self.left = stream, prefix, suffix, limit

    def read(self, n: int = -1) -> bytes:
        if n == 0:  # ijson's probe for bytes or text, whose answer it discards
            return b""
        if self.prefix:
            chunk, self.prefix = self.prefix, b""
            return chunk
        if self.left is not None:
            n = self.left if n < 0 else min(n, self.left)
        chunk = self.stream.read(n) if n else b""
        if not chunk:
            chunk, self.suffix = self.suffix, b""
        elif self.left is not None:
            self.left -= len(chunk)
        return chunk
