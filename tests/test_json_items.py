"""json_items.items reads a JSON array in runs parsed whole where records sit on lines of their
own, and must give exactly what ijson gives, item for item and error for error, whatever the
layout and wherever its blocks end."""

from __future__ import annotations

import io
import json
import random
import time
import tracemalloc
from pathlib import Path
from typing import Any

import ijson
import pytest

from orchestrator import json_items
from tests.conftest import lookalike_lines_export


def _records() -> list[dict[str, Any]]:
    """Records with what could mislead a cut: nested objects and lists, strings holding
    braces, commas, newlines (escaped) and long digit runs, floats, big and negative
    integers."""
    records: list[dict[str, Any]] = []
    for pk in range(1, 121):
        fields: dict[str, Any] = {
            "name": f"rule {pk}", "data": {"actions": [{"id": "a", "n": pk}, {"id": "b"}]},
            "text": '}, {"model": "x", "pk": 1}\n  {', "token": f"{pk:08d}" + "7" * 24,
            "ratio": pk / 7, "big": 2 ** 53 + pk, "negative": -pk, "flag": pk % 2 == 0,
            "nothing": None, "unicode": "caf\u00e9 \u2603 \U0001f600"}
        records.append({"model": "sentry.rule", "pk": pk, "fields": fields})
    return records


LAYOUTS = {
    "sentry": lambda r: json.dumps(r, indent=2),
    "indent 4, crlf": lambda r: json.dumps(r, indent=4).replace("\n", "\r\n"),
    "a record per line": lambda r: "[\n" + ",\n".join(map(json.dumps, r)) + "\n]\n",
    "a record per line, comma first": lambda r: "[\n" + "\n,".join(map(json.dumps, r)) + "]",
    "one line": json.dumps,
    "blank lines between": lambda r: "[\n\n" + ",\n\n\n".join(map(json.dumps, r)) + "\n\n]  \n",
}


# Layouts whose records open on lines of their own: only the last record is left to ijson.
IN_RUNS = set(LAYOUTS) - {"one line", "a record per line, comma first"}


@pytest.fixture
def by_ijson(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """The items json_items left to ijson, in order."""
    read: list[Any] = []
    ijson_items = json_items._ijson_items

    def counted(stream: Any) -> Any:
        for item in ijson_items(stream):
            read.append(item)
            yield item

    monkeypatch.setattr(json_items, "_ijson_items", counted)
    return read


def _ijson(path: Path) -> list[Any]:
    with path.open("rb") as f:
        return list(ijson.items(f, "item", use_float=True))


def _items(path: Path) -> list[Any]:
    with path.open("rb") as f:
        return list(json_items.items(f))


@pytest.mark.parametrize("block", [64, 1000, 1 << 19])
@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_every_layout_reads_as_ijson_reads_it(layout: str, block: int, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch,
                                              by_ijson: list[Any]) -> None:
    """Blocks smaller than a record, a few records, and the whole file."""
    monkeypatch.setattr(json_items, "_BLOCK", block)
    records = _records()
    path = tmp_path / "export.json"
    path.write_text(LAYOUTS[layout](records), encoding="utf-8")
    assert _items(path) == _ijson(path) == records
    assert by_ijson == (records[-1:] if layout in IN_RUNS else records)


def test_lines_inside_a_record_that_look_like_records_opening(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch
                                                              ) -> None:
    """A cut there leaves a run with unclosed brackets: ijson reads from that run on."""
    monkeypatch.setattr(json_items, "_BLOCK", 256)
    text = lookalike_lines_export(50)
    path = tmp_path / "export.json"
    path.write_text(text)
    assert _items(path) == _ijson(path) == json.loads(text)


@pytest.mark.parametrize("value", [
    2 ** 63 - 1, -(2 ** 63), 2 ** 63, 2 ** 64 - 1, 2 ** 64 + 5, -(2 ** 64), 10 ** 30,
    1.5e300, 12345678901234567890.5])
def test_integers_near_and_beyond_64_bits_read_as_ijson_reads_them(
        value: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """orjson reads an integer beyond 64 bits as a float; ijson refuses it. A run that may
    hold one is read by ijson, so nothing is ever rounded."""
    monkeypatch.setattr(json_items, "_BLOCK", 128)
    records = _records()[:6]
    records[3]["fields"]["value"] = value
    path = tmp_path / "export.json"
    path.write_text(json.dumps(records, indent=2))
    try:
        expected: Any = _ijson(path)
    except ijson.JSONError as exc:
        expected = type(exc)
    try:
        got: Any = _items(path)
    except ijson.JSONError as exc:
        got = type(exc)
    assert got == expected
    if isinstance(got, list):
        assert got[3]["fields"]["value"] == value and type(got[3]["fields"]["value"]) is type(
            value)


@pytest.mark.parametrize(("text", "long_integer"), [
    (b'[{"a": 1234567890123456789}]', True),
    (b'[{"a":-1234567890123456789}]', True),
    (b'[1234567890123456789012]', True),
    (b'[{"a": [1,\n 1234567890123456789]}]', True),
    (b'[{"a": "000000000729394732601"}]', False),  # a token
    (b'[{"a": "x1234567890123456789"}]', False),
    (b'[{"a": 0.12345678901234567890123}]', False),  # only a fraction's digits
    (b'[{"a": 123456789012345678}]', False),  # 18 digits
    (b'[{"a": "d 1234567890123456789", "b": 1}]', True),  # in a string, but read by ijson
])
def test_long_integers_are_told_from_digit_runs_in_strings(text: bytes,
                                                           long_integer: bool) -> None:
    assert json_items._may_hold_a_long_integer(text) is long_integer


@pytest.mark.parametrize("escape, lone", [("\\ud800", True), ("\\udfff", True),
                                          ("\\ud83d\\ude00", False), ("\\\\ud800", False)])
def test_a_lone_surrogate_is_refused_after_the_items_before_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, escape: str, lone: bool) -> None:
    """orjson refuses the run that holds a lone surrogate, and ijson's C parser would read it
    as "?": it is refused, in any read size. A pair, or an escaped backslash before "ud800",
    reads as ijson reads it."""
    monkeypatch.setattr(json_items, "_BLOCK", 200)
    lines = [json.dumps({"model": "sentry.email", "pk": pk, "fields": {"email": f"e{pk}"}})
             for pk in range(1, 30)]
    lines[12] = lines[12].replace('"e13"', f'"e{escape}13"')
    path = tmp_path / "export.json"
    path.write_text("[\n" + ",\n".join(lines) + "\n]")
    if not lone:
        assert _items(path) == _ijson(path)
        return
    got: list[Any] = []
    with path.open("rb") as f, pytest.raises(json_items.LoneSurrogate, match="ud"):
        got.extend(json_items.items(f))
    assert [item["pk"] for item in got] == list(range(1, 13))


@pytest.mark.parametrize("damage", ["truncated", "garbage after", "missing comma",
                                    "not an array"])
def test_damaged_files_fail_as_ijson_fails_them(damage: str, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """The same error after the same number of items (ijson finds no items, and no error, in
    an object)."""
    monkeypatch.setattr(json_items, "_BLOCK", 300)
    text = json.dumps(_records()[:40], indent=2)
    text = {"truncated": text[:len(text) // 2], "garbage after": text + "\n{}",
            "missing comma": _without_comma(text, 30),
            "not an array": '{"model": "sentry.email"}'}[damage]
    path = tmp_path / "export.json"
    path.write_text(text)

    def read(items: Any) -> tuple[int, str]:
        count, error = 0, ""
        with path.open("rb") as f:
            try:
                for _ in items(f):
                    count += 1
            except ijson.JSONError as exc:
                error = str(exc)
        return count, error

    assert read(json_items.items) == read(lambda f: ijson.items(f, "item", use_float=True))


def _without_comma(text: str, after: int) -> str:
    """`text` with the comma after its `after`-th record taken out."""
    parts = text.split("},\n  {")
    return "},\n  {".join(parts[:after]) + "}\n  {" + "},\n  {".join(parts[after:])


@pytest.mark.parametrize(("large", "max_pending"), [(0, 1 << 20), (2, 1000)],
                         ids=["first record", "no cut within the limit"])
def test_a_record_larger_than_a_block(large: int, max_pending: int, tmp_path: Path,
                                      monkeypatch: pytest.MonkeyPatch,
                                      by_ijson: list[Any]) -> None:
    """A large first record: the indentation is learnt from the first record that opens a
    line, however far in. No cut within _MAX_PENDING bytes: ijson reads on, from the first
    byte not yet parsed."""
    monkeypatch.setattr(json_items, "_BLOCK", 100)
    monkeypatch.setattr(json_items, "_MAX_PENDING", max_pending)
    records = _records()[:20]
    records[large]["fields"]["data"] = {"blob": "x" * 5000}
    path = tmp_path / "export.json"
    path.write_text(json.dumps(records, indent=2))
    assert _items(path) == records
    assert by_ijson == (records[-1:] if large == 0 else records[large:])


# --- nesting: refused past MAX_DEPTH before ijson holds the levels ---------------------------


class _Dribble:
    """A stream that answers every read with 1 to 7 bytes: strings, escapes and brackets end
    up split across reads in every way."""

    def __init__(self, data: bytes, seed: int) -> None:
        self.data, self.at, self.random = data, 0, random.Random(seed)

    def read(self, n: int = -1) -> bytes:
        size = 0 if n == 0 else self.random.randint(1, 7)
        chunk = self.data[self.at:self.at + size]
        self.at += len(chunk)
        return chunk


def _nested(depth: int, inner: Any) -> Any:
    for _ in range(depth):
        inner = [inner]
    return inner


@pytest.mark.parametrize("seed", range(40))
def test_nesting_is_followed_through_strings_split_across_reads(seed: int) -> None:
    """Brackets, quotes and backslashes in strings do not count; the item that opens level
    MAX_DEPTH + 1 is refused and every item before it is read."""
    rnd = random.Random(seed)
    records = []
    for pk in range(rnd.randint(1, 5)):
        text = "".join(rnd.choice('[]{}"\\ab\n\u00e9') for _ in range(rnd.randint(0, 30)))
        records.append({"model": "a.b", "pk": pk, "fields": {
            text: _nested(rnd.randint(0, 60), text), "k": {"t": [text]}}})
    deepest = {"model": "a.b", "pk": 99, "fields": {"x": _nested(json_items.MAX_DEPTH - 2, 1)}}
    data = json.dumps([*records, deepest]).encode()
    assert list(json_items.items(_Dribble(data, seed))) == [*records, deepest]
    too_deep = {"model": "a.b", "pk": 99, "fields": {"x": _nested(json_items.MAX_DEPTH - 1, 1)}}
    got: list[Any] = []
    with pytest.raises(json_items.TooDeep):
        got.extend(json_items.items(_Dribble(json.dumps([*records, too_deep]).encode(), seed)))
    assert got == records


def test_an_item_nested_100000_deep_is_refused_in_seconds_and_little_memory() -> None:
    """A 200 KB file nested 100,000 levels took ijson to 23 GB (memory grows with the square
    of the depth); now it is refused at MAX_DEPTH, the items before it read."""
    first = {"model": "a.b", "pk": 1, "fields": {}}
    data = b"[" + json.dumps(first).encode() + b"," + b"[" * 100_000 + b"]" * 100_000 + b"]"
    started = time.monotonic()
    tracemalloc.start()
    got: list[Any] = []
    try:
        with pytest.raises(json_items.TooDeep):
            got.extend(json_items.items(io.BytesIO(data)))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert got == [first]
    assert time.monotonic() - started < 10
    assert peak < 64 << 20
