"""`export_by_model`: stream one model's rows as Sentry export records.

Rows are read with a server-side cursor in ascending pk order, so exporting a table of any size
holds one batch at a time. Field names and value formats are the ones Sentry's exporter writes
(references under the field name, datetimes with milliseconds and `Z`).
"""

from __future__ import annotations

from collections.abc import Iterator

import orjson
import sqlalchemy as sa

from silo_engine.fields import export_value
from silo_engine.modelspec import ModelSpec
from wire import MAX_MESSAGE_BYTES
from wire.scopes import ImportScope

DEFAULT_EXPORT_BATCH = 1000
# Bytes of records one streamed answer holds at most: the message limit, less room for the
# answer's framing.
EXPORT_BYTES = MAX_MESSAGE_BYTES - (64 << 10)


def export_model(engine: sa.Engine, spec: ModelSpec, scope: ImportScope,
                 batch_size: int = DEFAULT_EXPORT_BATCH) -> Iterator[tuple[bytes, int]]:
    """(JSON array of records, count) per batch, in ascending pk order: up to `batch_size`
    records a batch, fewer where they would not fit one message (see `fitted`)."""
    if not spec.in_import_scope(scope):
        return
    accepted = scope.accepts
    table = spec.table
    fields = [(name, table.c[column]) for name, (column, _) in spec.fields.items()]
    query = sa.select(table).order_by(table.c.id)
    with engine.connect() as conn:
        result = conn.execution_options(stream_results=True, yield_per=batch_size).execute(query)
        for rows in result.partitions():
            records = []
            for row in rows:
                mapping = row._mapping
                values = {name: mapping[column] for name, column in fields}
                if len(spec.scopes) > 1 and spec.record_scope(
                        {column.key: mapping[column] for _, column in fields}) not in accepted:
                    continue
                records.append(orjson.dumps({"model": spec.name, "pk": mapping[table.c.id],
                                             "fields": {name: export_value(column, values[name])
                                                        for name, column in fields}}))
            yield from fitted(records)


def fitted(records: list[bytes], budget: int = EXPORT_BYTES) -> Iterator[tuple[bytes, int]]:
    """(JSON array, count) of consecutive `records` (each a record's JSON), as many at a time
    as fit `budget` bytes; a record over it goes alone."""
    start, size = 0, 0
    for end, record in enumerate(records):
        if size + len(record) + 1 > budget and end > start:
            yield b"[" + b",".join(records[start:end]) + b"]", end - start
            start, size = end, 0
        size += len(record) + 1
    if start < len(records):
        yield b"[" + b",".join(records[start:]) + b"]", len(records) - start
