"""Imports running at once into the same silos (issue 18 §4): two different exports, and one
export twice under different uuids. Both finish, and the silos end as the same imports run one
after the other leave them (pks and random suffixes aside)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT, Silos, fresh_silos, run_cli
from tests.test_corpus import data_rows, empty

RECORDS = 3000  # each export: some 40 organizations and 120 users; seconds to import


def _export(path: Path, seed: int, rename: str = "") -> Path:
    """A benchmark export; `rename` marks every username, email and slug, so that it shares
    none with an export made without."""
    assert run_cli(["bench", "generate", "--records", str(RECORDS), "--seed", str(seed),
                    str(path)]).code == 0
    if rename:
        records = json.loads(path.read_text().replace("@example.org", f"@{rename}.example"))
        for record in records:
            if record["model"] == "sentry.organization":
                record["fields"]["slug"] = f"{rename}-{record['fields']['slug']}"
        path.write_text(json.dumps(records))
    return path


@pytest.fixture(scope="module")
def exports(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    directory = tmp_path_factory.mktemp("concurrency")
    return _export(directory / "a.json", 1), _export(directory / "b.json", 2, rename="b")


def _start(silos: Silos, src: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "commands.cli", "import", "organizations", str(src),
         "--no-prompt", "--silent", "--import-uuid", uuid.uuid4().hex,
         "--control", silos.control_address, "--region", silos.region_address],
        cwd=ROOT, stderr=subprocess.PIPE, text=True)


def _finish(*imports: subprocess.Popen) -> None:
    for child in imports:
        _, err = child.communicate(timeout=300)
        assert child.returncode == 0, err[-3000:]


def _at_once(silos: Silos, *sources: Path) -> None:
    _finish(*[_start(silos, src) for src in sources])


def _one_after_the_other(silos: Silos, *sources: Path) -> None:
    for src in sources:
        _finish(_start(silos, src))


def _names(silos: Silos) -> dict[str, list[str]]:
    """Usernames, emails and organization slugs, sorted."""
    return {"usernames": _column(silos, "control", "SELECT username FROM auth_user"),
            "emails": _column(silos, "control", "SELECT email FROM sentry_email"),
            "slugs": _column(silos, "region", "SELECT slug FROM sentry_organization")}


def _column(silos: Silos, silo: str, sql: str) -> list[str]:
    return sorted(row[0] for row in silos.rows(silo, sql))


@pytest.fixture(scope="module")
def pair(pg_admin_url: str, templates: dict[str, str]) -> Iterator[tuple[Silos, Silos]]:
    """Silos for the imports at once and silos for the same imports one after the other,
    emptied before each test (dropping their databases is a checkpoint each: slow)."""
    with fresh_silos(pg_admin_url, templates) as at_once, \
            fresh_silos(pg_admin_url, templates) as sequential:
        yield at_once, sequential


@pytest.fixture
def silos(pair: tuple[Silos, Silos]) -> Silos:
    empty(pair[0])
    return pair[0]


@pytest.fixture
def sequential(pair: tuple[Silos, Silos]) -> Silos:
    empty(pair[1])
    return pair[1]


def test_two_exports_at_once_equal_them_one_after_the_other(
        silos: Silos, sequential: Silos, exports: tuple[Path, Path]) -> None:
    _at_once(silos, *exports)
    _one_after_the_other(sequential, *exports)
    assert data_rows(silos) == data_rows(sequential)
    names = _names(silos)
    assert names == _names(sequential)
    assert names["slugs"] == sorted(_values(exports, "sentry.organization", "slug"))
    assert names["usernames"] == sorted(_values(exports, "sentry.user", "username"))


def _values(exports: tuple[Path, ...], model: str, field: str) -> list[str]:
    return [r["fields"][field] for export in exports for r in json.loads(export.read_text())
            if r["model"] == model]


def _suffixed(names: list[str], originals: set[str]) -> None:
    """Every original name once as it is and once with a suffix, and no name twice."""
    assert len(names) == 2 * len(originals) and len({n.lower() for n in names}) == len(names)
    renamed = [n for n in names if n not in originals]
    assert set(names) - set(renamed) == originals
    assert sorted(re.sub(r"-[0-9a-z]+$", "", n) for n in renamed) == sorted(originals), renamed


def test_one_export_twice_at_once_equals_it_twice_one_after_the_other(
        silos: Silos, sequential: Silos, exports: tuple[Path, Path]) -> None:
    export = exports[0]
    _at_once(silos, export, export)
    _one_after_the_other(sequential, export, export)
    assert data_rows(silos) == data_rows(sequential)
    once = _names(silos)
    for name, model, field in [("usernames", "sentry.user", "username"),
                               ("slugs", "sentry.organization", "slug")]:
        originals = set(_values((export,), model, field))
        _suffixed(once[name], originals)
        _suffixed(_names(sequential)[name], originals)
    assert once["emails"] == _names(sequential)["emails"]  # emails are shared, not renamed
