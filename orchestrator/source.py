"""Read an export as a stream and regroup it by model on disk.

The export is parsed once, as a stream (`json_items`), a large plain file in two halves by
two processes, and each record is appended to its model's spill file (`storage`, which
documents the layout), so any export size needs only constant memory, models may come in any
order (old exports predate newer ordering rules), and unknown models and fields are dropped
here, once, with a count for the report.
"""

from __future__ import annotations

import codecs
import contextlib
import gc
import hashlib
import io
import os
import pickle
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import ijson
import orjson

from orchestrator import json_items
from orchestrator.catalog import Catalog, ModelInfo
from orchestrator.findings import Tally
from orchestrator.json_items import Framed, Readable, record_boundary, record_indent
from orchestrator.storage import (
    LINE,
    SpilledExport,
    SpillKey,
    append_file,
    empty_spill_directory,
    make_spill_directory,
    model_path,
    open_model_file,
    remove_abandoned,
    remove_spill_directory,
    repeated_pk,
    sort_by_pk,
)
from wire import MAX_RECORD_BYTES
from wire.errors import ErrorKind, ImportFailure, cut, shown
from wire.numbers import NumberTooLong, integer_value

INT64 = (-(2**63), 2**63 - 1)
_HASH_READ = 1 << 20


@dataclass(frozen=True)
class Fingerprint:
    """What an import uuid is bound to of its source (silo_engine.binding)."""

    size: int
    sha256: str  # lowercase hex


def fingerprint(path: Path) -> Fingerprint:
    """The size and SHA-256 of the file's bytes: for an encrypted tarball, of the tarball,
    which is what an operator keeps and gives again. One pass of its own, run beside the spill
    (hashlib lets go of the GIL), since the spill reads a large file in two processes."""
    digest = hashlib.sha256()
    size = 0
    buffer = bytearray(_HASH_READ)
    view = memoryview(buffer)
    with path.open("rb", buffering=0) as f:
        while read := f.readinto(buffer):
            digest.update(view[:read])
            size += read
    return Fingerprint(size, digest.hexdigest())


def _fail(reason: str, model: str | None = None, ordinal: int | None = None,
          pk: int | None = None) -> ImportFailure:
    return ImportFailure(ErrorKind.DESERIALIZATION_FAILED, model, reason, ordinal=ordinal,
                         left_pk=pk)


def read_records(stream: Readable, label: str = "the export"
                 ) -> Iterator[tuple[str, int, dict[str, Any]]]:
    """(model, pk, fields) for each record of a JSON array of export records, streamed and
    checked; a DeserializationFailed ImportFailure says which item is wrong."""
    position = 0
    try:
        for record in json_items.items(stream):
            position += 1
            yield record_shape(record, position, label)
    except json_items.TooDeep as exc:
        raise _fail(f"item #{position + 1} of {label} nests deeper than "
                    f"{json_items.MAX_DEPTH} levels of objects and arrays, the most an import "
                    "reads (Sentry writes a few); remove or flatten that record", None,
                    position + 1) from exc
    except json_items.TooLarge as exc:
        raise _fail(f"item #{position + 1} of {label} is larger than {MAX_RECORD_BYTES:,} bytes "
                    f"({MAX_RECORD_BYTES >> 20} MiB), the largest record an import accepts (a "
                    "record travels to its silo in one message); reading stopped after "
                    f"{exc.read:,} bytes of it. Shorten or remove its largest value",
                    exc.model, position + 1, exc.pk) from exc
    except json_items.LoneSurrogate as exc:
        raise _fail(f"item #{position + 1} of {label} holds {exc} in a string, half of a UTF-16 "
                    "surrogate pair without the other half: not a character, and PostgreSQL "
                    "text cannot store it (read as is, it became \"?\"); remove or replace it",
                    None, position + 1) from exc
    except UnicodeDecodeError as exc:  # ijson decodes strings itself, and raises this
        raise _fail(f"{label} is not valid UTF-8 (byte 0x{exc.object[exc.start]:02x} in a string, "
                    f"after item #{position}); Sentry writes exports in UTF-8, so convert it "
                    "(iconv -t UTF-8) or export it again") from exc
    except ijson.JSONError as exc:
        detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        if "integer overflow" in detail:
            raise _fail(f"item #{position + 1} of {label} holds an integer larger than 64 bits, "
                        "which no Sentry column can store") from exc
        raise _fail(f"{label} is not valid JSON ({detail}, after item #{position}). Check that "
                    "the file is complete and "
                    "was written by `sentry export` (not mixed with log output).") from exc


def record_shape(record: Any, position: int,
                 label: str = "the export") -> tuple[str, int, dict[str, Any]]:
    if not isinstance(record, dict):
        raise _fail(f"item #{position} of {label} is not a {{\"model\", \"pk\", \"fields\"}} "
                    "object")
    model = record.get("model")
    if not isinstance(model, str) or "." not in model:
        raise _fail(f"item #{position} of {label} has no valid \"model\" name: {shown(model)}")
    model = model.lower()
    pk = record.get("pk")
    if isinstance(pk, bool) or not isinstance(pk, int) or not INT64[0] <= pk <= INT64[1]:
        raise _fail(f"item #{position} of {label} ({model}) has no 64-bit integer pk: {shown(pk)}",
                    model)
    fields = record.get("fields")
    if not isinstance(fields, dict):
        raise _fail(f"item #{position} of {label} ({model}, pk {pk}) has no \"fields\" "
                    "object", model)
    return model, pk, fields


# Model -> the fields to keep beside each of its records (see SpilledExport).
Keep = Mapping[str, tuple[str, ...]]


def spill(stream: IO[bytes], catalog: Catalog, workdir: Path | None = None,
          keep: Keep | None = None, sealed: bool = False) -> SpilledExport:
    """Stream `stream` (a JSON array of records) into per-model files under a new folder,
    `sealed` (under a new key) when the records must not reach disk in clear.

    A large plain file is read in two halves by two processes (see `split_point`); anything
    else, and any half that fails, is read in one pass, so every error names the item the
    whole file has there.
    """
    head = stream.peek(64)[:64] if hasattr(stream, "peek") else b""
    # A byte order mark, as some editors save UTF-8, is not JSON: it is skipped.
    start = len(codecs.BOM_UTF8) if head.startswith(codecs.BOM_UTF8) else 0
    if head and not head[start:].lstrip().startswith(b"["):
        raise _fail("the export must be a JSON array of records ([{\"model\", \"pk\", "
                    "\"fields\"}, ...])")
    remove_abandoned(workdir)
    directory = make_spill_directory(workdir)
    key = SpillKey() if sealed else None
    try:
        keep = dict(keep or {})
        spilled = _spill_in_two(stream, catalog, directory, start, keep, key)
        if spilled is None:
            stream.read(start)
            spilled = _spill_part(read_records(stream), catalog, directory, keep, key)
        for model in spilled.unsorted:
            sort_by_pk(model_path(directory, model), key)
            pk = repeated_pk(model_path(directory, model), key) \
                if model in catalog.fk_targets else None
            if pk is not None:
                raise _fail(f"the export holds two {model} records with pk {pk}. {_UNIQUE_PKS}",
                            model)
    except BaseException:
        remove_spill_directory(directory)
        raise
    return SpilledExport(directory, spilled.counts, spilled.unknown_models,
                         spilled.dropped_fields, spilled.total, key)


_UNIQUE_PKS = ("Other records point at this model by pk, so which of the two they mean cannot "
               "be known; was the file joined from two exports? Import each export on its own.")


@dataclass
class _Part:
    """What spilling a run of records learned: counts, and each model's first and last pk
    (a model whose pks ever descend must be sorted afterwards)."""

    counts: Counter[str] = field(default_factory=Counter)
    unknown_models: Counter[str] = field(default_factory=Tally)  # bounded: names may be made up
    dropped_fields: Counter[tuple[str, str]] = field(default_factory=Tally)
    total: int = 0
    first: dict[str, int] = field(default_factory=dict)
    last: dict[str, int] = field(default_factory=dict)
    unsorted: set[str] = field(default_factory=set)

    def then(self, later: _Part) -> None:
        """Add `later`, the part of the export that follows this one."""
        for model, pk in later.first.items():
            if pk < self.last.get(model, pk):
                self.unsorted.add(model)
            self.first.setdefault(model, pk)
        self.last.update(later.last)
        self.unsorted |= later.unsorted
        self.counts.update(later.counts)
        self.unknown_models.update(later.unknown_models)
        self.dropped_fields.update(later.dropped_fields)
        self.total += later.total

    def repeats_a_pk(self, later: _Part, models: set[str]) -> bool:
        """Whether `later` opens one of `models` with the pk this part ends it with."""
        return any(self.last.get(model) == pk for model, pk in later.first.items()
                   if model in models)


class _ModelFile:
    """What spilling needs per model, found with one lookup per record."""

    def __init__(self, info: ModelInfo, directory: Path, first_pk: int, referenced: bool,
                 keep: tuple[str, ...], key: SpillKey | None) -> None:
        self.info = info
        self.fields = info.fields
        self.references = tuple(name for name, _ in info.foreign_keys)
        self.keep = keep
        self.referenced = referenced  # some foreign key points at the model: pks must differ
        self.handle = open_model_file(directory, info.name, key=key)
        self.count = 0
        self.first = first_pk
        self.last = first_pk - 1


def _spill_part(records: Iterator[tuple[str, int, dict[str, Any]]], catalog: Catalog,
                directory: Path, keep: Keep, key: SpillKey | None) -> _Part:
    """Append each record to its model's file in `directory` (see `storage`)."""
    part = _Part()
    files: dict[str, _ModelFile] = {}
    # Parsing makes millions of containers that never form a cycle: the collector, woken
    # by every few hundred of them, would only scan the records in hand.
    with _cycle_collection_paused():
        try:
            _spill_records(records, catalog, directory, keep, key, part, files)
        finally:
            for spilled in files.values():
                spilled.handle.close()
    for model, spilled in files.items():
        part.counts[model] = spilled.count
        part.first[model] = spilled.first
        part.last[model] = spilled.last
    return part


def _spill_records(records: Iterator[tuple[str, int, dict[str, Any]]], catalog: Catalog,
                   directory: Path, keep: Keep, key: SpillKey | None, part: _Part,
                   files: dict[str, _ModelFile]) -> None:
    """The loop of `_spill_part`, once per record: `files` gets each model's open file."""
    line_format = LINE
    for model, pk, fields in records:
        part.total += 1
        spilled = files.get(model)
        if spilled is None:
            info = catalog.get(model)
            if info is None:  # a made-up name may be megabytes: counted (and shown) cut
                part.unknown_models[cut(model)] += 1
                continue
            spilled = files[model] = _ModelFile(info, directory, pk,
                                                model in catalog.fk_targets,
                                                keep.get(model, ()), key)
        spilled.count += 1
        kept = fields
        if not fields.keys() <= spilled.fields:  # fields this version of Sentry lacks
            kept = {name: value for name, value in fields.items() if name in spilled.fields}
            for name in fields.keys() - spilled.fields:
                part.dropped_fields[(model, cut(name))] += 1
        references = b""
        if spilled.references:
            values = [kept.get(name) for name in spilled.references]
            if not _PLAIN_REFERENCES.issuperset(map(type, values)):
                kept = _numeric_references(kept, spilled.info)
                values = [kept.get(name) for name in spilled.references]
            references = b",".join([b"%d" % value if type(value) is int else b""
                                    for value in values])
        record = _record_json(model, pk, kept, part.total, spilled.count)
        kept_fields = orjson.dumps([pk, *[kept.get(name) for name in spilled.keep]]) \
            if spilled.keep else b""
        spilled.handle.write(line_format % (pk, references, kept_fields, record))
        if pk <= spilled.last:
            if pk < spilled.last:
                part.unsorted.add(model)
            elif spilled.referenced:
                raise _fail(f"item #{part.total} of the export ({model}, pk {pk}) has "
                            f"the pk of the {model} record before it. {_UNIQUE_PKS}",
                            model, part.total)
        spilled.last = pk


def _record_json(model: str, pk: int, fields: dict[str, Any], item: int, ordinal: int) -> bytes:
    """The record as the import sends it: item #`item` of the export, the model's #`ordinal`.
    One larger than MAX_RECORD_BYTES is refused here, before anything is written: a batch
    must fit a message, and one record always fits one."""
    try:
        record = orjson.dumps({"model": model, "pk": pk, "fields": fields})
    except orjson.JSONEncodeError as exc:  # nested deeper than orjson's 254 levels
        raise _fail(f"item #{item} of the export ({model}, pk {pk}) cannot be imported: {exc}",
                    model, item) from exc
    if len(record) > MAX_RECORD_BYTES:
        raise ImportFailure(
            ErrorKind.VALIDATION_ERROR, model,
            f"item #{item} of the export is {len(record):,} bytes of JSON, over the "
            f"{MAX_RECORD_BYTES:,} bytes one record may have (a batch must fit a gRPC "
            "message); no Sentry record comes near it: check that record",
            ordinal=ordinal, left_pk=pk)
    return record


@contextlib.contextmanager
def _cycle_collection_paused() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


# The types a foreign-key value has when it needs no reading (checked per record, so by type).
_PLAIN_REFERENCES = frozenset({int, type(None)})


def _numeric_references(fields: dict[str, Any], info: ModelInfo) -> dict[str, Any]:
    """`fields` with each foreign key written as a number in a string ("12") made that integer,
    as the silo would read it, so the batch carries the pk-map entry it needs; any other value
    is left for the silo to reject, naming the record."""
    fixed = dict(fields)
    for name, _ in info.foreign_keys:
        try:
            number = integer_value(fixed.get(name))
        except NumberTooLong:  # the silo refuses it, naming the record and the field
            continue
        if number is not None:
            fixed[name] = number
    return fixed


# --- two halves at once -------------------------------------------------------------------

# Below this a second process saves nothing (see docs/performance.md, "orchestrator").
PARALLEL_SPILL_BYTES = 16 << 20
# How far past the middle a record boundary is looked for before giving up.
_SPLIT_SEARCH_BYTES = 16 << 20
_WINDOW = 1 << 20


def split_point(f: IO[bytes], size: int) -> tuple[int, int] | None:
    """Where to cut a plain export near its middle: (end of the first half, start of the
    second), or None.

    The cut goes at a record that opens on a line of its own with the same indentation as
    the first record that does, as `sentry export` and most JSON writers lay records out;
    the comma before it is left out. Nothing here is trusted: a cut that is not between two
    records leaves the first half with unclosed brackets, which its parse rejects.
    """
    f.seek(0)
    indent = record_indent(f.read(_WINDOW))
    if indent is None:  # records are not on lines of their own
        return None
    boundary = record_boundary(indent)
    offset = size // 2
    while offset < min(size, size // 2 + _SPLIT_SEARCH_BYTES):
        f.seek(offset)
        window = f.read(_WINDOW)
        for found in boundary.finditer(window):
            before = window[:found.start()].rstrip()
            if before.endswith(b","):
                return offset + len(before) - 1, offset + found.start() + 1
        if len(window) < _WINDOW:
            break
        offset += len(window) - 64  # overlap: a boundary may straddle two windows
    return None


def _slice(f: IO[bytes], start: int, end: int | None, prefix: bytes, suffix: bytes) -> Framed:
    """Bytes [start, end) of a file (to its end when `end` is None) between a prefix and a
    suffix."""
    f.seek(start)
    return Framed(f, prefix, suffix, None if end is None else end - start)


def _spill_in_two(stream: IO[bytes], catalog: Catalog, directory: Path,
                  start: int, keep: Keep, key: SpillKey | None) -> _Part | None:
    """Spill the two halves of a large plain file (its JSON from byte `start`) at once, the
    second in a child process; None (and `stream` back at its start) when the file is not one,
    has no usable cut, or a half fails to read."""
    try:
        size = os.fstat(stream.fileno()).st_size
        path = stream.name
    except (AttributeError, OSError, io.UnsupportedOperation):
        return None
    if size < PARALLEL_SPILL_BYTES or not isinstance(path, str) or (os.cpu_count() or 1) < 2:
        return None
    halves = split_point(stream, size)
    stream.seek(0)
    if halves is None:
        return None
    second_directory = directory / "second-half"
    second_directory.mkdir(mode=0o700)
    # A fresh interpreter (not fork: the caller may run gRPC threads; not multiprocessing's
    # spawn, which would run the caller's main script again) that knows where this package is.
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, (str(Path(__file__).resolve().parents[1]),
                                                      env.get("PYTHONPATH"))))
    child = subprocess.Popen(
        [sys.executable, "-c", "from orchestrator.source import _spill_second_half as f; f()"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
    assert child.stdin is not None and child.stdout is not None  # both are pipes
    first: _Part | None = None
    second: _Part | None = None
    try:
        with contextlib.suppress(BrokenPipeError), child.stdin:  # a dead child reads nothing
            child.stdin.write(pickle.dumps((os.path.abspath(path), halves[1], catalog,
                                            second_directory, keep, key)))
        with contextlib.suppress(ImportFailure):
            first = _spill_part(read_records(_slice(stream, start, halves[0], b"", b"]")), catalog,
                                directory, keep, key)
        if first is not None:
            answer = child.stdout.read()
            if child.wait() == 0:
                second = pickle.loads(answer)
    finally:
        if first is None:
            child.kill()
        child.wait()
        child.stdout.close()
    stream.seek(0)
    if first is not None and second is not None and first.repeats_a_pk(second,
                                                                       catalog.fk_targets):
        second = None  # a referenced pk repeated across the cut: one pass names the item
    if first is None or second is None:
        empty_spill_directory(directory)
        return None
    for model in second.counts:
        source = model_path(second_directory, model)
        if model in first.counts:
            append_file(source, model_path(directory, model))
        else:
            source.rename(model_path(directory, model))
    second_directory.rmdir()
    first.then(second)
    return first


def _spill_second_half() -> None:
    """The child process of `_spill_in_two`: spill from the cut to the end of the file and
    write the _Part to stdout; exit 1 if that half cannot be read."""
    path, start, catalog, directory, keep, key = pickle.load(sys.stdin.buffer)
    try:
        with open(path, "rb") as f:
            part = _spill_part(read_records(_slice(f, start, None, b"[", b"")), catalog,
                               directory, keep, key)
    except ImportFailure:
        sys.exit(1)
    sys.stdout.buffer.write(pickle.dumps(part))
