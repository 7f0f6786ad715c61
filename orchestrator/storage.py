"""Spill files: an export regrouped by model on disk, and what an import keeps there beside it.

An export is read once, as a stream, and each record is appended to its model's file, so any
export size needs only constant memory and models may come in any order. Everything the
import (`source.spill`) and `relocate compare` (`tools.compare.Side`) write on disk is written
and read back here.

On-disk layout of a spill folder (made under the work directory, mode 0700, removed when done;
every file in it is 0600: it holds the export's plaintext, credentials included):

    owner                 the pid of the process that made the folder and that process's start
                          time (`<pid> <start>`): a folder whose process is gone (kill -9) is
                          removed by the next import (`remove_abandoned`).
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
import os
import shutil
import tempfile
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
SPILL_PREFIX = "relocate-spill-"
OWNER = "owner"


def _private(path: str, flags: int) -> int:
    """`open`'s opener for a spill file: created 0600, whatever the umask allows."""
    return os.open(path, flags, 0o600)


def private_open(path: Path, mode: str, buffering: int = -1) -> IO[bytes]:
    """A spill file opened in binary `mode`; if it is created, only its owner may read it."""
    return open(path, mode, buffering=buffering, opener=_private)


def model_path(directory: Path, model: str, suffix: str = "jsonl") -> Path:
    return directory / f"{model}.{suffix}"


def open_model_file(directory: Path, model: str, mode: str = "ab") -> IO[bytes]:
    """The model's spill file, buffered for appending one line per record."""
    return private_open(model_path(directory, model), mode, _BUFFER)


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
            with private_open(run, "wb") as out:
                out.write(b"".join(chunk))
            runs.append(run)
    merged = path.with_name(path.name + ".sorted")
    with contextlib.ExitStack() as stack:
        files = [stack.enter_context(run.open("rb")) for run in runs]
        lines: Iterator[bytes] = heapq.merge(*files, key=pk_of)
        with private_open(merged, "wb") as out:
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
            private_open(model_path(directory, model, "pks"), "wb") as out:
        for line in f:
            pks.append(pk_of(line))
            if len(pks) >= 8192:
                pks.tofile(out)
                del pks[:]
        pks.tofile(out)


# --- spill folders and their owners ---------------------------------------------------------


def make_spill_directory(workdir: Path | None) -> Path:
    """A new spill folder (0700) under `workdir` (the temporary directory when None), marked
    with this process as its owner."""
    directory = Path(tempfile.mkdtemp(prefix=SPILL_PREFIX, dir=workdir))
    with private_open(directory / OWNER, "wb") as out:
        out.write(b"%d %d" % (os.getpid(), _started(os.getpid()) or 0))
    return directory


def empty_spill_directory(directory: Path) -> None:
    """Remove everything a spill folder holds but its owner mark."""
    for entry in directory.iterdir():
        if entry.is_dir():
            shutil.rmtree(entry)
        elif entry.name != OWNER:
            entry.unlink()


def remove_abandoned(workdir: Path | None) -> list[Path]:
    """Remove the spill folders under `workdir` whose owner process is gone (killed with
    SIGKILL, or the machine stopped): they hold plaintext nobody will delete. A folder with no
    owner mark (being made, or made by an older version) is left alone; a pid that was reused
    is told apart by its process's start time. Returns the folders removed."""
    root = Path(workdir or tempfile.gettempdir())
    removed = []
    for directory in root.glob(SPILL_PREFIX + "*"):
        try:
            pid, started = map(int, (directory / OWNER).read_bytes().split())
        except (OSError, ValueError):
            continue
        if not _alive(pid, started):
            shutil.rmtree(directory, ignore_errors=True)
            removed.append(directory)
    return removed


def _alive(pid: int, started: int) -> bool:
    """Whether process `pid` runs and is the one that started at `started` (0: unknown)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process: alive, and not ours to judge
    now = _started(pid)
    return not (started and now and now != started)


def _started(pid: int) -> int | None:
    """The process's start time in clock ticks since boot (Linux's /proc), None elsewhere."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_bytes()
    except OSError:
        return None
    # The command name (field 2) may hold spaces and parentheses: count from its last ")".
    return int(stat[stat.rindex(b")") + 2:].split()[19])


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

    def batches(self, model: str, size: int, budget: int, overhead: int = 0) -> Iterator[Batch]:
        """The model's records in ascending pk order, `size` at a time, or fewer where one more
        would take the batch past `budget` bytes: each record costs its JSON and a comma, and
        `overhead` for what else it adds to a request (its pk-map entries). A record over the
        budget goes alone. Only the spill file and these numbers decide the cut, so a resume
        cuts the same file as the first run did (the silos' ledgers check exact ordinals)."""
        if not self.counts.get(model):
            return
        references: list[bytes] = []
        kept = bytearray(b"[")
        array_ = bytearray(b"[")
        cost = 0
        with self.path(model).open("rb") as f:
            for line in f:
                _, line_references, fields, record = line.split(b"\t", 3)  # split_line, inline
                cost += len(record) + overhead
                if cost > budget and references:
                    yield Batch.of(references, kept, array_)
                    references, kept, array_ = [], bytearray(b"["), bytearray(b"[")
                    cost = len(record) + overhead
                references.append(line_references)
                if fields:
                    kept += fields
                    kept += b","
                array_ += record  # with its newline: see Batch.of
                if len(references) == size:
                    yield Batch.of(references, kept, array_)
                    references, kept, array_ = [], bytearray(b"["), bytearray(b"[")
                    cost = 0
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
        with private_open(self.path, "ab") as f:
            f.write(b"".join(orjson.dumps(list(org)) + b"\n" for org in organizations))

    def slices(self, size: int) -> Iterator[list[ImportedOrganization]]:
        """Every organization added, in the order added, `size` at a time."""
        if not self.path.exists():  # none was added
            return
        with self.path.open("rb") as f:
            lines = (ImportedOrganization(*orjson.loads(line)) for line in f)
            while part := list(itertools.islice(lines, size)):
                yield part
