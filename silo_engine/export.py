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
from wire.scopes import ImportScope

DEFAULT_EXPORT_BATCH = 1000


def export_model(engine: sa.Engine, spec: ModelSpec, scope: ImportScope,
                 batch_size: int = DEFAULT_EXPORT_BATCH) -> Iterator[tuple[bytes, int]]:
    """(JSON array of records, count) per batch, in ascending pk order."""
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
                records.append({"model": spec.name, "pk": mapping[table.c.id], "fields": {
                    name: export_value(column, values[name]) for name, column in fields}})
            if records:
                yield orjson.dumps(records), len(records)
