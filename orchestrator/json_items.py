"""The items of a JSON array read from a stream, in chunks parsed whole where that is safe.

ijson parses item by item; orjson parses a run of records in one call in well under half
the time (figures in docs/performance.md, "orchestrator"). A run can be cut out of the stream
without parsing it wherever records sit on lines of their own, as `sentry export` and most
JSON writers lay them out: a record then opens with a newline, the
first record's indentation and `{"model"` (a raw newline cannot occur inside a JSON string).
Nothing about the cut is trusted: a run that does not parse whole, a file laid out otherwise,
and everything after the last cut (the array's end) are read by ijson, so the items and the
errors are ijson's in every case.

What ijson reads is first scanned for nesting (`_DepthLimited`): ijson keeps a path string per
open level, so its memory grows with the square of the depth, and a small file nested 100,000
levels deep took gigabytes. An item nested deeper than MAX_DEPTH is refused (`TooDeep`) before
ijson reads into it. orjson refuses more than 1,024 levels itself (that run then goes to ijson).

The same scan refuses a lone surrogate escape (`"\\ud800"`, `LoneSurrogate`): orjson refuses
the run that holds one, and ijson's C parser reads it as "?", silently.

And it follows the size of the item being read: one larger than wire.MAX_RECORD_BYTES, which
could not travel to a silo, is refused (`TooLarge`) once that much of it was read, never held
whole. A run is only cut for orjson while its record is within the limit; a longer one is
left to ijson, which measures it.

ijson's C parser reads a token that a read cut short again from its start at every read after
(a 64 MB string took 12.6 s in its 64 KiB reads, 200 MB more than 180 s). So a read that ends
inside a string goes on to the string's end while the item goes on (the string is handed over
whole, up to the limit), and reads grow with the item (up to _LONG_READ) for other tokens:
reading is linear in the size.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from typing import Any, Protocol

import ijson
import orjson

from wire import MAX_RECORD_BYTES

# How a record opens: its brace and its first key.
_RECORD_START = rb'\{\s*"(?:model|pk|fields)"'
_RECORD_LINE = re.compile(rb"\n([ \t]*)" + _RECORD_START)
_BLOCK = 1 << 17
# A stream with no cut in this many bytes is not laid out one record per line, or holds a
# record over the limit: ijson reads it (and measures its items). Room for a record at the
# limit and the line that opens the next one.
_MAX_PENDING = MAX_RECORD_BYTES + (1 << 20)
# What a search for a record's opening (or a cut) looks at again of the bytes it searched before:
# an opening that the end of a read cut short.
_CUT_OVERLAP = 256
_SPACE = b" \t\r\n"
_SPACES = re.compile(rb"[ \t\r\n]*")
# Every digit becomes "0", every other byte a space, to find runs of digits with one search.
_DIGITS = bytes(48 if 48 <= byte <= 57 else 32 for byte in range(256))
_LONG_RUN = b"0" * 19
_BEFORE_A_NUMBER = frozenset(b" \t\r\n:,[")

# The deepest an item may nest (objects and arrays, the item itself one level): far beyond
# anything Sentry writes; records deeper than orjson writes (254) are refused when spilled.
MAX_DEPTH = 512
# A JSON string (escapes included), a bracket, or the quote of a string a read ends in.
_TOKEN = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]|"', re.DOTALL)
_NOT_BRACKETS = bytes(set(range(256)) - set(b"[]{}"))
_SQUARE = bytes.maketrans(b"{}", b"[]")
# What separates items, and the array's own brackets: found in the text between strings.
_STRUCTURE = re.compile(rb"[\[\]{},]")
# The level to the left of each of them, from the level to its right.
_STEP_BACK = {ord("["): -1, ord("{"): -1, ord("]"): 1, ord("}"): 1, ord(","): 0}
# Reads grow with the item being read up to this size (see the module's docstring); smaller
# than the limit, so that an item wholly inside one read is within the limit.
_LONG_READ = 4 << 20
# How much of the start of an item is kept, to name it (model, pk) if it is too large.
_HEAD = 512
# "model" and "pk", in either order, as an item opens.
_MODEL = re.compile(rb'\{\s*(?:"pk"\s*:\s*-?[0-9]+\s*,\s*)?"model"\s*:\s*"([^"\\]{1,200})"')
_PK = re.compile(rb'\{\s*(?:"model"\s*:\s*"[^"\\]*"\s*,\s*)?"pk"\s*:\s*(-?[0-9]{1,19})(?![0-9.eE])')


class TooDeep(ijson.JSONError):
    """An item nests deeper than MAX_DEPTH; the items before it were read."""


class LoneSurrogate(ijson.JSONError):
    """A string escapes half of a UTF-16 surrogate pair (`"\\ud800"`): ijson's C parser
    would read it as "?", silently, and PostgreSQL text cannot hold it; the items before it
    were read."""


class TooLarge(ijson.JSONError):
    """An item is larger than MAX_RECORD_BYTES; the items before it were read. `read` is how
    much of it was read before reading stopped; `model` and `pk` are its own when it opens
    with them."""

    def __init__(self, read: int, head: bytes) -> None:
        super().__init__(f"an item is larger than {MAX_RECORD_BYTES} bytes")
        self.read = read
        model, pk = _MODEL.match(head), _PK.match(head)
        self.model = model.group(1).decode(errors="replace").lower() if model else None
        self.pk = int(pk.group(1)) if pk and -(2**63) <= int(pk.group(1)) < 2**63 else None


# Any \uD800-\uDFFF escape, found fast (a literal start); each is then judged alone:
# a high half needs a low one after it, a low half a high one before it.
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")
_HIGH = re.compile(rb"\\u[dD][89abAB][0-9a-fA-F]{2}")
_LOW = re.compile(rb"\\u[dD][c-fC-F][0-9a-fA-F]{2}")
_PAIR = re.compile(rb"\\u[dD][89abAB][0-9a-fA-F]{2}\\u[dD][c-fC-F][0-9a-fA-F]{2}")
# The start of a low half's escape, cut short by the end of a read (the empty string too).
_LOW_HALF_START = re.compile(rb"(?:\\(?:u(?:[dD](?:[c-fC-F][0-9a-fA-F]?)?)?)?)?")
# What a read keeps of the one before, so that a pair or escape cut by the read is seen whole.
_SURROGATE_TAIL = 16


class Readable(Protocol):
    """What the readers here need of a stream (a file, or a Framed part of one)."""

    def read(self, n: int = -1, /) -> bytes: ...


def record_indent(text: bytes | bytearray, start: int = 0) -> bytes | None:
    """The indentation of the first record in `text` (from `start`) that opens a line of its
    own, if any."""
    found = _RECORD_LINE.search(text, start)
    return None if found is None else bytes(found.group(1))


def record_boundary(indent: bytes) -> re.Pattern[bytes]:
    """Where a record opens on a line of its own with this indentation."""
    return re.compile(rb"\n" + re.escape(indent) + _RECORD_START)


def items(stream: Readable) -> Iterator[Any]:
    """Each item of the JSON array in `stream`, in order, as ijson would give them (integers
    as int, other numbers as float); ijson.JSONError for what is not valid JSON, TooLarge for
    an item larger than MAX_RECORD_BYTES."""
    head, indent = bytearray(), None
    while indent is None and len(head) < _MAX_PENDING:  # the first records may be large
        more = _read_at_least(stream, max(_BLOCK, min(len(head), _MAX_PENDING - len(head))))
        if not more:
            break
        head += more
        indent = record_indent(head, max(0, len(head) - len(more) - _CUT_OVERLAP))
    if indent is None or not head.lstrip().startswith(b"["):
        rest = Framed(stream, head)
        del head  # the prefix is let go of once read
        yield from _ijson_items(rest)
        return
    marker = b"\n" + indent + b"{"
    boundary = record_boundary(indent)
    pending = head.lstrip()  # "[" and the bytes not yet parsed
    del head
    searched = 1  # the bytes before this in `pending` hold no cut
    more = b"-"
    while more:
        more = stream.read(_BLOCK)
        pending += more
        cut = _last_cut(pending, marker, boundary, max(1, searched - _CUT_OVERLAP))
        if cut is None:
            if len(pending) > _MAX_PENDING:
                break
            searched = len(pending)
            continue
        if cut[0] - _first_record(pending) > MAX_RECORD_BYTES:
            break  # a record may be over the limit: ijson measures it
        run = pending[:cut[0]] + b"]"
        try:
            records = orjson.loads(run)
        except orjson.JSONDecodeError:  # a cut inside a record, or JSON ijson must judge
            break
        if _may_hold_a_long_integer(run):  # orjson makes one beyond 64 bits a float
            del records  # and orjson parsed it: no deeper than its limit, nothing to scan
            yield from ijson.items(io.BytesIO(run), "item", use_float=True, buf_size=len(run))
        else:
            yield from records
        pending[:cut[1]] = b"["
        searched = 1
    rest = Framed(stream, pending)
    del pending
    yield from _ijson_items(rest)


def _ijson_items(stream: Any) -> Iterator[Any]:
    limited = _DepthLimited(stream)
    try:
        yield from ijson.items(limited, "item", use_float=True)
    except ijson.JSONError:
        if limited.too_deep:  # the stream was cut where the item went too deep
            raise TooDeep(f"an item nests deeper than {MAX_DEPTH} levels") from None
        if limited.lone_surrogate:  # the stream was cut before the escape
            raise LoneSurrogate(limited.lone_surrogate) from None
        if limited.too_large:  # the stream was cut once the item passed the limit
            raise TooLarge(limited.item, limited.head) from None
        raise


class _DepthLimited:
    """A stream of a JSON array that ends (and says so, `too_deep`) where an item opens its
    MAX_DEPTH + 1st level, so that ijson never holds more levels than that, and (`too_large`)
    once the item being read is larger than MAX_RECORD_BYTES.

    Each read is scanned at the speed of bytes methods: strings are taken out, then the
    brackets left are counted; only when they could reach the limit is their running depth
    followed, and only when it does is the exact cut found, token by token. Likewise, only a
    read whose brackets may come back to the array's level is searched, from its end, for the
    comma where the last item in it begins."""

    def __init__(self, stream: Readable) -> None:
        self.stream = stream
        self.depth = 0  # counting the array: an item's own level is 2
        self.carry = b""  # the unfinished string a read ended in: its quote and any backslash
        self.too_deep = False
        self.tail = b""  # the end of the read before, for escapes a read cuts in two
        self.lone_surrogate = ""  # the escape the stream was cut before, if any
        self.item = 0  # bytes of the item being read, from its first; 0 before it begins
        self.spaces = 0  # the whitespace they end with, outside strings (not the item's)
        self.head = b""  # the first _HEAD bytes of the item, to name it
        self.too_large = False

    def read(self, n: int = -1) -> bytes | bytearray:
        """The next bytes, read on to the end of the string they end in while the item they
        are part of goes on: ijson's parser reads a token cut by a read again from its start
        at every read, so a long string is handed over whole."""
        if n == 0:  # ijson's probe for bytes or text
            return b""
        whole = bytearray()
        while not (self.too_deep or self.lone_surrogate or self.too_large):
            piece, same_item = self._piece(n)
            if self.too_large:
                return b""  # the item began reads ago: every item before it was given
            if not whole and not (piece and self.carry and same_item):
                return piece  # the usual read: one piece, not copied
            whole += piece
            if not (piece and self.carry and same_item):
                break
        return whole

    def _piece(self, n: int) -> tuple[bytes, bool]:
        """The next read of the stream, or the part of it before what ends the stream, and
        whether it is all part of the item being read before."""
        chunk = self.stream.read(n if n < 0 else min(max(n, self.item), _LONG_READ))
        if not chunk:
            return chunk, True
        seen = self.tail + chunk
        self.tail = seen[-_SURROGATE_TAIL:]
        # Rare: non-BMP characters written as escapes. Whole pairs taken out (in C), nothing
        # is left to judge unless a backslash before an escape may be escaped itself.
        if _SURROGATE_ESCAPE.search(seen) and (
                b"\\\\u" in seen or _SURROGATE_ESCAPE.search(_PAIR.sub(b"", seen))):
            chunk = self._before_lone_surrogate(seen, chunk)  # noted: the stream ends
        text = self.carry + chunk
        # Escapes only occur in strings: without them, a string is what lies between quotes.
        # (Each is blanked, not taken out, so that offsets in `plain` are offsets in `text`.)
        plain = text.replace(b"\\\\", b"__").replace(b'\\"', b"__") if b"\\" in text else text
        parts = plain.split(b'"')
        self.carry = b""
        if len(parts) % 2 == 0:  # the read ends in a string
            backslashes = len(text) - len(text.rstrip(b"\\"))
            self.carry = b'"\\' if backslashes % 2 else b'"'
        brackets = b"".join(parts[::2]).translate(_SQUARE, _NOT_BRACKETS)
        opens = brackets.count(b"[")
        if self.depth + opens > MAX_DEPTH + 1 and self._peak(brackets) > MAX_DEPTH + 1:
            return self._cut(text, chunk), False
        start = self.depth
        self.depth += 2 * opens - len(brackets)
        same_item = self._follow(text, chunk, parts,
                                 start if _lowest(brackets, start) <= 1 else None)
        return chunk, same_item

    def _follow(self, text: bytes, chunk: bytes, parts: list[bytes], start: int | None
                ) -> bool:
        """Follow the size of the item being read through `chunk` (`text` is it after the
        carried string start, `parts` that split at quotes), noting `too_large` once it is
        larger than MAX_RECORD_BYTES; whether `chunk` is all part of the item it began in.
        `start`, the level before it, is None when the read never comes back to the array's
        level: it then holds no separator between items."""
        in_string = len(parts) % 2 == 0
        after = None if start is None else _after_last_separator(parts, len(text), self.depth)
        if start is None or after is None:
            self._add(chunk, in_string)
            self.too_large = self.item - self.spaces > MAX_RECORD_BYTES
            return True
        if self.item + len(chunk) > MAX_RECORD_BYTES:  # the item may end past the limit
            self._add(text[len(text) - len(chunk):_first_separator(parts, start)], False)
            self.too_large = self.item - self.spaces > MAX_RECORD_BYTES
            if self.too_large:
                return True
        # Items wholly inside a read are smaller than a read, and reads than the limit.
        self.item, self.spaces, self.head = 0, 0, b""
        self._add(text[after:], in_string)
        return False

    def _add(self, rest: bytes, in_string: bool) -> None:
        """Add `rest` to the item being read (`in_string`: it ends inside a string)."""
        if not self.item:  # the whitespace before an item is not its own
            rest = rest.lstrip(_SPACE)
        self.item += len(rest)
        if len(self.head) < _HEAD:
            self.head += rest[:_HEAD - len(self.head)]
        spaces = 0 if in_string or rest[-1:] not in (b" ", b"\t", b"\r", b"\n") \
            else len(rest) - len(rest.rstrip(_SPACE))
        self.spaces = self.spaces + spaces if spaces == len(rest) else spaces

    def _before_lone_surrogate(self, seen: bytes, chunk: bytes) -> bytes:
        """`chunk`, or the part of it before a lone surrogate escape (then noted); `seen` is
        it after the tail of the read before. A high half whose next bytes may yet begin the
        low half is judged in the next read, from the tail."""
        judged = len(seen) - len(chunk)  # the tail: each escape whole in it was judged
        for found in _SURROGATE_ESCAPE.finditer(seen):
            at = found.start()
            if not _escapes(seen, at):
                continue
            if _HIGH.match(seen, at):
                if _LOW.match(seen, at + 6) or _LOW_HALF_START.fullmatch(seen, at + 6):
                    continue  # a pair, or maybe one: the next read tells
            elif at + 6 <= judged or not _LOW.match(seen, at) or (
                    at >= 6 and _HIGH.match(seen, at - 6) and _escapes(seen, at - 6)):
                continue  # judged, not four hex digits (ijson refuses those), or a pair's half
            self.lone_surrogate = seen[at:at + 6].decode()
            return chunk[:max(0, at - (len(seen) - len(chunk)))]
        return chunk

    def _peak(self, brackets: bytes) -> int:
        """The deepest level `brackets` ("[" opens, "]" closes) reach, or a bound above it:
        each pass takes out the innermost pairs, so the pairs nest as deep as the passes
        made, and what is left opens no more than its "[" count."""
        rest, passes = _reduced(brackets)
        bound = self.depth + rest.count(b"[") + passes
        if bound <= MAX_DEPTH + 1:
            return bound
        depth = peak = self.depth
        for byte in brackets:
            depth += 1 if byte == 91 else -1  # 91 is "["
            peak = max(peak, depth)
        return peak

    def _cut(self, text: bytes, chunk: bytes) -> bytes:
        """`chunk` up to the bracket that opens one level too many (`text` is it after the
        carried string start)."""
        self.too_deep = True
        depth = self.depth
        for token in _TOKEN.finditer(text):
            kind = token.group()
            if kind in (b"[", b"{"):
                depth += 1
                if depth > MAX_DEPTH + 1:
                    return chunk[:max(0, token.start() - (len(text) - len(chunk)))]
            elif kind in (b"]", b"}"):
                depth -= 1
        return chunk


def _escapes(text: bytes, at: int) -> bool:
    """Whether the backslash at `at` starts an escape (it is not itself escaped)."""
    start = at
    while start > 0 and text[start - 1] == 92:  # 92 is a backslash
        start -= 1
    return (at - start) % 2 == 0


def _reduced(brackets: bytes) -> tuple[bytes, int]:
    """`brackets` ("[" opens, "]" closes) with their innermost pairs taken out, pass after
    pass (at most MAX_DEPTH + 1), and the passes made: the pairs nest that deep."""
    passes, rest = 0, brackets
    while b"[]" in rest and passes <= MAX_DEPTH:
        rest, passes = rest.replace(b"[]", b""), passes + 1
    return rest, passes


def _lowest(brackets: bytes, depth: int) -> int:
    """The lowest level `brackets` go down to from `depth`, or a bound below it."""
    if depth - brackets.count(b"]") > 1:
        return depth - brackets.count(b"]")
    return depth - _reduced(brackets)[0].count(b"]")


def _after_last_separator(parts: list[bytes], end: int, depth: int) -> int | None:
    """The offset, in the text `parts` were split from at each quote (`end` bytes long), just
    after the last comma between items or bracket of the array itself; `depth` is the level
    at its end."""
    for index in range(len(parts) - 1, -1, -1):
        start = end - len(parts[index])
        if index % 2 == 0:  # between strings
            for mark in reversed([m.start() for m in _STRUCTURE.finditer(parts[index])]):
                byte = parts[index][mark]
                if depth == (0 if byte in b"]}" else 1):  # the level on its right
                    return start + mark + 1
                depth += _STEP_BACK[byte]
        end = start - 1
    return None


def _first_separator(parts: list[bytes], depth: int) -> int:
    """The offset, in the text `parts` were split from at each quote, of the first comma
    between items or bracket of the array itself; `depth` is the level at its start."""
    start = 0
    for index, part in enumerate(parts):
        if index % 2 == 0:  # between strings
            for mark in _STRUCTURE.finditer(part):
                byte = part[mark.start()]
                if depth == (0 if byte in b"[{" else 1):  # the level on its left
                    return start + mark.start()
                depth -= _STEP_BACK[byte]
        start += len(part) + 1
    return start - 1


def _read_at_least(stream: Readable, size: int) -> bytes:
    parts, got = [], 0
    while got < size and (part := stream.read(size - got)):
        parts.append(part)
        got += len(part)
    return b"".join(parts)


def _last_cut(pending: bytearray, marker: bytes, boundary: re.Pattern[bytes], start: int
              ) -> tuple[int, int] | None:
    """(end of the last whole record, start of the record after it) in `pending`, a JSON
    array's opening and records, looking at records that open from `start` on: the end is
    before the comma between them."""
    at = len(pending)
    for _ in range(8):  # a marker that is not a boundary is rare: stop looking soon
        at = pending.rfind(marker, start, at)
        if at < 0:
            return None
        if boundary.match(pending, at):
            end = at
            while pending[end - 1] in b" \t\r\n":
                end -= 1
            if pending[end - 1] == ord(","):
                return end - 1, at + 1
    return None


def _first_record(pending: bytearray) -> int:
    """Where the first record begins in `pending`, after its "[" and any whitespace."""
    spaces = _SPACES.match(pending, 1)
    return spaces.end() if spaces else 1


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

    def __init__(self, stream: Readable, prefix: bytes | bytearray = b"", suffix: bytes = b"",
                 limit: int | None = None) -> None:
        self.stream, self.prefix, self.suffix, self.left = stream, prefix, suffix, limit
        self.at = 0  # how much of the prefix was read

    def read(self, n: int = -1) -> bytes:
        if n == 0:  # ijson's probe for bytes or text, whose answer it discards
            return b""
        if self.prefix:
            end = len(self.prefix) if n < 0 else self.at + n
            chunk = bytes(memoryview(self.prefix)[self.at:end])
            self.at += len(chunk)
            if self.at == len(self.prefix):
                self.prefix = b""
            return chunk
        if self.left is not None:
            n = self.left if n < 0 else min(n, self.left)
        chunk = self.stream.read(n) if n else b""
        if not chunk:
            chunk, self.suffix = self.suffix, b""
        elif self.left is not None:
            self.left -= len(chunk)
        return chunk
