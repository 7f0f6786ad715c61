"""Regrouping an export by model on disk: a large plain file is read in two halves by two
processes, and the result must be exactly what one pass gives, whatever the layout, order or
errors of the file."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import pytest

from orchestrator import source, storage
from orchestrator.catalog import Catalog, ModelInfo
from orchestrator.client import with_json_records
from orchestrator.source import SpilledExport, spill, split_point
from silo_engine.server import describe
from tests.conftest import (
    Silos,
    fixture_path,
    fresh_silos,
    load_fixture,
    lookalike_lines_export,
    run_cli,
)
from tools.models import declared_specs
from wire.errors import ErrorKind, ImportFailure
from wire.relocation.v1 import silo_service_pb2

CATALOG = Catalog(ModelInfo.from_proto(describe(s)) for s in declared_specs().values())
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


# Fields kept beside each record, as the importer keeps users' and members'
# (cross_silo.KEPT_FIELDS).
KEEP = {"sentry.user": ("username", "is_staff"), "sentry.email": ("email",)}


def _spill(path: Path, tmp_path: Path, threshold: int,
           monkeypatch: pytest.MonkeyPatch) -> SpilledExport:
    monkeypatch.setattr(source, "PARALLEL_SPILL_BYTES", threshold)
    workdir = tmp_path / f"work-{threshold}"
    workdir.mkdir(exist_ok=True)
    with path.open("rb") as stream:
        return spill(stream, CATALOG, workdir, KEEP)


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
    text = lookalike_lines_export(2000)
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

    def check(silos: Silos) -> None:
        assert silos.count("control", "auth_user") == 3
        assert silos.count("region", "sentry_projectoptions") == 2

    _round_trip_fresh_install(records, pg_admin_url, templates, tmp_path, check)


def _round_trip_fresh_install(records: list[dict[str, Any]], pg_admin_url: str,
                              templates: dict[str, str], tmp_path: Path,
                              check: Callable[[Silos], None]) -> None:
    """Import `records` (fresh-install.json, altered) in global scope into fresh silos, run
    `check` on them, and compare their export with the fixture itself: no difference."""
    path, out = tmp_path / "altered.json", tmp_path / "reexport.json"
    path.write_text(json.dumps(records, indent=2))
    with fresh_silos(pg_admin_url, templates) as silos:
        result = silos.relocate("import", "global", path, "--no-prompt")
        assert result.code == 0, result.stderr
        check(silos)
        assert silos.relocate("export", "global", out).code == 0
    assert run_cli(["compare", str(fixture_path("fresh-install.json")), str(out)]).code == 0


def test_references_written_as_numbers_in_strings_resolve_like_integers(
        pg_admin_url: str, templates: dict[str, str], tmp_path: Path) -> None:
    """A foreign key written "3" (as hand edits and some tools write them) is the record pk 3:
    the batch carries its pk-map entry and members get their control mapping, instead of the
    record being dropped as a reference to nothing."""
    records = load_fixture("fresh-install.json")
    changed = 0
    for record in records:
        for name, _ in CATALOG.models[record["model"]].foreign_keys:
            if type(record["fields"].get(name)) is int:
                record["fields"][name] = str(record["fields"][name])
                changed += 1
    assert changed > 20

    def check(silos: Silos) -> None:
        assert silos.count("control", "sentry_useremail") == 3
        assert silos.count("region", "sentry_organizationmember") == 3
        # two members are users, the third an invitation sent by a user
        assert silos.count("control", "sentry_organizationmembermapping",
                           "user_id IS NOT NULL") == 2
        assert silos.count("control", "sentry_organizationmembermapping",
                           "inviter_id IS NOT NULL") == 2

    _round_trip_fresh_install(records, pg_admin_url, templates, tmp_path, check)


def _nested(levels: int) -> Any:
    value: Any = {"a": 1}
    for _ in range(levels):
        value = [value]
    return value


@pytest.mark.parametrize(("bad_value", "reason"), [
    (_nested(300), "item #2 of the export (sentry.email, pk 102) cannot be imported"),
    (2 ** 70, "item #2 of the export holds an integer larger than 64 bits"),
], ids=["nested-300-deep", "integer-over-64-bits"])
def test_values_no_column_can_hold_are_refused_naming_the_item(
        bad_value: Any, reason: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    records = [_email(101, 1), _email(102, 2), _email(103, 3)]
    records[1]["fields"]["email"] = bad_value
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(records, indent=2))
    with pytest.raises(ImportFailure) as failure:
        _spill(path, tmp_path, ONE_PASS, monkeypatch)
    assert failure.value.kind is ErrorKind.DESERIALIZATION_FAILED
    assert reason in failure.value.reason


@pytest.mark.parametrize("where", ["adjacent", "out of order", "across the cut"])
def test_a_repeated_pk_of_a_model_others_point_at_is_refused(
        where: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two users with one pk would leave the records pointing at that pk tied to either: the
    spill refuses the file, read in one pass or in two halves alike."""
    assert "sentry.user" in CATALOG.fk_targets
    records = [{"model": "sentry.user", "pk": pk, "fields": {"username": f"user{pk}"}}
               for pk in range(1, 401)]
    path = tmp_path / "export.json"
    if where == "adjacent":
        records[200]["pk"] = 200
    elif where == "out of order":
        records[100]["pk"] = 301  # as records[300] has
    else:  # the first record of the second half takes the pk of the last of the first
        path.write_text(json.dumps(records, indent=2))
        with path.open("rb") as f:
            cut = split_point(f, path.stat().st_size)
        assert cut is not None
        second = path.read_bytes()[:cut[1]].count(b'"model"')
        records[second]["pk"] = records[second - 1]["pk"]
    path.write_text(json.dumps(records, indent=2))
    reasons = []
    for threshold in (ONE_PASS, TWO_HALVES):
        with pytest.raises(ImportFailure) as failure:
            _spill(path, tmp_path, threshold, monkeypatch)
        reasons.append(failure.value.reason)
    assert reasons[0] == reasons[1]
    if where == "out of order":
        assert "two sentry.user records with pk 301" in reasons[0]
    else:
        assert "item #" in reasons[0] and "has the pk of the sentry.user record before" \
            in reasons[0]


def test_a_repeated_pk_of_a_model_nothing_points_at_imports_both(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """As in Sentry (its duplicate UserIP test repeats a pk): no reference can be ambiguous."""
    assert "sentry.email" not in CATALOG.fk_targets
    records = [_email(1, 1), _email(2, 2), _email(2, 3), _email(1, 4)]
    path = tmp_path / "export.json"
    path.write_text(json.dumps(records, indent=2))
    spilled = _spill(path, tmp_path, ONE_PASS, monkeypatch)
    assert [orjson.loads(r)["pk"] for _, r in spilled.entries("sentry.email")] == [1, 1, 2, 2]


def test_a_byte_order_mark_is_skipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Some editors save UTF-8 with a byte order mark; the records read the same either way."""
    text = json.dumps(_records(), indent=2)
    plain, marked = tmp_path / "plain.json", tmp_path / "marked.json"
    plain.write_text(text)
    marked.write_bytes(b"\xef\xbb\xbf" + text.encode())
    expected = _contents(_spill(plain, tmp_path, ONE_PASS, monkeypatch))
    for threshold in (ONE_PASS, TWO_HALVES):
        assert _contents(_spill(marked, tmp_path, threshold, monkeypatch)) == expected


@pytest.mark.parametrize("size", [1, 3, 7, 10_000])
def test_batches_hold_every_record_once_in_pk_order(size: int, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "export.json"
    path.write_text(json.dumps(_records(), indent=2))
    spilled = _spill(path, tmp_path, ONE_PASS, monkeypatch)
    for model in spilled.counts:
        expected = [(references, orjson.loads(record))
                    for references, record in spilled.entries(model)]
        batches = list(spilled.batches(model, size, budget=1 << 30))
        assert [len(b.references) for b in batches[:-1]] == [size] * (len(batches) - 1)
        assert 0 < len(batches[-1].references) <= size
        got = [pair for b in batches
               for pair in zip(b.references, orjson.loads(b.json_array), strict=True)]
        assert got == expected
        kept = [fields for b in batches for fields in orjson.loads(b.kept)]
        names = KEEP.get(model, ())
        assert kept == ([[r["pk"], *(r["fields"].get(n) for n in names)] for _, r in expected]
                        if names else [])
    assert spilled.counts["sentry.user"] and spilled.counts["sentry.email"]


@pytest.mark.parametrize("budget, overhead", [(1, 0), (700, 0), (700, 100), (5_000, 21)])
def test_batches_are_cut_to_their_byte_budget_the_same_way_every_time(
        budget: int, overhead: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Records of every size: a batch is cut before the record that would take its records'
    bytes, with `overhead` each, past the budget (a record over it goes alone), and the same
    file cuts the same way again (a resume's batches must have the first run's ordinals)."""
    records = [_email(pk, pk) for pk in range(1, 60)]
    for record in records:
        record["fields"]["email"] = "u" * (record["pk"] * 37 % 900) + "@example.com"
    path = tmp_path / "export.json"
    path.write_text(json.dumps(records, indent=2))
    spilled = _spill(path, tmp_path, ONE_PASS, monkeypatch)
    batches = list(spilled.batches("sentry.email", 8, budget, overhead))
    sizes = [[len(orjson.dumps(r)) + 1 + overhead for r in orjson.loads(b.json_array)]
             for b in batches]
    assert [r["pk"] for b in batches for r in orjson.loads(b.json_array)] == list(range(1, 60))
    for cut, following in zip(sizes, [*sizes[1:], []], strict=True):
        assert len(cut) <= 8
        assert sum(cut) <= budget or len(cut) == 1
        if following and len(cut) < 8:  # cut by bytes: the next record would not have fit
            assert sum(cut) + following[0] > budget
    again = list(spilled.batches("sentry.email", 8, budget, overhead))
    assert [b.json_array for b in again] == [b.json_array for b in batches]
    assert len(batches) > (59 + 7) // 8 or budget == 5_000


@pytest.mark.parametrize("length", [0, 1, 127, 128, 20_000])
def test_json_records_appended_to_a_serialized_request_read_back_as_set(length: int) -> None:
    records = b"[" + b"7" * length + b"]"
    fields = {"model": "sentry.email", "min_ordinal": 41,
              "flags": silo_service_pb2.ImportFlags(import_uuid="u")}
    whole = silo_service_pb2.ImportByModelRequest(json_records=records, **fields)
    head = silo_service_pb2.ImportByModelRequest(**fields).SerializeToString()
    assert silo_service_pb2.ImportByModelRequest.FromString(
        with_json_records(head, bytearray(records))) == whole


def test_a_spill_whose_owner_exited_unwaited_is_removed(tmp_path: Path) -> None:
    """A killed orchestrator its parent has not waited for yet is a zombie: still a pid, but
    nobody will remove its spill. The bench's fault harness found such a folder left behind."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    while (state := storage._stat(child.pid)) is not None and state[0] != b"Z":
        time.sleep(0.01)
    folder = tmp_path / f"{storage.SPILL_PREFIX}zombie"
    folder.mkdir()
    (folder / storage.OWNER).write_bytes(b"%d %d" % (child.pid, storage._started(child.pid) or 0))
    (folder / "sentry.user.jsonl").write_bytes(b"secret\n")
    try:
        assert storage.remove_abandoned(tmp_path) == [folder]
        assert not folder.exists()
    finally:
        child.wait()


def test_a_spill_is_marked_before_it_is_named_and_unmarked_last(tmp_path: Path) -> None:
    folder = storage.make_spill_directory(tmp_path)
    assert folder.name.startswith(storage.SPILL_PREFIX)
    assert (folder / storage.OWNER).read_bytes().split()[0] == str(os.getpid()).encode()
    assert [p.name for p in tmp_path.iterdir()] == [folder.name]  # nothing being made is left
    (folder / "second-half").mkdir()
    (folder / "second-half" / "sentry.user.jsonl").write_bytes(b"x")
    (folder / "sentry.user.jsonl").write_bytes(b"x")
    storage.empty_spill_directory(folder)  # where a kill during removal can stop at worst
    assert [p.name for p in folder.iterdir()] == [storage.OWNER]
    storage.remove_spill_directory(folder)
    assert not folder.exists()


def test_a_folder_left_while_being_made_goes_once_old_and_only_if_empty(tmp_path: Path) -> None:
    empty = tmp_path / f"{storage.MAKING_PREFIX}a"
    holding = tmp_path / f"{storage.MAKING_PREFIX}b"
    young = tmp_path / f"{storage.MAKING_PREFIX}c"
    for folder in (empty, holding, young):
        folder.mkdir()
    (holding / "file").write_bytes(b"x")
    old = time.time() - storage.MAKING_GRACE - 5
    for folder in (empty, holding):
        os.utime(folder, (old, old))
    assert storage.remove_abandoned(tmp_path) == [empty]
    assert holding.exists() and young.exists()
