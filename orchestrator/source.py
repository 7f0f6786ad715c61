"""Read an export as a stream and regroup it by model on disk.

The export is parsed once with a streaming parser (ijson's C backend) and each record is
appended to a per-model spill file, so any export size needs only constant memory, models may
come in any order (old exports predate newer ordering rules), and unknown models and fields are
dropped here, once, with a count for the report.
"""

from __future__ import annotations

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

TAR_MAGIC_OFFSET = 257


def is_tarball(path: Path) -> bool:
    with path.open("rb") as f:
        head = f.read(TAR_MAGIC_OFFSET + 8)
    return head[TAR_MAGIC_OFFSET:TAR_MAGIC_OFFSET + 5] == b"ustar"


@dataclass
class SpilledExport:
    """The export regrouped by model: one JSON-lines file per model, in source order."""

    directory: Path
    counts: Counter[str] = field(default_factory=Counter)
    unknown_models: Counter[str] = field(default_factory=Counter)
    dropped_fields: Counter[tuple[str, str]] = field(default_factory=Counter)
    total: int = 0

    def path(self, model: str) -> Path:
        return self.directory / f"{model}.jsonl"

    def lines(self, model: str) -> Iterator[bytes]:
        """The model's records, one JSON document per item, in source order."""
        if not self.counts.get(model):
            return
        with self.path(model).open("rb") as f:
            for line in f:
                yield line.rstrip(b"\n")

    def records(self, model: str) -> Iterator[dict[str, Any]]:
        for line in self.lines(model):
            yield orjson.loads(line)


def _fail(reason: str, model: str | None = None, ordinal: int | None = None) -> ImportFailure:
    return ImportFailure(ErrorKind.DESERIALIZATION_FAILED, model, reason, ordinal=ordinal)


def _items(stream: IO[bytes]) -> Iterator[Any]:
    try:
        yield from ijson.items(stream, "item", use_float=True)
    except ijson.JSONError as exc:
        raise _fail(f"the export is not valid JSON: {exc}. Check that the file is complete "
                    "and was written by `sentry export` (not mixed with log output).") from exc


def spill(stream: IO[bytes], catalog: Catalog, workdir: Path | None = None) -> SpilledExport:
    """Stream `stream` (a JSON array of records) into per-model files under a new folder."""
    directory = Path(tempfile.mkdtemp(prefix="relocate-spill-", dir=workdir))
    out = SpilledExport(directory)
    handles: dict[str, IO[bytes]] = {}
    try:
        head = stream.peek(64)[:64] if hasattr(stream, "peek") else b""
        if head and not head.lstrip().startswith(b"["):
            raise _fail("the export must be a JSON array of records ([{\"model\", \"pk\", "
                        "\"fields\"}, ...])")
        for record in _items(stream):
            out.total += 1
            model, pk, fields = _check_shape(record, out.total)
            info = catalog.get(model)
            if info is None:
                out.unknown_models[model] += 1
                continue
            out.counts[model] += 1
            kept = {}
            for name, value in fields.items():
                if name in info.fields:
                    kept[name] = value
                else:
                    out.dropped_fields[(model, name)] += 1
            handle = handles.get(model)
            if handle is None:
                handle = handles[model] = out.path(model).open("ab", buffering=1 << 16)
            handle.write(orjson.dumps({"model": model, "pk": pk, "fields": kept}) + b"\n")
    finally:
        for handle in handles.values():
            handle.close()
    return out


def _check_shape(record: Any, position: int) -> tuple[str, int, dict]:
    if not isinstance(record, dict):
        raise _fail(f"item #{position} of the export is not a {{\"model\", \"pk\", \"fields\"}} "
                    "object")
    model = record.get("model")
    if not isinstance(model, str) or "." not in model:
        raise _fail(f"item #{position} of the export has no valid \"model\" name: {model!r}")
    model = model.lower()
    pk = record.get("pk")
    if isinstance(pk, bool) or not isinstance(pk, int):
        raise _fail(f"item #{position} of the export ({model}) has a non-integer pk {pk!r}",
                    model)
    fields = record.get("fields")
    if not isinstance(fields, dict):
        raise _fail(f"item #{position} of the export ({model}, pk {pk}) has no \"fields\" "
                    "object", model)
    return model, pk, fields
