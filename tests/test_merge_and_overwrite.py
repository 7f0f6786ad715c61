"""--merge-users and --overwrite-configs (Sentry behaviours E and F, and CLI item 50).

Each test first imports an export that creates the "local" rows, then imports a second export
that collides with them, and checks which rows won, what was dropped and what the chunk ledger
recorded for the second import.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Silos, run_import

PASSWORD = "pbkdf2_sha256$150000$iEvdIknqYjTr$+QsGn0tfIJ1FZLxQI37mVU1gL2KbL/wqjMtG/dFhsMA="
WHEN = "2023-06-22T22:59:55.000Z"
TOKEN = "a1" * 16  # an organization member's invite token
RELAY_ID = "541d8473-0a90-4a4e-b536-704f223521b0"
RELAY_KEY = "mEOy5fxmUgSEgpDWdovUMgBlkbo-ENo3bP8lyB5Z1-Q"
EXPORTED_PERMISSIONS = ["broadcasts.admin", "users.admin", "options.admin"]
CHUNK_COLUMNS = ("model, min_ordinal, max_ordinal, inserted_map, existing_map, overwrite_map")


# --- helpers -----------------------------------------------------------------------------------


def rec(model: str, pk: int, **fields: Any) -> dict[str, Any]:
    return {"model": model, "pk": pk, "fields": fields}


def owner_records(address: str, *, admin: bool, with_org: bool) -> list[dict[str, Any]]:
    """An "exhaustive" user named owner with `address`, optionally owning org "some-org"."""
    records = [
        rec("sentry.user", 1, password=PASSWORD, last_login=None, username="owner", name="",
            email=address, is_staff=admin, is_active=True, is_superuser=admin,
            is_managed=False, is_sentry_app=None, is_password_expired=False,
            is_unclaimed=False, last_password_change=WHEN, flags="0", session_nonce=None,
            date_joined=WHEN, last_active=WHEN, avatar_type=0, avatar_url=None),
        rec("sentry.email", 1, email=address, date_added=WHEN),
        rec("sentry.useremail", 1, user=1, email=address, validation_hash="h" * 32,
            date_hash_added=WHEN, is_verified=True),
        rec("sentry.authenticator", 1, user=1, created_at=WHEN, last_used_at=None, type=1,
            config='""'),
        rec("sentry.userip", 1, user=1, ip_address="8.8.8.8", country_code="US",
            region_code="CA", first_seen=WHEN, last_seen=WHEN),
        rec("sentry.useroption", 1, user=1, project_id=None, organization_id=None,
            key="timezone", value='"Europe/Vienna"'),
    ]
    if admin:
        records.append(rec("sentry.userpermission", 1, user=1, permission="users.admin"))
    if with_org:
        records += [
            rec("sentry.organization", 1, name="Some Org", slug="some-org", status=0,
                date_added=WHEN, default_role="member", is_test=False, flags="1"),
            rec("sentry.organizationmember", 1, organization=1, user_id=1, email=None,
                role="owner", flags="0", token=TOKEN, date_added=WHEN, token_expires_at=None,
                has_global_access=True, inviter_id=None, invite_status=0, type=50,
                user_is_active=True, user_email=address),
        ]
    return records


def chunk_of(silos: Silos, silo: str, import_uuid: str, model: str) -> Any:
    table = "sentry_controlimportchunk" if silo == "control" else "sentry_regionimportchunk"
    rows = silos.rows(silo, f"SELECT {CHUNK_COLUMNS} FROM {table} "
                            "WHERE import_uuid = :u AND model = :m", u=import_uuid, m=model)
    assert len(rows) <= 1
    return rows[0] if rows else None


def users(silos: Silos) -> list[Any]:
    return silos.rows("control", "SELECT id, username, is_unclaimed, is_staff, is_superuser "
                                 "FROM auth_user ORDER BY id")


# --- E. merge_users ------------------------------------------------------------------------

SCOPES = ["users", "organizations", "config"]


def _setup(silos: Silos, tmp_path: Path, export_file: Any, scope: str,
           merge: bool) -> tuple[int, str]:
    """Create the local owner (existing@; an admin in config scope) by a global import, then
    import the colliding owner (importing@, an admin) in `scope`; return the local user's id
    and the second import's uuid."""
    with_org = scope == "organizations"
    run_import(silos, tmp_path, "global",
               export_file(owner_records("existing@example.com", admin=scope == "config",
                                         with_org=with_org)))
    ((local_id,),) = silos.rows("control", "SELECT id FROM auth_user")
    second = run_import(silos, tmp_path, scope,
                        export_file(owner_records("importing@example.com", admin=True,
                                                  with_org=with_org)),
                        *(["--merge-users"] if merge else []))
    return local_id, second


@pytest.mark.parametrize("scope", SCOPES)
def test_colliding_user_with_merging_enabled(silos: Silos, tmp_path: Path, export_file: Any,
                                             scope: str) -> None:
    """E.42/44/46: the local owner is reused (Existing); the incoming user's emails,
    permissions and options are dropped; the local account is untouched."""
    local_id, second = _setup(silos, tmp_path, export_file, scope, merge=True)
    (only,) = users(silos)
    assert (only.id, only.username, only.is_unclaimed) == (local_id, "owner", False)
    assert only.is_staff is (scope == "config")
    assert silos.count("control", "sentry_lostpasswordhash") == 0
    useremails = silos.rows("control", "SELECT user_id, email FROM sentry_useremail")
    assert [tuple(r) for r in useremails] == [(local_id, "existing@example.com")]
    assert silos.count("control", "auth_authenticator") == 1
    assert silos.count("control", "sentry_useroption") == 1
    assert silos.count("control", "sentry_userip") == 1
    emails = {r.email for r in silos.rows("control", "SELECT email FROM sentry_email")}
    assert emails == {"existing@example.com", "importing@example.com"}
    chunk = chunk_of(silos, "control", second, "sentry.user")
    assert (chunk.inserted_map, chunk.existing_map) == ({}, {"1": local_id})
    for model in ("sentry.useremail", "sentry.userpermission", "sentry.useroption"):
        assert chunk_of(silos, "control", second, model) is None, model
    if scope == "config":
        perms = silos.rows("control", "SELECT user_id FROM sentry_userpermission")
        assert [p.user_id for p in perms] == [local_id]
    if scope == "organizations":
        orgs = {r.slug: r.id for r in silos.rows("region", "SELECT id, slug "
                                                           "FROM sentry_organization")}
        assert len(orgs) == 2 and "some-org" in orgs
        (imported_slug,) = set(orgs) - {"some-org"}
        assert imported_slug.startswith("some-org-")
        members = silos.rows("region", "SELECT organization_id, user_id, token "
                                       "FROM sentry_organizationmember")
        # Both organizations are owned by the one merged user.
        assert sorted((m.organization_id, m.user_id) for m in members) == sorted(
            [(orgs["some-org"], local_id), (orgs[imported_slug], local_id)])
        tokens = {m.organization_id: m.token for m in members}
        assert tokens == {orgs["some-org"]: TOKEN, orgs[imported_slug]: None}
        mappings = silos.rows("control", "SELECT organization_id, slug "
                                         "FROM sentry_organizationmapping")
        assert {tuple(m) for m in mappings} == {(i, s) for s, i in orgs.items()}


@pytest.mark.parametrize("scope", SCOPES)
def test_colliding_user_with_merging_disabled(silos: Silos, tmp_path: Path, export_file: Any,
                                              scope: str) -> None:
    """E.43/45/47: the incoming owner becomes a new, suffixed, unclaimed account with its own
    email (and, in config scope, its own permission); authenticators stay Global-only."""
    local_id, second = _setup(silos, tmp_path, export_file, scope, merge=False)
    local, new = users(silos)
    assert (local.id, local.username, local.is_unclaimed) == (local_id, "owner", False)
    assert new.username.startswith("owner-") and new.is_unclaimed is True
    # Config scope keeps admin flags; users and organizations scope strip them.
    assert new.is_staff is (scope == "config")
    lph = silos.rows("control", "SELECT user_id FROM sentry_lostpasswordhash")
    assert [r.user_id for r in lph] == [new.id]
    useremails = silos.rows("control", "SELECT user_id, email FROM sentry_useremail")
    assert sorted(tuple(r) for r in useremails) == [(local.id, "existing@example.com"),
                                                    (new.id, "importing@example.com")]
    auths = silos.rows("control", "SELECT user_id FROM auth_authenticator")
    assert [a.user_id for a in auths] == [local.id]
    assert silos.count("control", "sentry_email") == 2
    chunk = chunk_of(silos, "control", second, "sentry.user")
    assert (chunk.inserted_map, chunk.existing_map) == ({"1": new.id}, {})
    chunk = chunk_of(silos, "control", second, "sentry.useremail")
    assert len(chunk.inserted_map) == 1 and chunk.existing_map == {}
    if scope == "config":
        perms = silos.rows("control", "SELECT user_id FROM sentry_userpermission")
        assert sorted(p.user_id for p in perms) == sorted([local.id, new.id])
    if scope == "organizations":
        orgs = {r.slug: r.id for r in silos.rows("region", "SELECT id, slug "
                                                           "FROM sentry_organization")}
        (imported_slug,) = set(orgs) - {"some-org"}
        assert imported_slug.startswith("some-org-")
        members = silos.rows("region", "SELECT organization_id, user_id, token "
                                       "FROM sentry_organizationmember")
        assert sorted((m.organization_id, m.user_id, m.token) for m in members) == sorted(
            [(orgs["some-org"], local.id, TOKEN), (orgs[imported_slug], new.id, None)])
        assert silos.count("control", "sentry_organizationmapping") == 2


# --- F. overwrite_configs ------------------------------------------------------------------


def config_records(option: str, control_option: str, relay_key: str,
                   permissions: list[str], *, with_user: bool = False) -> list[dict[str, Any]]:
    """One Option, ControlOption, Relay, RelayUsage and UserRole with the given values."""
    records = [
        rec("sentry.option", 1, key="sentry:test-option", last_updated=WHEN,
            last_updated_by="unknown", value=json.dumps(option)),
        rec("sentry.controloption", 1, key="sentry:test-control-option", last_updated=WHEN,
            last_updated_by="unknown", value=json.dumps(control_option)),
        rec("sentry.relay", 1, relay_id=RELAY_ID, public_key=relay_key, first_seen=None,
            last_seen=None, is_internal=True),
        rec("sentry.relayusage", 1, relay_id=RELAY_ID, version="23.6.1", first_seen=WHEN,
            last_seen=WHEN, public_key=relay_key),
        rec("sentry.userrole", 1, date_updated=WHEN, date_added=WHEN, name="Super Admin",
            permissions=permissions),
    ]
    if with_user:
        records = [
            *owner_records("importing@example.com", admin=True, with_org=False), *records,
            rec("sentry.userroleuser", 1, date_updated=WHEN, date_added=WHEN, user=1, role=1)]
    return records


CONFIG_MODELS = {"sentry.option": ("region", "sentry_option"),
                 "sentry.relay": ("region", "sentry_relay"),
                 "sentry.relayusage": ("region", "sentry_relayusage"),
                 "sentry.controloption": ("control", "sentry_controloption"),
                 "sentry.userrole": ("control", "sentry_userrole")}


def _local_config_ids(silos: Silos) -> dict[str, int]:
    ids = {}
    for model, (silo, table) in CONFIG_MODELS.items():
        ((pk,),) = silos.rows(silo, f"SELECT id FROM {table}")
        ids[model] = pk
    return ids


def _config_values(silos: Silos) -> dict[str, Any]:
    ((option,),) = silos.rows("region", "SELECT value FROM sentry_option")
    ((control_option,),) = silos.rows("control", "SELECT value FROM sentry_controloption")
    ((relay,),) = silos.rows("region", "SELECT public_key FROM sentry_relay")
    ((usage,),) = silos.rows("region", "SELECT public_key FROM sentry_relayusage")
    ((permissions,),) = silos.rows("control", "SELECT permissions FROM sentry_userrole")
    return {"option": json.loads(json.loads(option)),
            "controloption": json.loads(json.loads(control_option)),
            "relay": relay, "relayusage": usage, "permissions": permissions}


LOCAL_VALUES = {"option": "y", "controloption": "z", "relay": "invalid",
                "relayusage": "invalid", "permissions": ["other.admin"]}
IMPORTED_VALUES = {"option": "a", "controloption": "b", "relay": RELAY_KEY,
                   "relayusage": RELAY_KEY, "permissions": EXPORTED_PERMISSIONS}


@pytest.mark.parametrize("overwrite", [True, False], ids=["enabled", "disabled"])
def test_colliding_configs(silos: Silos, tmp_path: Path, export_file: Any,
                           overwrite: bool) -> None:
    """F.48/49: with --overwrite-configs the imported values replace the local ones in place
    (Overwrite, same pk); without it the local rows are kept (Existing)."""
    run_import(silos, tmp_path, "config",
               export_file(config_records("y", "z", "invalid", ["other.admin"])))
    local = _local_config_ids(silos)
    assert _config_values(silos) == LOCAL_VALUES
    second = run_import(silos, tmp_path, "config",
                        export_file(config_records("a", "b", RELAY_KEY, EXPORTED_PERMISSIONS)),
                        *(["--overwrite-configs"] if overwrite else []))
    assert _local_config_ids(silos) == local  # still one row each, same pk
    for model, (silo, _) in CONFIG_MODELS.items():
        chunk = chunk_of(silos, silo, second, model)
        assert (chunk.min_ordinal, chunk.max_ordinal) == (1, 1), model
        assert chunk.inserted_map == {}, model
        reused = {"1": local[model]}
        assert (chunk.existing_map, chunk.overwrite_map) == (
            ({}, reused) if overwrite else (reused, {})), model
    assert _config_values(silos) == (IMPORTED_VALUES if overwrite else LOCAL_VALUES)


def test_overwrite_configs_and_merge_users_together(silos: Silos, tmp_path: Path,
                                                    export_file: Any) -> None:
    """50: the CLI takes --overwrite-configs and --merge-users together in config scope: the
    user is merged, the configs overwritten, and the role assignment points at the kept role
    and user."""
    run_import(silos, tmp_path, "global",
               export_file(owner_records("existing@example.com", admin=True, with_org=False),
                           config_records("y", "z", "invalid", ["other.admin"])))
    ((local_user,),) = silos.rows("control", "SELECT id FROM auth_user")
    local = _local_config_ids(silos)
    second = run_import(silos, tmp_path, "config",
                        export_file(config_records("a", "b", RELAY_KEY, EXPORTED_PERMISSIONS,
                                                   with_user=True)),
                        "--overwrite-configs", "--merge-users")
    assert [u.id for u in users(silos)] == [local_user]
    assert _local_config_ids(silos) == local
    assert _config_values(silos) == IMPORTED_VALUES
    assert chunk_of(silos, "control", second, "sentry.user").existing_map == {"1": local_user}
    for model in ("sentry.useremail", "sentry.userpermission"):
        assert chunk_of(silos, "control", second, model) is None, model
    assert silos.count("control", "sentry_userpermission") == 1
    assert silos.count("control", "sentry_useremail") == 1


def test_merged_user_role_assignment_is_dropped(silos: Silos, tmp_path: Path,
                                                export_file: Any) -> None:
    """Ours (docs/compatibility.md): a merged user's incoming role assignment is dropped like
    its emails and permissions, so an import never grants roles to an account that already
    existed. Sentry has no such skip for UserRoleUser and would insert it."""
    run_import(silos, tmp_path, "global",
               export_file(owner_records("existing@example.com", admin=True, with_org=False),
                           config_records("y", "z", "invalid", ["other.admin"])))
    ((local_user,),) = silos.rows("control", "SELECT id FROM auth_user")
    second = run_import(silos, tmp_path, "config",
                        export_file(config_records("a", "b", RELAY_KEY, EXPORTED_PERMISSIONS,
                                                   with_user=True)), "--merge-users")
    assert [u.id for u in users(silos)] == [local_user]
    assert silos.count("control", "sentry_userrole_users") == 0
    assert chunk_of(silos, "control", second, "sentry.userroleuser") is None
    # Without merging, the renamed new user does get the role.
    third = run_import(silos, tmp_path, "config",
                       export_file(config_records("a", "b", RELAY_KEY, EXPORTED_PERMISSIONS,
                                                  with_user=True)))
    ((role,),) = silos.rows("control", "SELECT id FROM sentry_userrole")
    ((new_user,),) = silos.rows("control", "SELECT id FROM auth_user WHERE id <> :i",
                                i=local_user)
    assignments = silos.rows("control", "SELECT user_id, role_id FROM sentry_userrole_users")
    assert [tuple(a) for a in assignments] == [(new_user, role)]
    assert len(chunk_of(silos, "control", third, "sentry.userroleuser").inserted_map) == 1
