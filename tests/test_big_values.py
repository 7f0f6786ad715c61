"""Records near and over wire.MAX_RECORD_BYTES (issue 18 §1b): one up to the limit is read whole
in either layout, one over it is refused naming it, once that much of it was read, and never
held whole."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from orchestrator import json_items
from orchestrator.source import read_records
from tests.conftest import ROOT, Silos, run_import
from tests.test_rpc_and_chunks import nothing_anywhere
from tools.bench.big_value import big_value, write_big_record_export
from wire import MAX_RECORD_BYTES
from wire.errors import ErrorKind, ImportFailure

LAYOUTS = {"sentry": False, "one line": True}


def _read(path: Path) -> list[tuple[str, int, dict[str, Any]]]:
    with path.open("rb") as f:
        return list(read_records(f))


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_a_record_at_the_limit_is_read_whole(layout: str, tmp_path: Path) -> None:
    path = tmp_path / "export.json"
    value_bytes = write_big_record_export(path, MAX_RECORD_BYTES, LAYOUTS[layout])
    records = _read(path)
    assert [(model, pk) for model, pk, _ in records] == [("sentry.option", pk) for pk in (1, 2, 3)]
    assert records[1][2]["value"] == big_value(value_bytes)


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_a_record_a_byte_over_the_limit_is_refused_naming_it(layout: str,
                                                            tmp_path: Path) -> None:
    path = tmp_path / "export.json"
    write_big_record_export(path, MAX_RECORD_BYTES + 1, LAYOUTS[layout])
    read: list[tuple[str, int, dict[str, Any]]] = []
    with path.open("rb") as f, pytest.raises(ImportFailure) as refused:
        read.extend(read_records(f))
    assert [(model, pk) for model, pk, _ in read] == [("sentry.option", 1)]
    failure = refused.value
    assert (failure.kind, failure.model, failure.ordinal, failure.left_pk) == (
        ErrorKind.DESERIALIZATION_FAILED, "sentry.option", 2, 2)
    assert failure.reason.startswith(
        "item #2 of the export is larger than 33,554,432 bytes (32 MiB), the largest record an "
        "import accepts")


def test_a_record_at_the_limit_imports(silos: Silos, tmp_path: Path) -> None:
    """The limit is the reader's only: a record of that size goes through the spill, one
    batch and the silo, and lands whole."""
    path = tmp_path / "export.json"
    value_bytes = write_big_record_export(path, MAX_RECORD_BYTES)
    run_import(silos, tmp_path, "global", path)
    (row,) = silos.rows("region", "SELECT value FROM sentry_option WHERE key = 'bench.big.2'")
    assert json.loads(row.value) == big_value(value_bytes)
    assert silos.count("region", "sentry_option") == 3


def _spans(text: str) -> list[tuple[Any, int]]:
    """Each item of a JSON array and its length as written."""
    decoder, at, found = json.JSONDecoder(), text.index("[") + 1, []
    while True:
        while text[at] in " \t\r\n,":
            at += 1
        if text[at] == "]":
            return found
        item, end = decoder.raw_decode(text, at)
        found.append((item, len(text[at:end].encode())))
        at = end


class _Dribble:
    """A stream that answers each read with at most `most` bytes (and fewer, at random)."""

    def __init__(self, data: bytes, rnd: random.Random, most: int) -> None:
        self.data, self.at, self.random, self.most = data, 0, rnd, most

    def read(self, n: int = -1) -> bytes:
        size = self.random.randint(1, self.most)
        chunk = self.data[self.at:self.at + (size if n < 0 else min(n, size))]
        self.at += len(chunk)
        return chunk


@pytest.mark.parametrize("seed", range(60))
def test_the_first_item_over_the_limit_is_refused_whatever_the_layout_and_reads(
        seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """A small limit, items on both sides of it (strings full of quotes, escapes, brackets and
    commas; a bare string item too), each layout the reader tells apart, reads of every size:
    the items before the first one over the limit are read, and it is refused."""
    rnd = random.Random(seed)
    limit = rnd.randint(200, 2000)
    monkeypatch.setattr(json_items, "MAX_RECORD_BYTES", limit)
    monkeypatch.setattr(json_items, "_MAX_PENDING", limit + rnd.randint(1, 300))
    monkeypatch.setattr(json_items, "_LONG_READ", rnd.randint(20, limit))
    monkeypatch.setattr(json_items, "_BLOCK", rnd.randint(16, 400))
    items: list[Any] = []
    for pk in range(rnd.randint(1, 8)):
        text = "".join(rnd.choice('ab,[]{}"\\ \n\u00e9') for _ in range(rnd.randint(0, limit)))
        items.append(text if rnd.random() < 0.2 else
                     {"model": "sentry.x", "pk": pk, "fields": {"v": text, "n": [1, {"q": []}]}})
    layout = seed % 3
    text = (json.dumps(items), json.dumps(items, indent=2),
            "[\n" + ",\n".join(map(json.dumps, items)) + "\n]\n")[layout]
    sizes = [size for _, size in _spans(text)]
    over = next((at for at, size in enumerate(sizes) if size > limit), len(items))
    got: list[Any] = []
    stream = _Dribble(text.encode(), rnd, rnd.choice([7, 100, 5000]))
    if over == len(items):
        got.extend(json_items.items(stream))
    else:
        with pytest.raises(json_items.TooLarge) as refused:
            got.extend(json_items.items(stream))
        item = items[over]
        named = (item["model"], item["pk"]) if isinstance(item, dict) else (None, None)
        assert (refused.value.model, refused.value.pk) == named
    assert got == items[:over], sizes


@pytest.mark.parametrize(("written", "model", "pk"), [
    ('{"pk": 7, "model": "Sentry.Option", "fields": {"value": "%s"}}', "sentry.option", 7),
    ('{"fields": {"model": "a.b", "pk": 1, "value": "%s"}, "model": "a.c", "pk": 7}', None, None),
    ('{"model": "sentry.option", "pk": "7", "fields": {"value": "%s"}}', "sentry.option", None),
])
def test_a_refused_item_is_named_by_the_model_and_pk_it_opens_with(
        written: str, model: str | None, pk: int | None,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(json_items, "MAX_RECORD_BYTES", 100)
    monkeypatch.setattr(json_items, "_LONG_READ", 64)
    data = ("[" + written % ("x" * 200) + "]").encode()
    with pytest.raises(json_items.TooLarge) as refused:
        list(json_items.items(_Dribble(data, random.Random(1), 50)))
    assert (refused.value.model, refused.value.pk) == (model, pk)


def test_a_200_mb_value_is_refused_in_bounded_memory_and_nothing_is_written(
        silos: Silos, tmp_path: Path) -> None:
    """It took minutes to read (ijson read the string again from its start at every read);
    `relocate import` now stops once the record passes the limit, and fails as any import
    does (Sentry's rendering, then one line that says why). The peak is the import's
    own: wait4 in a small parent, since a child keeps the peak of the process it was forked
    from (tools.bench.processes.reap)."""
    export = tmp_path / "export.json"
    write_big_record_export(export, 200 << 20)
    spill_root = tmp_path / "spill"
    spill_root.mkdir()
    measured = ("import os, subprocess, sys\n"
                "child = subprocess.Popen(sys.argv[1:])\n"
                "_, status, usage = os.wait4(child.pid, 0)\n"
                "print(usage.ru_maxrss)\n"
                "sys.exit(os.waitstatus_to_exitcode(status))\n")
    command = [sys.executable, "-c", measured, sys.executable, "-m", "commands.cli", "import",
               "global", str(export), "--no-prompt", "--control", silos.control_address,
               "--region", silos.region_address, "--findings-file", str(tmp_path / "f.json")]
    # Its own session, so that a run that does not stop is killed with the import it waits on.
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          cwd=ROOT, env={**os.environ, "TMPDIR": str(spill_root)},
                          start_new_session=True) as proc:
        try:
            stdout, stderr = proc.communicate(timeout=120)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            raise
    assert proc.returncode == 1, stderr
    assert "Traceback" not in stderr and len(stderr) < 3000, stderr
    assert ("\nImport failed: DeserializationFailed on sentry.option #2 (pk 2): item #2 of the "
            "export is larger than 33,554,432 bytes (32 MiB)") in stderr, stderr
    assert int(stdout) < 200 << 10, f"peak RSS {int(stdout) >> 10} MB"
    nothing_anywhere(silos)
    assert list(spill_root.iterdir()) == []
