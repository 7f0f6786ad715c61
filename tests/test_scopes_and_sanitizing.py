"""Import scopes, chunk bookkeeping and per-scope sanitizing (Sentry behaviours A and D).

Every test runs the real CLI against a real control and region gRPC service on fresh
PostgreSQL databases, then checks the rows that landed.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from control_service.models import REGISTRY as CONTROL_REGISTRY
from region_service.models import REGISTRY as REGION_REGISTRY
from tests.conftest import Silos, load_fixture, run_import
from wire.scopes import ImportScope

USER_FIXTURES = ("user-with-maximum-privileges.json", "user-with-minimum-privileges.json",
                 "user-with-roles-no-superadmin.json", "user-with-superadmin-no-roles.json")
FIXTURE_HASH = "mCnWesSVvYQcq7qXQ36AZHwosAd6cghE"
FIXTURE_PASSWORD = \
    "pbkdf2_sha256$150000$iEvdIknqYjTr$+QsGn0tfIJ1FZLxQI37mVU1gL2KbL/wqjMtG/dFhsMA="
USERNAMES = {"max_user", "min_user", "roles_no_superadmin_user", "superadmin_no_roles_user"}
WHEN = "2023-06-22T22:59:55.000Z"

TABLES: dict[str, tuple[str, str]] = {
    spec.name: (silo, spec.table.name)
    for silo, registry in (("control", CONTROL_REGISTRY), ("region", REGION_REGISTRY))
    for spec in registry
}
CHUNK_COLUMNS = ("import_uuid, model, min_ordinal, max_ordinal, min_source_pk, max_source_pk, "
                 "min_inserted_pk, max_inserted_pk, inserted_map, existing_map, overwrite_map, "
                 "inserted_identifiers")

USER_SCOPE = {"sentry.user", "sentry.email", "sentry.useremail", "sentry.useroption"}
ORGANIZATION_SCOPE = USER_SCOPE | {
    "sentry.organization", "sentry.organizationoption", "sentry.organizationmember",
    "sentry.team", "sentry.organizationmemberteam", "sentry.project", "sentry.projectkey",
    "sentry.projectoption", "sentry.projectteam", "sentry.rule", "sentry.orgauthtoken"}
CONFIG_SCOPE = USER_SCOPE | {
    "sentry.option", "sentry.controloption", "sentry.relay", "sentry.relayusage",
    "sentry.userrole", "sentry.userroleuser", "sentry.userpermission", "sentry.apitoken"}
GLOBAL_SCOPE = ORGANIZATION_SCOPE | CONFIG_SCOPE | {
    "sentry.authenticator", "sentry.apiapplication", "sentry.userip", "sentry.integration"}
EXPECTED_MODELS = {"users": USER_SCOPE, "organizations": ORGANIZATION_SCOPE,
                   "config": CONFIG_SCOPE, "global": GLOBAL_SCOPE}


# --- helpers -----------------------------------------------------------------------------------


def rec(model: str, pk: int, **fields: Any) -> dict[str, Any]:
    return {"model": model, "pk": pk, "fields": fields}


def user(pk: int, username: str, email: str, **extra: Any) -> dict[str, Any]:
    fields = {"password": FIXTURE_PASSWORD, "last_login": None, "username": username,
              "name": "", "email": email, "is_staff": False, "is_active": True,
              "is_superuser": False, "is_managed": False, "is_sentry_app": None,
              "is_password_expired": False, "is_unclaimed": False,
              "last_password_change": WHEN, "flags": "0", "session_nonce": None,
              "date_joined": WHEN, "last_active": WHEN, "avatar_type": 0, "avatar_url": None}
    return rec("sentry.user", pk, **(fields | extra))


def email(pk: int, address: str) -> dict[str, Any]:
    return rec("sentry.email", pk, email=address, date_added=WHEN)


def useremail(pk: int, user_pk: int, address: str, **extra: Any) -> dict[str, Any]:
    fields = {"user": user_pk, "email": address, "validation_hash": FIXTURE_HASH,
              "date_hash_added": WHEN, "is_verified": True}
    return rec("sentry.useremail", pk, **(fields | extra))


def organization(pk: int, slug: str, name: str | None = None) -> dict[str, Any]:
    return rec("sentry.organization", pk, name=name or slug, slug=slug, status=0,
               date_added=WHEN, default_role="member", is_test=False, flags="1")


def member(pk: int, org: int, user_pk: int | None, *, email_address: str | None = None,
           inviter: int | None = None, role: str = "member", token: str | None = None
           ) -> dict[str, Any]:
    return rec("sentry.organizationmember", pk, organization=org, user_id=user_pk,
               email=email_address, role=role, flags="0", token=token, date_added=WHEN,
               token_expires_at=None, has_global_access=True, inviter_id=inviter,
               invite_status=0 if user_pk else 1, type=50, user_is_active=True,
               user_email=None)


def project(pk: int, org: int, slug: str) -> dict[str, Any]:
    return rec("sentry.project", pk, slug=slug, name=slug.title(), forced_color=None,
               organization=org, public=False, date_added=WHEN, status=0, first_event=None,
               flags="10", platform=None)


def projectkey(pk: int, project_pk: int, public: str, secret: str) -> dict[str, Any]:
    return rec("sentry.projectkey", pk, project=project_pk, label="Default", public_key=public,
               secret_key=secret, roles="1", status=0, date_added=WHEN, rate_limit_count=None,
               rate_limit_window=None, data={})


def chunks(silos: Silos, silo: str, table: str, where: str = "TRUE",
           **params: Any) -> list[Any]:
    return silos.rows(silo, f"SELECT {CHUNK_COLUMNS} FROM {table} WHERE {where} "
                            "ORDER BY model, min_ordinal", **params)


def exhaustive_records() -> list[dict[str, Any]]:
    """fresh-install.json plus one record of every model it lacks (one per model we import)."""
    return [
        *load_fixture("fresh-install.json"),
        rec("sentry.userip", 1, user=1, ip_address="8.8.8.8", country_code="US",
            region_code="CA", first_seen=WHEN, last_seen=WHEN),
        rec("sentry.useroption", 1, user=1, project_id=None, organization_id=None,
            key="timezone", value='"Europe/Vienna"'),
        rec("sentry.userpermission", 1, user=1, permission="users.admin"),
        rec("sentry.controloption", 1, key="sentry:control-option", last_updated=WHEN,
            last_updated_by="unknown", value='"b"'),
        load_fixture("single-integration.json")[0],
        rec("sentry.organizationoption", 1, organization=1, key="sentry:account-rate-limit",
            value=0),
        rec("sentry.apitoken", 1, user=1, application=None, scoping_organization_id=None,
            name="personal", token="sntryu_" + "a" * 64, hashed_token="b" * 64,
            token_type="u", token_last_characters="aaaa", refresh_token=None,
            hashed_refresh_token=None, expires_at=None, scopes="0",
            scope_list=["org:read"], date_added=WHEN),
        rec("sentry.apitoken", 2, user=1, application=1, scoping_organization_id=None,
            name="app", token="c" * 64, hashed_token="d" * 64, token_type=None,
            token_last_characters="cccc", refresh_token="e" * 64,
            hashed_refresh_token="f" * 64, expires_at="2030-01-01T00:00:00.000Z", scopes="0",
            scope_list=["org:read"], date_added=WHEN),
        rec("sentry.orgauthtoken", 1, organization_id=1, token_hashed="9" * 64,
            token_last_characters="9999", name="ci", scope_list=["org:ci"], date_added=WHEN,
            date_last_used=None, project_last_used_id=None, date_deactivated=None,
            created_by=1),
    ]


# --- A. scopes and chunk bookkeeping -------------------------------------------------------


def test_expected_scope_sets_name_declared_models() -> None:
    """The models these tests cover are all declared, in the scopes the tests expect (other
    declared models have no records in these exports and are only checked to stay empty)."""
    assert set(TABLES) >= GLOBAL_SCOPE
    specs = {spec.name: spec for spec in [*CONTROL_REGISTRY, *REGION_REGISTRY]}
    for scope, models in EXPECTED_MODELS.items():
        accepted = ImportScope(scope).accepts
        assert {m for m in GLOBAL_SCOPE if specs[m].scopes & accepted} == models, scope


@pytest.mark.parametrize("scope", ["users", "organizations", "config", "global"])
def test_scope_lands_exactly_its_models_with_one_chunk_each(silos: Silos, tmp_path: Path,
                                                            export_file: Any, scope: str
                                                            ) -> None:
    """A.1-4: in-scope models land with one chunk each in their silo's ledger (control chunks
    replicated field for field into the region); other models stay empty; one import uuid."""
    records = exhaustive_records()
    findings = tmp_path / "findings.json"
    result = silos.relocate("import", scope, export_file(records), "--no-prompt",
                            "--findings-file", findings)
    assert result.code == 0, result.stderr
    assert json.loads(findings.read_text()) == []
    expected = EXPECTED_MODELS[scope]
    in_export = Counter(r["model"] for r in records)
    for model, (silo, table) in TABLES.items():
        count = silos.count(silo, table)
        if model not in expected:
            assert count == 0, f"{model} must not land in {scope} scope"
        elif model == "sentry.apitoken" and scope == "config":
            assert count == 1  # the application's token is Global-scoped
        else:
            assert count == in_export[model], f"every {model} record lands in {scope} scope"

    control_chunks = chunks(silos, "control", "sentry_controlimportchunk")
    replicas = chunks(silos, "region", "sentry_controlimportchunkreplica")
    region_chunks = chunks(silos, "region", "sentry_regionimportchunk")
    assert [c.model for c in control_chunks] == sorted(
        m for m in expected if TABLES[m][0] == "control")
    assert [c.model for c in region_chunks] == sorted(
        m for m in expected if TABLES[m][0] == "region")
    # Every field of the replica (all but id and dates) equals the control original.
    assert [tuple(r) for r in replicas] == [tuple(c) for c in control_chunks]
    uuids = {c.import_uuid for c in [*control_chunks, *replicas, *region_chunks]}
    assert len(uuids) == 1

    # Per-instance scope: only the application's token is Global.
    tokens = silos.rows("control", "SELECT name, application_id FROM sentry_apitoken")
    app_ids = {r.id for r in silos.rows("control", "SELECT id FROM sentry_apiapplication")}
    expected_tokens = {"config": {"personal"}, "global": {"personal", "app"}}.get(scope, set())
    assert {t.name for t in tokens} == expected_tokens
    for token in tokens:
        assert token.application_id is None if token.name == "personal" \
            else token.application_id in app_ids


def test_one_chunk_per_batch_with_replicas(silos: Silos, tmp_path: Path,
                                           export_file: Any) -> None:
    """Each batch of a model gets its own chunk (ordinals continue across batches), and each
    control chunk has its replica."""
    run_import(silos, tmp_path, "users", export_file(*USER_FIXTURES), "--batch-size", "2")
    control = chunks(silos, "control", "sentry_controlimportchunk")
    by_model: dict[str, list[Any]] = {}
    for c in control:
        by_model.setdefault(c.model, []).append(c)
    assert set(by_model) == USER_SCOPE
    for model in ("sentry.user", "sentry.useremail", "sentry.useroption"):
        first, second = by_model[model]
        assert (first.min_ordinal, first.max_ordinal) == (1, 2)
        assert (second.min_ordinal, second.max_ordinal) == (3, 4)
        assert (first.min_source_pk, first.max_source_pk) == (1, 2)
        assert (second.min_source_pk, second.max_source_pk) == (3, 4)
        assert len(first.inserted_map) == len(second.inserted_map) == 2
    # Emails: two chunks of two; maximum@ and testing@ inserted once, testing@ reused twice
    # (which batch inserts it is covered by test_export_order_decides_collisions_across_batches).
    first, second = by_model["sentry.email"]
    assert [(c.min_ordinal, c.max_ordinal) for c in (first, second)] == [(1, 2), (3, 4)]
    emails = {r.email: r.id for r in silos.rows("control", "SELECT id, email FROM sentry_email")}
    assert {**first.inserted_map, **second.inserted_map} in (
        {"1": emails["maximum@example.com"], "2": emails["testing@example.com"]},
        {"1": emails["maximum@example.com"], "3": emails["testing@example.com"]})
    reused = {**first.existing_map, **second.existing_map}
    assert len(reused) == 2 and set(reused.values()) == {emails["testing@example.com"]}
    replicas = chunks(silos, "region", "sentry_controlimportchunkreplica")
    assert [tuple(r) for r in replicas] == [tuple(c) for c in control]
    assert silos.count("region", "sentry_regionimportchunk") == 0


def test_export_order_decides_collisions_across_batches(silos: Silos, tmp_path: Path,
                                                        export_file: Any) -> None:
    """Sentry sends a model's batches one after another, so of two records with the same
    username the earlier in the export keeps it and the later one is renamed, even when they
    are in different batches (here: 100 such pairs, one record per batch)."""
    pairs = 100
    records = []
    for n in range(pairs):
        records += [user(2 * n + 1, f"dup{n}", f"dup{n}@example.com", name="first"),
                    user(2 * n + 2, f"dup{n}", f"dup{n}@example.com", name="later")]
    run_import(silos, tmp_path, "users", export_file(records), "--batch-size", "1")
    rows = silos.rows("control", "SELECT first_name, username FROM auth_user")
    kept = {r.username for r in rows if r.first_name == "first"}
    assert kept == {f"dup{n}" for n in range(pairs)}, \
        f"{len(kept - {f'dup{n}' for n in range(pairs)})} earlier records were renamed"


@pytest.mark.parametrize("scope", ["users", "config", "organizations"])
def test_non_global_scopes_never_wipe(silos: Silos, tmp_path: Path, export_file: Any,
                                      scope: str) -> None:
    """A.6: with 1 organization and 3 users present, an empty import leaves them, and so does
    a non-empty one."""
    run_import(silos, tmp_path, "organizations", export_file("fresh-install.json"))
    before = {table: silos.count(silo, table) for silo, table in TABLES.values()}
    assert before["auth_user"] == 3 and before["sentry_organization"] == 1

    run_import(silos, tmp_path, scope, export_file([]))
    assert {table: silos.count(silo, table) for silo, table in TABLES.values()} == before

    run_import(silos, tmp_path, scope, export_file("user-with-minimum-privileges.json"))
    assert silos.count("control", "auth_user") == 4
    assert silos.count("region", "sentry_organization") == 1
    assert silos.count("region", "sentry_organizationmember") == 3
    assert silos.count("region", "sentry_project") == 1


def test_global_scope_does_not_wipe_split_silos(silos: Silos, tmp_path: Path,
                                                export_file: Any) -> None:
    """Ours, like Sentry with split databases (spec 5.8): a global import into separate silo
    databases does not clear them first (Sentry wipes only a single-database monolith)."""
    run_import(silos, tmp_path, "organizations", export_file("fresh-install.json"))
    before = {table: silos.count(silo, table) for silo, table in TABLES.values()}
    run_import(silos, tmp_path, "global", export_file([]))
    assert {table: silos.count(silo, table) for silo, table in TABLES.values()} == before


# --- D. sanitizing by scope ----------------------------------------------------------------


def _user_ids(silos: Silos) -> dict[str, int]:
    return {r.username: r.id for r in silos.rows("control", "SELECT id, username FROM auth_user")}


def _check_emails_and_useremails(silos: Silos, ids: dict[str, int]) -> list[Any]:
    emails = silos.rows("control", "SELECT email FROM sentry_email ORDER BY email")
    assert [e.email for e in emails] == ["maximum@example.com", "testing@example.com"]
    rows = silos.rows("control", "SELECT user_id, email, is_verified, validation_hash, "
                                 "date_hash_added FROM sentry_useremail")
    assert sorted((r.user_id, r.email) for r in rows) == sorted(
        (ids[name], "maximum@example.com" if name == "max_user" else "testing@example.com")
        for name in USERNAMES)
    return rows


def _check_useremails_reset(rows: list[Any], started: datetime) -> None:
    for row in rows:
        assert row.is_verified is False
        assert row.validation_hash != FIXTURE_HASH and len(row.validation_hash) == 32
        assert row.date_hash_added >= started


def _check_claim_required(silos: Silos, ids: dict[str, int]) -> None:
    users = silos.rows("control", "SELECT is_unclaimed, password FROM auth_user")
    assert all(u.is_unclaimed for u in users)
    # Ours: Django's unusable-password form ("!" + random), so no password can match.
    assert all(u.password.startswith("!") for u in users)
    lph = silos.rows("control", "SELECT user_id, hash FROM sentry_lostpasswordhash")
    assert sorted(r.user_id for r in lph) == sorted(ids.values())
    assert all(len(r.hash) == 32 for r in lph)


def _privileged(silos: Silos, column: str) -> set[str]:
    return {r.username for r in silos.rows("control", f"SELECT username FROM auth_user "
                                                      f"WHERE {column}")}


@pytest.mark.parametrize("scope", ["users", "organizations"])
def test_users_sanitized_in_user_and_organization_scope(silos: Silos, tmp_path: Path,
                                                        export_file: Any, scope: str) -> None:
    """D.29-30: privileges stripped, addresses unverified and re-hashed, accounts must be
    claimed; no authenticators, permissions, roles or IPs."""
    started = datetime.now(UTC) - timedelta(seconds=1)
    run_import(silos, tmp_path, scope, export_file(*USER_FIXTURES))
    ids = _user_ids(silos)
    assert set(ids) == USERNAMES
    for column in ("is_staff", "is_superuser", "is_managed"):
        assert _privileged(silos, column) == set()
    _check_claim_required(silos, ids)
    _check_useremails_reset(_check_emails_and_useremails(silos, ids), started)
    for table in ("auth_authenticator", "sentry_userpermission", "sentry_userrole",
                  "sentry_userrole_users", "sentry_userip"):
        assert silos.count("control", table) == 0, table
    options = silos.rows("control", "SELECT user_id, key FROM sentry_useroption")
    assert sorted(o.user_id for o in options) == sorted(ids.values())


def test_users_keep_admin_flags_but_not_auth_in_config_scope(silos: Silos, tmp_path: Path,
                                                             export_file: Any) -> None:
    """D.31: staff/superuser/managed kept, permissions and roles imported (the two "Super Admin"
    roles collapse into one), but no authenticators; accounts still must be claimed."""
    started = datetime.now(UTC) - timedelta(seconds=1)
    run_import(silos, tmp_path, "config", export_file(*USER_FIXTURES))
    ids = _user_ids(silos)
    assert set(ids) == USERNAMES
    _check_claim_required(silos, ids)
    assert _privileged(silos, "is_managed") == {"superadmin_no_roles_user"}
    assert _privileged(silos, "is_staff") == {"max_user", "superadmin_no_roles_user"}
    assert _privileged(silos, "is_superuser") == {"max_user", "superadmin_no_roles_user"}
    assert silos.count("control", "auth_authenticator") == 0
    assert silos.count("control", "sentry_userip") == 0
    _check_useremails_reset(_check_emails_and_useremails(silos, ids), started)
    perms = silos.rows("control", "SELECT user_id, permission FROM sentry_userpermission")
    assert sorted((p.user_id, p.permission) for p in perms) == sorted(
        [(ids["max_user"], "users.admin"), (ids["roles_no_superadmin_user"], "users.admin")])
    (role,) = silos.rows("control", "SELECT id, name, permissions FROM sentry_userrole")
    assert role.name == "Super Admin"
    assert role.permissions == ["broadcasts.admin", "users.admin", "options.admin"]
    members = silos.rows("control", "SELECT user_id, role_id FROM sentry_userrole_users")
    assert sorted((m.user_id, m.role_id) for m in members) == sorted(
        [(ids["max_user"], role.id), (ids["roles_no_superadmin_user"], role.id)])


def test_users_unsanitized_in_global_scope(silos: Silos, tmp_path: Path,
                                           export_file: Any) -> None:
    """D.32 (and 35): a global import is a pure restore: passwords, privileges, 2FA,
    verification state and IP first/last seen all kept; nobody has to claim an account."""
    run_import(silos, tmp_path, "global", export_file(*USER_FIXTURES))
    ids = _user_ids(silos)
    assert set(ids) == USERNAMES
    users = silos.rows("control", "SELECT is_unclaimed, password FROM auth_user")
    assert not any(u.is_unclaimed for u in users)
    assert all(u.password == FIXTURE_PASSWORD for u in users)
    assert silos.count("control", "sentry_lostpasswordhash") == 0
    assert _privileged(silos, "is_managed") == {"superadmin_no_roles_user"}
    assert _privileged(silos, "is_staff") == {"max_user", "superadmin_no_roles_user"}
    assert _privileged(silos, "is_superuser") == {"max_user", "superadmin_no_roles_user"}
    auths = silos.rows("control", "SELECT user_id, type FROM auth_authenticator")
    assert sorted(a.user_id for a in auths) == sorted(ids.values())
    for row in _check_emails_and_useremails(silos, ids):
        assert row.is_verified is True
        assert row.validation_hash == FIXTURE_HASH
        assert row.date_hash_added == datetime(2023, 6, 22, 22, 59, 55, 521000, tzinfo=UTC)
    assert silos.count("control", "sentry_userpermission") == 2
    (role,) = silos.rows("control", "SELECT id FROM sentry_userrole")
    members = silos.rows("control", "SELECT user_id, role_id FROM sentry_userrole_users")
    assert sorted((m.user_id, m.role_id) for m in members) == sorted(
        [(ids["max_user"], role.id), (ids["roles_no_superadmin_user"], role.id)])
    ips = silos.rows("control", "SELECT user_id, host(ip_address) AS ip, first_seen, last_seen "
                                "FROM sentry_userip")
    assert sorted(i.user_id for i in ips) == sorted(ids.values())
    old = datetime(2012, 4, 5, 3, 29, 45, tzinfo=UTC)
    assert all((i.ip, i.first_seen, i.last_seen) == ("127.0.0.2", old, old) for i in ips)


def _min_user_with_extra_useremails() -> list[dict[str, Any]]:
    return [*load_fixture("user-with-minimum-privileges.json"),
            useremail(5, 2, "second@example.com", validation_hash="7" * 32, is_verified=True),
            useremail(6, 2, "third@example.com", validation_hash="", is_verified=False)]


def test_extra_useremails_regenerated_in_user_scope(silos: Silos, tmp_path: Path,
                                                    export_file: Any) -> None:
    """D.33: UserEmails without a matching Email row are accepted; outside Global none stays
    verified and no empty hash remains."""
    run_import(silos, tmp_path, "users", export_file(_min_user_with_extra_useremails()))
    (user_id,) = _user_ids(silos).values()
    rows = silos.rows("control", "SELECT user_id, email, is_verified, validation_hash "
                                 "FROM sentry_useremail ORDER BY email")
    assert [r.email for r in rows] == ["second@example.com", "testing@example.com",
                                       "third@example.com"]
    assert {r.user_id for r in rows} == {user_id}
    assert not any(r.is_verified for r in rows)
    assert all(len(r.validation_hash) == 32 for r in rows)
    assert silos.count("control", "sentry_email") == 1


def test_extra_useremails_untouched_in_global_scope(silos: Silos, tmp_path: Path,
                                                    export_file: Any) -> None:
    """D.34: in Global scope the extra UserEmails keep their hashes and verification."""
    run_import(silos, tmp_path, "global", export_file(_min_user_with_extra_useremails()))
    (user_id,) = _user_ids(silos).values()
    rows = silos.rows("control", "SELECT user_id, email, is_verified, validation_hash "
                                 "FROM sentry_useremail ORDER BY email")
    assert [(r.email, r.is_verified, r.validation_hash) for r in rows] == [
        ("second@example.com", True, "7" * 32), ("testing@example.com", True, FIXTURE_HASH),
        ("third@example.com", False, "")]
    assert {r.user_id for r in rows} == {user_id}


def test_dangling_inviter_is_cleared(silos: Silos, tmp_path: Path, export_file: Any) -> None:
    """D.36: an org import filtered to one org clears inviter ids pointing at a user of another
    org, and keeps the one pointing at the imported owner."""
    records = [
        user(1, "owner", "owner@example.com"), user(2, "member", "member@example.com"),
        user(3, "admin", "admin@example.com"),
        organization(1, "some-org"), organization(2, "other-org"),
        member(1, 1, 1, inviter=3, role="owner"), member(2, 1, 2, inviter=3),
        member(3, 1, None, email_address="from-admin@example.com", inviter=3),
        member(4, 1, None, email_address="from-owner@example.com", inviter=1),
        member(5, 2, 3, role="owner"),
    ]
    run_import(silos, tmp_path, "organizations", export_file(records),
               "--filter-org-slugs", "some-org")
    ids = _user_ids(silos)
    assert set(ids) == {"owner", "member"}
    (org,) = silos.rows("region", "SELECT id, slug FROM sentry_organization")
    assert org.slug == "some-org"
    rows = silos.rows("region", "SELECT organization_id, user_id, email, inviter_id "
                                "FROM sentry_organizationmember")
    assert {r.organization_id for r in rows} == {org.id}
    got = {(r.user_id, r.email): r.inviter_id for r in rows}
    assert got == {(ids["owner"], None): None, (ids["member"], None): None,
                   (None, "from-admin@example.com"): None,
                   (None, "from-owner@example.com"): ids["owner"]}


def _org_with_sparse_projects(project_pks: tuple[int, int]) -> list[dict[str, Any]]:
    first, second = project_pks
    return [
        organization(1, "some-org"),
        rec("sentry.team", 1, organization=1, slug="team", name="Team", status=0,
            idp_provisioned=False, date_added=WHEN),
        project(first, 1, "first"), project(second, 1, "second"),
        projectkey(1, first, "1" * 32, "2" * 32), projectkey(2, second, "3" * 32, "4" * 32),
        rec("sentry.projectteam", 1, project=first, team=1),
        rec("sentry.projectteam", 2, project=second, team=1),
    ]


def _projects(silos: Silos) -> dict[str, int]:
    return {r.slug: r.id for r in silos.rows("region", "SELECT id, slug FROM sentry_project")}


def _check_project_references(silos: Silos, projects: dict[str, int]) -> None:
    keys = silos.rows("region", "SELECT project_id, public_key FROM sentry_projectkey")
    assert {(k.project_id, k.public_key) for k in keys} >= {
        (projects["first"], "1" * 32), (projects["second"], "3" * 32)}
    links = {r.project_id for r in silos.rows("region", "SELECT project_id "
                                                        "FROM sentry_projectteam")}
    assert links >= set(projects.values())


def test_project_ids_retained_in_global_scope(silos: Silos, tmp_path: Path,
                                              export_file: Any) -> None:
    """D.38: sparse project ids (2 and 4) come back unchanged in Global scope, so DSNs stay
    valid; later inserts continue after them."""
    src = export_file(_org_with_sparse_projects((2, 4)))
    run_import(silos, tmp_path, "global", src)
    projects = _projects(silos)
    assert projects == {"first": 2, "second": 4}
    _check_project_references(silos, projects)
    # The sequence moved past the kept ids: an organization import gets fresh ones.
    run_import(silos, tmp_path, "organizations", src)
    ids = sorted(r.id for r in silos.rows("region", "SELECT id FROM sentry_project"))
    assert len(ids) == 4 and ids[:2] == [2, 4] and min(ids[2:]) > 4


def test_project_ids_reassigned_in_organization_scope(silos: Silos, tmp_path: Path,
                                                      export_file: Any) -> None:
    """D.39: in Organization scope project ids are newly assigned, disjoint from the source
    ids, with every reference re-pointed."""
    source_pks = (1002, 1004)
    run_import(silos, tmp_path, "organizations",
               export_file(_org_with_sparse_projects(source_pks)))
    projects = _projects(silos)
    assert set(projects) == {"first", "second"}
    assert not set(projects.values()) & set(source_pks)
    _check_project_references(silos, projects)
    (org,) = silos.rows("region", "SELECT id FROM sentry_organization")
    assert {r.organization_id for r in silos.rows(
        "region", "SELECT organization_id FROM sentry_project")} == {org.id}


def test_user_import_creates_no_duplicate_rows(silos: Silos, tmp_path: Path,
                                               export_file: Any) -> None:
    """D.40: importing one user gives exactly one User, UserEmail and Email."""
    records = [user(7, "me@example.com", "me@example.com"), email(7, "me@example.com"),
               useremail(7, 7, "me@example.com")]
    run_import(silos, tmp_path, "users", export_file(records))
    (row,) = silos.rows("control", "SELECT id, username, email FROM auth_user")
    assert (row.username, row.email) == ("me@example.com", "me@example.com")
    (ue,) = silos.rows("control", "SELECT user_id, email FROM sentry_useremail")
    assert (ue.user_id, ue.email) == (row.id, "me@example.com")
    assert silos.count("control", "sentry_email") == 1


def test_organization_import_creates_no_duplicate_rows(silos: Silos, tmp_path: Path,
                                                       export_file: Any) -> None:
    """D.41: an org with owner, member and invitee lands once: 1 org, 3 members, 1 project,
    key and option; control holds 1 primary slug reservation and 1 mapping."""
    records = [
        user(1, "owner", "owner@example.com"), user(2, "member", "member@example.com"),
        organization(1, "some-org"),
        member(1, 1, 1, role="owner"), member(2, 1, 2, inviter=1),
        member(3, 1, None, email_address="invited@example.com", inviter=1),
        project(1, 1, "project"), projectkey(1, 1, "5" * 32, "6" * 32),
        rec("sentry.projectoption", 1, project=1, key="sentry:option-epoch", value=11),
    ]
    run_import(silos, tmp_path, "organizations", export_file(records))
    (org,) = silos.rows("region", "SELECT id, slug FROM sentry_organization")
    assert org.slug == "some-org"
    assert silos.count("region", "sentry_organizationmember", "organization_id = :o",
                       o=org.id) == 3
    (proj,) = silos.rows("region", "SELECT id FROM sentry_project WHERE organization_id = :o",
                         o=org.id)
    assert silos.count("region", "sentry_projectkey", "project_id = :p", p=proj.id) == 1
    (option,) = silos.rows("region", "SELECT project_id, key, value FROM sentry_projectoptions")
    assert (option.project_id, option.key, json.loads(option.value)) == (
        proj.id, "sentry:option-epoch", 11)
    reservations = silos.rows("control", "SELECT slug, organization_id, reservation_type "
                                         "FROM sentry_organizationslugreservation")
    assert [tuple(r) for r in reservations] == [("some-org", org.id, 0)]
    mappings = silos.rows("control", "SELECT organization_id, slug "
                                     "FROM sentry_organizationmapping")
    assert [tuple(m) for m in mappings] == [(org.id, "some-org")]


# --- the shared fixtures, scope by scope ---------------------------------------------------


def test_app_user_with_empty_email_in_global_scope(silos: Silos, tmp_path: Path,
                                                   export_file: Any) -> None:
    """A sentry-app proxy user with empty Email/UserEmail rows imports in Global scope."""
    run_import(silos, tmp_path, "global", export_file("app-user-with-empty-email.json"))
    (row,) = silos.rows("control", "SELECT id, username, email, is_sentry_app, is_unclaimed, "
                                   "password FROM auth_user")
    assert row.username == "test_app-afcf782e-428d-475a-bb6f-d81b72505f6d"
    assert (row.email, row.is_sentry_app) == ("", True)
    # It was exported unclaimed, so it stays unclaimed and unusable even in Global scope; no
    # reset hash is created in Global scope.
    assert row.is_unclaimed is True and row.password.startswith("!")
    assert silos.count("control", "sentry_lostpasswordhash") == 0
    assert [r.email for r in silos.rows("control", "SELECT email FROM sentry_email")] == [""]
    (ue,) = silos.rows("control", "SELECT user_id, email, validation_hash "
                                  "FROM sentry_useremail")
    assert (ue.user_id, ue.email, ue.validation_hash) == (
        row.id, "", "GXJ1pWLdSmbMFI1NxDpIv9CYufsSrWo0")


@pytest.mark.parametrize("scope", ["users", "organizations", "config", "global"])
def test_single_integration_only_in_global_scope(silos: Silos, tmp_path: Path,
                                                 export_file: Any, scope: str) -> None:
    """single-integration.json lands in Global scope only (Integration is Global-scoped)."""
    run_import(silos, tmp_path, scope, export_file("single-integration.json"))
    rows = silos.rows("control", "SELECT provider, external_id, name, status, date_added, "
                                 "date_updated FROM sentry_integration")
    if scope != "global":
        assert rows == []
        assert silos.count("control", "sentry_controlimportchunk") == 0
        return
    assert [tuple(r) for r in rows] == [(
        "slack", "slack:test-org", "Slack for test-org", 0,
        datetime(2023, 6, 22, tzinfo=UTC), datetime(2023, 6, 23, tzinfo=UTC))]


def test_colliding_integration_is_reused(silos: Silos, tmp_path: Path,
                                         export_file: Any) -> None:
    """Ours: an Integration already installed here (same provider and external id) is reused
    (Existing) rather than failing the import as Sentry would."""
    src = export_file("single-integration.json")
    run_import(silos, tmp_path, "global", src)
    (existing,) = silos.rows("control", "SELECT id FROM sentry_integration")
    second = run_import(silos, tmp_path, "global", src)
    assert silos.count("control", "sentry_integration") == 1
    (chunk,) = chunks(silos, "control", "sentry_controlimportchunk",
                      "import_uuid = :u", u=second)
    assert (chunk.inserted_map, chunk.existing_map) == ({}, {"1": existing.id})


@pytest.mark.parametrize("scope", ["users", "organizations", "config", "global"])
def test_single_option_in_config_and_global_scope(silos: Silos, tmp_path: Path,
                                                  export_file: Any, scope: str) -> None:
    """single-option.json lands in Config and Global scope with its value, nowhere else."""
    run_import(silos, tmp_path, scope, export_file("single-option.json"))
    rows = silos.rows("region", "SELECT key, value, last_updated, last_updated_by "
                                "FROM sentry_option")
    if scope in ("users", "organizations"):
        assert rows == []
        return
    (row,) = rows
    assert (row.key, json.loads(row.value), row.last_updated_by) == (
        "sentry:latest_version", '"23.6.1"', "unknown")
    assert row.last_updated == datetime(2023, 6, 22, tzinfo=UTC)
    (chunk,) = chunks(silos, "region", "sentry_regionimportchunk")
    assert (chunk.model, chunk.min_ordinal, chunk.max_ordinal) == ("sentry.option", 1, 1)


@pytest.mark.parametrize("name", ["datetime-with-zeroed-millis.json",
                                  "datetime-with-unzeroed-millis.json", "datetime-millis.json"])
@pytest.mark.parametrize("scope", ["config", "global"])
def test_datetimes_with_and_without_milliseconds_are_the_same_instant(
        silos: Silos, tmp_path: Path, export_file: Any, scope: str, name: str) -> None:
    """`...T00:00:00Z` and `...T00:00:00.000Z` both land as the same instant."""
    run_import(silos, tmp_path, scope, export_file(name))
    rows = silos.rows("region", "SELECT key, last_updated FROM sentry_option")
    assert sorted(r.key for r in rows) == sorted(r["fields"]["key"] for r in load_fixture(name))
    assert {r.last_updated for r in rows} == {datetime(2023, 6, 22, tzinfo=UTC)}


def _dup_users_and_orgs(silos: Silos) -> tuple[dict[str, str], dict[str, str]]:
    """name -> username, and organization name -> slug."""
    users = {r.first_name: r.username for r in silos.rows(
        "control", "SELECT first_name, username FROM auth_user")}
    orgs = {r.name: r.slug for r in silos.rows("region", "SELECT name, slug "
                                                         "FROM sentry_organization")}
    return users, orgs


@pytest.mark.parametrize("scope", ["users", "organizations", "config", "global"])
def test_duplicate_username_and_organization_slug(silos: Silos, tmp_path: Path,
                                                  export_file: Any, scope: str) -> None:
    """Two users named testing@example.com and two orgs slugged "testing" in one export: the
    second of each gets a suffix, and each org's owner is its own user."""
    run_import(silos, tmp_path, scope, export_file("duplicate-username-and-organization-slug"
                                                   ".json"))
    users, orgs = _dup_users_and_orgs(silos)
    assert users["User"] == "testing@example.com"
    renamed = users["User (Duplicate Username and Email)"]
    assert renamed.startswith("testing@example.com-") and renamed != users["User"]
    assert silos.count("control", "sentry_email") == 1
    assert silos.count("control", "sentry_useremail") == 2
    staff = silos.count("control", "auth_user", "is_staff AND is_superuser")
    assert staff == (2 if scope in ("config", "global") else 0)
    assert silos.count("region", "sentry_option") == (2 if scope in ("config", "global") else 0)
    if scope not in ("organizations", "global"):
        assert orgs == {}
        assert silos.count("region", "sentry_organizationmember") == 0
        return
    assert orgs["Testing"] == "testing"
    dup_slug = orgs["Testing (Duplicate Slug)"]
    assert dup_slug.startswith("testing-") and dup_slug != "testing"
    owners = silos.rows("region", "SELECT o.name AS org, m.user_id, m.role "
                                  "FROM sentry_organizationmember m "
                                  "JOIN sentry_organization o ON o.id = m.organization_id")
    user_names = {r.id: r.first_name for r in silos.rows("control", "SELECT id, first_name "
                                                                    "FROM auth_user")}
    assert {(r.org, user_names[r.user_id], r.role) for r in owners} == {
        ("Testing", "User", "owner"),
        ("Testing (Duplicate Slug)", "User (Duplicate Username and Email)", "owner")}
    reserved = {r.slug for r in silos.rows("control", "SELECT slug FROM "
                                                      "sentry_organizationslugreservation")}
    assert reserved == {"testing", dup_slug}


@pytest.mark.parametrize("scope", ["organizations", "global"])
def test_org_and_project_fixture(silos: Silos, tmp_path: Path, export_file: Any,
                                 scope: str) -> None:
    """org-and-project.json: org, team and project land; the invite whose inviter (user 1) is
    not in the export is kept with no inviter (ours; Sentry drops the member), and the team's
    obsolete `actor` field is reported as dropped."""
    findings = tmp_path / "findings.json"
    result = silos.relocate("import", scope, export_file("org-and-project.json"), "--no-prompt",
                            "--findings-file", findings)
    assert result.code == 0, result.stderr
    notices = json.loads(findings.read_text())
    assert [(n["finding"], n["on"]["model"]) for n in notices] == [
        ("UnknownFieldDropped", "sentry.team")]
    (org,) = silos.rows("region", "SELECT id, slug FROM sentry_organization")
    assert org.slug == "test-org"
    (team,) = silos.rows("region", "SELECT organization_id, slug FROM sentry_team")
    (proj,) = silos.rows("region", "SELECT organization_id, slug FROM sentry_project")
    assert (team.organization_id, team.slug) == (org.id, "devs")
    assert (proj.organization_id, proj.slug) == (org.id, "internal")
    (invite,) = silos.rows("region", "SELECT organization_id, user_id, email, inviter_id "
                                     "FROM sentry_organizationmember")
    assert tuple(invite) == (org.id, None, "pending@example.com", None)
    assert silos.count("control", "auth_user") == 0
