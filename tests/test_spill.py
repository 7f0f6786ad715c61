"""Regrouping an export by model on disk: a large plain file is read in two halves by two
processes, and the result must be exactly what one pass gives, whatever the layout, order or
errors of the file."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest

from orchestrator import source
from orchestrator.bench import model_specs
from orchestrator.catalog import Catalog, ModelInfo
from orchestrator.source import SpilledExport, spill, split_point
from silo_engine.errors import ImportFailure
from silo_engine.server import describe
from tests.conftest import fixture_path, fresh_silos, load_fixture, run_cli

CATALOG = Catalog(ModelInfo.from_proto(describe(s)) for s in model_specs().values())
ONE_PASS, TWO_HALVES = 1 << 62, 0  # PARALLEL_SPILL_BYTES that force either way


def _email(pk: int, n: int) -> dict[str, Any]:
    return {"model": "sentry.email", "pk": pk,
            "fields": {"email": f"user{n}@example.com", "date_added": "2023-06-22T22:54:28Z"}}


def _records() -> list[dict[str, Any]]:
    """Fixture records, an unknown model, a field this Sentry lacks, and 400 emails (pks 101
    to 500) around the middle, so the cut falls inside a model."""
    records = load_fixture("fresh-install.json")
    emails = [_email(101 + n, n) for n in range(400)]
    emails[10]["fields"]["legacy"] = True
    return [*records[:20], {"model": "sites.site", "pk": 1, "fields": {"domain": "x"}},
            *emails, *records[20:], {"model": "sites.site", "pk": 2, "fields": {"domain": "y"}}]


def _spill(path: Path, tmp_path: Path, threshold: int,
           monkeypatch: pytest.MonkeyPatch) -> SpilledExport:
    monkeypatch.setattr(source, "PARALLEL_SPILL_BYTES", threshold)
    workdir = tmp_path / f"work-{threshold}"
    workdir.mkdir(exist_ok=True)
    with path.open("rb") as stream:
        return spill(stream, CATALOG, workdir)


def _contents(spilled: SpilledExport) -> dict[str, Any]:
    return {"counts": list(spilled.counts.items()),
            "unknown": list(spilled.unknown_models.items()),
            "dropped": list(spilled.dropped_fields.items()), "total": spilled.total,
            "files": {m: spilled.path(m).read_bytes() for m in spilled.counts},
            "folder": sorted(p.name for p in spilled.directory.iterdir())}


LAYOUTS = {"sentry": lambda r: json.dumps(r, indent=2),  # how `sentry export` writes
           "a record per line": lambda r: "[\n" + ",\n".join(map(json.dumps, r)) + "\n]\n"}


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_two_halves_spill_exactly_what_one_pass_does(layout: str, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    records = _records()
    path = tmp_path / "export.json"
    path.write_text(LAYOUTS[layout](records))
    with path.open("rb") as f:
        cut = split_point(f, path.stat().st_size)
    assert cut is not None
    first_half = json.loads(path.read_bytes()[:cut[0]] + b"]")
    assert first_half == records[:len(first_half)]
    # The cut falls between two emails. Renumber them (same widths, so the cut stays) so that
    # each half ascends but the second starts below the first: only joining the halves shows
    # that the model must be sorted.
    emails = [r for r in records if r["model"] == "sentry.email" and r["pk"] > 100]
    before = sum(r in emails for r in first_half)
    assert 0 < before < len(emails)
    for n, record in enumerate(emails):
        record["pk"] = 101 + (n - before) % len(emails)
    path.write_text(LAYOUTS[layout](records))
    with path.open("rb") as f:
        assert split_point(f, path.stat().st_size) == cut

    one, two = (_spill(path, tmp_path, t, monkeypatch) for t in (ONE_PASS, TWO_HALVES))
    assert _contents(two) == _contents(one)
    lines = two.path("sentry.email").read_bytes().splitlines()
    assert [int(line.split(b"\t")[0]) for line in lines] == [1, 2, 3, *range(101, 501)]
    assert two.unknown_models == {"sites.site": 2}
    assert two.dropped_fields == {("sentry.email", "legacy"): 1}


def test_a_file_on_one_line_has_no_cut_and_is_read_in_one_pass(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "export.json"
    path.write_text(json.dumps(_records()))
    with path.open("rb") as f:
        assert split_point(f, path.stat().st_size) is None
    one, two = (_spill(path, tmp_path, t, monkeypatch) for t in (ONE_PASS, TWO_HALVES))
    assert _contents(two) == _contents(one)


def test_a_cut_inside_a_record_is_refused_and_the_file_read_in_one_pass(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Lines inside a record that look like records opening: the first half's parse finds
    its brackets unclosed, and the whole file is read again in one pass."""
    inner = ",\n".join(['{"model": "sentry.email", "pk": 1}'] * 2000)
    text = ('[\n{"model": "sentry.option", "pk": 1, "fields": {"key": "a", "value": 1}},\n'
            '{"model": "sentry.option", "pk": 2, "fields": {"key": "b", "value": [\n'
            + inner + '\n]}},\n'
            '{"model": "sentry.option", "pk": 3, "fields": {"key": "c", "value": 3}}\n]\n')
    path = tmp_path / "export.json"
    path.write_text(text)
    with path.open("rb") as f:
        cut = split_point(f, len(text))
    assert cut is not None and text.index("[\n{\"model\": \"sentry.email\"") < cut[0] \
        < text.index("]}}")
    one, two = (_spill(path, tmp_path, t, monkeypatch) for t in (ONE_PASS, TWO_HALVES))
    assert _contents(two) == _contents(one)
    assert two.counts == {"sentry.option": 3} and two.total == 3


@pytest.mark.parametrize("damage", ["truncated", "bad item", "not json"])
def test_an_error_in_either_half_is_reported_as_one_pass_reports_it(
        damage: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Positions count from the start of the file, and nothing is left on disk."""
    records = _records()
    if damage == "bad item":
        records[-5] = {"model": "sentry.email", "pk": "seven", "fields": {}}
    text = json.dumps(records, indent=2)
    if damage == "truncated":
        text = text[:len(text) * 3 // 4]
    if damage == "not json":
        text = text.replace('"pk": 2,', '"pk": 2,,', 1)  # in the first half
    path = tmp_path / "export.json"
    path.write_text(text)
    reasons = []
    for threshold in (ONE_PASS, TWO_HALVES):
        with pytest.raises(ImportFailure) as failure:
            _spill(path, tmp_path, threshold, monkeypatch)
        reasons.append(failure.value.reason)
        assert not list((tmp_path / f"work-{threshold}").iterdir())
    assert reasons[0] == reasons[1]
    assert "item #" in reasons[0]


def test_an_import_read_in_two_halves_lands_what_the_export_holds(
        pg_admin_url: str, templates: dict[str, str], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """End to end: a shuffled export in Sentry's layout, spilled in two halves, imports to
    the same data as the ordered fixture."""
    monkeypatch.setattr(source, "PARALLEL_SPILL_BYTES", TWO_HALVES)
    records = load_fixture("fresh-install.json")
    random.Random(3).shuffle(records)
    shuffled = tmp_path / "shuffled.json"
    shuffled.write_text(json.dumps(records, indent=2))
    out = tmp_path / "reexport.json"
    with fresh_silos(pg_admin_url, templates) as silos:
        result = silos.relocate("import", "global", shuffled, "--no-prompt")
        assert result.code == 0, result.stderr
        assert silos.count("control", "auth_user") == 3
        assert silos.count("region", "sentry_projectoptions") == 2
        assert silos.relocate("export", "global", out).code == 0
    assert run_cli(["compare", str(fixture_path("fresh-install.json")), str(out)]).code == 0
