"""Users and what hangs off them: emails, IPs, options, permissions and roles."""

from __future__ import annotations

import functools
import unicodedata
import zoneinfo

import orjson
import sqlalchemy as sa

from control_service.models.metadata import metadata
from silo_engine.bulk import allocate_ids, copy_rows
from silo_engine.context import BatchContext
from silo_engine.declare import (
    boolean,
    flags,
    hybrid,
    integer,
    json_text,
    model,
    now,
    ref,
    string,
    text_array,
    unique,
    when,
)
from silo_engine.fields import FieldError
from silo_engine.modelspec import Collision, Row
from silo_engine.randomness import random_string, unusable_password
from wire.scopes import ImportScope, RelocationScope, Silo

USER, CONFIG, GLOBAL = RelocationScope.USER, RelocationScope.CONFIG, RelocationScope.GLOBAL


def _check_username(username: str) -> None:
    """Refuse control and format characters (Unicode Cc, Cf): a newline or a bidi override
    (U+202E) makes a name display as another one, and Sentry's forms never let them in.
    Printable ASCII, nearly every name, is decided by two fast string methods."""
    if username.isascii() and username.isprintable():
        return
    for char in username:
        if unicodedata.category(char) in ("Cc", "Cf"):
            raise FieldError(f"field 'username': holds the control character U+{ord(char):04X} "
                             f"({unicodedata.name(char, 'unnamed')}); usernames may not contain "
                             "control or formatting characters: remove it from the export")


def _sanitize_user(row: Row, ctx: BatchContext) -> None:
    """Strip instance privileges outside Config/Global; make users claim their account."""
    _check_username(row["username"])
    if ctx.scope not in (ImportScope.CONFIG, ImportScope.GLOBAL):
        row["is_staff"] = row["is_superuser"] = row["is_managed"] = False
    if ctx.scope is not ImportScope.GLOBAL or row["is_unclaimed"]:
        row["is_unclaimed"] = True
        row["password"] = unusable_password()


lostpasswordhash = sa.Table(
    "sentry_lostpasswordhash", metadata,
    sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=True),
    sa.Column("user_id", sa.BigInteger, sa.ForeignKey("auth_user.id"), nullable=False,
              unique=True),
    sa.Column("hash", sa.String(32), nullable=False),
    sa.Column("date_added", sa.DateTime(timezone=True), nullable=False),
)


def _start_claim(conn: sa.Connection, inserted: list[tuple[int, Row]], ctx: BatchContext) -> None:
    """Outside Global, new accounts get a password-reset hash: that is how users claim them."""
    if ctx.scope is ImportScope.GLOBAL:
        return
    copy_rows(conn, lostpasswordhash, allocate_ids(conn, lostpasswordhash, len(inserted)),
              [{"user_id": pk, "hash": random_string(32), "date_added": ctx.now}
               for pk, _ in inserted])


user = model(
    "sentry.user", "auth_user", metadata, Silo.CONTROL, USER,
    columns=[
        string("password", 128),
        sa.Column("last_login", sa.DateTime(timezone=True), nullable=True),
        string("username", 128),
        string("first_name", 200, default="", key="name"),
        string("email", 200, default=""),
        boolean("is_staff", default=False),
        boolean("is_active", default=True),
        boolean("is_unclaimed", default=False),
        boolean("is_superuser", default=False),
        boolean("is_managed", default=False),
        boolean("is_sentry_app", nullable=True),
        boolean("is_password_expired", default=False),
        when("last_password_change", nullable=True),
        flags("flags", default=0),
        string("session_nonce", 12, nullable=True),
        when("date_joined", auto=True),
        when("last_active", nullable=True, auto=True),
        integer("avatar_type", small=True, default=0),
        string("avatar_url", 120, nullable=True),
    ],
    uniques=[unique("username", on=Collision.MERGE_OR_RENAME, case_insensitive=True)],
    identifier="username",
    normalize=_sanitize_user,
    after_insert=_start_claim,
)


def _unverify(row: Row, ctx: BatchContext) -> None:
    """Outside Global an imported address must be verified again on this installation."""
    if ctx.scope is not ImportScope.GLOBAL:
        row["is_verified"] = False
        row["validation_hash"] = random_string(32)
        row["date_hash_added"] = ctx.now


email = model(
    "sentry.email", "sentry_email", metadata, Silo.CONTROL, USER,
    columns=[string("email", 200), when("date_added", auto=True)],
    uniques=[unique("email", on=Collision.EXISTING, case_insensitive=True)],
    relocation_dependencies=("sentry.user",),
)

useremail = model(
    "sentry.useremail", "sentry_useremail", metadata, Silo.CONTROL, USER,
    columns=[
        string("email", 200),
        string("validation_hash", 32, default=lambda: random_string(32)),
        when("date_hash_added", auto=True),
        boolean("is_verified", default=False),
    ],
    refs=[ref("user", "sentry.user", "auth_user")],
    uniques=[unique("email", "user", on=Collision.UPDATE_EXISTING)],
    relocation_dependencies=("sentry.email",),
    merged_user_field="user",
    normalize=_unverify,
)

userip = model(
    "sentry.userip", "sentry_userip", metadata, Silo.CONTROL, GLOBAL,
    columns=[
        sa.Column("ip_address", sa.dialects.postgresql.INET, nullable=False),
        string("country_code", 16, nullable=True),
        string("region_code", 16, nullable=True),
        when("first_seen", auto=True),
        when("last_seen", auto=True),
    ],
    refs=[ref("user", "sentry.user", "auth_user")],
    uniques=[unique("ip_address", "user", on=Collision.EXISTING)],
    merged_user_field="user",
)


@functools.cache
def _timezones() -> frozenset[str]:
    """Every IANA zone name; reading them walks the tz database, so it is done once."""
    return frozenset(zoneinfo.available_timezones())


def _check_option(row: Row, ctx: BatchContext) -> None:
    if row["key"] == "timezone" and row["value"] is not None:
        value = row["value"]
        if isinstance(value, str) and value.startswith('"'):
            value = orjson.loads(value)  # exports double-encode this option's value
        if not isinstance(value, str) or value not in _timezones():
            raise FieldError(f"field 'value': {value!r} is not a known timezone")


useroption = model(
    "sentry.useroption", "sentry_useroption", metadata, Silo.CONTROL, USER,
    columns=[string("key", 64), json_text("value", nullable=True)],
    refs=[
        ref("user", "sentry.user", "auth_user"),
        hybrid("project_id", "sentry.project", nullable=True),
        hybrid("organization_id", "sentry.organization", nullable=True),
    ],
    uniques=[unique("key", "organization_id", "user"), unique("key", "project_id", "user")],
    merged_user_field="user",
    normalize=_check_option,
)

userpermission = model(
    "sentry.userpermission", "sentry_userpermission", metadata, Silo.CONTROL, CONFIG,
    columns=[string("permission", 32)],
    refs=[ref("user", "sentry.user", "auth_user")],
    uniques=[unique("permission", "user", on=Collision.EXISTING)],
    merged_user_field="user",
)

userrole = model(
    "sentry.userrole", "sentry_userrole", metadata, Silo.CONTROL, CONFIG,
    columns=[
        when("date_updated", auto=True),
        when("date_added", auto=True),
        string("name", 32),
        text_array("permissions", nullable=False, default=list),
    ],
    uniques=[unique("name", on=Collision.OVERWRITE_CONFIG)],
)

userroleuser = model(
    "sentry.userroleuser", "sentry_userrole_users", metadata, Silo.CONTROL, CONFIG,
    columns=[when("date_updated", auto=True), when("date_added", auto=True)],
    refs=[ref("user", "sentry.user", "auth_user"),
          ref("role", "sentry.userrole", "sentry_userrole")],
    merged_user_field="user",
)

SPECS = [user, email, useremail, userip, useroption, userpermission, userrole, userroleuser]
__all__ = ["SPECS", "lostpasswordhash", "now"]
