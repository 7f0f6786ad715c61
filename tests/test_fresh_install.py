"""The foundation's end-to-end acceptance: fresh-install.json through both real silos."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import Silos, fixture_path

FRESH = "fresh-install.json"


def _import(silos: Silos, tmp_path: Path, *extra: str) -> dict:
    findings = tmp_path / "findings.json"
    result = silos.relocate("import", "organizations", fixture_path(FRESH), "--no-prompt",
                            "--findings-file", findings, *extra)
    assert result.code == 0, result.stderr
    assert json.loads(findings.read_text()) == []
    return {"stderr": result.stderr}


def test_organizations_scope_lands_every_row_remapped(silos: Silos, tmp_path: Path) -> None:
    _import(silos, tmp_path)
    users = silos.rows("control", "SELECT id, username, is_staff, is_superuser, is_managed, "
                                  "is_unclaimed, password FROM auth_user ORDER BY username")
    assert [u.username for u in users] == ["admin@example.com", "member@example.com",
                                           "superadmin@example.com"]
    for user in users:
        assert (user.is_staff, user.is_superuser, user.is_managed) == (False, False, False)
        assert user.is_unclaimed is True
        assert not user.password.startswith("pbkdf2")  # nobody knows the new password
    user_ids = {u.username: u.id for u in users}
    assert silos.count("control", "sentry_lostpasswordhash") == 3
    emails = silos.rows("control", "SELECT email FROM sentry_email ORDER BY email")
    assert [e.email for e in emails] == sorted(user_ids)
    useremails = silos.rows("control", "SELECT user_id, email, is_verified FROM sentry_useremail")
    assert {(r.user_id, r.email) for r in useremails} == {(i, n) for n, i in user_ids.items()}
    assert not any(r.is_verified for r in useremails)  # verified again on this installation
    # Global-only and Config-only models stayed out.
    for table in ("auth_authenticator", "sentry_apiapplication", "sentry_userrole"):
        assert silos.count("control", table) == 0
    assert silos.count("region", "sentry_option") == 0

    (org,) = silos.rows("region", "SELECT id, slug FROM sentry_organization")
    assert org.slug == "testing"
    members = silos.rows("region", "SELECT id, organization_id, user_id, inviter_id, email "
                                   "FROM sentry_organizationmember ORDER BY id")
    assert len(members) == 3
    assert {m.organization_id for m in members} == {org.id}
    by_email = {m.email: m for m in members}
    assert by_email["pending@example.com"].user_id is None
    assert by_email["pending@example.com"].inviter_id == user_ids["admin@example.com"]
    assert {m.user_id for m in members if m.user_id} == {user_ids["admin@example.com"],
                                                         user_ids["member@example.com"]}
    member = next(m for m in members if m.user_id == user_ids["member@example.com"])
    assert member.inviter_id == user_ids["superadmin@example.com"]
    (team,) = silos.rows("region", "SELECT id, organization_id, slug FROM sentry_team")
    assert (team.organization_id, team.slug) == (org.id, "testing")
    (project,) = silos.rows("region", "SELECT id, organization_id FROM sentry_project")
    assert project.organization_id == org.id
    (key,) = silos.rows("region", "SELECT project_id, public_key FROM sentry_projectkey")
    assert key.project_id == project.id
    assert key.public_key == "c1373be35a7944808c8bcfede8097df1"
    (pt,) = silos.rows("region", "SELECT project_id, team_id FROM sentry_projectteam")
    assert (pt.project_id, pt.team_id) == (project.id, team.id)
    omt = silos.rows("region", "SELECT team_id, organizationmember_id FROM "
                               "sentry_organizationmember_teams")
    assert {r.team_id for r in omt} == {team.id}
    assert {r.organizationmember_id for r in omt} <= {m.id for m in members}
    (rule,) = silos.rows("region", "SELECT project_id FROM sentry_rule")
    assert rule.project_id == project.id

    # The chunk ledgers, and the region's replica of every control chunk.
    control_chunks = silos.rows("control", "SELECT import_uuid, model, min_ordinal, max_ordinal, "
                                           "min_source_pk, max_source_pk, inserted_map "
                                           "FROM sentry_controlimportchunk ORDER BY model")
    replicas = silos.rows("region", "SELECT import_uuid, model, min_ordinal, max_ordinal, "
                                    "min_source_pk, max_source_pk, inserted_map "
                                    "FROM sentry_controlimportchunkreplica ORDER BY model")
    assert [c.model for c in control_chunks] == ["sentry.email", "sentry.user",
                                                 "sentry.useremail"]
    assert [tuple(r) for r in replicas] == [tuple(c) for c in control_chunks]
    region_models = {r.model for r in silos.rows("region", "SELECT model FROM "
                                                           "sentry_regionimportchunk")}
    assert region_models == {"sentry.organization", "sentry.organizationmember",
                             "sentry.organizationmemberteam", "sentry.project",
                             "sentry.projectkey", "sentry.projectoption", "sentry.projectteam",
                             "sentry.rule", "sentry.team"}
    assert len({c.import_uuid for c in control_chunks}) == 1

    # Control knows the organization's slug and region.
    (mapping,) = silos.rows("control", "SELECT organization_id, slug, region_name "
                                       "FROM sentry_organizationmapping")
    assert (mapping.organization_id, mapping.slug, mapping.region_name) == (org.id, "testing",
                                                                            "default")
    assert silos.count("control", "sentry_organizationslugreservation",
                       "slug = 'testing' AND reservation_type = 0") == 1
    # ... and one OrganizationMemberMapping per member, with the remapped ids.
    mappings = silos.rows("control", "SELECT organization_id, organizationmember_id, user_id, "
                                     "inviter_id, email, role FROM "
                                     "sentry_organizationmembermapping")
    assert {(m.organization_id, m.organizationmember_id, m.user_id, m.inviter_id, m.email,
             m.role) for m in mappings} == {
        (org.id, m.id, m.user_id, m.inviter_id, m.email, r)
        for m, r in zip(members, ("owner", "member", "member"), strict=True)}


def test_second_import_renames_users_and_organization(silos: Silos, tmp_path: Path) -> None:
    _import(silos, tmp_path)
    second = _import(silos, tmp_path)
    usernames = [r.username for r in silos.rows("control", "SELECT username FROM auth_user")]
    assert len(usernames) == 6
    for name in ("admin@example.com", "member@example.com", "superadmin@example.com"):
        assert usernames.count(name) == 1
        assert len([u for u in usernames if u.startswith(name + "-")]) == 1
    slugs = sorted(r.slug for r in silos.rows("region", "SELECT slug FROM sentry_organization"))
    assert slugs[0] == "testing" and slugs[1].startswith("testing-")
    assert "Renamed organizations" in second["stderr"] and slugs[1] in second["stderr"]
    # The renamed organization's slug is reserved globally and mapped to its id.
    (renamed,) = silos.rows("region", "SELECT id FROM sentry_organization WHERE slug = :s",
                            s=slugs[1])
    assert silos.count("control", "sentry_organizationmapping",
                       "organization_id = :i AND slug = :s", i=renamed.id, s=slugs[1]) == 1
    # The second organization's members point at the renamed users.
    members = silos.rows("region", "SELECT user_id FROM sentry_organizationmember "
                                   "WHERE organization_id = :o AND user_id IS NOT NULL",
                         o=renamed.id)
    names = {r.username for r in silos.rows(
        "control", "SELECT username FROM auth_user WHERE id = ANY(:ids)",
        ids=[m.user_id for m in members])}
    assert names and all("-" in n.split("@")[1] for n in names)


def test_merge_users_reuses_existing_accounts(silos: Silos, tmp_path: Path) -> None:
    _import(silos, tmp_path)
    _import(silos, tmp_path, "--merge-users")
    assert silos.count("control", "auth_user") == 3
    assert silos.count("control", "sentry_useremail") == 3  # merged users keep their own
    assert silos.count("region", "sentry_organization") == 2
    user_ids = {r.id for r in silos.rows("control", "SELECT id FROM auth_user")}
    member_users = {r.user_id for r in silos.rows(
        "region", "SELECT user_id FROM sentry_organizationmember WHERE user_id IS NOT NULL")}
    assert member_users <= user_ids
    # Control maps every member of both organizations onto the same three accounts.
    assert silos.count("control", "sentry_organizationmembermapping") == 6
    mapped_users = {r.user_id for r in silos.rows(
        "control", "SELECT user_id FROM sentry_organizationmembermapping WHERE user_id "
                   "IS NOT NULL")}
    assert mapped_users == member_users
    (chunk,) = silos.rows("control", "SELECT existing_map, inserted_map FROM "
                                     "sentry_controlimportchunk WHERE model = 'sentry.user' "
                                     "ORDER BY id DESC LIMIT 1")
    assert len(chunk.existing_map) == 3 and chunk.inserted_map == {}


def test_rerun_with_same_import_uuid_writes_nothing(silos: Silos, tmp_path: Path) -> None:
    import_uuid = "0123456789abcdef0123456789abcdef"
    first = _import(silos, tmp_path, "--import-uuid", import_uuid)

    def snapshot() -> dict[str, int]:
        tables = {"control": ["auth_user", "sentry_email", "sentry_useremail",
                              "sentry_controlimportchunk", "sentry_organizationmapping",
                              "sentry_organizationmembermapping", "sentry_lostpasswordhash"],
                  "region": ["sentry_organization", "sentry_organizationmember",
                             "sentry_project", "sentry_projectkey", "sentry_regionimportchunk",
                             "sentry_controlimportchunkreplica", "sentry_team", "sentry_rule"]}
        return {f"{s}.{t}": silos.count(s, t) for s, ts in tables.items() for t in ts}

    before = snapshot()
    second = _import(silos, tmp_path, "--import-uuid", import_uuid)
    assert snapshot() == before
    assert "resumed" in second["stderr"]

    def table(text: str) -> list[str]:
        return [line for line in text.splitlines() if line.startswith("sentry.")
                and "records in" not in line]

    assert [line.split("(resumed")[0].rstrip() for line in table(second["stderr"])] == \
        table(first["stderr"])
