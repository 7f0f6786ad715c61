"""Whether an import of a generated export landed whole: rows per table against the export's
counts, and every declared reference, cross-silo ones included, resolves."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import psycopg

from silo_engine.modelspec import ForeignKeySpec, ModelSpec
from tools.bench.postgres import scalar
from tools.models import declared_specs
from wire.scopes import ImportScope


def expected_rows(counts: dict[str, int], scope: ImportScope) -> dict[str, int]:
    """Rows each model's table must hold after importing the export into empty silos."""
    return {name: counts.get(name, 0) if spec.in_import_scope(scope) else 0
            for name, spec in declared_specs().items()}


@dataclass
class Verification:
    rows: dict[str, tuple[int, int]] = field(default_factory=dict)  # model -> (expected, found)
    foreign_keys: dict[str, int] = field(default_factory=dict)  # "model.field -> target": dangling
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_json(self) -> dict[str, Any]:
        return {"ok": self.ok, "problems": self.problems,
                "rows": {m: {"expected": e, "found": f} for m, (e, f) in self.rows.items()},
                "foreign_keys_checked": len(self.foreign_keys),
                "dangling": {k: v for k, v in self.foreign_keys.items() if v}}


class _Silos:
    """A connection to each silo's database, and the ids of a model's rows when a reference
    from the other silo is checked against them."""

    def __init__(self, urls: dict[str, str]) -> None:
        self.conns = {silo: psycopg.connect(url, autocommit=True) for silo, url in urls.items()}
        self.ids: dict[str, set[int]] = {}

    def of(self, spec: ModelSpec) -> psycopg.Connection:
        return self.conns[spec.silo.value]

    def target_ids(self, spec: ModelSpec) -> set[int]:
        if spec.name not in self.ids:
            rows = self.of(spec).execute(f'SELECT id FROM "{spec.table.name}"')
            self.ids[spec.name] = {r[0] for r in rows}
        return self.ids[spec.name]

    def dangling(self, spec: ModelSpec, fk: ForeignKeySpec) -> int:
        """How many of the model's rows point at a row that is not there."""
        conn, table, column = self.of(spec), spec.table.name, fk.column
        target = declared_specs().get(fk.target)
        if target is None:  # not declared here: nothing may point at it
            return int(scalar(conn, f'SELECT count(*) FROM "{table}" '
                                    f'WHERE "{column}" IS NOT NULL'))
        if target.silo is spec.silo:
            return int(scalar(conn, f'SELECT count(*) FROM "{table}" t WHERE t."{column}" IS '
                                    f'NOT NULL AND NOT EXISTS (SELECT 1 FROM '
                                    f'"{target.table.name}" x WHERE x.id = t."{column}")'))
        known = self.target_ids(target)  # hybrid: the id lives in the other silo's database
        return sum(n for value, n in conn.execute(
            f'SELECT "{column}", count(*) FROM "{table}" '
            f'WHERE "{column}" IS NOT NULL GROUP BY 1') if value not in known)

    def close(self) -> None:
        for conn in self.conns.values():
            conn.close()


def verify(urls: dict[str, str], counts: dict[str, int], scope: ImportScope) -> Verification:
    """Row counts per table against the export, and every declared reference resolves."""
    expected = expected_rows(counts, scope)
    result = Verification()
    silos = _Silos(urls)
    try:
        for name, spec in declared_specs().items():
            table = spec.table.name
            found = scalar(silos.of(spec), f'SELECT count(*) FROM "{table}"')
            result.rows[name] = (expected[name], found)
            if found != expected[name]:
                result.problems.append(f"{name}: {found} rows in {table}, expected "
                                       f"{expected[name]}")
            for fk in spec.foreign_keys:
                label = f"{name}.{fk.field} -> {fk.target}"
                dangling = result.foreign_keys[label] = silos.dangling(spec, fk)
                if dangling:
                    result.problems.append(f"{label}: {dangling} dangling reference(s)")
    finally:
        silos.close()
    return result
