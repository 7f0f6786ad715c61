"""Filters (Sentry behaviours B 8-14): which users, emails and organizations an import takes.

Every import runs through the real CLI against real control and region silos; the assertions
read what landed in PostgreSQL, including the chunk ledger's ordinal and source-pk ranges.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import grpc
import pytest

from tests.conftest import Silos, fixture_path, run_import
from wire.relocation.v1 import models_pb2, silo_service_pb2, silo_service_pb2_grpc

Record = dict[str, Any]
WHEN = "2023-06-22T22:59:55.488Z"


# --- export builders --------------------------------------------------------------------------


def user(pk: int, username: str, email: str) -> Record:
    return {"model": "sentry.user", "pk": pk, "fields": {
        "password": "pbkdf2_sha256$150000$iEvdIknqYjTr$+QsGn0tfIJ1FZLxQI37mVU1gL2KbL/wqjMtG/dF=",
        "last_login": None, "username": username, "name": username.title(), "email": email,
        "is_staff": False, "is_active": True, "is_superuser": False, "is_managed": False,
        "is_sentry_app": None, "is_password_expired": False, "is_unclaimed": False,
        "last_password_change": WHEN, "flags": "0", "session_nonce": None,
        "date_joined": WHEN, "last_active": WHEN, "avatar_type": 0, "avatar_url": None}}


def email(pk: int, address: str) -> Record:
    return {"model": "sentry.email", "pk": pk, "fields": {"email": address, "date_added": WHEN}}


def useremail(pk: int, user_pk: int, address: str) -> Record:
    return {"model": "sentry.useremail", "pk": pk, "fields": {
        "user": user_pk, "email": address, "validation_hash": f"hash{pk:028d}",
        "date_hash_added": WHEN, "is_verified": True}}


def organization(pk: int, slug: str) -> Record:
    return {"model": "sentry.organization", "pk": pk, "fields": {
        "name": slug.upper(), "slug": slug, "status": 0, "date_added": WHEN,
        "default_role": "member", "is_test": False, "flags": "1"}}


def member(pk: int, org_pk: int, user_pk: int | None, role: str = "member",
           invite: str | None = None, inviter: int | None = None) -> Record:
    return {"model": "sentry.organizationmember", "pk": pk, "fields": {
        "organization": org_pk, "user_id": user_pk, "email": invite, "role": role, "flags": "0",
        "token": None, "date_added": WHEN, "token_expires_at": None, "has_global_access": True,
        "inviter_id": inviter, "invite_status": 1 if invite else 0, "type": 50,
        "user_is_active": True, "user_email": None}}


def org_token(pk: int, org_pk: int, created_by: int) -> Record:
    return {"model": "sentry.orgauthtoken", "pk": pk, "fields": {
        "organization_id": org_pk, "token_hashed": f"{pk:064x}",
        "token_last_characters": f"t{pk:03d}",
        "name": f"token {pk}", "scope_list": ["org:ci"], "date_added": WHEN,
        "date_last_used": None, "project_last_used_id": None, "created_by": created_by,
        "date_deactivated": None}}


# Six users in three organizations. Who belongs where (owner first):
#   org-a (pk 1): user_a_only, user_a_and_b, user_all, invite to invite-a@
#   org-b (pk 2): user_b_and_c, user_b_only, user_a_and_b, user_all, invite to invite-b@
#   org-c (pk 3): user_all, user_c_only, user_b_and_c, invite to invite-c@
# Addresses: user_a_only, user_b_and_c and user_all share shared@example.com.
USERS = {1: ("user_a_only", "shared@example.com"), 2: ("user_b_only", "b-only@example.com"),
         3: ("user_c_only", "c-only@example.com"), 4: ("user_a_and_b", "ab@example.com"),
         5: ("user_b_and_c", "shared@example.com"), 6: ("user_all", "shared@example.com")}
EMAILS = {1: "shared@example.com", 2: "b-only@example.com", 3: "c-only@example.com",
          4: "ab@example.com"}
ORGS = {1: "org-a", 2: "org-b", 3: "org-c"}
OWNERS = {1: 1, 2: 5, 3: 6}
MEMBERS = {1: [4, 6], 2: [2, 4, 6], 3: [3, 5]}


def three_orgs() -> list[Record]:
    records: list[Record] = [user(pk, name, addr) for pk, (name, addr) in USERS.items()]
    records += [email(pk, addr) for pk, addr in EMAILS.items()]
    records += [useremail(pk, pk, addr) for pk, (_, addr) in USERS.items()]
    records += [organization(pk, slug) for pk, slug in ORGS.items()]
    member_pk = 0
    for org_pk in ORGS:
        member_pk += 1
        records.append(member(member_pk, org_pk, OWNERS[org_pk], role="owner"))
        for user_pk in MEMBERS[org_pk]:
            member_pk += 1
            records.append(member(member_pk, org_pk, user_pk))
        member_pk += 1
        records.append(member(member_pk, org_pk, None,
                              invite=f"invite-{ORGS[org_pk][-1]}@example.com",
                              inviter=OWNERS[org_pk]))
    records += [org_token(pk, pk, OWNERS[pk]) for pk in ORGS]
    return records


def users_of(*slugs: str) -> set[int]:
    orgs = [pk for pk, slug in ORGS.items() if slug in slugs]
    return {OWNERS[o] for o in orgs} | {u for o in orgs for u in MEMBERS[o]}


# --- helpers ----------------------------------------------------------------------------------


def chunk(silos: Silos, silo: str, model: str) -> Any:
    table = "sentry_controlimportchunk" if silo == "control" else "sentry_regionimportchunk"
    rows = silos.rows(silo, f"SELECT min_ordinal, max_ordinal, min_source_pk, max_source_pk, "
                            f"inserted_map FROM {table} WHERE model = :m", m=model)
    assert len(rows) == 1, f"{model}: expected one chunk, found {len(rows)}"
    return rows[0]


def chunk_models(silos: Silos) -> set[str]:
    return ({r.model for r in silos.rows("control", "SELECT model FROM sentry_controlimportchunk")}
            | {r.model for r in silos.rows("region", "SELECT model FROM sentry_regionimportchunk")})


def usernames(silos: Silos) -> set[str]:
    return {r.username for r in silos.rows("control", "SELECT username FROM auth_user")}


def emails(silos: Silos) -> set[str]:
    return {r.email for r in silos.rows("control", "SELECT email FROM sentry_email")}


def useremails(silos: Silos) -> set[tuple[str, str]]:
    return {(r.username, r.email) for r in silos.rows(
        "control", "SELECT u.username, e.email FROM sentry_useremail e "
                   "JOIN auth_user u ON u.id = e.user_id")}


# --- B 8-10: username filters -----------------------------------------------------------------


def test_username_filter_imports_only_that_user(silos: Silos, tmp_path: Path,
                                                export_file: Any) -> None:
    """B8: --filter-usernames user_2 lands user_2 with its email only; chunks span 1..1."""
    src = export_file([user(1, "user_1", "one@example.com"), user(2, "user_2", "two@example.com"),
                       email(1, "one@example.com"), email(2, "two@example.com"),
                       useremail(1, 1, "one@example.com"), useremail(2, 2, "two@example.com")])
    run_import(silos, tmp_path, "users", src, "--filter-usernames", "user_2")
    assert usernames(silos) == {"user_2"}
    assert emails(silos) == {"two@example.com"}
    assert useremails(silos) == {("user_2", "two@example.com")}
    (new_id,) = [r.id for r in silos.rows("control", "SELECT id FROM auth_user")]
    for model, source_pk in (("sentry.user", 2), ("sentry.email", 2), ("sentry.useremail", 2)):
        c = chunk(silos, "control", model)
        assert (c.min_ordinal, c.max_ordinal) == (1, 1)
        assert (c.min_source_pk, c.max_source_pk) == (source_pk, source_pk)
    assert chunk(silos, "control", "sentry.user").inserted_map == {"2": new_id}
    assert chunk_models(silos) == {"sentry.user", "sentry.email", "sentry.useremail"}


def test_username_filter_deduplicates_shared_emails(silos: Silos, tmp_path: Path,
                                                    export_file: Any) -> None:
    """B9: four users on two shared addresses, three selected: 3 users, 3 UserEmails, 2 Emails."""
    addresses = {1: "a@example.com", 2: "b@example.com", 3: "a@example.com",
                 4: "b@example.com"}
    src = export_file([user(pk, f"user_{pk}", addr) for pk, addr in addresses.items()]
                      + [email(1, "a@example.com"), email(2, "b@example.com")]
                      + [useremail(pk, pk, addr) for pk, addr in addresses.items()])
    run_import(silos, tmp_path, "users", src, "--filter-usernames", "user_1,user_2,user_3")
    assert usernames(silos) == {"user_1", "user_2", "user_3"}
    assert emails(silos) == {"a@example.com", "b@example.com"}
    assert useremails(silos) == {("user_1", "a@example.com"), ("user_2", "b@example.com"),
                                 ("user_3", "a@example.com")}
    assert silos.count("control", "sentry_useremail") == 3
    for model, ordinals, sources in (("sentry.user", (1, 3), (1, 3)),
                                     ("sentry.useremail", (1, 3), (1, 3)),
                                     ("sentry.email", (1, 2), (1, 2))):
        c = chunk(silos, "control", model)
        assert (c.min_ordinal, c.max_ordinal) == ordinals, model
        assert (c.min_source_pk, c.max_source_pk) == sources, model


def test_empty_username_filter_file_imports_no_users(silos: Silos, tmp_path: Path,
                                                     export_file: Any) -> None:
    """B10: an empty --filter-usernames-file is an empty allow-list, not "no filter"."""
    src = export_file([user(1, "user_1", "one@example.com"), email(1, "one@example.com"),
                       useremail(1, 1, "one@example.com")])
    names = tmp_path / "usernames.txt"
    names.write_text("")
    run_import(silos, tmp_path, "users", src, "--filter-usernames-file", names)
    for table in ("auth_user", "sentry_email", "sentry_useremail", "sentry_controlimportchunk"):
        assert silos.count("control", table) == 0, table


# --- B 11-13: organization filters ------------------------------------------------------------


def _org_filter_landed(silos: Silos, slugs: tuple[str, ...]) -> None:
    """What an org-slug filter must land: the orgs, their members' users, those users' emails."""
    expected_users = users_of(*slugs)
    assert {r.slug for r in silos.rows("region", "SELECT slug FROM sentry_organization")} == \
        set(slugs)
    assert usernames(silos) == {USERS[pk][0] for pk in expected_users}
    assert emails(silos) == {USERS[pk][1] for pk in expected_users}
    assert useremails(silos) == {USERS[pk] for pk in expected_users}

    user_ids = {r.username: r.id for r in silos.rows("control",
                                                     "SELECT id, username FROM auth_user")}
    org_ids = {r.slug: r.id for r in silos.rows("region",
                                                "SELECT id, slug FROM sentry_organization")}
    members = silos.rows("region", "SELECT organization_id, user_id, email, role, inviter_id "
                                   "FROM sentry_organizationmember")
    expected_members = set()
    for org_pk, slug in ORGS.items():
        if slug not in slugs:
            continue
        org_id = org_ids[slug]
        owner = user_ids[USERS[OWNERS[org_pk]][0]]
        expected_members.add((org_id, owner, None, "owner", None))
        expected_members |= {(org_id, user_ids[USERS[u][0]], None, "member", None)
                             for u in MEMBERS[org_pk]}
        expected_members.add((org_id, None, f"invite-{slug[-1]}@example.com", "member", owner))
    assert {tuple(m) for m in members} == expected_members

    tokens = silos.rows("control", "SELECT organization_id, name, token_hashed, created_by_id "
                                   "FROM sentry_orgauthtoken")
    assert {(t.organization_id, t.name, t.token_hashed, t.created_by_id) for t in tokens} == {
        (org_ids[ORGS[pk]], f"token {pk}", f"{pk:064x}", user_ids[USERS[OWNERS[pk]][0]])
        for pk in ORGS if ORGS[pk] in slugs}


def test_single_org_slug_filter(silos: Silos, tmp_path: Path, export_file: Any) -> None:
    """B11: org-b only: its 4 users (owner and members), 3 emails, its members and its token."""
    run_import(silos, tmp_path, "organizations", export_file(three_orgs()),
               "--filter-org-slugs", "org-b")
    _org_filter_landed(silos, ("org-b",))
    assert silos.count("control", "auth_user") == 4
    assert silos.count("control", "sentry_useremail") == 4
    assert silos.count("control", "sentry_email") == 3
    assert silos.count("control", "sentry_orgauthtoken") == 1
    assert "user_a_only" not in usernames(silos) and "user_c_only" not in usernames(silos)
    ranges = {("region", "sentry.organization"): ((1, 1), (2, 2)),
              ("region", "sentry.organizationmember"): ((1, 5), (5, 9)),
              ("control", "sentry.orgauthtoken"): ((1, 1), (2, 2)),
              ("control", "sentry.user"): ((1, 4), (2, 6)),
              ("control", "sentry.useremail"): ((1, 4), (2, 6)),
              ("control", "sentry.email"): ((1, 3), (1, 4))}
    for (silo, model), (ordinals, sources) in ranges.items():
        c = chunk(silos, silo, model)
        assert (c.min_ordinal, c.max_ordinal) == ordinals, model
        assert (c.min_source_pk, c.max_source_pk) == sources, model
    assert chunk(silos, "control", "sentry.user").inserted_map.keys() == {"2", "4", "5", "6"}
    (mapping,) = silos.rows("control", "SELECT slug FROM sentry_organizationmapping")
    assert mapping.slug == "org-b"


def test_multiple_org_slug_filter(silos: Silos, tmp_path: Path, export_file: Any) -> None:
    """B12: org-a and org-c: 2 orgs, 2 tokens, 5 users (all but user_b_only), 3 emails."""
    run_import(silos, tmp_path, "organizations", export_file(three_orgs()),
               "--filter-org-slugs", "org-a,org-c")
    _org_filter_landed(silos, ("org-a", "org-c"))
    assert usernames(silos) == {n for pk, (n, _) in USERS.items() if pk != 2}
    assert silos.count("control", "sentry_email") == 3
    assert silos.count("control", "sentry_orgauthtoken") == 2
    ranges = {("region", "sentry.organization"): ((1, 2), (1, 3)),
              ("control", "sentry.orgauthtoken"): ((1, 2), (1, 3)),
              ("control", "sentry.user"): ((1, 5), (1, 6)),
              ("control", "sentry.useremail"): ((1, 5), (1, 6)),
              ("control", "sentry.email"): ((1, 3), (1, 4))}
    for (silo, model), (ordinals, sources) in ranges.items():
        c = chunk(silos, silo, model)
        assert (c.min_ordinal, c.max_ordinal) == ordinals, model
        assert (c.min_source_pk, c.max_source_pk) == sources, model
    assert chunk(silos, "region", "sentry.organization").inserted_map.keys() == {"1", "3"}
    assert chunk(silos, "control", "sentry.email").inserted_map.keys() == {"1", "3", "4"}


def test_empty_org_slug_flag_means_no_filter(silos: Silos, tmp_path: Path,
                                             export_file: Any) -> None:
    """B13 (CLI): `--filter-org-slugs ""` is treated as no filter, as Sentry's CLI does."""
    run_import(silos, tmp_path, "organizations", export_file(three_orgs()),
               "--filter-org-slugs", "")
    _org_filter_landed(silos, ("org-a", "org-b", "org-c"))
    assert silos.count("control", "auth_user") == 6
    assert silos.count("control", "sentry_orgauthtoken") == 3


def test_empty_org_filter_over_rpc_imports_nothing(silos: Silos) -> None:
    """B13 (engine): an organization filter with no values lets no organization through."""
    records = [organization(pk, slug) for pk, slug in ORGS.items()]
    request = silo_service_pb2.ImportByModelRequest(
        model="sentry.organization", scope=models_pb2.IMPORT_SCOPE_ORGANIZATION,
        flags=silo_service_pb2.ImportFlags(import_uuid="5" * 32),
        filters=[silo_service_pb2.ImportFilter(model="sentry.organization", field="slug")],
        json_records=json.dumps(records).encode(), min_ordinal=1)
    with grpc.insecure_channel(silos.region_address) as channel:
        reply = silo_service_pb2_grpc.SiloServiceStub(channel).ImportByModel(request, timeout=30)
    assert list(reply.mapped.old_pks) == []
    assert not reply.HasField("min_ordinal") and not reply.HasField("max_ordinal")
    assert silos.count("region", "sentry_organization") == 0
    assert silos.count("region", "sentry_regionimportchunk") == 0


def test_org_slug_filter_for_unknown_slug_imports_nothing(silos: Silos, tmp_path: Path,
                                                          export_file: Any) -> None:
    """B13 (CLI): a slug filter matching no organization imports no orgs, users or tokens."""
    run_import(silos, tmp_path, "organizations", export_file(three_orgs()),
               "--filter-org-slugs", "org-z")
    for silo, table in (("region", "sentry_organization"),
                        ("region", "sentry_organizationmember"),
                        ("control", "auth_user"), ("control", "sentry_email"),
                        ("control", "sentry_useremail"), ("control", "sentry_orgauthtoken"),
                        ("control", "sentry_organizationmapping")):
        assert silos.count(silo, table) == 0, table


# --- B 14: the CLI's filter flags with fresh-install.json -------------------------------------

FRESH = "fresh-install.json"


def test_cli_org_slug_filter_on_fresh_install(silos: Silos, tmp_path: Path) -> None:
    """B14: --filter-org-slugs testing: the org and its two member users, no findings.

    Ours differs from Sentry here on purpose: a member whose inviter was filtered out is kept
    with inviter_id NULL (region_service/models/organizations.py) instead of being dropped.
    """
    run_import(silos, tmp_path, "organizations", fixture_path(FRESH),
               "--filter-org-slugs", "testing")
    assert usernames(silos) == {"admin@example.com", "member@example.com"}
    assert emails(silos) == {"admin@example.com", "member@example.com"}
    (org,) = silos.rows("region", "SELECT id, slug FROM sentry_organization")
    assert org.slug == "testing"
    members = {m.email or m.user_id: m for m in silos.rows(
        "region", "SELECT user_id, email, inviter_id FROM sentry_organizationmember")}
    assert len(members) == 3
    ids = {r.username: r.id for r in silos.rows("control", "SELECT id, username FROM auth_user")}
    assert members[ids["member@example.com"]].inviter_id is None  # superadmin was filtered out
    assert members["pending@example.com"].inviter_id == ids["admin@example.com"]
    assert silos.count("region", "sentry_project") == 1


def test_cli_org_slug_filter_of_another_slug_on_fresh_install(silos: Silos,
                                                              tmp_path: Path) -> None:
    """B14: a slug that is not in fresh-install.json imports nothing and reports nothing."""
    run_import(silos, tmp_path, "organizations", fixture_path(FRESH),
               "--filter-org-slugs", "other")
    assert silos.count("region", "sentry_organization") == 0
    assert silos.count("region", "sentry_project") == 0
    assert silos.count("control", "auth_user") == 0


@pytest.mark.parametrize(("value", "expected"), [
    ("testing@example.com", set()),  # Sentry's own CLI test value: no such user here
    ("admin@example.com,superadmin@example.com", {"admin@example.com", "superadmin@example.com"}),
])
def test_cli_username_filter_on_fresh_install(silos: Silos, tmp_path: Path, value: str,
                                              expected: set[str]) -> None:
    """B14: --filter-usernames a,b in users scope imports exactly those users, no findings."""
    run_import(silos, tmp_path, "users", fixture_path(FRESH), "--filter-usernames", value)
    assert usernames(silos) == expected
    assert emails(silos) == expected
    assert {u for u, _ in useremails(silos)} == expected
    assert silos.count("region", "sentry_organization") == 0


@pytest.mark.parametrize(("text", "expected"), [
    ("", set()),
    ("admin@example.com,\n  member@example.com\tsuperadmin@example.com\n",
     {"admin@example.com", "member@example.com", "superadmin@example.com"}),
    ("member@example.com", {"member@example.com"}),
])
def test_cli_username_filter_file_on_fresh_install(silos: Silos, tmp_path: Path, text: str,
                                                   expected: set[str]) -> None:
    """B14: --filter-usernames-file splits on commas and whitespace; an empty file is accepted."""
    names = tmp_path / "names.txt"
    names.write_text(text)
    run_import(silos, tmp_path, "users", fixture_path(FRESH), "--filter-usernames-file", names)
    assert usernames(silos) == expected
    assert emails(silos) == expected


def test_cli_filter_flags_belong_to_their_scopes(silos: Silos, tmp_path: Path) -> None:
    """B14: org-slug filters exist only for organizations, username filters only for users."""
    for scope, flag in (("users", "--filter-org-slugs"), ("config", "--filter-usernames"),
                        ("global", "--filter-org-slugs"),
                        ("organizations", "--filter-usernames")):
        result = silos.relocate("import", scope, fixture_path(FRESH), "--no-prompt", flag, "x")
        assert result.code == 2, (scope, flag, result.stderr)
    assert silos.count("control", "auth_user") == 0
