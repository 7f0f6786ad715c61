"""The organizations an import inserted, kept on disk until their slugs are reserved globally.

Slug reconciliation runs after every region model is imported, so what it needs of each
organization (its slug in the export and in the region, name, status) would otherwise wait in
memory for the whole import and grow with the export. One line per organization is appended as
its batch is answered, and read back in slices.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import orjson


class ImportedOrganization(NamedTuple):
    new_pk: int
    source_slug: str  # as in the export
    name: str
    status: int
    slug: str  # as the region gave it (unique in the region)


class ImportedOrganizations:
    """An append-only list on disk; appended from one thread (the organization model's)."""

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
