"""The adversarial corpus (issue 18 §4): hostile exports, each with what importing it must give.

Nothing of it is committed but this script: `generate(directory)` writes every case's file (the
large ones in pieces, in constant memory) and `cases.json`, the expectations, beside them;
`python -m tests.corpus.generate DIR` does the same by hand. `tests/test_corpus.py` imports
each case through the real CLI into real silos and checks its expectation: the exit code, the
one line that says what went wrong (a regular expression it must match whole), the kind of the
findings file's one finding, and either both databases unchanged or exactly the rows expected.

Valid records come from Sentry's fixture exports (tests/fixtures/sentry/) and, for the cases
that go over every model or every field, from `tests.every_model`, which synthesises records
from the silos' declared models.
"""

from __future__ import annotations

import json
import re
import sys
import tarfile
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg

from silo_engine.fields import BitFlags, JSONText
from tests.conftest import load_fixture
from tests.every_model import generate as every_model
from tests.test_crypto import KeyPair, make_keypair, sentry_members, tar_bytes
from tests.test_rpc_and_chunks import user
from tools.models import declared_specs

Record = dict[str, Any]
# A row check after a successful import: (silo, SQL, the rows it must return, as lists).
Query = tuple[str, str, list[list[Any]]]
SQL = "x'); DROP TABLE auth_user; --"  # what every text field holds in the SQL cases
MIB = 1 << 20
LARGER = "holds an integer larger than 64 bits"


@dataclass(frozen=True)
class Expect:
    """What importing a case must give.

    `line` is a regular expression the line that says what happened must match whole: for a
    failed import the `Import failed: KIND ...` line, for a refusal the `relocate: ...` line
    (then the only line), for a success the last line (or "" for none: nothing printed).
    `rows` None means both databases must be unchanged; otherwise it is the row count of every
    data table after an import into empty silos (tables not named hold none).
    """

    code: int
    line: str
    kind: str | None = None  # the `kind` of the findings file's one finding, for a failure
    rows: dict[str, int] | None = None
    queries: tuple[Query, ...] = ()


@dataclass(frozen=True)
class Case:
    name: str
    category: str
    scope: str
    expect: Expect
    build: Callable[[Path], Path] = field(repr=False, compare=False)
    decrypt: bool = False  # import with --decrypt-with (the corpus key's private half)
    wrong_key: bool = False  # ...with the other key's private half instead

    def manifest(self) -> dict[str, Any]:
        entry = asdict(self)
        del entry["build"]
        return entry


def failed(kind: str, says: str) -> Expect:
    """An import that stops on a typed error: exit 1, nothing written."""
    return Expect(1, rf"Import failed: {kind}\b.*{says}.*", kind)


def invalid_json(says: str = "is not valid JSON") -> Expect:
    """The export cannot be read: DeserializationFailed, naming where."""
    return failed("DeserializationFailed", says)


def refused(says: str, kind: str = "DecryptionFailed") -> Expect:
    """A refusal before the import starts (an encrypted export that cannot be read)."""
    return Expect(1, rf"relocate: .*{says}.*", kind)


def imported(rows: dict[str, int], *queries: Query, line: str = "") -> Expect:
    return Expect(0, line, None, rows, queries)


NOTHING = r"warning: nothing was imported: .*"


def nothing_imported(says: str = "") -> Expect:
    """A success that imports nothing, and says why in its last line."""
    return Expect(0, NOTHING + says + ".*" if says else NOTHING, None, None)


# --- writing files ----------------------------------------------------------------------------


def as_lines(records: list[Record]) -> bytes:
    """`sentry export`'s layout: a record per line."""
    return ("[\n" + ",\n".join(json.dumps(r) for r in records) + "\n]\n").encode()


def raw(data: bytes | Callable[[], bytes]) -> Callable[[Path], Path]:
    """A builder writing `data` (or what the callable gives) as the case's file."""
    def build(path: Path) -> Path:
        path.write_bytes(data() if callable(data) else data)
        return path
    return build


def records(make: Callable[[], list[Record]]) -> Callable[[Path], Path]:
    return raw(lambda: as_lines(make()))


def streamed(pieces: Callable[[], Iterator[bytes]]) -> Callable[[Path], Path]:
    """A builder for a large file, written piece by piece."""
    def build(path: Path) -> Path:
        with path.open("wb") as out:
            for piece in pieces():
                out.write(piece)
        return path
    return build


# --- valid records ----------------------------------------------------------------------------


def fixture(name: str) -> list[Record]:
    return load_fixture(name)


def alice() -> list[Record]:
    return fixture("user-with-minimum-privileges.json")


def one_user(**fields: Any) -> list[Record]:
    record = user(1, "alice")
    record["fields"].update(fields)
    return [record]


def users(*names: str) -> list[Record]:
    return [user(n, name) for n, name in enumerate(names, 1)]


def organization(pk: int, slug: str, **fields: Any) -> Record:
    return {"model": "sentry.organization", "pk": pk, "fields": {
        "name": slug, "slug": slug, "status": 0, "date_added": "2023-06-22T22:54:28.773Z",
        "default_role": "member", "is_test": False, "flags": "1", **fields}}


def organizations(*slugs: str) -> list[Record]:
    return [organization(n, slug) for n, slug in enumerate(slugs, 1)]


def email(pk: int, address: str) -> Record:
    return {"model": "sentry.email", "pk": pk,
            "fields": {"email": address, "date_added": "2023-06-22T22:59:55.531Z"}}


def useremail(pk: int, user_pk: Any, address: str = "alice@example.com") -> Record:
    return {"model": "sentry.useremail", "pk": pk, "fields": {
        "user": user_pk, "email": address, "validation_hash": "x" * 32,
        "date_hash_added": "2023-06-22T22:59:55.488Z", "is_verified": True}}


def member(pk: int, organization_pk: Any, user_pk: Any) -> Record:
    return {"model": "sentry.organizationmember", "pk": pk, "fields": {
        "organization": organization_pk, "user_id": user_pk, "email": None, "role": "member",
        "flags": "0", "token": None, "date_added": "2023-06-22T22:59:57.023Z",
        "token_expires_at": None, "has_global_access": True, "inviter_id": None,
        "invite_status": 0, "type": 50, "user_is_active": True, "user_email": None}}


def user_rows(count: int) -> dict[str, int]:
    """The rows `count` users make outside the global scope: each is unclaimed, with a
    password reset waiting (a lost-password hash)."""
    return {"control.auth_user": count, "control.sentry_lostpasswordhash": count}


def organization_rows(count: int) -> dict[str, int]:
    """The rows `count` organizations make: the control silo's mapping and slug of each."""
    return {"region.sentry_organization": count, "control.sentry_organizationmapping": count,
            "control.sentry_organizationslugreservation": count}


USER_ROWS = user_rows(1)
# user-with-minimum-privileges.json in the users scope: its IP is not taken outside global.
FIXTURE_ROWS = {**USER_ROWS, "control.sentry_email": 1, "control.sentry_useremail": 1,
                "control.sentry_useroption": 1}
FRESH_USERS_ROWS = {**user_rows(3), "control.sentry_email": 3, "control.sentry_useremail": 3}


def usernames(*names: str) -> Query:
    return ("control", "SELECT username FROM auth_user ORDER BY id", [[n] for n in names])


def slugs(*names: str) -> Query:
    return ("region", "SELECT slug FROM sentry_organization ORDER BY id", [[n] for n in names])


# --- the categories ---------------------------------------------------------------------------

USER_JSON = json.dumps(user(1, "alice")).encode()


def _invalid_json() -> Iterator[Case]:
    cat = "truncated and invalid JSON"
    whole = as_lines(alice())
    for name, data, expect in [
        ("truncated-mid-record", whole[:len(whole) // 2], invalid_json()),
        ("truncated-after-a-record", whole[:whole.index(b"},\n") + 2], invalid_json()),
        ("truncated-to-one-byte", b"[", invalid_json()),
        ("empty-file", b"", invalid_json()),
        ("only-whitespace", b" \n\t\n", invalid_json("must be a JSON array")),
        ("trailing-garbage", whole + b"garbage", invalid_json()),
        ("two-arrays", whole + whole, invalid_json()),
        ("missing-comma", b"[" + USER_JSON + USER_JSON + b"]", invalid_json()),
        ("trailing-comma", b"[" + USER_JSON + b",]", invalid_json()),
        ("single-quotes", b"[{'model': 'sentry.user', 'pk': 1, 'fields': {}}]", invalid_json()),
        ("unquoted-keys", b"[{model: \"sentry.user\", pk: 1, fields: {}}]", invalid_json()),
        ("comment", b"// sentry export\n" + whole, invalid_json("must be a JSON array")),
        ("log-line-before", b"INFO exporting...\n" + whole, invalid_json("must be a JSON array")),
        ("unterminated-string", b'[{"model": "sentry.user, "pk": 1}]', invalid_json()),
        ("nan-literal", USER_JSON.replace(b'"avatar_type": 0', b'"avatar_type": NaN')
         .join([b"[", b"]"]), invalid_json()),
        ("infinity-literal", USER_JSON.replace(b'"avatar_type": 0', b'"avatar_type": Infinity')
         .join([b"[", b"]"]), invalid_json()),
    ]:
        yield Case(name, cat, "users", expect, raw(data))


def _shapes() -> Iterator[Case]:
    cat = "not an array of records"
    not_array = invalid_json("must be a JSON array")
    for name, data, expect in [
        ("object-instead-of-array", USER_JSON, not_array),
        ("object-wrapping-the-array", b'{"records": [' + USER_JSON + b"]}", not_array),
        ("a-string", b'"sentry export"', not_array),
        ("a-number", b"42", not_array),
        ("null", b"null", not_array),
        ("items-are-numbers", b"[1, 2, 3]", invalid_json(r"item #1 of the export is not a")),
        ("item-is-a-string", b'["sentry.user"]', invalid_json("item #1 of the export is not a")),
        ("item-is-an-array", b"[[" + USER_JSON + b"]]", invalid_json("item #1 .*is not a")),
        ("record-without-model", b'[{"pk": 1, "fields": {}}]', invalid_json('no valid "model"')),
        ("model-without-a-dot", b'[{"model": "user", "pk": 1, "fields": {}}]',
         invalid_json('no valid "model"')),
        ("model-a-number", b'[{"model": 7, "pk": 1, "fields": {}}]',
         invalid_json('no valid "model"')),
        ("record-without-fields", b'[{"model": "sentry.user", "pk": 1}]',
         invalid_json('no "fields" object')),
        ("fields-a-list", b'[{"model": "sentry.user", "pk": 1, "fields": []}]',
         invalid_json('no "fields" object')),
        ("pk-a-string", b'[{"model": "sentry.user", "pk": "1", "fields": {}}]',
         invalid_json("no 64-bit integer pk")),
        ("pk-null", b'[{"model": "sentry.user", "pk": null, "fields": {}}]',
         invalid_json("no 64-bit integer pk")),
        ("pk-a-float", b'[{"model": "sentry.user", "pk": 1.5, "fields": {}}]',
         invalid_json("no 64-bit integer pk")),
        ("pk-a-boolean", b'[{"model": "sentry.user", "pk": true, "fields": {}}]',
         invalid_json("no 64-bit integer pk")),
    ]:
        yield Case(name, cat, "users", expect, raw(data))


def _encodings() -> Iterator[Case]:
    cat = "invalid UTF-8 and NUL bytes"
    doc = as_lines(one_user(name="NAME"))
    not_utf8 = invalid_json("is not valid (UTF-8|JSON)")
    for name, data, expect in [
        ("invalid-byte-ff", doc.replace(b"NAME", b"ab\xffcd"), not_utf8),
        ("overlong-slash", doc.replace(b"NAME", b"a\xc0\xafb"), not_utf8),
        ("truncated-multibyte", doc.replace(b"NAME", b"caf\xc3"), not_utf8),
        ("latin-1", doc.replace(b"NAME", "café".encode("latin-1")), not_utf8),
        ("utf-16", doc.decode().encode("utf-16"), invalid_json("must be a JSON array")),
        ("lone-surrogate-escape", doc.replace(b"NAME", b"\\ud800"),
         invalid_json(r"holds \\ud800 in a string")),
        ("raw-nul-between-tokens", doc.replace(b'"pk"', b'\x00"pk"'), invalid_json()),
        ("raw-nul-in-a-string", doc.replace(b"NAME", b"a\x00b"), invalid_json()),
        ("nul-escape-in-username", as_lines(users("ali\\u0000ce")).replace(b"\\\\u", b"\\u"),
         failed("ValidationError", "username.*NUL")),
        ("nul-escape-in-name", doc.replace(b"NAME", b"a\\u0000b"),
         failed("ValidationError", "'name'.*NUL")),
    ]:
        yield Case(name, cat, "users", expect, raw(data))
    option = {"model": "sentry.useroption", "pk": 1, "fields": {
        "user": 1, "project_id": None, "organization_id": None, "key": "k", "value": "a\u0000b"}}
    yield Case("nul-escape-in-a-json-field", cat, "users",
               imported({**USER_ROWS, "control.sentry_useroption": 1},
                        ("control", "SELECT value FROM sentry_useroption",
                         [['"a\\u0000b"']])),
               records(lambda: [user(1, "alice"), option]))


def _nesting() -> Iterator[Case]:
    cat = "deep nesting"
    deep = 100_000
    yield Case("arrays-100k-deep-as-an-item", cat, "users",
               invalid_json("item #2 of the export nests deeper than 512 levels"),
               raw(lambda: b"[" + USER_JSON + b"," + b"[" * deep + b"]" * deep + b"]"))
    yield Case("objects-100k-deep-in-a-field", cat, "users",
               invalid_json("item #1 of the export nests deeper than 512 levels"),
               raw(lambda: b'[{"model": "sentry.useroption", "pk": 1, "fields": {"value": '
                   + b'{"a":' * deep + b"1" + b"}" * deep + b"}}]"))
    yield Case("unclosed-100k-deep", cat, "users",
               invalid_json("nests deeper than 512 levels"),
               raw(lambda: b"[" + USER_JSON + b"," + b"[" * deep))
    nested: Any = "leaf"
    for depth in range(1, 501):
        nested = [nested]
        if depth == 250:  # within what the spill writes (254 levels in all)
            yield Case("250-deep-value-imports", cat, "users",
                       imported({**USER_ROWS, "control.sentry_useroption": 1}),
                       records(lambda value=nested: [user(1, "alice"), _option(value)]))
    yield Case("500-deep-value", cat, "users",
               invalid_json("item #1 .*sentry.useroption.*cannot be imported"),
               records(lambda: [_option(nested), user(1, "alice")]))


def _option(value: Any) -> Record:
    return {"model": "sentry.useroption", "pk": 1, "fields": {
        "user": 1, "project_id": None, "organization_id": None, "key": "k", "value": value}}


def _huge_strings() -> Iterator[Case]:
    cat = "huge strings"
    too_big = failed(r"DeserializationFailed", r"(32 MiB|33,554,432)")

    def user_with_name(size: int) -> Callable[[], Iterator[bytes]]:
        def pieces() -> Iterator[bytes]:
            head, tail = as_lines(one_user(name="NAME")).split(b"NAME")
            yield head
            for _ in range(size // MIB):
                yield b"a" * MIB
            yield tail
        return pieces
    yield Case("string-200mb-in-a-field", cat, "users", too_big,
               streamed(user_with_name(200 * MIB)))
    yield Case("record-just-over-32mib", cat, "users", too_big,
               streamed(user_with_name(33 * MIB)))
    yield Case("string-2mb-in-a-short-field", cat, "users",
               failed("ValidationError", r"'name'.*at most 200 characters"),
               streamed(user_with_name(2 * MIB)))
    yield Case("pk-of-2mb-digits", cat, "users", invalid_json(LARGER),
               raw(lambda: USER_JSON.replace(b'"pk": 1', b'"pk": ' + b"1" * (2 * MIB))
                   .join([b"[", b"]"])))


def _numbers() -> Iterator[Case]:
    cat = "huge and negative numbers"
    for name, pk, expect in [
        ("pk-2-to-the-63", b"9223372036854775808", invalid_json("(64-bit|64 bits)")),
        ("pk-below-int64", b"-9223372036854775809", invalid_json("(64-bit|64 bits)")),
        ("pk-5000-digits", b"9" * 5000, invalid_json("(64-bit|64 bits)")),
        ("pk-exponent", b"1e3", invalid_json("no 64-bit integer pk")),
    ]:
        yield Case(name, cat, "users", expect,
                   raw(USER_JSON.replace(b'"pk": 1', b'"pk": ' + pk).join([b"[", b"]"])))
    for name, pk in [("pk-negative", -5), ("pk-zero", 0), ("pk-int64-max", 2**63 - 1)]:
        yield Case(name, cat, "users", imported(USER_ROWS, usernames("alice")),
                   records(lambda pk=pk: [user(pk, "alice")]))
    for name, value, expect in [
        ("5000-digit-integer-field", b"9" * 5000, invalid_json(LARGER)),
        ("integer-over-its-column", b"65536",
         failed("ValidationError", "'avatar_type'.*does not fit")),
        ("negative-under-its-column", b"-40000",
         failed("ValidationError", "'avatar_type'.*does not fit")),
        ("float-1e400-in-an-integer", b"1e400", invalid_json("floating point. overflow")),
        ("float-in-an-integer", b"1.5", failed("ValidationError", "'avatar_type'")),
    ]:
        yield Case(name, cat, "users", expect,
                   raw(USER_JSON.replace(b'"avatar_type": 0', b'"avatar_type": ' + value)
                       .join([b"[", b"]"])))
    for name, ref, expect in [
        ("41-digit-reference", "9" * 41, invalid_json(LARGER)),
        ("negative-reference", -1, imported(USER_ROWS)),
        ("reference-beyond-int64", 2**64, invalid_json(LARGER)),
    ]:
        yield Case(name, cat, "users", expect,
                   raw(lambda ref=ref: as_lines([user(1, "alice"), useremail(7, 0)])
                       .replace(b'"user": 0', b'"user": ' + str(ref).encode())))


def _duplicates() -> Iterator[Case]:
    cat = "duplicate pks"
    two = ("(the export holds two {0} records with pk {1}"
           "|{0}, pk {1}. has the pk of the {0} record before it)")
    yield Case("two-users-one-pk", cat, "users",
               failed("DeserializationFailed", two.format("sentry.user", 1)),
               records(lambda: [user(1, "alice"), user(1, "bob")]))
    yield Case("the-same-user-twice", cat, "users",
               failed("DeserializationFailed", two.format("sentry.user", 1)),
               records(lambda: [user(1, "alice"), user(1, "alice")]))
    yield Case("duplicate-pk-out-of-order", cat, "users",
               failed("DeserializationFailed", two.format("sentry.user", 2)),
               records(lambda: [user(2, "a"), user(1, "b"), user(3, "c"), user(2, "d")]))
    yield Case("two-organizations-one-pk", cat, "organizations",
               failed("DeserializationFailed", two.format("sentry.organization", 1)),
               records(lambda: [organization(1, "acme"), organization(1, "other")]))
    yield Case("two-emails-one-pk-unreferenced", cat, "users",
               imported({**USER_ROWS, "control.sentry_email": 2}),
               records(lambda: [user(1, "alice"), email(1, "a@example.com"),
                                email(1, "b@example.com")]))


def _references() -> Iterator[Case]:
    cat = "dangling and self-referencing references"
    yield Case("email-of-a-missing-user", cat, "users", imported(USER_ROWS),
               records(lambda: [user(1, "alice"), useremail(7, 99)]))
    yield Case("reference-to-its-own-pk", cat, "users", imported(USER_ROWS),
               records(lambda: [user(1, "alice"), useremail(7, 7)]))
    yield Case("member-of-a-missing-organization", cat, "organizations",
               imported({**USER_ROWS, **organization_rows(1)}, slugs("acme")),
               records(lambda: [user(1, "alice"), organization(1, "acme"), member(5, 2, 1)]))
    yield Case("member-pointing-at-itself", cat, "organizations",
               imported({**USER_ROWS, **organization_rows(1)}),
               records(lambda: [user(1, "alice"), organization(1, "acme"), member(5, 5, 1)]))
    # Alone in the export: a user before them would be written before they fail.
    yield Case("reference-of-the-wrong-type", cat, "users",
               failed("ValidationError", "'user': expected an integer"),
               records(lambda: [useremail(7, "one")]))
    yield Case("reference-an-object", cat, "users",
               failed("ValidationError", "'user': expected an integer"),
               records(lambda: [useremail(7, {"pk": 1})]))


def _wrong_value(column: sa.Column) -> tuple[Any, str] | None:
    """A value of the wrong type for `column`, and what the refusal says; None for columns
    that take any JSON value."""
    kind = column.type
    if isinstance(kind, JSONText | sa.JSON):
        return None
    if isinstance(kind, pg.ARRAY):
        return 5, "expected a list"
    if isinstance(kind, BitFlags):
        return "flags", "expected an integer"
    if isinstance(kind, sa.Boolean):
        return "maybe", "expected a boolean"
    if isinstance(kind, sa.Integer):
        return "many", "expected an integer"
    if isinstance(kind, sa.Float | sa.Numeric):
        return [1], "expected a number"
    if isinstance(kind, sa.DateTime):
        return 1687902001, "expected an ISO 8601 datetime"
    if isinstance(kind, pg.INET):
        return "999.1.1.1", "enter a valid IPv4 or IPv6 address"
    if isinstance(kind, sa.Uuid):
        return "not-a-uuid", "expected a UUID"
    return {"not": "a string"}, "expected a string"


@dataclass(frozen=True)
class WrongType:
    """A model's first record with one field of the wrong type, and what the refusal says."""

    model: str
    field: str
    record: Record
    says: str

    @property
    def pattern(self) -> str:
        """What the error line says, as a regular expression."""
        return (f"on {re.escape(self.model)} #1 \\(pk {self.record['pk']}\\): field "
                f"'{self.field}': {self.says}")


def wrong_types() -> dict[str, list[WrongType]]:
    """Per model that has records, its first record with each field in turn made of the wrong
    type (every field but the JSON ones, which take any value)."""
    specs = declared_specs()
    first: dict[str, Record] = {}
    for record in every_model().records:
        first.setdefault(record["model"], record)
    found: dict[str, list[WrongType]] = {}
    for model, record in first.items():
        spec = specs[model]
        for name, (column, _) in spec.fields.items():
            wrong = _wrong_value(spec.table.c[column])
            if wrong is not None:
                bad = json.loads(json.dumps(record))
                bad["fields"][name] = wrong[0]
                found.setdefault(model, []).append(WrongType(model, name, bad, wrong[1]))
    return found


def _wrong_types() -> Iterator[Case]:
    """Through the CLI, one case per column type (and for a reference), each in the first
    model that has a field of it; tests/test_corpus.py sends every field of every model over
    gRPC, where a run costs milliseconds instead of a process."""
    specs = declared_specs()
    seen: set[str] = set()
    for model, choices in wrong_types().items():
        spec = specs[model]
        references = {fk.field for fk in spec.foreign_keys}
        for wrong in choices:
            column = spec.table.c[spec.fields[wrong.field][0]]
            kind = "reference" if wrong.field in references else type(column.type).__name__
            if kind in seen:
                continue
            seen.add(kind)
            yield Case(f"wrong-type-{kind.lower()}-{model}-{wrong.field}",
                       "wrong types per field", "global", failed("ValidationError", wrong.pattern),
                       records(lambda record=wrong.record: [record]))


def _unknown_models() -> Iterator[Case]:
    cat = "unknown models"
    yield Case("only-unknown-models", cat, "users", nothing_imported("does not import"),
               records(lambda: [{"model": f"sentry.gone{n}", "pk": n, "fields": {}}
                                for n in range(5)]))
    yield Case("unknown-model-beside-a-user", cat, "users", imported(USER_ROWS),
               records(lambda: [user(1, "alice"),
                                {"model": "sentry.gone", "pk": 1, "fields": {"x": 1}}]))
    yield Case("model-name-in-capitals", cat, "users", imported(USER_ROWS, usernames("alice")),
               raw(lambda: as_lines(users("alice")).replace(b"sentry.user", b"Sentry.USER")))
    yield Case("model-name-of-1mb", cat, "users", imported(USER_ROWS),
               records(lambda: [user(1, "alice"),
                                {"model": "sentry." + "x" * MIB, "pk": 1, "fields": {}}]))
    yield Case("model-name-sql", cat, "users", imported(USER_ROWS),
               records(lambda: [user(1, "alice"),
                                {"model": "sentry.user; " + SQL, "pk": 1, "fields": {}}]))
    yield Case("model-name-with-nul", cat, "users", imported(USER_ROWS),
               records(lambda: [user(1, "alice"),
                                {"model": "sentry.us\u0000er", "pk": 2, "fields": {}}]))
    yield Case("field-name-of-1mb", cat, "users", imported(USER_ROWS, usernames("alice")),
               records(lambda: one_user(**{"x" * MIB: 1})))
    yield Case("unknown-fields", cat, "users", imported(USER_ROWS, usernames("alice")),
               records(lambda: one_user(**{f"made_up_{n}": n for n in range(1000)},
                                        **{SQL: 1, "\u0000": 2})))

    def tiny() -> Iterator[bytes]:
        yield b"[\n" + USER_JSON
        line = b',\n{"model": "sentry.gone%d", "pk": %d, "fields": {}}'
        block = 10_000
        for start in range(0, 2_000_000, block):
            yield b"".join(line % (n % 1000, n) for n in range(start, start + block))
        yield b"\n]\n"
    yield Case("two-million-tiny-unknown-records", cat, "users", imported(USER_ROWS),
               streamed(tiny))


def _scopes() -> Iterator[Case]:
    cat = "wrong-scope models"
    yield Case("options-in-a-users-import", cat, "users",
               nothing_imported("outside the users scope"),
               records(lambda: fixture("single-option.json")))
    yield Case("organizations-in-a-users-import", cat, "users",
               imported(FRESH_USERS_ROWS), records(lambda: fixture("fresh-install.json")))
    yield Case("organizations-in-a-config-import", cat, "config",
               nothing_imported("outside the config scope"),
               records(lambda: organizations("acme")))
    yield Case("relay-in-an-organizations-import", cat, "organizations",
               nothing_imported("outside the organizations scope"),
               records(lambda: [r for r in fixture("fresh-install.json")
                                if r["model"] in ("sentry.relay", "sentry.relayusage")]))


def _sql_everywhere() -> list[Record]:
    """Every model's records with every text field holding SQL (cut to its column)."""
    generated = every_model()
    specs = declared_specs()
    out = []
    for n, record in enumerate(generated.records):
        spec = specs[record["model"]]
        for name, (column, _) in spec.fields.items():
            col = spec.table.c[column]
            if (type(col.type) in (sa.String, sa.Text)
                    and isinstance(record["fields"].get(name), str)
                    and name not in {fk.field for fk in spec.foreign_keys}):
                text = f"{n}{SQL}"
                record["fields"][name] = text[:col.type.length] if col.type.length else text
        out.append(record)
    return out


def _every_model_rows() -> dict[str, int]:
    """The rows a global import of `every_model()` into empty silos writes, by table: a row
    per record, and the control silo's mappings of each organization and member."""
    specs = declared_specs()
    counts = every_model().counts()
    return {**{f"{specs[model].silo.value}.{specs[model].table.name}": count
               for model, count in counts.items()},
            **organization_rows(counts["sentry.organization"]),
            "control.sentry_organizationmembermapping": counts["sentry.organizationmember"]}


def _sql() -> Iterator[Case]:
    cat = "SQL-looking strings"
    yield Case("sql-in-every-text-field-of-every-model", cat, "global",
               imported(_every_model_rows(), ("control", "SELECT count(*) FROM auth_user WHERE "
                                              "first_name LIKE '%DROP TABLE auth_user%'", [[2]])),
               records(_sql_everywhere))
    yield Case("sql-in-username-and-name", cat, "users",
               imported(USER_ROWS, usernames(SQL),
                        ("control", "SELECT first_name FROM auth_user", [[SQL]])),
               records(lambda: one_user(username=SQL, name=SQL)))
    yield Case("sql-in-an-organization-slug", cat, "organizations",
               imported(organization_rows(1), slugs("x-drop-table-auth-user")),
               records(lambda: organizations(SQL)))
    yield Case("sql-in-an-email", cat, "users",
               imported({**USER_ROWS, "control.sentry_email": 1},
                        ("control", "SELECT email FROM sentry_email", [[SQL]])),
               records(lambda: [user(1, "alice"), email(1, SQL)]))


def _confusables() -> Iterator[Case]:
    cat = "confusable and case-variant names"
    two = user_rows(2)
    renamed = ("control", "SELECT username = 'Alice', username ~ '^alice-[0-9a-z]+$' "
                          "FROM auth_user ORDER BY id", [[True, False], [False, True]])
    yield Case("usernames-differing-in-case", cat, "users", imported(two, renamed),
               records(lambda: users("Alice", "alice")))
    for name, other in [("cyrillic-a", "\u0430lice"), ("fullwidth", "\uff41lice"),
                        ("combining-accent", "alice\u0301"), ("dotted-capital-i", "\u0130lice"),
                        ("trailing-space", "alice ")]:
        yield Case(f"username-{name}", cat, "users", imported(two, usernames("alice", other)),
                   records(lambda other=other: users("alice", other)))
    yield Case("username-zero-width-space", cat, "users",
               failed("ValidationError", "'username'.*U\\+200B"),
               records(lambda: users("alice", "ali\u200bce")))
    yield Case("emails-differing-in-case", cat, "users",  # one email, as in Sentry
               imported({**USER_ROWS, "control.sentry_email": 1}),
               records(lambda: [user(1, "alice"), email(1, "Alice@Example.com"),
                                email(2, "alice@example.com")]))
    yield Case("slugs-differing-in-case", cat, "organizations",
               imported(organization_rows(2),
                        ("region", "SELECT slug = 'acme', slug ~ '^acme-[0-9a-z]+$' FROM "
                                   "sentry_organization ORDER BY id",
                         [[True, False], [False, True]])),
               records(lambda: organizations("ACME", "acme")))
    yield Case("slug-cyrillic", cat, "organizations",
               imported(organization_rows(1), slugs("cme")),
               records(lambda: organizations("\u0430cme")))


def _overlong() -> Iterator[Case]:
    cat = "overlong values"
    yield Case("organization-slug-51", cat, "organizations",
               failed("ValidationError", "'slug'.*at most 50 characters"),
               records(lambda: organizations("a" * 51)))
    yield Case("username-129", cat, "users",
               failed("ValidationError", "'username'.*at most 128 characters"),
               records(lambda: users("a" * 129)))
    yield Case("email-300", cat, "users",
               failed("ValidationError", "'email'.*at most"),
               records(lambda: [email(1, "a" * 290 + "@example.com")]))
    yield Case("organization-name-10000", cat, "organizations",
               failed("ValidationError", "'name'.*at most 64 characters"),
               records(lambda: [organization(1, "acme", name="n" * 10_000)]))


# --- hostile tarballs -------------------------------------------------------------------------


@dataclass
class Keys:
    """The corpus's key pair (the one exports are encrypted for) and another one."""

    mine: KeyPair
    other: KeyPair


def _members(keys: Keys, plaintext: bytes | None = None) -> list[tuple[str, bytes]]:
    return sentry_members(plaintext or as_lines(alice()), keys.mine.public_pem)


def _tar(keys: Keys, change: Callable[[list[tuple[str, bytes]]], list[Any]],
         plaintext: bytes | None = None) -> Callable[[Path], Path]:
    return raw(lambda: tar_bytes(change(_members(keys, plaintext))))


def _info(name: str, kind: bytes, **attributes: Any) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = kind
    for key, value in attributes.items():
        setattr(info, key, value)
    return info


def _huge_header(members: list[tuple[str, bytes]]) -> bytes:
    """A tarball whose export.json announces 8 GiB and holds a few bytes."""
    data = bytearray(tar_bytes(members))
    info = tarfile.TarInfo("export.json")
    info.size = 8 << 30
    data[:512] = info.tobuf(format=tarfile.GNU_FORMAT)[:512]
    return bytes(data)


def _tarballs(keys: Keys) -> Iterator[Case]:
    cat = "hostile tarballs"
    unexpected = "holds an unexpected member"
    for name, change, says in [
        ("tar-path-traversal", lambda m: [("../export.json", m[0][1]), *m[1:]], unexpected),
        ("tar-absolute-path", lambda m: [("/tmp/export.json", m[0][1]), *m[1:]], unexpected),
        ("tar-symlink", lambda m: [_info("export.json", tarfile.SYMTYPE,
                                         linkname="/etc/passwd"), *m[1:]], "symbolic link"),
        ("tar-hardlink", lambda m: [*m[1:], _info("export.json", tarfile.LNKTYPE,
                                                  linkname="data.key")], "not a regular file"),
        ("tar-device", lambda m: [_info("export.json", tarfile.CHRTYPE), *m[1:]],
         "not a regular file"),
        ("tar-directory", lambda m: [_info("export.json", tarfile.DIRTYPE), *m[1:]],
         "not a regular file"),
        ("tar-fifo", lambda m: [_info("export.json", tarfile.FIFOTYPE), *m[1:]],
         "not a regular file"),
        ("tar-extra-member", lambda m: [*m, ("README", b"hello")], unexpected),
        ("tar-duplicate-member", lambda m: [*m, m[0]], "holds export.json twice"),
        ("tar-missing-data-key", lambda m: [m[0], m[2]], "lacks data.key"),
        ("tar-empty", lambda m: [], "not an encrypted export tarball"),
        ("tar-huge-data-key", lambda m: [m[0], ("data.key", b"k" * (10 * MIB)), m[2]],
         "too large"),
        ("tar-tampered", lambda m: [("export.json", m[0][1][:100] + (b"A" if m[0][1][100:101]
                                     != b"A" else b"B") + m[0][1][101:]), *m[1:]],
         "fails its integrity check"),
    ]:
        yield Case(name, cat, "users", refused(says), _tar(keys, change), decrypt=True)
    yield Case("tar-member-of-8gib", cat, "users", refused("truncated"),
               raw(lambda: _huge_header(_members(keys))), decrypt=True)
    yield Case("tar-wrong-key", cat, "users", refused("does not match the public key"),
               _tar(keys, lambda m: m), decrypt=True, wrong_key=True)
    yield Case("tar-without-a-key", cat, "users", refused("pass --decrypt-with"),
               _tar(keys, lambda m: m))
    yield Case("tar-truncated", cat, "users", refused("truncated"),
               raw(lambda: tar_bytes(_members(keys))[:1500]), decrypt=True)
    yield Case("tar-holding-invalid-json", cat, "users", invalid_json(),
               _tar(keys, lambda m: m, plaintext=as_lines(alice())[:-10]), decrypt=True)
    yield Case("tar-holding-a-duplicate-pk", cat, "users",
               failed("DeserializationFailed", "has the pk of the sentry.user record before it"),
               _tar(keys, lambda m: m, plaintext=as_lines(users("a", "b"))
                    .replace(b'"pk": 2', b'"pk": 1')), decrypt=True)
    yield Case("tar-valid", cat, "users", imported(FIXTURE_ROWS), _tar(keys, lambda m: m),
               decrypt=True)


# --- the corpus -------------------------------------------------------------------------------

PLAIN = (_invalid_json, _shapes, _encodings, _nesting, _huge_strings, _numbers, _duplicates,
         _references, _wrong_types, _unknown_models, _scopes, _sql, _confusables, _overlong)


def cases(keys: Keys | None = None) -> list[Case]:
    """Every case; the tarballs' builders need `keys` (their names and expectations do not)."""
    found = [case for category in PLAIN for case in category()]
    found += list(_tarballs(keys or Keys(None, None)))  # type: ignore[arg-type]
    names = [case.name for case in found]
    assert len(names) == len(set(names)), "case names must be unique"
    return found


def make_keys(directory: Path) -> Keys:
    return Keys(make_keypair(directory, "mine"), make_keypair(directory, "other"))


@dataclass(frozen=True)
class Corpus:
    directory: Path
    keys: Keys
    cases: dict[str, Case]

    def source(self, case: Case) -> Path:
        return self.directory / f"{case.name}.{'tar' if case.name.startswith('tar-') else 'json'}"


def generate(directory: Path, names: set[str] | None = None) -> Corpus:
    """Write the cases (all, or those named) into `directory`, with `cases.json`."""
    directory.mkdir(parents=True, exist_ok=True)
    keys = make_keys(directory)
    corpus = Corpus(directory, keys, {c.name: c for c in cases(keys)})
    for case in corpus.cases.values():
        if names is None or case.name in names:
            case.build(corpus.source(case))
    (directory / "cases.json").write_text(json.dumps(
        [c.manifest() for c in corpus.cases.values()], indent=1) + "\n")
    return corpus


if __name__ == "__main__":
    written = generate(Path(sys.argv[1]))
    print(f"{len(written.cases)} cases written to {written.directory}")

