"""Collisions (Sentry behaviours C 15, 17, 18, 20, 21, 24, 25 and in-batch duplicates).

Rows that already exist are written straight into the silo databases (as if created locally);
the export is then imported through the real CLI and real gRPC silos. Where relocation
deliberately differs from Sentry (docs/compatibility.md) the test checks relocation's rule and
says so.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from control_service.models.auth import apitoken, orgauthtoken
from control_service.models.organizations import organization_mapping, slug_reservation
from control_service.models.users import user as user_spec
from orchestrator import cross_silo
from region_service.models import REGISTRY as REGION
from region_service.models.organizations import organization, organizationmember
from region_service.models.projects import project, projectkey
from silo_engine import collisions
from silo_engine.collisions import Action, Candidate, Lookups
from silo_engine.context import BatchContext, ImportFlags, SentPks
from tests.conftest import Silos, fixture_path, load_fixture, run_import
from wire.scopes import ImportScope

Record = dict[str, Any]
WHEN = "2023-06-22T22:59:55.488Z"
HEX32 = re.compile(r"^[0-9a-f]{32}$")


# --- helpers ----------------------------------------------------------------------------------


def insert(engine: sa.Engine, table: sa.Table, **values: Any) -> int:
    """Insert one row as if it had been created locally; returns its id."""
    with engine.begin() as conn:
        return conn.execute(sa.insert(table).values(**values).returning(table.c.id)).scalar_one()


def sha256(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def user(pk: int, username: str, email: str = "") -> Record:
    return {"model": "sentry.user", "pk": pk, "fields": {
        "password": "pbkdf2_sha256$150000$iEvdIknqYjTr$+QsGn0tfIJ1FZLxQI37mVU1gL2KbL/wqjMtG/dF=",
        "last_login": None, "username": username, "name": "", "email": email,
        "is_staff": False, "is_active": True, "is_superuser": False, "is_managed": False,
        "is_sentry_app": None, "is_password_expired": False, "is_unclaimed": False,
        "last_password_change": WHEN, "flags": "0", "session_nonce": None,
        "date_joined": WHEN, "last_active": WHEN, "avatar_type": 0, "avatar_url": None}}


def org_record(pk: int, slug: str) -> Record:
    return {"model": "sentry.organization", "pk": pk, "fields": {
        "name": slug.title(), "slug": slug, "status": 0, "date_added": WHEN,
        "default_role": "member", "is_test": False, "flags": "1"}}


def project_record(pk: int, org_pk: int, slug: str) -> Record:
    return {"model": "sentry.project", "pk": pk, "fields": {
        "slug": slug, "name": slug.title(), "forced_color": None, "organization": org_pk,
        "public": False, "date_added": WHEN, "status": 0, "first_event": None, "flags": "10",
        "platform": None}}


def local_org(silos: Silos, slug: str) -> int:
    """An organization created on this installation: region row, slug reservation, mapping."""
    org_id = insert(silos.region_db, organization.table, name=slug, slug=slug)
    insert(silos.control_db, slug_reservation, slug=slug, organization_id=org_id,
           region_name="default", reservation_type=0)
    insert(silos.control_db, organization_mapping, organization_id=org_id, slug=slug, name=slug,
           idempotency_key="local", region_name="default")
    return org_id


# --- C15: organization slug taken -------------------------------------------------------------


def test_taken_organization_slug_gets_a_suffix(silos: Silos, tmp_path: Path,
                                               export_file: Any) -> None:
    """C15: an imported org whose slug is taken becomes some-org-<suffix>, everywhere."""
    local_id = local_org(silos, "some-org")
    uuid = "15151515151515151515151515151515"
    run_import(silos, tmp_path, "organizations",
               export_file([org_record(1, "some-org"), project_record(1, 1, "proj")]),
               "--import-uuid", uuid)

    orgs = silos.rows("region", "SELECT id, slug FROM sentry_organization ORDER BY id")
    assert len(orgs) == 2
    assert [o.slug for o in orgs].count("some-org") == 1
    (imported,) = [o for o in orgs if o.id != local_id]
    assert re.fullmatch(r"some-org-[a-z0-9]+", imported.slug), imported.slug
    assert silos.rows("region", "SELECT slug FROM sentry_organization WHERE id = :i",
                      i=local_id)[0].slug == "some-org"
    (proj,) = silos.rows("region", "SELECT organization_id FROM sentry_project")
    assert proj.organization_id == imported.id

    (c,) = silos.rows("region", "SELECT min_ordinal, max_ordinal, inserted_map, "
                                "inserted_identifiers FROM sentry_regionimportchunk "
                                "WHERE model = 'sentry.organization' AND import_uuid = :u",
                      u=uuid)
    assert (c.min_ordinal, c.max_ordinal) == (1, 1)
    assert c.inserted_map == {"1": imported.id}
    assert c.inserted_identifiers == {"1": imported.slug}

    reservations = silos.rows("control", "SELECT slug, organization_id FROM "
                                         "sentry_organizationslugreservation "
                                         "WHERE reservation_type = 0")
    assert len(reservations) == 2
    assert {(r.slug, r.organization_id) for r in reservations} == {
        ("some-org", local_id), (imported.slug, imported.id)}
    mappings = silos.rows("control", "SELECT slug, organization_id, region_name "
                                     "FROM sentry_organizationmapping")
    assert {(m.slug, m.organization_id, m.region_name) for m in mappings} == {
        ("some-org", local_id, "default"), (imported.slug, imported.id, "default")}


def test_slugs_reserved_a_slice_at_a_time(silos: Silos, tmp_path: Path, export_file: Any,
                                          monkeypatch: Any) -> None:
    """Slug reservation goes a slice of organizations per call; with slices of one, every
    organization is still reserved, and one whose slug another region holds is renamed in the
    region and in control alike."""
    monkeypatch.setattr(cross_silo, "SLUG_CLAIMS_PER_CALL", 1)
    insert(silos.control_db, slug_reservation, slug="elsewhere", organization_id=10**9,
           region_name="other-region", reservation_type=0)
    run_import(silos, tmp_path, "organizations", export_file(
        [org_record(1, "alpha"), org_record(2, "elsewhere"), org_record(3, "gamma")]))

    region = {o.name: (o.id, o.slug) for o in silos.rows(
        "region", "SELECT id, name, slug FROM sentry_organization")}
    assert region["Alpha"][1] == "alpha" and region["Gamma"][1] == "gamma"
    assert re.fullmatch(r"elsewhere-[a-z0-9]+", region["Elsewhere"][1]), region
    mappings = {(m.organization_id, m.slug) for m in silos.rows(
        "control", "SELECT organization_id, slug FROM sentry_organizationmapping")}
    assert mappings == set(region.values())


# --- C17: username taken ----------------------------------------------------------------------


def test_taken_username_gets_a_new_random_suffix_each_time(silos: Silos, tmp_path: Path) -> None:
    """C17: min_user exists locally; importing it twice gives two different min_user-<suffix>."""
    local_id = insert(silos.control_db, user_spec.table, username="min_user", password="!x",
                      email="local@example.com")
    src = fixture_path("user-with-minimum-privileges.json")
    run_import(silos, tmp_path, "users", src)
    run_import(silos, tmp_path, "users", src)

    users = silos.rows("control", "SELECT id, username FROM auth_user ORDER BY id")
    names = [u.username for u in users]
    assert len(names) == 3 and len(set(names)) == 3
    assert names.count("min_user") == 1
    assert users[0].id == local_id and users[0].username == "min_user"
    renamed = [n for n in names if n != "min_user"]
    assert all(re.fullmatch(r"min_user-[a-z0-9]+", n) for n in renamed), renamed
    # Each renamed account got its own children, pointing at it.
    for u in users[1:]:
        assert silos.count("control", "sentry_useremail", "user_id = :i", i=u.id) == 1
        assert silos.count("control", "sentry_useroption", "user_id = :i AND key = 'timezone'",
                           i=u.id) == 1
    assert silos.count("control", "sentry_useremail", "user_id = :i", i=local_id) == 0
    assert silos.count("control", "sentry_email") == 1  # testing@example.com, reused


def test_username_lookups_probe_an_index_on_a_large_table(silos: Silos) -> None:
    """Usernames collide case-insensitively, so they are looked up by lower(username): against
    200,000 existing users that lookup must probe its expression index, not scan the whole
    table once per batch (176 ms per 2,000 names against a million users, 3 ms probing)."""
    with silos.control_db.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO auth_user (password, username, first_name, email, is_staff, is_active, "
            "is_unclaimed, is_superuser, is_managed, is_password_expired, flags, date_joined, "
            "avatar_type) SELECT '!', 'User' || g, '', '', false, true, false, false, false, "
            "false, 0, now(), 0 FROM generate_series(1, 200000) AS g")
        conn.exec_driver_sql("ANALYZE auth_user")
    (unique,) = user_spec.uniques
    lookup = collisions._existing_query(user_spec, ["username"], unique).compile(
        dialect=silos.control_db.dialect)
    keys = json.dumps([[f"user{n}"] for n in range(100_000, 102_000)])
    with silos.control_db.connect() as conn:
        found = conn.exec_driver_sql(str(lookup), lookup.construct_params({"keys": keys}))
        assert len(found.all()) == 2000  # matched whatever the case
        plan = "\n".join(row[0] for row in conn.exec_driver_sql(
            "EXPLAIN " + str(lookup), lookup.construct_params({"keys": keys})))
    assert "auth_user_username_lower" in plan and "Seq Scan on auth_user" not in plan, plan


# --- C18: ApiToken collisions -----------------------------------------------------------------


def _token(n: int) -> str:
    return "sntryu_" + f"{n:064x}"


def _api_token_record(pk: int, token: str, refresh: str | None, expires: str | None) -> Record:
    return {"model": "sentry.apitoken", "pk": pk, "fields": {
        "user": 10, "application": None, "scoping_organization_id": None, "name": f"t{pk}",
        "token": token, "hashed_token": sha256(token), "token_type": "u",
        "token_last_characters": token[-4:], "refresh_token": refresh,
        "hashed_refresh_token": sha256(refresh) if refresh else None, "expires_at": expires,
        "scopes": "0", "scope_list": ["project:read"], "date_added": WHEN}}


def test_colliding_api_tokens_get_fresh_values(silos: Silos, tmp_path: Path,
                                               export_file: Any) -> None:
    """C18 (Config scope): each imported token colliding on token and/or refresh token is
    re-minted, existing tokens stay as they were, NULL refresh/expiry stay NULL.

    Ours also renews the hashes and last characters (docs/compatibility.md).
    """
    later = datetime.now(UTC) + timedelta(days=3)
    owner = insert(silos.control_db, user_spec.table, username="tokens", password="!x")
    local = [(_token(1), None, None), (_token(2), _token(102), later),
             (_token(3), _token(103), later), (_token(4), _token(104), later)]
    for token, refresh, expires in local:
        insert(silos.control_db, apitoken.table, user_id=owner, token=token,
               hashed_token=sha256(token), token_last_characters=token[-4:],
               refresh_token=refresh, hashed_refresh_token=sha256(refresh) if refresh else None,
               expires_at=expires, scope_list=["org:read"])
    columns = ("id, user_id, token, hashed_token, token_last_characters, refresh_token, "
               "hashed_refresh_token, expires_at")
    before = silos.rows("control", f"SELECT {columns} FROM sentry_apitoken ORDER BY id")

    expiry = "2030-01-01T00:00:00.000Z"
    exported = [
        _api_token_record(1, _token(1), None, None),  # no refresh, no expiry: token collides
        _api_token_record(2, _token(202), _token(102), expiry),  # only the refresh collides
        _api_token_record(3, _token(3), _token(203), expiry),  # only the token collides
        _api_token_record(4, _token(4), _token(104), expiry),  # both collide
    ]
    run_import(silos, tmp_path, "config", export_file([user(10, "tokens"), *exported]))

    rows = silos.rows("control", f"SELECT {columns}, name FROM sentry_apitoken ORDER BY id")
    assert len(rows) == 8
    assert [tuple(r)[:8] for r in rows[:4]] == [tuple(r) for r in before]  # untouched
    imported = rows[4:]
    (renamed,) = silos.rows("control", "SELECT id, username FROM auth_user WHERE id <> :o",
                            o=owner)
    assert renamed.username.startswith("tokens-")
    assert {r.user_id for r in imported} == {renamed.id}
    assert [r.name for r in imported] == ["t1", "t2", "t3", "t4"]

    exported_tokens = {r["fields"]["token"] for r in exported} | {t for t, _, _ in local}
    exported_refresh = {r["fields"]["refresh_token"] for r in exported} | {
        r for _, r, _ in local}
    for row in imported:
        assert row.token not in exported_tokens
        assert row.token.startswith("sntryu_") and len(row.token) == 71
        assert row.hashed_token == sha256(row.token)
        assert row.token_last_characters == row.token[-4:]
        if row.refresh_token is not None:
            assert row.refresh_token not in exported_refresh
            assert row.hashed_refresh_token == sha256(row.refresh_token)
    assert len({r.token for r in rows}) == 8
    assert len({r.hashed_token for r in rows}) == 8
    refreshes = [r.refresh_token for r in rows if r.refresh_token is not None]
    assert len(refreshes) == 6 and len(set(refreshes)) == 6
    # The tokens exported without refresh token or expiry keep neither.
    assert silos.count("control", "sentry_apitoken", "refresh_token IS NULL") == 2
    assert silos.count("control", "sentry_apitoken", "expires_at IS NULL") == 2
    assert imported[0].refresh_token is None and imported[0].expires_at is None
    assert all(r.expires_at is not None for r in imported[1:])


# --- C20: OrgAuthToken collision --------------------------------------------------------------


def test_colliding_org_auth_token_gets_a_new_hash(silos: Silos, tmp_path: Path,
                                                  export_file: Any) -> None:
    """C20: an imported OrgAuthToken whose token_hashed is taken gets new hash and last chars.

    Ours differs from Sentry on purpose: the new hash is random, not minted from the org slug
    and region URL (control_service/models/auth.py, docs/compatibility.md).
    """
    taken_hash = sha256("sntrys_existing")
    other_org = local_org(silos, "elsewhere")
    existing = insert(silos.control_db, orgauthtoken.table, organization_id=other_org,
                      token_hashed=taken_hash, token_last_characters="zz12", name="local",
                      scope_list=["org:ci"])
    token = {"model": "sentry.orgauthtoken", "pk": 1, "fields": {
        "organization_id": 1, "token_hashed": taken_hash, "token_last_characters": "zz12",
        "name": "imported", "scope_list": ["org:ci"], "date_added": WHEN,
        "date_last_used": None, "project_last_used_id": None, "created_by": None,
        "date_deactivated": None}}
    run_import(silos, tmp_path, "organizations",
               export_file([org_record(1, "token-org"), token]))

    (org,) = silos.rows("region", "SELECT id FROM sentry_organization WHERE slug = 'token-org'")
    rows = silos.rows("control", "SELECT id, organization_id, token_hashed, "
                                 "token_last_characters, name FROM sentry_orgauthtoken "
                                 "ORDER BY id")
    assert len(rows) == 2
    assert tuple(rows[0]) == (existing, other_org, taken_hash, "zz12", "local")
    new = rows[1]
    assert (new.organization_id, new.name) == (org.id, "imported")
    assert new.token_hashed != taken_hash and re.fullmatch(r"[0-9a-f]{64}", new.token_hashed)
    assert new.token_last_characters != "zz12" and len(new.token_last_characters) == 4


# --- C21: ProjectKey collision ----------------------------------------------------------------


def _key_record(pk: int, public: str, secret: str) -> Record:
    return {"model": "sentry.projectkey", "pk": pk, "fields": {
        "project": 1, "label": f"key {pk}", "public_key": public, "secret_key": secret,
        "roles": "1", "status": 0, "date_added": WHEN, "rate_limit_count": None,
        "rate_limit_window": None, "data": {}}}


def test_colliding_project_keys_are_rekeyed(silos: Silos, tmp_path: Path,
                                            export_file: Any) -> None:
    """C21: an imported key whose public and/or secret key is taken gets a fresh one.

    Sentry counts 3 keys because each new project auto-creates one; relocation creates no
    key of its own (docs/compatibility.md), so there are 3 here with two imported keys.
    """
    public, secret = "c1373be35a7944808c8bcfede8097df1", "d4d14d244f8e48788673116ca7646c93"
    org_id = local_org(silos, "local-org")
    local_project = insert(silos.region_db, project.table, slug="local", name="Local",
                           organization_id=org_id)
    local_key = insert(silos.region_db, projectkey.table, project_id=local_project,
                       label="local", public_key=public, secret_key=secret)
    own_public = "0123456789abcdef0123456789abcdef"
    run_import(silos, tmp_path, "organizations", export_file([
        org_record(1, "key-org"), project_record(1, 1, "keyed"),
        _key_record(1, public, secret),  # both keys taken
        _key_record(2, own_public, secret),  # only the secret key taken
    ]))

    (imported_project,) = silos.rows("region", "SELECT id FROM sentry_project WHERE slug = "
                                               "'keyed'")
    keys = silos.rows("region", "SELECT id, project_id, label, public_key, secret_key "
                                "FROM sentry_projectkey ORDER BY id")
    assert len(keys) == 3
    assert tuple(keys[0]) == (local_key, local_project, "local", public, secret)
    first, second = keys[1], keys[2]
    assert {first.project_id, second.project_id} == {imported_project.id}
    assert (first.label, second.label) == ("key 1", "key 2")
    assert first.public_key != public and HEX32.fullmatch(first.public_key)
    assert first.secret_key != secret and HEX32.fullmatch(first.secret_key)
    assert second.public_key == own_public  # no collision: kept
    assert second.secret_key != secret and HEX32.fullmatch(second.secret_key)
    all_public = [k.public_key for k in keys]
    all_secret = [k.secret_key for k in keys]
    assert len(set(all_public)) == 3 and len(set(all_secret)) == 3


# --- C24: organization member invite token ----------------------------------------------------


def test_colliding_invite_token_is_kept_by_exactly_one_member(silos: Silos, tmp_path: Path,
                                                              export_file: Any) -> None:
    """C24: an imported invite whose token is in use keeps no token (and no expiry)."""
    token = "a" * 64
    org_id = local_org(silos, "local-org")
    local_member = insert(silos.region_db, organizationmember.table, organization_id=org_id,
                          email="local-invite@example.com", token=token,
                          token_expires_at=datetime.now(UTC) + timedelta(days=7),
                          invite_status=1)
    invite = {"model": "sentry.organizationmember", "pk": 7, "fields": {
        "organization": 1, "user_id": None, "email": "invitee@example.com", "role": "member",
        "flags": "0", "token": token, "date_added": WHEN,
        "token_expires_at": "2030-01-01T00:00:00.000Z", "has_global_access": True,
        "inviter_id": None, "invite_status": 1, "type": 50, "user_is_active": True,
        "user_email": None}}
    run_import(silos, tmp_path, "organizations", export_file([org_record(1, "inviting"), invite]))

    members = silos.rows("region", "SELECT id, organization_id, email, token, token_expires_at "
                                   "FROM sentry_organizationmember ORDER BY id")
    assert len(members) == 2
    assert [m.id for m in members if m.token == token] == [local_member]
    imported = members[1]
    assert imported.email == "invitee@example.com" and imported.organization_id != org_id
    assert imported.token is None and imported.token_expires_at is None


# --- C25: duplicate UserIP rows ---------------------------------------------------------------


def _userip(pk: int, address: str, country: str | None, region: str | None) -> Record:
    return {"model": "sentry.userip", "pk": pk, "fields": {
        "user": 2, "ip_address": address, "country_code": country, "region_code": region,
        "first_seen": "2014-04-05T03:29:45.000Z", "last_seen": "2014-04-05T03:29:45.000Z"}}


def test_duplicate_user_ips_collapse_in_global_scope(silos: Silos, tmp_path: Path,
                                                     export_file: Any) -> None:
    """C25: two rows for 8.8.8.9 (and a repeated pk) become one UserIP per address.

    Ours differs from Sentry on purpose: there is no geo-IP lookup, so country and region stay
    as exported (the first row for an address wins) instead of being recomputed.
    """
    records = load_fixture("user-with-minimum-privileges.json")
    for record in records:
        if record["model"] == "sentry.userip":
            record["fields"]["ip_address"] = "8.8.8.8"
    records += [_userip(3, "8.8.8.9", "US", "CA"), _userip(4, "8.8.8.9", "CA", "BC"),
                _userip(4, "8.8.8.7", None, None)]
    run_import(silos, tmp_path, "global", export_file(records))

    (owner,) = silos.rows("control", "SELECT id FROM auth_user")
    ips = silos.rows("control", "SELECT host(ip_address) AS ip, user_id, country_code, "
                                "region_code, first_seen FROM sentry_userip ORDER BY ip")
    assert [r.ip for r in ips] == ["8.8.8.7", "8.8.8.8", "8.8.8.9"]
    assert {r.user_id for r in ips} == {owner.id}
    geo = {r.ip: (r.country_code, r.region_code) for r in ips}
    assert geo == {"8.8.8.7": (None, None), "8.8.8.8": (None, None), "8.8.8.9": ("US", "CA")}
    # Global scope keeps first_seen as exported.
    assert all(r.first_seen.year in (2012, 2014) for r in ips)


def test_a_user_ip_already_written_by_an_earlier_batch_is_reused(silos: Silos, tmp_path: Path,
                                                                  export_file: Any) -> None:
    """One record per batch: the repeated address is found among the rows written before (an
    address column reads back as an address object, which must still match the record's).
    The key points at a user this import inserted, so its lookup is first left to the unique
    constraint, which stops the write; the batch is written again with the lookup."""
    records = [r for r in load_fixture("user-with-minimum-privileges.json")
               if r["model"] != "sentry.userip"]
    records += [_userip(3, "8.8.8.9", "US", "CA"), _userip(5, "8.8.8.9", "CA", "BC")]
    import_uuid = run_import(silos, tmp_path, "global", export_file(records), "--batch-size", "1")

    ips = silos.rows("control", "SELECT id, host(ip_address) AS ip, country_code "
                                "FROM sentry_userip")
    assert [(r.ip, r.country_code) for r in ips] == [("8.8.8.9", "US")]
    chunks = silos.rows("control", "SELECT existing_map, inserted_map FROM "
                                   "sentry_controlimportchunk WHERE model = 'sentry.userip' "
                                   "AND import_uuid = :u ORDER BY min_ordinal", u=import_uuid)
    assert [(c.inserted_map, c.existing_map) for c in chunks] == [
        ({"3": ips[0].id}, {}), ({}, {"5": ips[0].id})]


# --- two records of one batch colliding with each other ---------------------------------------


def test_duplicate_username_and_slug_within_one_export(silos: Silos, tmp_path: Path) -> None:
    """Two users with one username and two orgs with one slug in one export: the later record
    of each pair is renamed, and every reference follows its own record."""
    report_file = tmp_path / "report.json"
    run_import(silos, tmp_path, "organizations",
               fixture_path("duplicate-username-and-organization-slug.json"),
               "--report-file", str(report_file))

    users = silos.rows("control", "SELECT id, username, first_name FROM auth_user ORDER BY id")
    assert len(users) == 2
    by_name = {u.first_name: u for u in users}
    assert by_name["User"].username == "testing@example.com"
    renamed = by_name["User (Duplicate Username and Email)"].username
    assert re.fullmatch(r"testing@example\.com-[a-z0-9]+", renamed), renamed

    orgs = silos.rows("region", "SELECT id, slug, name FROM sentry_organization ORDER BY id")
    by_org = {o.name: o for o in orgs}
    assert by_org["Testing"].slug == "testing"
    assert re.fullmatch(r"testing-[a-z0-9]+", by_org["Testing (Duplicate Slug)"].slug)

    members = {m.organization_id: m.user_id for m in silos.rows(
        "region", "SELECT organization_id, user_id FROM sentry_organizationmember")}
    assert members == {by_org["Testing"].id: by_name["User"].id,
                       by_org["Testing (Duplicate Slug)"].id:
                           by_name["User (Duplicate Username and Email)"].id}
    assert silos.count("control", "sentry_email") == 1
    useremails = {r.user_id for r in silos.rows("control", "SELECT user_id FROM "
                                                           "sentry_useremail")}
    assert useremails == {u.id for u in users}
    mappings = {m.organization_id: m.slug for m in silos.rows(
        "control", "SELECT organization_id, slug FROM sentry_organizationmapping")}
    assert mappings == {o.id: o.slug for o in orgs}
    (c,) = silos.rows("control", "SELECT inserted_map, inserted_identifiers FROM "
                                 "sentry_controlimportchunk WHERE model = 'sentry.user'")
    assert c.inserted_map == {"1": by_name["User"].id,
                              "2": by_name["User (Duplicate Username and Email)"].id}
    assert c.inserted_identifiers == {"1": "testing@example.com", "2": renamed}

    # The JSON report says the same as the rows: every record counted, both renames listed.
    report = json.loads(report_file.read_text())
    assert report["scope"] == "organizations"
    assert report["models"]["sentry.user"]["inserted"] == 2
    assert report["models"]["sentry.organization"]["inserted"] == 2
    assert report["models"]["sentry.user"]["renamed"] == 1
    assert report["renamed_users"] == [["testing@example.com", renamed]]
    assert report["renamed_organizations"] == [
        ["testing", by_org["Testing (Duplicate Slug)"].slug]]


# --- keys that point at rows the import inserted ----------------------------------------------


def _option(pk: int, project_pk: int, key: str, value: Any) -> Record:
    return {"model": "sentry.projectoption", "pk": pk,
            "fields": {"project": project_pk, "key": key, "value": value}}


def _org_and_project() -> list[Record]:
    return [r for r in load_fixture("fresh-install.json")
            if r["model"] in ("sentry.organization", "sentry.project")]


def test_a_key_pointing_at_a_new_row_is_left_to_the_unique_constraint(silos: Silos) -> None:
    """A project option's (key, project) cannot collide with a row from before the import when
    the project is one the import inserted: that lookup is skipped. A reference to a row that
    existed before is still looked up, and so is every key once trust is withdrawn."""
    org_id = local_org(silos, "here")
    old_project = insert(silos.region_db, project.table, slug="old", name="old",
                         organization_id=org_id)
    new_project = insert(silos.region_db, project.table, slug="new", name="new",
                         organization_id=org_id)
    spec = REGION.get("sentry.projectoption")
    sent = SentPks(new_pks={"sentry.project": {1: new_project, 2: old_project}},
                   inserted={"sentry.project": {new_project}})
    for lookups, unchecked in ((Lookups.TRUST_NEW_REFERENCES, 1), (Lookups.EVERY_KEY, 0)):
        ctx = BatchContext("sentry.projectoption", ImportScope.ORGANIZATION,
                           ImportFlags(uuid.uuid4().hex), [], sent)
        candidates = [Candidate(1, 10, {"project_id": new_project, "key": "a", "value": 1}),
                      Candidate(2, 11, {"project_id": old_project, "key": "a", "value": 1})]
        with silos.region_db.connect() as conn:
            left_to_constraint = collisions.resolve(conn, spec, candidates, ctx, lookups)
        assert left_to_constraint == unchecked
        assert [c.action for c in candidates] == [Action.INSERT] * 2


def test_a_key_repeated_in_a_later_batch_gets_its_policy(silos: Silos, tmp_path: Path,
                                                          export_file: Any) -> None:
    """The export repeats a project option's (key, project) one batch later: the unique
    constraint stops the write, the batch is written again with every lookup, and the model's
    rule (none: an IntegrityError) names the record, as the lookup would have."""
    records = [*_org_and_project(), _option(101, 1, "a", 1), _option(102, 1, "a", 2)]
    result = silos.relocate("import", "organizations", export_file(records), "--no-prompt",
                            "--batch-size", "1")
    assert result.code != 0
    assert "IntegrityError on sentry.projectoption #2 (pk 102): key, project = a, " \
        in result.stderr and "is already used by an existing row" in result.stderr, result.stderr
    assert silos.count("region", "sentry_projectoptions") == 1


def test_a_key_repeated_in_the_same_batch_gets_its_policy(silos: Silos, tmp_path: Path,
                                                           export_file: Any) -> None:
    """The same repeat within one batch: neither record was looked up, the constraint stops the
    write, and the lookups of the second attempt find the earlier record."""
    records = [*_org_and_project(), _option(101, 1, "a", 1), _option(102, 1, "a", 2)]
    result = silos.relocate("import", "organizations", export_file(records), "--no-prompt")
    assert result.code != 0
    assert "IntegrityError on sentry.projectoption #2 (pk 102): key, project = a, " \
        in result.stderr and "is already used by an earlier record (pk 101)" in result.stderr, \
        result.stderr
    assert silos.count("region", "sentry_projectoptions") == 0



# --- case-insensitive keys outside ASCII: PostgreSQL's lower() on both sides -----------------

# Python's str.lower() gives "οδος" (final sigma) and "i̇da" (i and a combining dot); the
# database's lower() gives "οδοσ" and "ida", as the lookups and their index compare.
PAIRS = (("ΟΔΟΣ@x.io", "οδοσ@x.io"), ("İda@x.io", "ida@x.io"))


def _email(pk: int, address: str) -> Record:
    return {"model": "sentry.email", "pk": pk, "fields": {"email": address, "date_added": WHEN}}


def test_non_ascii_case_pairs_in_one_batch_are_one_user_and_one_email(
        silos: Silos, tmp_path: Path, export_file: Any) -> None:
    records = []
    for n, (first, second) in enumerate(PAIRS):
        records += [user(10 * n + 1, first), user(10 * n + 2, second)]
    for n, (first, second) in enumerate(PAIRS):
        records += [_email(10 * n + 1, first), _email(10 * n + 2, second)]
    run_import(silos, tmp_path, "users", export_file(records))
    for first, second in PAIRS:
        # one user keeps the name; the other collides and is renamed (the user policy)
        (kept,) = silos.rows("control", "SELECT username FROM auth_user WHERE username IN "
                                        "(:a, :b)", a=first, b=second)
        assert kept.username == first
        assert silos.count("control", "auth_user", "username LIKE :p", p=second + "-%") == 1
        # and one email: the second is the existing one (the email policy)
        assert silos.count("control", "sentry_email", "email IN (:a, :b)",
                           a=first, b=second) == 1
    assert silos.count("control", "auth_user") == 4
    assert silos.count("control", "sentry_email") == 2


def test_non_ascii_case_pairs_meet_existing_rows(silos: Silos, tmp_path: Path,
                                                  export_file: Any) -> None:
    """The capitals arrive after the lower-case rows exist: Python's lower() of "ΟΔΟΣ" and
    "İda" is not what the database's lower() of the rows gives."""
    records = []
    for n, (first, second) in enumerate(PAIRS):
        run_import(silos, tmp_path, "users", export_file([user(1, second), _email(1, second)]))
        records += [user(10 * n + 2, first), _email(10 * n + 2, first)]
    run_import(silos, tmp_path, "users", export_file(records), "--merge-users")
    for first, second in PAIRS:
        (kept,) = silos.rows("control", "SELECT username FROM auth_user WHERE lower(username) "
                                        "= lower(:a)", a=first)
        assert kept.username == second  # merged into the existing user
        assert silos.count("control", "sentry_email", "email IN (:a, :b)",
                           a=first, b=second) == 1
    assert silos.count("control", "auth_user") == 2
