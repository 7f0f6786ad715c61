"""Spill files: an export regrouped by model on disk, and what an import keeps there beside it.

An export is read once, as a stream, and each record is appended to its model's file, so any
export size needs only constant memory and models may come in any order. Everything the
import (`source.spill`) and `relocate compare` (`tools.compare.Side`) write on disk is written
and read back here.

On-disk layout of a spill folder (made under the work directory, removed when done):

    <model>.jsonl         one line per record of the model, in ascending pk order:
                              pk<TAB>references<TAB>kept<TAB>json<LF>
                          pk          the record's pk, in decimal;
                          references  the values of the model's foreign-key fields, comma-
                                      separated in the catalog's order, empty where a value is
                                      not an integer (and for a model without foreign keys);
                          kept        a JSON array of the pk and the fields the import reads
                                      the record's answer with (empty for other models);
                          json        the record on one line: {"model", "pk", "fields"} as the
                                      import sends it, or the fields object alone (compare).
                          JSON holds no raw tab or newline inside a string, so the two
                          separators never occur inside a value.
    <model>.pks           (compare) the model's pks as native int64s, ascending: the index a
                          record's ordinal is found in by bisection.
    organizations.jsonl   (import) the organizations it inserted, one JSON array a line
                          [new pk, slug in the export, name, status, slug in the region],
                          appended as their batches are answered.
    second-half/          while a large file is read in two processes: the second's files,
                          appended to the first's afterwards.
    <model>.jsonl.run<N>, <model>.jsonl.sorted
                          while a file whose pks do not ascend is merge-sorted.
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
from array import array
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, NamedTuple

import orjson

# One spilled line, from (pk, references, kept, json): formatted inline by the spill's loop.
LINE = b"%d\t%b\t%b\t%b\n"
# Records per sorted run when a model's records must be put in pk order on disk.
SORT_RUN = 50_000
_BUFFER = 1 << 16


def model_path(directory: Path, model: str, suffix: str = "jsonl") -> Path:
    return directory / f"{model}.{suffix}"


def open_model_file(directory: Path, model: str, mode: str = "ab") -> IO[bytes]:
    """The model's spill file, buffered for appending one line per record."""
    return model_path(directory, model).open(mode, buffering=_BUFFER)


def split_line(line: bytes) -> list[bytes]:
    """[pk, references, kept, json with its newline] of a spilled line."""
    return line.split(b"\t", 3)


def pk_of(line: bytes) -> int:
    """The pk that starts a spilled line."""
    return int(line[:line.index(b"\t")])


def sort_by_pk(path: Path) -> None:
    """Stable external merge sort of a spill file, SORT_RUN lines in memory at a time."""
    runs: list[Path] = []
    with path.open("rb") as f:
        while chunk := list(itertools.islice(f, SORT_RUN)):
            chunk.sort(key=pk_of)
            run = path.with_name(f"{path.name}.run{len(runs)}")
            run.write_bytes(b"".join(chunk))
            runs.append(run)
    merged = path.with_name(path.name + ".sorted")
    with contextlib.ExitStack() as stack:
        files = [stack.enter_context(run.open("rb")) for run in runs]
        lines: Iterator[bytes] = heapq.merge(*files, key=pk_of)
        with merged.open("wb") as out:
            out.writelines(lines)
    merged.replace(path)
    for run in runs:
        run.unlink()


def repeated_pk(path: Path) -> int | None:
    """The first pk a sorted spill file holds twice, if any."""
    with path.open("rb") as f:
        previous = None
        for line in f:
            pk = pk_of(line)
            if pk == previous:
                return pk
            previous = pk
    return None


def write_pk_index(directory: Path, model: str) -> None:
    """Write the model's `.pks` index from its (sorted) spill file."""
    pks = array("q")
    with model_path(directory, model).open("rb") as f, \
            model_path(directory, model, "pks").open("wb") as out:
        for line in f:
            pks.append(pk_of(line))
            if len(pks) >= 8192:
                pks.tofile(out)
                del pks[:]
        pks.tofile(out)


# --- the import's spilled export -------------------------------------------------------------


@dataclass
class SpilledExport:
    """The export regrouped by model (see the layout above), with what reading it learned.

    Batches are sent without parsing their records again to find which pk-map entries they
    need, or to read the fields their answers are read with. Sentry's exporter writes every
    model in pk order; an export that does not is sorted when spilled, so the same records
    always import the same way.
    """

    directory: Path
    counts: Counter[str] = field(default_factory=Counter)
    unknown_models: Counter[str] = field(default_factory=Counter)
    dropped_fields: Counter[tuple[str, str]] = field(default_factory=Counter)
    total: int = 0

    def path(self, model: str) -> Path:
        return model_path(self.directory, model)

    def size(self, model: str) -> int:
        """Bytes of the model's spill file."""
        return self.path(model).stat().st_size if self.counts.get(model) else 0

    def entries(self, model: str) -> Iterator[tuple[bytes, bytes]]:
        """(references, record JSON) for each of the model's records, in ascending pk order."""
        if not self.counts.get(model):
            return
        with self.path(model).open("rb") as f:
            for line in f:
                _, references, _, record = split_line(line.rstrip(b"\n"))
                yield references, record

    def records(self, model: str) -> Iterator[dict[str, Any]]:
        for _, record in self.entries(model):
            yield orjson.loads(record)

    def batches(self, model: str, size: int) -> Iterator[Batch]:
        """The model's records, `size` at a time, in ascending pk order."""
        if not self.counts.get(model):
            return
        references: list[bytes] = []
        kept = bytearray(b"[")
        array_ = bytearray(b"[")
        with self.path(model).open("rb") as f:
            for line in f:
                _, line_references, fields, record = line.split(b"\t", 3)  # split_line, inline
                references.append(line_references)
                if fields:
                    kept += fields
                    kept += b","
                array_ += record  # with its newline: see Batch.of
                if len(references) == size:
                    yield Batch.of(references, kept, array_)
                    references, kept, array_ = [], bytearray(b"["), bytearray(b"[")
        if references:
            yield Batch.of(references, kept, array_)


class Batch(NamedTuple):
    """Records of one model on their way to a request: each record's references (as spilled),
    the JSON array of each record's kept fields (`[]` when the model keeps none) and the JSON
    array of the records, each built in one buffer. A Python object per record (bytes, tuples)
    cost twice the records' own size while a batch was prepared, which was most of what a
    larger batch added to the orchestrator's peak memory."""

    references: list[bytes]
    kept: bytearray
    json_array: bytearray

    @classmethod
    def of(cls, references: list[bytes], kept: bytearray, records: bytearray) -> Batch:
        """The batch, its arrays closed. `kept` holds each record's fields followed by a comma;
        `records` each record followed by the newline that ended its spilled line: JSON has
        no raw newline inside a string, so every newline is a place for a comma, and one
        `replace` puts them all in."""
        if not records.endswith(b"\n"):  # a spill file's last line always has its newline
            records += b"\n"
        array_ = records.replace(b"\n", b",")
        for buffer in (kept, array_):
            if len(buffer) > 1:
                buffer[-1:] = b"]"
            else:
                buffer += b"]"
        return cls(references, kept, array_)


# --- organizations an import inserted --------------------------------------------------------


class ImportedOrganization(NamedTuple):
    new_pk: int
    source_slug: str  # as in the export
    name: str
    status: int
    slug: str  # as the region gave it (unique in the region)


class ImportedOrganizations:
    """The organizations an import inserted, until their slugs are reserved globally: an
    append-only file (appended from one thread, the organization model's), so they do not
    wait in memory for the rest of the import; read back in slices."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def add(self, organizations: list[ImportedOrganization]) -> None:
        if not organizations:
            return
        with self.path.open("ab") as f:
            f.write(b"".join(orjson.dumps(list(org)) + b"\n" for org in organizations))

    def slices(self, size: int) -> Iterator[list[ImportedOrganization]]:
        """Every organization added, in the order added, `size` at a time."""
        if not self.path.exists():  # none was added
            return
        with self.path.open("rb") as f:
            lines = (ImportedOrganization(*orjson.loads(line)) for line in f)
            while part := list(itertools.islice(lines, size)):
                yield part
