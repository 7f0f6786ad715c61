"""Spill files: an export regrouped by model on disk, and what an import keeps there beside it.

An export is read once, as a stream, and each record is appended to its model's file, so any
export size needs only constant memory and models may come in any order. Everything the
import (`source.spill`) and `relocate compare` (`tools.compare.Side`) write on disk is written
and read back here.

On-disk layout of a spill folder (made under the work directory, mode 0700, removed when done;
every file in it is 0600: it holds the export's records, credentials included, in clear unless
sealed, below):

    owner                 the pid of the process that made the folder and that process's start
                          time (`<pid> <start>`): a folder whose process is gone (kill -9) is
                          removed by the next import (`remove_abandoned`); it is written before the
                          folder gets its name and removed last.
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
    report-<name>.jsonl   (import) one of the report's full lists (renamed users, renamed
                          organizations, changed DSNs, regenerated secrets), one JSON value a
                          line, appended as answers come; copied into the report file at the
                          end (`ReportSection`).
    second-half/          while a large file is read in two processes: the second's files,
                          appended to the first's afterwards.
    <model>.jsonl.run<N>, <model>.jsonl.sorted
                          while a file whose pks do not ascend is merge-sorted.

A spill of an encrypted tarball is sealed, so the decrypted export never reaches disk in clear
(not even after a kill -9, which no cleanup survives). Every file above but `owner` (and
compare's `.pks`, whose sources are plain files) is then written as AES-256-GCM frames under a
`SpillKey`: 256 random bits made in memory for the one import, never written, logged, or put in
argv or the environment (the second-half child reads it from its stdin pipe). A frame is

    length   4 bytes, big-endian: of the ciphertext, its 16-byte tag included;
    final    1 byte: 1 on the last frame of a writer, else 0;
    nonce    12 bytes: the writer's random 8-byte prefix, then the frame's number within the
             writer (from 0, 4 bytes big-endian);
    ciphertext and tag, with those 17 header bytes as the associated data.

The plaintext is the file's bytes as laid out above, cut where the file's write buffer was
flushed (at most FRAME bytes a frame). Each opening for writing (a writer) draws its own prefix,
numbers its frames from 0 and ends with an empty final frame, so a file appended to (the second
half's files, organizations.jsonl) is its writers' frames one after another. A reader checks
every tag, the numbering and that each writer ended: a frame changed, moved or cut, or a file
cut inside a writer's frames, is an ImportFailure, and none of the frame's bytes are used. A
plain JSON export's spill stays in clear: its source is plaintext on disk already
(docs/performance.md gives the sealing's cost).
"""

from __future__ import annotations

import contextlib
import heapq
import io
import itertools
import os
import shutil
import struct
import tempfile
import threading
import time
from array import array
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, NamedTuple

import orjson
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from orchestrator.crypto import IterStream
from wire.errors import ErrorKind, ImportFailure

# One spilled line, from (pk, references, kept, json): formatted inline by the spill's loop.
LINE = b"%d\t%b\t%b\t%b\n"
# Records per sorted run when a model's records must be put in pk order on disk.
SORT_RUN = 50_000
_BUFFER = 1 << 16
SPILL_PREFIX = "relocate-spill-"
# A spill folder before it is marked with its owner (see make_spill_directory).
MAKING_PREFIX = "relocate-making-"
MAKING_GRACE = 60
OWNER = "owner"
# The most plaintext a sealed frame holds: a larger write is cut, so a reader never trusts a
# length beyond this (and its memory follows the frame, not the write).
FRAME = 1 << 20
_FRAME_HEADER = struct.Struct(">IB8sI")  # length, final, nonce (writer's prefix, frame number)
_TAG = 16


def _private(path: str, flags: int) -> int:
    """`open`'s opener for a spill file: created 0600, whatever the umask allows."""
    return os.open(path, flags, 0o600)


def private_open(path: Path, mode: str, buffering: int = -1) -> IO[bytes]:
    """A spill file opened in binary `mode`; if it is created, only its owner may read it."""
    return open(path, mode, buffering=buffering, opener=_private)


class SpillKey:
    """The AES-256-GCM key a sealed spill is written with (see the layout above): made in
    memory per import and dropped with it; its repr shows nothing, and pickling (only into the
    pipe to the second-half child) is the one way it leaves the process."""

    __slots__ = ("_aead", "_secret")

    def __init__(self, secret: bytes | None = None) -> None:
        self._secret = secret or AESGCM.generate_key(bit_length=256)
        self._aead = AESGCM(self._secret)

    def __repr__(self) -> str:
        return "SpillKey(<in memory>)"

    def __reduce__(self) -> tuple[type[SpillKey], tuple[bytes]]:
        return SpillKey, (self._secret,)

    def seal(self, prefix: bytes, number: int, plaintext: bytes | memoryview,
             final: bool) -> bytes:
        """One frame: header, then ciphertext and tag."""
        header = _FRAME_HEADER.pack(len(plaintext) + _TAG, final, prefix, number)
        return header + self._aead.encrypt(header[5:], plaintext, header)

    def frames(self, f: IO[bytes], path: Path) -> Iterator[bytes]:
        """The plaintext of each frame of a sealed file, each checked before it is given."""
        writer: bytes | None = None  # the prefix of the writer whose frames are being read
        number = 0  # the number the next frame must have
        at = 0
        while header := f.read(_FRAME_HEADER.size):
            if len(header) < _FRAME_HEADER.size:
                raise _tampered(path, at, "is cut short")
            length, final, prefix, found = _FRAME_HEADER.unpack(header)
            if not _TAG <= length <= FRAME + _TAG or final > 1 or found != number or \
                    writer not in (None, prefix):
                raise _tampered(path, at, "is out of place or its header was changed")
            body = f.read(length)
            if len(body) < length:
                raise _tampered(path, at, "is cut short")
            try:
                plaintext = self._aead.decrypt(header[5:], body, header)
            except InvalidTag:
                raise _tampered(path, at, "fails its AES-GCM check") from None
            writer, number = (None, 0) if final else (prefix, number + 1)
            at += len(header) + length
            yield plaintext
        if writer is not None:
            raise _tampered(path, at, "is missing: the file ends before its writer's last frame")


def _tampered(path: Path, at: int, what: str) -> ImportFailure:
    """The error for a sealed file changed on disk, naming the model it holds (if one)."""
    model = path.name.partition(".jsonl")[0]
    return ImportFailure(ErrorKind.DESERIALIZATION_FAILED, model if "." in model else None,
                         f"the sealed spill file {path} was changed after it was written: its "
                         f"frame at byte {at} {what}. Something else writes to the spill "
                         "folder, and nothing of that file was used; set TMPDIR to a folder "
                         "only relocate writes to")


class _Sealer(io.RawIOBase):
    """The raw file under a sealed file's write buffer: each flush becomes frames, and closing
    writes the writer's final frame."""

    def __init__(self, key: SpillKey, f: IO[bytes]) -> None:
        super().__init__()
        self._key = key
        self._file = f
        self._prefix = os.urandom(8)
        self._number = 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        view = memoryview(data)
        for start in range(0, len(view), FRAME):
            self._frame(view[start:start + FRAME], final=False)
        return len(view)

    def _frame(self, plaintext: bytes | memoryview, final: bool) -> None:
        self._file.write(self._key.seal(self._prefix, self._number, plaintext, final))
        self._number += 1

    def close(self) -> None:
        if self.closed:
            return
        try:
            self._frame(b"", final=True)
        finally:
            self._file.close()
            super().close()


class _Opener(IterStream):
    """The raw file under a sealed file's read buffer: its frames' plaintext, checked."""

    def __init__(self, key: SpillKey, f: IO[bytes], path: Path) -> None:
        super().__init__(key.frames(f, path))
        self._file = f

    def close(self) -> None:
        self._file.close()
        super().close()


def open_spill(path: Path, mode: str, key: SpillKey | None = None,
               buffering: int = -1) -> IO[bytes]:
    """A spill file opened to read ("rb") or write ("wb", "ab"), buffered, 0600 if created:
    sealed with `key` when one is given (its buffer then FRAME-sized at most, as `buffering`
    or 64 KiB), else in clear as before."""
    if key is None:
        return private_open(path, mode, buffering)
    f = private_open(path, mode)
    size = buffering if buffering > 0 else _BUFFER
    if "r" in mode:
        return io.BufferedReader(_Opener(key, f, path), size)
    return io.BufferedWriter(_Sealer(key, f), min(size, FRAME))


def append_file(source: Path, target: Path) -> None:
    """Append `source`'s bytes to `target` and remove `source`: sealed files too, since a sealed
    file is its writers' frames one after another."""
    with source.open("rb") as f, private_open(target, "ab") as out:
        shutil.copyfileobj(f, out, 1 << 20)
    source.unlink()


def model_path(directory: Path, model: str, suffix: str = "jsonl") -> Path:
    return directory / f"{model}.{suffix}"


def open_model_file(directory: Path, model: str, mode: str = "ab",
                    key: SpillKey | None = None) -> IO[bytes]:
    """The model's spill file, buffered for appending one line per record."""
    return open_spill(model_path(directory, model), mode, key, _BUFFER)


def split_line(line: bytes) -> list[bytes]:
    """[pk, references, kept, json with its newline] of a spilled line."""
    return line.split(b"\t", 3)


def pk_of(line: bytes) -> int:
    """The pk that starts a spilled line."""
    return int(line[:line.index(b"\t")])


def sort_by_pk(path: Path, key: SpillKey | None = None) -> None:
    """Stable external merge sort of a spill file, SORT_RUN lines in memory at a time."""
    runs: list[Path] = []
    with open_spill(path, "rb", key) as f:
        while chunk := list(itertools.islice(f, SORT_RUN)):
            chunk.sort(key=pk_of)
            run = path.with_name(f"{path.name}.run{len(runs)}")
            with open_spill(run, "wb", key) as out:
                out.write(b"".join(chunk))
            runs.append(run)
    merged = path.with_name(path.name + ".sorted")
    with contextlib.ExitStack() as stack:
        files = [stack.enter_context(open_spill(run, "rb", key)) for run in runs]
        lines: Iterator[bytes] = heapq.merge(*files, key=pk_of)
        with open_spill(merged, "wb", key) as out:
            out.writelines(lines)
    merged.replace(path)
    for run in runs:
        run.unlink()


def repeated_pk(path: Path, key: SpillKey | None = None) -> int | None:
    """The first pk a sorted spill file holds twice, if any."""
    with open_spill(path, "rb", key) as f:
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
    with open_spill(model_path(directory, model), "rb") as f, \
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
    with this process as its owner. It is made under another name and renamed once marked, so
    that a folder named like a spill always has an owner (a kill in between leaves an empty
    folder, which `remove_abandoned` removes once it is old)."""
    making = Path(tempfile.mkdtemp(prefix=MAKING_PREFIX, dir=workdir))
    with private_open(making / OWNER, "wb") as out:
        out.write(b"%d %d" % (os.getpid(), _started(os.getpid()) or 0))
    directory = making.with_name(SPILL_PREFIX + making.name[len(MAKING_PREFIX):])
    making.rename(directory)
    return directory


def remove_spill_directory(directory: Path) -> None:
    """Remove a spill folder, its owner mark last: a kill part-way leaves a marked folder,
    which the next import removes, never an unmarked one holding records."""
    with contextlib.suppress(FileNotFoundError):
        empty_spill_directory(directory)
    with contextlib.suppress(FileNotFoundError):
        (directory / OWNER).unlink()
    shutil.rmtree(directory, ignore_errors=True)


def empty_spill_directory(directory: Path) -> None:
    """Remove everything a spill folder holds but its owner mark."""
    for entry in directory.iterdir():
        if entry.is_dir():
            shutil.rmtree(entry)
        elif entry.name != OWNER:
            entry.unlink()


def remove_abandoned(workdir: Path | None) -> list[Path]:
    """Remove the spill folders under `workdir` whose owner process is gone (killed with
    SIGKILL, or the machine stopped): they hold plaintext nobody will delete. A pid that was
    reused is told apart by its process's start time, and a process that has exited but not
    yet been waited for counts as gone. A folder being made (no owner mark yet) is removed once
    it is older than `MAKING_GRACE` seconds, and only while empty. Returns the folders
    removed."""
    root = Path(workdir or tempfile.gettempdir())
    removed = []
    for directory in root.glob(SPILL_PREFIX + "*"):
        try:
            pid, started = map(int, (directory / OWNER).read_bytes().split())
        except (OSError, ValueError):
            continue
        if not _alive(pid, started):
            remove_spill_directory(directory)
            removed.append(directory)
    for directory in root.glob(MAKING_PREFIX + "*"):
        with contextlib.suppress(OSError):
            if time.time() - directory.stat().st_mtime > MAKING_GRACE:
                directory.rmdir()  # fails, and is left, unless empty
                removed.append(directory)
    return removed


def _alive(pid: int, started: int) -> bool:
    """Whether process `pid` runs (not a zombie) and is the one that started at `started`
    (0: unknown)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process: alive, and not ours to judge
    state = _stat(pid)
    if state is None:
        return True  # no /proc: the signal's answer is all there is
    now = int(state[19])
    return state[0] != b"Z" and not (started and now != started)


def _started(pid: int) -> int | None:
    """The process's start time in clock ticks since boot (Linux's /proc), None elsewhere."""
    state = _stat(pid)
    return None if state is None else int(state[19])


def _stat(pid: int) -> list[bytes] | None:
    """The fields of /proc/PID/stat after the command name (the state first), or None."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_bytes()
    except OSError:
        return None
    # The command name (field 2) may hold spaces and parentheses: count from its last ")".
    return stat[stat.rindex(b")") + 2:].split()


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
    key: SpillKey | None = None  # the spill is sealed (the export was an encrypted tarball)

    def path(self, model: str) -> Path:
        return model_path(self.directory, model)

    def size(self, model: str) -> int:
        """Bytes of the model's spill file (sealed: its plaintext's and 33 a frame)."""
        return self.path(model).stat().st_size if self.counts.get(model) else 0

    def entries(self, model: str) -> Iterator[tuple[bytes, bytes]]:
        """(references, record JSON) for each of the model's records, in ascending pk order."""
        if not self.counts.get(model):
            return
        with open_spill(self.path(model), "rb", self.key) as f:
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
        with open_spill(self.path(model), "rb", self.key) as f:
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

    def imported_organizations(self) -> ImportedOrganizations:
        """Where the import keeps the organizations it inserted, beside the spilled export."""
        return ImportedOrganizations(self.directory / "organizations.jsonl", self.key)

    def report_section(self, name: str) -> ReportSection:
        """Where the import keeps one of its report's full lists, beside the spilled export."""
        return ReportSection(self.directory / f"report-{name}.jsonl", self.key)


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


class JsonLines:
    """An append-only spill file of one JSON value a line (sealed under the spill's key, as
    every spill file is), appended from any thread: what an import keeps beside the spilled
    export so that it does not wait in memory."""

    def __init__(self, path: Path, key: SpillKey | None = None) -> None:
        self.path = path
        self.key = key
        self.lock = threading.Lock()

    def add(self, values: list[Any]) -> None:
        if not values:
            return
        data = b"".join(orjson.dumps(value) + b"\n" for value in values)
        with self.lock, open_spill(self.path, "ab", self.key) as f:
            f.write(data)

    def lines(self) -> Iterator[bytes]:
        """Every value added, in the order added, as its JSON line (newline included)."""
        if not self.path.exists():  # none was added
            return
        with open_spill(self.path, "rb", self.key) as f:
            yield from f


class ImportedOrganizations(JsonLines):
    """The organizations an import inserted, until their slugs are reserved globally; read
    back in slices."""

    def add_organizations(self, organizations: list[ImportedOrganization]) -> None:
        self.add([list(org) for org in organizations])

    def slices(self, size: int) -> Iterator[list[ImportedOrganization]]:
        """Every organization added, in the order added, `size` at a time."""
        organizations = (ImportedOrganization(*orjson.loads(line)) for line in self.lines())
        while part := list(itertools.islice(organizations, size)):
            yield part


class ReportSection(JsonLines):
    """One of an import report's full lists as it grows, streamed into the report file as a
    JSON array at the end. A rerun of a large import renames every user: the list must not
    wait in memory."""

    def write_array(self, out: IO[bytes], indent: bytes) -> None:
        """Every entry added, in order, as a JSON array: its brackets after `indent`, one entry
        a line indented two spaces more."""
        with self.lock:
            out.write(b"[")
            empty = True
            for line in self.lines():
                out.write((b"\n" if empty else b",\n") + indent + b"  " + line.rstrip(b"\n"))
                empty = False
            out.write(b"]" if empty else b"\n" + indent + b"]")
