"""A silo refreshes a table's planner statistics as an import fills it (silo_engine/statistics.py):
without them PostgreSQL scanned the whole table for every batch's collision lookup."""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

import pytest

from silo_engine import statistics
from tests.conftest import Silos
from tests.test_rpc_and_chunks import user


def test_a_table_is_analyzed_each_time_the_import_doubles_it(
        silos: Silos, tmp_path: Path, export_file: Any, caplog: pytest.LogCaptureFixture,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(statistics, "MIN_NEW_ROWS", 10)
    caplog.set_level(logging.INFO, logger="relocation.silo")
    records = [user(pk, f"grows-{pk}") for pk in range(1, 41)]
    result = silos.relocate("import", "users", export_file(records), "--no-prompt",
                            "--batch-size", "10", "--findings-file", tmp_path / "f.json")
    assert result.code == 0, result.stderr
    analyzed = [int(found.group(1)) for message in caplog.messages
                if (found := re.fullmatch(r"analyzed table=auth_user rows=(\d+)", message))]
    # After 10 rows (the minimum), 20 (doubled), then 40: not after 30.
    assert analyzed == [10, 20, 40]
    (estimate,) = silos.rows("control", "SELECT reltuples FROM pg_class "
                                        "WHERE relname = 'auth_user'")
    assert estimate.reltuples == 40
