"""Read an export as a stream and regroup it by model on disk.

The export is parsed once with a streaming parser (ijson's C backend) and each record is
appended to a per-model spill file, so any export size needs only constant memory, models may
come in any order (old exports predate newer ordering rules), and unknown models and fields are
dropped here, once, with a count for the report.
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import shutil
import tempfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import ijson
import orjson

from orchestrator.catalog import Catalog
from silo_engine.errors import ErrorKind, ImportFailure

# Records per sorted run when a model's records must be put in pk order on disk.
SORT_RUN = 50_000
INT64 = (-(2**63), 2**63 - 1)


@dataclass
class SpilledExport:
    """The export regrouped by model: one file per model, records in ascending pk order.

    Each line is `pk<TAB>references<TAB>record-json`, the references being the values of the
    model's foreign-key fields (comma-separated, in the catalog's order, empty where a value
    is not an integer): batches are sent without parsing their records again to find which
    pk-map entries they need. Sentry's exporter writes every model in pk order; an export that
    does not is sorted here, so the same records always import the same way.
    """

    directory: Path
    counts: Counter[str] = field(default_factory=Counter)
    unknown_models: Counter[str] = field(default_factory=Counter)
    dropped_fields: Counter[tuple[str, str]] = field(default_factory=Counter)
    total: int = 0

    def path(self, model: str) -> Path:
        return self.directory / f"{model}.jsonl"

    def entries(self, model: str) -> Iterator[tuple[bytes, bytes]]:
        """(references, record JSON) for each of the model's records, in ascending pk order."""
        if not self.counts.get(model):
            return
        with self.path(model).open("rb") as f:
            for line in f:
                _, references, record = line.rstrip(b"\n").split(b"\t", 2)
                yield references, record

    def records(self, model: str) -> Iterator[dict[str, Any]]:
        for _, record in self.entries(model):
            yield orjson.loads(record)


def _fail(reason: str, model: str | None = None, ordinal: int | None = None) -> ImportFailure:
    return ImportFailure(ErrorKind.DESERIALIZATION_FAILED, model, reason, ordinal=ordinal)


def read_records(stream: IO[bytes], label: str = "the export"
                 ) -> Iterator[tuple[str, int, dict[str, Any]]]:
    """(model, pk, fields) for each record of a JSON array of export records, streamed and
    checked; a DeserializationFailed ImportFailure says which item is wrong."""
    position = 0
    try:
        for record in ijson.items(stream, "item", use_float=True):
            position += 1
            yield record_shape(record, position, label)
    except ijson.JSONError as exc:
        detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
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
        raise _fail(f"item #{position} of {label} has no valid \"model\" name: {model!r}")
    model = model.lower()
    pk = record.get("pk")
    if isinstance(pk, bool) or not isinstance(pk, int) or not INT64[0] <= pk <= INT64[1]:
        raise _fail(f"item #{position} of {label} ({model}) has no 64-bit integer pk: {pk!r}",
                    model)
    fields = record.get("fields")
    if not isinstance(fields, dict):
        raise _fail(f"item #{position} of {label} ({model}, pk {pk}) has no \"fields\" "
                    "object", model)
    return model, pk, fields


def pk_of(line: bytes) -> int:
    """The pk that starts a spilled `pk<TAB>...` line."""
    return int(line[:line.index(b"\t")])


def sort_by_pk(path: Path) -> None:
    """Stable external merge sort of a `pk<TAB>...` file, SORT_RUN lines in memory at a time."""
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
        with merged.open("wb") as out:
            out.writelines(heapq.merge(*files, key=pk_of))
    merged.replace(path)
    for run in runs:
        run.unlink()


def spill(stream: IO[bytes], catalog: Catalog, workdir: Path | None = None) -> SpilledExport:
    """Stream `stream` (a JSON array of records) into per-model files under a new folder."""
    directory = Path(tempfile.mkdtemp(prefix="relocate-spill-", dir=workdir))
    out = SpilledExport(directory)
    handles: dict[str, IO[bytes]] = {}
    last: dict[str, int] = {}
    unsorted: set[str] = set()
    try:
        head = stream.peek(64)[:64] if hasattr(stream, "peek") else b""
        if head and not head.lstrip().startswith(b"["):
            raise _fail("the export must be a JSON array of records ([{\"model\", \"pk\", "
                        "\"fields\"}, ...])")
        for model, pk, fields in read_records(stream):
            out.total += 1
            info = catalog.get(model)
            if info is None:
                out.unknown_models[model] += 1
                continue
            out.counts[model] += 1
            kept = fields
            if not fields.keys() <= info.fields:  # fields this version of Sentry lacks
                kept = {name: value for name, value in fields.items() if name in info.fields}
                for name in fields.keys() - info.fields:
                    out.dropped_fields[(model, name)] += 1
            handle = handles.get(model)
            if handle is None:
                handle = handles[model] = out.path(model).open("ab", buffering=1 << 16)
            references = b",".join([b"%d" % value if type(value := kept.get(name)) is int
                                    else b"" for name, _ in info.foreign_keys])
            handle.write(b"%d\t%b\t" % (pk, references) +
                         orjson.dumps({"model": model, "pk": pk, "fields": kept}) + b"\n")
            if pk < last.get(model, pk):
                unsorted.add(model)
            last[model] = pk
    except BaseException:
        shutil.rmtree(directory, ignore_errors=True)
        raise
    finally:
        for handle in handles.values():
            handle.close()
    for model in unsorted:
        sort_by_pk(out.path(model))
    return out
