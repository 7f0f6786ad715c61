"""`relocate compare`: are two exports the same data? (Sentry's `backup compare`, adapted.)

Both files are stream-parsed and spilled to disk by model, each model's records sorted by pk
(an external merge sort when a file is not in pk order), so memory stays constant whatever the
size. Then model by model, the n-th record on the left is matched with the n-th on the right:

- a model whose record counts differ gives one UnequalCounts finding (its records are not
  compared further);
- primary keys are never compared by value: an import assigns new ones;
- a reference (a foreign key field of a declared model) must point at the matching record, the
  one with the same ordinal within the target model on both sides, whatever its pk; null must
  match null (UnequalReference);
- every other field is compared after normalising encodings that mean the same value: datetimes
  as instants (with or without milliseconds, `Z` or `+00:00`), BitFields as decimal strings or
  integers, arrays as Python list literals, JSON strings or lists, JSON-text fields encoded
  twice or once (UnequalJSON);
- a field present on only one side is not a difference (newer Sentry versions add defaulted
  columns), but it is counted in the summary.

Fields an import legitimately changes are compared by rule, and which rules apply depends on
the scope the right side was imported in (`--scope`, default global):

- every scope: a username or organization slug taken already gets a random suffix, an
  organization slug is normalised (lower case, dashes), a missing secret or hash is minted,
  an unclaimed user gets a new unusable password, incidents get fresh uuids (as in Sentry), a
  monitor's team owner (a number Sentry does not remap) is forgotten, and a reference that the
  model clears when its target was not imported is null when the left file lacks the target;
- users, organizations, config: users become unclaimed with a new unusable password, email
  addresses become unverified with a new validation hash and date, and secrets that collided
  are regenerated (or cleared) as the model's unique keys declare, or renewed after insert;
- users, organizations: the staff, superuser and managed flags are stripped.

Records that no import takes are not compared, only counted in the summary: those with a
reference (that the model does not clear instead) to a record their file does not hold, and
their dependents; outside global scope also the models (and, for models with several scopes,
the records) that the scope does not import. Values of credential fields are never shown.
"""

from __future__ import annotations

import ast
import bisect
import contextlib
import mmap
import re
import shutil
import tempfile
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import orjson
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg

from orchestrator import storage
from orchestrator.findings import Finding
from orchestrator.source import INT64, read_records
from silo_engine.fields import JSONText, parse_datetime
from silo_engine.modelspec import Collision, ForeignKeySpec, ModelSpec, OnMissing
from silo_engine.redact import REDACTED, is_sensitive
from silo_engine.slugs import RESERVED_ORGANIZATION_SLUGS, SLUG_MAX_LENGTH, slug_base
from tools.models import declared_specs, spec_order
from wire.scopes import ImportScope

SHOWN_CHARS = 120

ALL_SCOPES = frozenset(ImportScope)
NON_GLOBAL = frozenset({ImportScope.USER, ImportScope.ORGANIZATION, ImportScope.CONFIG})
STRIPPED = frozenset({ImportScope.USER, ImportScope.ORGANIZATION})


# --- the summary ------------------------------------------------------------------------------


@dataclass
class Summary:
    differences: int = 0
    compared_models: int = 0
    compared_records: int = 0
    # (model, field, side) -> records where the field is present on that side only
    one_sided: Counter[tuple[str, str, str]] = field(default_factory=Counter)
    not_in_scope: Counter[str] = field(default_factory=Counter)  # model -> records not compared
    # (model, side) -> records no import takes: a reference points at a record the file lacks
    unimportable: Counter[tuple[str, str]] = field(default_factory=Counter)

    def lines(self, scope: ImportScope) -> list[str]:
        out = [f"compared {self.compared_records} record pair(s) of {self.compared_models} "
               "model(s)"]
        for (model, name, side), count in sorted(self.one_sided.items()):
            out.append(f"field {model}.{name} present on the {side} only (in {count} "
                       "record(s)); not a difference")
        for (model, side), count in sorted(self.unimportable.items()):
            out.append(f"{model}: {count} record(s) on the {side} not compared: a reference "
                       "points at a record that file does not hold, so no import takes them")
        for model, count in sorted(self.not_in_scope.items()):
            out.append(f"{model}: {count} record(s) not compared (outside the {scope.value} "
                       "scope)")
        out.append(f"found {self.differences} difference(s)")
        return out


def _show(name: str, value: Any) -> str:
    if is_sensitive(name) and value not in (None, ""):
        return REDACTED
    text = orjson.dumps(value, default=str).decode()
    return text if len(text) <= SHOWN_CHARS else text[:SHOWN_CHARS - 3] + "..."


# --- the declared models ----------------------------------------------------------------------


def model_order(specs: dict[str, ModelSpec], names: set[str]) -> list[str]:
    """Declared models in dependency order, then the others by name."""
    ordered = [spec.name for spec in spec_order(specs.values()) if spec.name in names]
    return ordered + sorted(names - set(ordered))


# --- spilling one side ------------------------------------------------------------------------


class Side:
    """One export regrouped by model on disk: records sorted by pk, and a pk index for
    finding a record's ordinal (binary search over a memory-mapped array of int64)."""

    def __init__(self, path: Path, directory: Path) -> None:
        self.path = path
        self.directory = directory
        self.counts: Counter[str] = Counter()
        self._maps: dict[str, tuple[mmap.mmap, memoryview] | None] = {}

    def spill(self, stream: IO[bytes], keep: Callable[[str, dict], bool]) -> None:
        """Spill the records `keep` accepts, each line's json the record's fields alone
        (see `storage` for the layout), and index each model's pks."""
        handles: dict[str, IO[bytes]] = {}
        last: dict[str, int] = {}
        unsorted: set[str] = set()
        try:
            for model, pk, fields in read_records(stream, str(self.path)):
                if not keep(model, fields):
                    continue
                handle = handles.get(model)
                if handle is None:
                    handle = handles[model] = storage.open_model_file(self.directory, model, "wb")
                handle.write(storage.LINE % (pk, b"", b"", orjson.dumps(fields)))
                if pk < last.get(model, pk):
                    unsorted.add(model)
                last[model] = pk
                self.counts[model] += 1
        finally:
            for handle in handles.values():
                handle.close()
        for model in self.counts:
            if model in unsorted:
                storage.sort_by_pk(storage.model_path(self.directory, model))
            storage.write_pk_index(self.directory, model)

    def prune(self, model: str, dangling: Callable[[dict[str, Any]], bool]) -> int:
        """Drop the model's records for which `dangling` holds; how many were dropped."""
        if not self.counts.get(model):
            return 0
        source = storage.model_path(self.directory, model)
        kept = storage.model_path(self.directory, model, "kept")
        dropped = 0
        with storage.open_spill(source, "rb") as f, storage.open_spill(kept, "wb") as out:
            for line in f:
                if dangling(orjson.loads(storage.split_line(line)[3])):
                    dropped += 1
                else:
                    out.write(line)
        if not dropped:
            kept.unlink()
            return 0
        kept.replace(source)
        self._unmap(model)
        self.counts[model] -= dropped
        if not self.counts[model]:
            del self.counts[model]
        storage.write_pk_index(self.directory, model)
        return dropped

    def records(self, model: str) -> Iterator[tuple[int, dict[str, Any]]]:
        """(pk, fields) of the model's records in ascending pk order."""
        if not self.counts.get(model):
            return
        with storage.open_spill(storage.model_path(self.directory, model), "rb") as f:
            for line in f:
                pk, _, _, fields = storage.split_line(line)
                yield int(pk), orjson.loads(fields)

    def ordinal(self, model: str, pk: Any) -> int | None:
        """1-based position of `pk` among the model's pks, None when it is not there."""
        if isinstance(pk, bool) or not isinstance(pk, int) or not INT64[0] <= pk <= INT64[1]:
            return None
        if model not in self._maps:
            self._maps[model] = None
            if self.counts.get(model):
                with storage.model_path(self.directory, model, "pks").open("rb") as f:
                    mapped = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
                self._maps[model] = (mapped, memoryview(mapped).cast("q"))
        found = self._maps[model]
        if found is None:
            return None
        pks = found[1]
        index = bisect.bisect_left(pks, pk)
        return index + 1 if index < len(pks) and pks[index] == pk else None

    def _unmap(self, model: str) -> None:
        found = self._maps.pop(model, None)
        if found is not None:
            found[1].release()
            found[0].close()

    def close(self) -> None:
        for model in list(self._maps):
            self._unmap(model)


# --- values -----------------------------------------------------------------------------------


def same(a: Any, b: Any) -> bool:
    """JSON equality without Python's `True == 1`; 1 and 1.0 are the same number."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a == b
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    return type(a) is type(b) and a == b


_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
_DECIMAL = re.compile(r"^-?\d+$")


def _decoded(value: Any) -> list[Any]:
    """`value` and what it means when it is a string holding JSON (or a Python list)."""
    forms = [value]
    if isinstance(value, str):
        try:
            forms.append(orjson.loads(value))
        except orjson.JSONDecodeError:
            if value.startswith(("[", "(")):
                with contextlib.suppress(ValueError, SyntaxError, MemoryError, RecursionError):
                    forms.append(ast.literal_eval(value))
    return forms


def _instant(value: Any) -> datetime | None:
    if isinstance(value, str) and _DATETIME.match(value):
        with contextlib.suppress(ValueError):
            return parse_datetime(value)
    return None


def loosely_equal(a: Any, b: Any) -> bool:
    """Equality for a field whose type is not declared: the same encodings are accepted."""
    if same(a, b):
        return True
    if a is None or b is None:
        return False
    left, right = _instant(a), _instant(b)
    if left is not None and right is not None:
        return left == right
    for x, y in ((a, b), (b, a)):
        if isinstance(x, int) and not isinstance(x, bool) and isinstance(y, str) \
                and _DECIMAL.match(y):
            return x == int(y)
    return any(same(x, y) for x in _decoded(a) for y in _decoded(b))


@dataclass(frozen=True)
class FieldType:
    """How to normalise one declared field."""

    json: bool  # JSON or JSON-text column: compare with one level of encoding removed
    coerce: Callable[[Any], Any]

    def equal(self, a: Any, b: Any) -> bool:
        if same(a, b):
            return True
        if a is None or b is None:
            return False
        if self.json:
            return any(same(x, y) for x in _decoded(a) for y in _decoded(b))
        try:
            return same(self.coerce(a), self.coerce(b))
        except (ValueError, TypeError):
            return loosely_equal(a, b)


def _field_types(spec: ModelSpec) -> dict[str, FieldType]:
    out = {}
    for name, (column, coerce) in spec.fields.items():
        kind = spec.table.c[column].type
        out[name] = FieldType(isinstance(kind, JSONText | sa.JSON | pg.JSONB), coerce)
    return out


# --- rules for fields an import changes -------------------------------------------------------

Fields = dict[str, Any]
Check = Callable[[Any, Any, Fields, Fields], bool]  # (left, right, left fields, right fields)


@dataclass(frozen=True)
class Rule:
    kind: str  # named like Sentry's comparators
    scopes: frozenset[ImportScope]
    accepts: Check


def _suffixed(base: str, value: Any, max_length: int) -> bool:
    """`value` is `base` (cut to fit) with a dash and a random lowercase/digit tail."""
    if not isinstance(value, str) or "-" not in value:
        return False
    head, tail = value.rsplit("-", 1)
    return bool(re.fullmatch(r"[a-z0-9]+", tail)) and len(value) <= max_length and \
        head == base[: max_length - len(tail) - 1]


def _auto_suffix(max_length: int, normalise: Callable[[str], str] | None = None) -> Check:
    def accepts(left: Any, right: Any, _lf: Fields, _rf: Fields) -> bool:
        if not isinstance(left, str):
            return False
        bases = [left] + ([normalise(left)] if normalise else [])
        return any(right == base or _suffixed(base, right, max_length) for base in bases)

    return accepts


def _organization_slug(left: Any, right: Any, lf: Fields, rf: Fields) -> bool:
    """Sentry's slug rules on import; an unusable slug gets 12 random hex characters."""
    if not isinstance(left, str) or not isinstance(right, str):
        return False
    base = slug_base(left)
    if not base or base in RESERVED_ORGANIZATION_SLUGS:
        return bool(re.fullmatch(r"[0-9a-f]{12}", right))
    return _auto_suffix(SLUG_MAX_LENGTH, slug_base)(left, right, lf, rf)


def _empty(value: Any) -> bool:
    return value is None or value == ""


def _minted_when_missing(left: Any, _right: Any, _lf: Fields, _rf: Fields) -> bool:
    return _empty(left)


def _any(_left: Any, _right: Any, _lf: Fields, _rf: Fields) -> bool:
    return True


def _became(value: Any) -> Check:
    return lambda _left, right, _lf, _rf: same(right, value)


def _unclaimed_left(_left: Any, _right: Any, lf: Fields, _rf: Fields) -> bool:
    return lf.get("is_unclaimed") is True


def _unclaimed_right(_left: Any, _right: Any, _lf: Fields, rf: Fields) -> bool:
    return rf.get("is_unclaimed") is True


def _not_earlier(left: Any, right: Any, _lf: Fields, _rf: Fields) -> bool:
    a, b = _instant(left), _instant(right)
    return a is not None and b is not None and b >= a


def _both_uuids(left: Any, right: Any, _lf: Fields, _rf: Fields) -> bool:
    def valid(value: Any) -> bool:
        try:
            uuid.UUID(str(value))
        except ValueError:
            return False
        return True

    return valid(left) and valid(right)


def _removed(_left: Any, right: Any, _lf: Fields, _rf: Fields) -> bool:
    return right is None


# Fields that the models' normalize hooks change: users and emails outside Global
# (control_service/models/users.py); in every scope, Sentry's fresh uuids for incidents
# (region_service/models/incidents.py) and the monitor team owner, which is a plain number
# Sentry does not remap (region_service/models/monitors.py).
SANITIZED: dict[tuple[str, str], list[Rule]] = {
    ("sentry.incident", "detection_uuid"): [Rule("UUID4Comparator", ALL_SCOPES, _both_uuids)],
    ("sentry.incidentactivity", "notification_uuid"): [
        Rule("UUID4Comparator", ALL_SCOPES, _both_uuids)],
    ("sentry.monitor", "owner_team_id"): [
        Rule("EqualOrRemovedComparator", ALL_SCOPES, _removed)],
    # Filled in when empty (region_service/models/searches.py).
    ("sentry.recentsearch", "query_hash"): [
        Rule("HashObfuscatingComparator", ALL_SCOPES, _minted_when_missing)],
    # Identifiers renewed after the insert when another row has them already, though they are
    # not unique keys (control_service/models/duplicates.py).
    **{key: [Rule("SecretHexComparator", NON_GLOBAL, _any)]
       for key in (("sentry.sentryapp", "uuid"), ("sentry.sentryappinstallation", "uuid"),
                   ("sentry.apigrant", "code"))},
    ("sentry.user", "password"): [
        Rule("UserPasswordObfuscatingComparator", ALL_SCOPES, _unclaimed_left),
        Rule("UserPasswordObfuscatingComparator", NON_GLOBAL, _unclaimed_right)],
    ("sentry.user", "is_unclaimed"): [Rule("UnclaimedComparator", NON_GLOBAL, _became(True))],
    **{("sentry.user", flag): [Rule("PrivilegeComparator", STRIPPED, _became(False))]
       for flag in ("is_staff", "is_superuser", "is_managed")},
    ("sentry.useremail", "is_verified"): [
        Rule("UnverifiedComparator", NON_GLOBAL, _became(False))],
    ("sentry.useremail", "validation_hash"): [
        Rule("HashObfuscatingComparator", NON_GLOBAL, _any)],
    ("sentry.useremail", "date_hash_added"): [
        Rule("DateUpdatedComparator", NON_GLOBAL, _not_earlier)],
}


def _sample_row(spec: ModelSpec) -> dict[str, Any]:
    """A row with a plausible non-null value in every column, to see what a hook changes."""
    row: dict[str, Any] = {}
    for column in spec.table.columns:
        kind = column.type
        if isinstance(kind, sa.DateTime):
            value: Any = datetime(2020, 1, 1, tzinfo=UTC)
        elif isinstance(kind, sa.Boolean):
            value = False
        elif isinstance(kind, sa.Integer | sa.Float | sa.Numeric):
            value = 7
        elif isinstance(kind, pg.ARRAY):
            value = ["a"]
        elif isinstance(kind, JSONText | sa.JSON):
            value = {"a": 1}
        else:
            value = "sample_" + "a" * 8
        row[str(column.key)] = value
    return row


def _regenerated_fields(spec: ModelSpec, unique: Any) -> dict[str, bool]:
    """The export fields a unique key's collision policy changes, each with whether it clears
    them (True) or writes new values (False), found by running the policy on a sample row; a
    hook that changes nothing (a partial key's) changes no field."""
    if unique.on_collision is not Collision.REGENERATE or unique.regenerate is None:
        return dict.fromkeys(unique.fields, True)  # NULLIFY
    by_column = {column: name for name, (column, _) in spec.fields.items()}
    before = _sample_row(spec)
    after = dict(before)
    try:
        unique.regenerate(after)
    except Exception:  # a hook that needs other shapes: assume it rewrites the key's fields
        return dict.fromkeys(unique.fields, False)
    return {by_column[c]: after[c] is None for c in after
            if c in by_column and not same(after[c], before.get(c))}


def build_rules(specs: dict[str, ModelSpec]) -> dict[tuple[str, str], list[Rule]]:
    rules: dict[tuple[str, str], list[Rule]] = {k: list(v) for k, v in SANITIZED.items()}
    for spec in specs.values():
        for unique in spec.uniques:
            if unique.on_collision in (Collision.RENAME, Collision.MERGE_OR_RENAME):
                name = unique.fields[0]
                if spec.name == "sentry.organization" and name == "slug":
                    check: Check = _organization_slug
                else:
                    column = spec.table.c[spec.fields[name][0]]
                    length = unique.max_length or getattr(column.type, "length", None) or 128
                    check = _auto_suffix(length)
                rules.setdefault((spec.name, name), []).append(
                    Rule("AutoSuffixComparator", ALL_SCOPES, check))
            elif unique.on_collision in (Collision.REGENERATE, Collision.NULLIFY):
                references = {fk.field for fk in spec.foreign_keys}
                for name, cleared in _regenerated_fields(spec, unique).items():
                    if cleared:
                        new = [Rule("EqualOrRemovedComparator", NON_GLOBAL, _removed)]
                    else:
                        new = [Rule("SecretHexComparator", NON_GLOBAL, _any)]
                        if name not in references:  # a secret left empty is minted
                            new.insert(0, Rule("SecretHexComparator", ALL_SCOPES,
                                               _minted_when_missing))
                    found = rules.setdefault((spec.name, name), [])
                    found += [rule for rule in new if rule not in found]
    return rules


# --- comparing --------------------------------------------------------------------------------


@dataclass
class _Model:
    spec: ModelSpec | None
    types: dict[str, FieldType]
    references: dict[str, ForeignKeySpec]  # by field


class Comparer:
    def __init__(self, scope: ImportScope = ImportScope.GLOBAL,
                 specs: dict[str, ModelSpec] | None = None) -> None:
        self.scope = scope
        self.specs = declared_specs() if specs is None else specs
        self.rules = {key: [r for r in rules if scope in r.scopes]
                      for key, rules in build_rules(self.specs).items()}
        self.summary = Summary()
        self._models: dict[str, _Model] = {}

    def _model(self, name: str) -> _Model:
        found = self._models.get(name)
        if found is None:
            spec = self.specs.get(name)
            found = self._models[name] = _Model(
                spec, _field_types(spec) if spec else {},
                {fk.field: fk for fk in spec.foreign_keys} if spec else {})
        return found

    def in_scope(self, model: str, fields: dict[str, Any]) -> bool:
        """Whether an import in this scope takes the record (undeclared models: always)."""
        spec = self.specs.get(model)
        if spec is None or self.scope is ImportScope.GLOBAL:
            return True
        if not spec.in_import_scope(self.scope):
            return False
        if len(spec.scopes) == 1:
            return True
        row = {column: fields.get(name) for name, (column, _) in spec.fields.items()}
        try:
            return spec.record_scope(row) in self.scope.accepts
        except Exception:
            return True

    def run(self, left: Path, right: Path, emit: Callable[[Finding], None],
            workdir: Path | None = None) -> Summary:
        directory = Path(tempfile.mkdtemp(prefix="relocate-compare-", dir=workdir))
        sides = (Side(left, directory / "left"), Side(right, directory / "right"))
        try:
            for side in sides:
                side.directory.mkdir()
                dropped: Counter[str] = Counter()

                def keep(model: str, fields: dict, dropped: Counter[str] = dropped) -> bool:
                    if self.in_scope(model, fields):
                        return True
                    dropped[model] += 1
                    return False

                with side.path.open("rb") as stream:
                    side.spill(stream, keep)
                for model, count in dropped.items():
                    self.summary.not_in_scope[model] = max(
                        self.summary.not_in_scope[model], count)
            names = set(sides[0].counts) | set(sides[1].counts)
            order = model_order(self.specs, names)
            for side, label in zip(sides, ("left", "right"), strict=True):
                self._prune(side, label, order)
            for model in order:
                self._compare_model(model, *sides, emit)
        finally:
            for side in sides:
                side.close()
            shutil.rmtree(directory, ignore_errors=True)
        return self.summary

    def _prune(self, side: Side, label: str, order: list[str]) -> None:
        """Leave out what an import would skip: records with a reference (other than to their
        own model, and other than one the model clears instead) to a record the file does not
        hold. In dependency order, so a skipped record's dependents are skipped too."""
        for model in order:
            spec = self.specs.get(model)
            if spec is None:
                continue
            required = [(fk.field, fk.target) for fk in spec.foreign_keys
                        if fk.on_missing is OnMissing.DROP and fk.target != model]
            if not required:
                continue

            def dangling(fields: dict[str, Any], required: list = required) -> bool:
                return any(fields.get(name) is not None and
                           side.ordinal(target, fields[name]) is None
                           for name, target in required)

            dropped = side.prune(model, dangling)
            if dropped:
                self.summary.unimportable[(model, label)] += dropped

    def _emit(self, emit: Callable[[Finding], None], finding: Finding) -> None:
        self.summary.differences += 1
        emit(finding)

    def _compare_model(self, model: str, left: Side, right: Side,
                       emit: Callable[[Finding], None]) -> None:
        self.summary.compared_models += 1
        nl, nr = left.counts.get(model, 0), right.counts.get(model, 0)
        if nl != nr:
            self._emit(emit, Finding.unequal_counts(model, nl, nr))
            return
        info = self._model(model)
        pairs = zip(left.records(model), right.records(model), strict=True)
        for ordinal, ((lpk, lf), (rpk, rf)) in enumerate(pairs, 1):
            self.summary.compared_records += 1
            for name in sorted(lf.keys() | rf.keys()):
                if name not in rf or name not in lf:
                    side = "left" if name in lf else "right"
                    self.summary.one_sided[(model, name, side)] += 1
                    continue
                a, b = lf[name], rf[name]
                fk = info.references.get(name)
                if fk is not None:
                    finding = self._reference(model, ordinal, lpk, rpk, fk, a, b, left, right)
                    if finding is not None and any(
                            rule.accepts(a, b, lf, rf) for rule in self.rules.get((model, name),
                                                                               [])):
                        finding = None  # e.g. a reference cleared on collision
                else:
                    finding = self._value(model, info, ordinal, lpk, rpk, name, a, b, lf, rf)
                if finding is not None:
                    self._emit(emit, finding)

    def _reference(self, model: str, ordinal: int, lpk: int, rpk: int, fk: ForeignKeySpec,
                   a: Any, b: Any, left: Side, right: Side) -> Finding | None:
        name, target = fk.field, fk.target
        if a is None and b is None:
            return None
        la = None if a is None else left.ordinal(target, a)
        rb = None if b is None else right.ordinal(target, b)
        if a is not None and la is None and b is None and fk.on_missing is OnMissing.NULLIFY:
            return None  # the left points at a record it does not hold: imports clear that
        if a is not None and b is not None:
            if la is not None and rb is not None and la == rb:
                return None
            if la is None and rb is None and loosely_equal(a, b):
                return None  # neither side holds the target: nothing to match but the value

        def where(value: Any, position: int | None) -> str:
            if value is None:
                return "null"
            if position is None:
                return f"pk {value} (not in the file)"
            return f"{target} #{position} (pk {value})"

        return Finding.unequal_reference(model, ordinal, lpk, rpk, name, where(a, la),
                                         where(b, rb))

    def _value(self, model: str, info: _Model, ordinal: int, lpk: int, rpk: int, name: str,
               a: Any, b: Any, lf: Fields, rf: Fields) -> Finding | None:
        kind = info.types.get(name)
        if kind.equal(a, b) if kind is not None else loosely_equal(a, b):
            return None
        rules = self.rules.get((model, name), [])
        if any(rule.accepts(a, b, lf, rf) for rule in rules):
            return None
        return Finding.unequal_value(rules[0].kind if rules else None, model, ordinal, lpk, rpk,
                                     name, _show(name, a), _show(name, b))
