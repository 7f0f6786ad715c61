"""Pure parts, checked without I/O: ordering, coercion, names, pk maps, ledger rows, errors."""

from __future__ import annotations

import gc
import json
import re
import uuid
from datetime import UTC, datetime

import grpc
import orjson
import pytest
import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.dialects import postgresql as pg

from commands.heap import frozen_gc
from orchestrator.catalog import ModelInfo, dependency_order
from orchestrator.findings import Finding
from orchestrator.importer import BATCH_BYTES, DEFAULT_BATCH_SIZE, MAX_BATCH_SIZE, batch_size
from orchestrator.pkmap import MapLifetimes, PkMap
from silo_engine.database import json_text
from silo_engine.fields import FieldError, JSONText, coercer_for, export_value
from silo_engine.ledger import Chunk
from silo_engine.randomness import SUFFIX_LENGTHS, SUFFIX_SCHEDULE, suffixed
from silo_engine.server import chunk_to_response, mapped_from_columns, sent_pks
from silo_engine.slugs import RESERVED_ORGANIZATION_SLUGS, SLUG_MAX_LENGTH, normalize_slug
from tests.conftest import DETAILED
from wire.errors import ErrorKind, ImportFailure
from wire.pkwire import CODE_OF_KIND, from_columns
from wire.relocation.v1 import models_pb2
from wire.scopes import ImportKind, ImportScope, RelocationScope
from wire.values import PkEntry

names = st.text(alphabet="abcdefgh", min_size=1, max_size=3).map(lambda s: f"app.{s}")


@given(st.dictionaries(names, st.frozensets(names, max_size=3), max_size=12))
def test_dependency_order_places_dependencies_first(graph: dict) -> None:
    # Keep only edges to earlier names, so the graph has no cycles.
    acyclic = {n: frozenset(d for d in deps if d < n) for n, deps in graph.items()}
    order = dependency_order(acyclic)
    assert sorted(order) == sorted(acyclic)
    position = {n: i for i, n in enumerate(order)}
    for name, deps in acyclic.items():
        for dep in deps:
            if dep in position:
                assert position[dep] < position[name]


def test_a_model_pointing_at_itself_is_self_referencing_but_not_its_own_dependency() -> None:
    parent = models_pb2.ForeignKey(field="parent", target_model="app.node", nullable=True)
    owner = models_pb2.ForeignKey(field="owner", target_model="sentry.user")

    def info(name: str, *fks: models_pb2.ForeignKey) -> ModelInfo:
        return ModelInfo.from_proto(models_pb2.ModelDescription(
            name=name, silo=models_pb2.SILO_REGION, foreign_keys=fks))

    node = info("app.node", parent, owner)
    assert node.self_referencing and node.dependencies == {"sentry.user"}
    assert not info("app.leaf", owner).self_referencing


def test_dependency_order_of_sentry_models_is_valid() -> None:
    detailed = json.loads(DETAILED.read_text())
    graph = {n: frozenset({fk["model"] for fk in m["foreign_keys"].values()}
                          | set(m["relocation_dependencies"])) - {n}
             for n, m in detailed.items()}
    order = dependency_order(graph)
    position = {n: i for i, n in enumerate(order)}
    assert all(position[d] < position[n] for n, deps in graph.items() for d in deps)


def test_dependency_order_rejects_cycles() -> None:
    with pytest.raises(ValueError, match="circular"):
        dependency_order({"a.x": frozenset({"a.y"}), "a.y": frozenset({"a.x"})})


@pytest.mark.parametrize(("column", "given_value", "expected"), [
    (sa.Column("c", sa.BigInteger), "10", 10),
    (sa.Column("c", sa.BigInteger), " -10 ", -10),
    (sa.Column("c", sa.BigInteger), 10.0, 10),
    (sa.Column("c", sa.Integer), 7, 7),
    (sa.Column("c", sa.Boolean), "true", True),
    (sa.Column("c", sa.String(5)), "abc", "abc"),
    (sa.Column("c", sa.DateTime(timezone=True)), "2023-06-22T00:00:00Z",
     datetime(2023, 6, 22, tzinfo=UTC)),
    (sa.Column("c", sa.DateTime(timezone=True)), "2023-06-22T00:00:00.000Z",
     datetime(2023, 6, 22, tzinfo=UTC)),
    (sa.Column("c", pg.ARRAY(sa.Text)), "['a', 'b']", ["a", "b"]),
    (sa.Column("c", pg.ARRAY(sa.Text)), '["a", "b"]', ["a", "b"]),
    (sa.Column("c", pg.ARRAY(sa.Text)), ["a"], ["a"]),
    (sa.Column("c", pg.INET), "127.0.0.2", "127.0.0.2"),
    (sa.Column("c", JSONText), '"\\"x\\""', '"\\"x\\""'),
])
def test_coercion_accepts_export_forms(column: sa.Column, given_value: object,
                                       expected: object) -> None:
    assert coercer_for(column)(given_value) == expected


@pytest.mark.parametrize(("column", "bad"), [
    (sa.Column("c", sa.Integer), "ten"),
    (sa.Column("c", sa.Integer), "²"),
    (sa.Column("c", sa.Integer), "--5"),
    (sa.Column("c", sa.Integer), "-"),
    (sa.Column("c", sa.Integer), 2**31),
    (sa.Column("c", sa.Integer), True),
    (sa.Column("c", sa.Boolean), "maybe"),
    (sa.Column("c", sa.String(3)), "abcd"),
    (sa.Column("c", sa.DateTime(timezone=True)), "yesterday"),
    (sa.Column("c", sa.DateTime(timezone=True)), "0001-01-01T00:00:00+14:00"),
    (sa.Column("c", sa.DateTime(timezone=True)), "9999-12-31T23:59:59-14:00"),
    (sa.Column("c", pg.INET), "0.1.2.3.4.5.6.7.8.9.abc.def"),
    (sa.Column("c", pg.ARRAY(sa.Text)), "not a list"),
])
def test_coercion_rejects_bad_values(column: sa.Column, bad: object) -> None:
    with pytest.raises(FieldError):
        coercer_for(column)(bad)


@given(st.datetimes(timezones=st.just(UTC)))
def test_export_datetime_format_round_trips_to_the_millisecond(moment: datetime) -> None:
    column = sa.Column("c", sa.DateTime(timezone=True))
    text = export_value(column, moment)
    assert text.endswith("Z") and len(text.split(".")[1]) == 4
    assert coercer_for(column)(text) == moment.replace(
        microsecond=moment.microsecond // 1000 * 1000)


@given(st.text(min_size=1, max_size=200))
def test_suffix_candidates_fit_and_follow_the_schedule(base: str) -> None:
    candidates = [suffixed(base, length, 30) for length in SUFFIX_LENGTHS]
    assert len(candidates) == sum(tries for tries, _ in SUFFIX_SCHEDULE)
    assert [len(c.rsplit("-", 1)[1]) for c in candidates] == list(SUFFIX_LENGTHS)
    assert all(len(c) <= 30 and "-" in c for c in candidates)


@given(st.text(max_size=80))
def test_normalized_slugs_are_usable(slug: str) -> None:
    result = normalize_slug(slug)
    assert result and len(result) <= SLUG_MAX_LENGTH
    assert re.fullmatch(r"[a-z0-9-]+", result)  # what Django's slugify leaves
    assert not result.startswith("-") and not result.endswith("-")
    assert result not in RESERVED_ORGANIZATION_SLUGS and not result.isdigit()


def test_a_random_slug_is_never_digits_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """About one random draw in 280 is twelve decimal digits, a slug Sentry refuses."""
    draws = iter([uuid.UUID("123456789012" + "0" * 20), uuid.UUID("abc" + "0" * 29)])
    monkeypatch.setattr(uuid, "uuid4", lambda: next(draws))
    assert normalize_slug("¦") == "abc000000000"


def test_normalize_slug_keeps_a_good_slug() -> None:
    assert normalize_slug("My_Org-") == "my-org"


@pytest.mark.parametrize(("slug", "expected"), [
    ("a b c", "a-b-c"), ("Zürich Office", "zurich-office"), ("ünïcode", "unicode"),
    ("acme!! (eu)", "acme-eu"), ("x" + "-" * 60, "x"),
    ("Lab ㎷ meter", "lab-mv-meter"), ("big\uff3fco", "big-co")])
def test_normalize_slug_slugifies_like_django(slug: str, expected: str) -> None:
    assert normalize_slug(slug) == expected


def to_columns(model: str, mapped: list[tuple[int, PkEntry]]) -> models_pb2.PkMapColumns:
    """The packed columns of `mapped`, as a silo answers them."""
    msg = models_pb2.PkMapColumns(model=model)
    msg.old_pks.extend([old for old, _ in mapped])
    msg.new_pks.extend([entry.new_pk for _, entry in mapped])
    msg.kinds.extend([CODE_OF_KIND[entry.kind] for _, entry in mapped])
    for old, entry in mapped:
        if entry.identifier is not None:
            msg.identifiers[old] = entry.identifier
    return msg


# Mostly pks that fit 32 bits, sometimes one that needs 64 (the map widens its arrays then).
_PKS = st.integers(1, 2**31 - 1) | st.integers(1, 10**12)


@given(st.lists(st.tuples(_PKS, _PKS, st.sampled_from(list(ImportKind))), max_size=60))
def test_pk_map_keeps_only_referenced_models(entries: list) -> None:
    """Any arrival order, repeated pks included, 32- and 64-bit pks mixed: a lookup finds the
    latest answer."""
    pk_map = PkMap(keep={"sentry.user"})
    mapped = [(old, PkEntry(new, kind)) for old, new, kind in entries]
    half = len(mapped) // 2
    for part in (mapped[:half], mapped[half:]):
        pk_map.add(to_columns("sentry.user", part))
        pk_map.add(to_columns("sentry.rule", part))
    last = dict(mapped)
    # Looked up in any order, with repeats and values that are not pks.
    asked = [*reversed(last), *last, 0, None, "7", True]
    assert pk_map.new_pks("sentry.user", asked) == {old: e.new_pk for old, e in last.items()}
    assert pk_map.new_pks("sentry.rule", asked) == {}
    assert pk_map.size() == len(last)
    wanted = sorted({*last, 0, 10**12 + 1})
    found = pk_map.columns("sentry.user", wanted)
    assert found is None if not last else from_columns(found) == sorted(last.items())
    assert pk_map.columns("sentry.rule", wanted) is None


@given(st.lists(st.tuples(_PKS, _PKS, st.sampled_from(list(ImportKind))), min_size=1,
                max_size=60), st.data())
def test_pk_map_finds_runs_and_scattered_pks_alike(entries: list, data: st.DataObject) -> None:
    """A batch usually asks for a run of pks the map holds with nothing between (read as one
    slice); any other set of pks, near a run or not, gets the same answer entry by entry."""
    pk_map = PkMap(keep={"sentry.user"})
    pk_map.add(to_columns("sentry.user", [(old, PkEntry(new, kind))
                                          for old, new, kind in entries]))
    last = {old: (new, kind) for old, new, kind in entries}
    held = sorted(last)
    start = data.draw(st.integers(0, len(held) - 1))
    run = held[start:data.draw(st.integers(start + 1, len(held)))]
    extra = data.draw(st.lists(_PKS | st.integers(-(2**40), 0), max_size=3))
    for wanted in (run, sorted({*run, *extra}), sorted(set(run[1:]) | {run[0] - 1})):
        expected = [(old, PkEntry(*last[old])) for old in wanted if old in last]
        found = pk_map.columns("sentry.user", wanted)
        assert (from_columns(found) if found is not None else []) == expected


@pytest.mark.parametrize("wanted", [[1, 3, 4], [3, 4, 10], [1, 2, 4], [1, 3, 5], [0, 3, 4],
                                    [-(2**40), 3, 4], [1, 3, 2**40], [4], [5]])
def test_pk_map_reads_a_run_as_a_slice_only_when_it_is_one(wanted: list[int]) -> None:
    """Same length and same ends as a slice of the map is not enough: every pk must match, and
    a pk no 32-bit array can hold must not break the comparison."""
    pk_map = PkMap(keep={"sentry.user"})
    held = {1: 11, 3: 13, 4: 14, 10: 20}
    pk_map.add(to_columns("sentry.user", [(old, PkEntry(new, ImportKind.INSERTED))
                                          for old, new in held.items()]))
    assert pk_map.new_pks("sentry.user", wanted) == {old: held[old] for old in wanted
                                                     if old in held}


def test_a_pk_map_is_kept_while_a_model_that_references_it_is_still_to_finish() -> None:
    """Sentry's shape in small: members reference organizations and users, member-teams
    reference members and teams, and a deferred token references organizations and users."""
    lifetimes = MapLifetimes([
        ("sentry.user", []), ("sentry.organization", []),
        ("sentry.team", ["sentry.organization"]),
        ("sentry.organizationmember", ["sentry.organization", "sentry.user", "sentry.user"]),
        ("sentry.organizationmemberteam", ["sentry.organizationmember", "sentry.team"]),
        ("sentry.rule", ["sentry.rule"]),  # itself: its own map while it runs
        ("sentry.orgauthtoken", ["sentry.organization", "sentry.user"])])
    assert lifetimes.needed() == {"sentry.user", "sentry.organization", "sentry.team",
                                  "sentry.organizationmember", "sentry.rule"}
    released = {name: lifetimes.finished(name) for name in (
        "sentry.user", "sentry.organization", "sentry.team", "sentry.organizationmember",
        "sentry.rule", "sentry.organizationmemberteam", "sentry.orgauthtoken")}
    assert released == {
        "sentry.user": [], "sentry.organization": [], "sentry.team": [],
        "sentry.organizationmember": [], "sentry.rule": ["sentry.rule"],
        "sentry.organizationmemberteam": ["sentry.organizationmember", "sentry.team"],
        "sentry.orgauthtoken": ["sentry.organization", "sentry.user"]}
    assert lifetimes.needed() == set()


def test_a_dropped_pk_map_is_gone_and_stays_gone() -> None:
    pk_map = PkMap(keep={"sentry.user", "sentry.team"})
    entries = [(1, PkEntry(11, ImportKind.INSERTED)), (2, PkEntry(12, ImportKind.EXISTING))]
    for model in ("sentry.user", "sentry.team"):
        pk_map.add(to_columns(model, entries))
    pk_map.drop("sentry.user")
    pk_map.add(to_columns("sentry.user", entries))  # an answer after the drop is not kept
    assert pk_map.new_pks("sentry.user", [1, 2]) == {}
    assert pk_map.columns("sentry.user", [1]) is None
    assert from_columns(pk_map.columns("sentry.team", [2])) == [entries[1]]
    assert pk_map.size() == 2


@given(st.dictionaries(st.integers(1, 10**12), st.tuples(st.integers(1, 10**12),
                                                         st.sampled_from(list(ImportKind))),
                       max_size=60))
def test_sent_pks_resolve_and_flag_merged_and_inserted_rows(entries: dict) -> None:
    sent = sent_pks([to_columns("sentry.user", [(old, PkEntry(new, kind))
                                                for old, (new, kind) in entries.items()])])
    users = sent.new_pks.get("sentry.user", {})
    assert users == {old: new for old, (new, _) in entries.items()}
    assert sent.existing.get("sentry.user", set()) == {
        old for old, (_, kind) in entries.items() if kind is ImportKind.EXISTING}
    assert "sentry.team" not in sent.new_pks
    # The rows the import itself inserted, by new pk (their keys need no collision lookup).
    assert sent.inserted.get("sentry.user", set()) == {
        new for new, kind in entries.values() if kind is ImportKind.INSERTED}


def test_sent_pks_refuse_columns_of_different_lengths() -> None:
    msg = to_columns("sentry.user", [(1, PkEntry(2, ImportKind.INSERTED))])
    msg.new_pks.append(3)
    with pytest.raises(ValueError):
        sent_pks([msg])


@given(st.dictionaries(st.integers(1, 10**9),
                       st.tuples(st.integers(1, 10**9), st.sampled_from(list(ImportKind)),
                                 st.none() | st.text(max_size=10)), min_size=1, max_size=20))
def test_chunk_row_round_trip(entries: dict) -> None:
    mapped = sorted((old, PkEntry(new, kind, ident if kind is ImportKind.INSERTED else None))
                    for old, (new, kind, ident) in entries.items())
    chunk = Chunk.summarise("0" * 32, "sentry.user", 5,
                            mapped_from_columns(to_columns("sentry.user", mapped)))
    assert chunk.min_ordinal == 5 and chunk.max_ordinal == 4 + len(mapped)
    assert chunk.min_source_pk == min(entries) and chunk.max_source_pk == max(entries)
    row = orjson.loads(json_text(chunk.to_row()))  # as the ledger stores it
    back = Chunk.from_row(_RowLike(row))  # type: ignore[arg-type]
    assert from_columns(chunk_to_response(back).mapped) == mapped
    assert (back.min_inserted_pk, back.max_inserted_pk) == (chunk.min_inserted_pk,
                                                            chunk.max_inserted_pk)


class _RowLike:
    def __init__(self, values: dict) -> None:
        self.__dict__.update(values)


@pytest.mark.parametrize("kind", list(ErrorKind))
def test_error_kinds_round_trip_through_the_wire_format(kind: ErrorKind) -> None:
    failure = ImportFailure(kind, "sentry.user", "why", ordinal=3, left_pk=7, right_pk=None)
    assert ImportFailure.from_proto(failure.to_proto()) == failure
    assert isinstance(kind.status_code, grpc.StatusCode)


def test_status_codes_fit_the_kinds() -> None:
    assert ErrorKind.UNKNOWN_MODEL.status_code is grpc.StatusCode.NOT_FOUND
    assert ErrorKind.INCORRECT_SILO_MODE_FOR_MODEL.status_code is \
        grpc.StatusCode.FAILED_PRECONDITION
    assert ErrorKind.VALIDATION_ERROR.status_code is grpc.StatusCode.INVALID_ARGUMENT
    assert ErrorKind.UNKNOWN.status_code is grpc.StatusCode.INTERNAL


def test_finding_and_pretty_shapes() -> None:
    failure = ImportFailure(ErrorKind.VALIDATION_ERROR, "sentry.user", "too long", ordinal=1,
                            left_pk=1)
    assert Finding.from_failure(failure).to_json() == {"finding": "RpcImportError",
                                                        "kind": "ValidationError",
                                                        "on": {"model": "sentry.user",
                                                               "ordinal": 1},
                                                        "left_pk": 1, "right_pk": None,
                                                        "reason": "too long"}
    assert failure.pretty().splitlines()[:3] == [
        "RpcImportError(", "    kind: ValidationError,",
        "    on: InstanceID(model: 'sentry.user', ordinal: 1),"]


def test_scopes_accept_what_sentry_accepts() -> None:
    assert ImportScope.USER.accepts == {RelocationScope.USER}
    assert ImportScope.ORGANIZATION.accepts == {RelocationScope.USER,
                                                RelocationScope.ORGANIZATION}
    assert ImportScope.CONFIG.accepts == {RelocationScope.USER, RelocationScope.CONFIG}
    assert RelocationScope.EXCLUDED not in ImportScope.GLOBAL.accepts


def test_frozen_gc_exempts_live_objects_only_while_the_import_runs() -> None:
    """Objects alive at the start are out of the collector's sight during the import and back
    in it afterwards, also when the import fails (a test process must not keep them); young
    collections are rarer meanwhile, and as before afterwards."""
    assert gc.get_freeze_count() == 0
    before = gc.get_threshold()
    with pytest.raises(RuntimeError), frozen_gc():
        assert gc.get_freeze_count() > 10_000  # the loaded modules, at least
        assert gc.get_threshold()[0] == 20_000 and gc.get_threshold()[1:] == before[1:]
        raise RuntimeError("the import failed")
    assert gc.get_freeze_count() == 0
    assert gc.get_threshold() == before


@pytest.mark.parametrize(("records", "spilled_bytes", "size"), [
    (100_000, 100_000 * BATCH_BYTES // 1000, DEFAULT_BATCH_SIZE),  # large: the default
    (100_000, 100_000 * BATCH_BYTES // 4000, 4000),  # small: as many as fit
    (100_000, 100_000 * 20, MAX_BATCH_SIZE),  # tiny ones: no more than the cap
    (10, 0, MAX_BATCH_SIZE),  # nothing spilled (cannot be, but never a division by zero)
])
def test_a_batch_holds_more_of_a_model_of_small_records(records: int, spilled_bytes: int,
                                                        size: int) -> None:
    assert batch_size(records, spilled_bytes) == size
