"""Keep PostgreSQL's picture of a table true while an import fills it.

Collision lookups join a batch's keys against the table. With statistics taken while the table
was small (autovacuum analyzes a growing table late, and not at all where it is off), the
planner hashes the whole table for every batch instead of probing the unique index, a cost
that grows with the table, so an import's total grew with its square. Each silo therefore
analyzes a table's key columns itself whenever the rows it has inserted since the last look
reach the number the table held then: about log2 of its final size times, each a sample of at
most 30,000 rows (docs/performance.md, "Silo engine", has the measurements).
"""

from __future__ import annotations

import logging
import threading
from collections import Counter
from collections.abc import Iterable

import sqlalchemy as sa

log = logging.getLogger("relocation.silo")

# Below this many new rows a table is left alone: a scan of a small table costs nothing.
MIN_NEW_ROWS = 20_000


class TableStatistics:
    """Counts the rows this process inserts per table and runs ANALYZE when they double it."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        self._known: dict[str, float] = {}  # rows at the last look (PostgreSQL's estimate)
        self._new: Counter[str] = Counter()
        self._lock = threading.Lock()

    def inserted(self, table: str, rows: int, columns: Iterable[str]) -> None:
        """`rows` were committed into `table`; analyze `columns` (and so the table's size) if
        it has doubled since last time."""
        if rows <= 0:
            return
        with self._lock:
            if table not in self._known:
                self._known[table] = self._estimate(table)
            self._new[table] += rows
            if self._new[table] < max(MIN_NEW_ROWS, self._known[table]):
                return
            self._known[table] += self._new.pop(table)  # claimed: no other thread analyzes it
        try:
            with self.engine.begin() as conn:
                conn.execute(sa.text(f'ANALYZE "{table}" ({", ".join(columns)})'))
        except sa.exc.DBAPIError as exc:  # the batch is committed; only the planner loses
            log.warning("could not analyze %s: %s", table, exc.orig)
        else:
            log.info("analyzed table=%s rows=%d", table, self._known[table])

    def _estimate(self, table: str) -> float:
        with self.engine.connect() as conn:
            rows = conn.execute(sa.text("SELECT reltuples FROM pg_class WHERE oid = "
                                        "CAST(:t AS regclass)"), {"t": table}).scalar()
        return max(rows or 0.0, 0.0)  # -1: never analyzed
