"""Control models for SSO, API keys, OAuth grants and authorizations, Sentry apps and
organization integrations, imported through the real CLI into real gRPC silos.

Source pks are chosen far from the ids a fresh database hands out, so every reference checked
below proves it was remapped. Where relocation deliberately differs from Sentry
(docs/compatibility.md) the test says so.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Silos, load_fixture, run_import

Record = dict[str, Any]
WHEN = "2023-06-22T22:59:55.488Z"
PASSWORD = "pbkdf2_sha256$150000$iEvdIknqYjTr$+QsGn0tfIJ1FZLxQI37mVU1gL2KbL/wqjMtG/dF="

ORG, OWNER, PROXY, CREATOR = 51, 61, 62, 63
INTEGRATION = 1  # single-integration.json
APPLICATION, TOKEN, GRANT, APP, PROVIDER = 71, 72, 73, 74, 75
API_KEY = "a" * 32
CLIENT_ID = "c" * 64
GRANT_CODE = "d" * 64
APP_UUID = "0b1e0d6a-3a4d-4a57-9d7e-5a1f1d3c2b10"
INSTALLATION_UUID = "7e2c5f1d-8b6a-4c3e-9f20-1d4b6a8c0e31"
COMPONENT_UUID = uuid.UUID("3f6d1e2a-9c4b-4e8d-a1f7-b2c3d4e5f601")

# Every model added here, with the scopes an import must be in to take it.
GLOBAL_ONLY = {
    "sentry.organizationintegration": "sentry_organizationintegration",
    "sentry.authprovider": "sentry_authprovider",
    "sentry.authidentity": "sentry_authidentity",
    "sentry.apikey": "sentry_apikey",
    "sentry.apigrant": "sentry_apigrant",
    "sentry.sentryapp": "sentry_sentryapp",
    "sentry.sentryappinstallation": "sentry_sentryappinstallation",
    "sentry.sentryappcomponent": "sentry_sentryappcomponent",
}


# --- records ----------------------------------------------------------------------------------


def rec(model: str, pk: int, **fields: Any) -> Record:
    return {"model": f"sentry.{model}", "pk": pk, "fields": fields}


def user(pk: int, username: str, **extra: Any) -> Record:
    return rec("user", pk, **({
        "password": PASSWORD, "last_login": None, "username": username, "name": "",
        "email": "", "is_staff": False, "is_active": True, "is_superuser": False,
        "is_managed": False, "is_sentry_app": None, "is_password_expired": False,
        "is_unclaimed": False, "last_password_change": WHEN, "flags": "0",
        "session_nonce": None, "date_joined": WHEN, "last_active": WHEN, "avatar_type": 0,
        "avatar_url": None} | extra))


def organization(pk: int, slug: str) -> Record:
    return rec("organization", pk, name=slug.title(), slug=slug, status=0, date_added=WHEN,
               default_role="member", is_test=False, flags="1")


def apiapplication(pk: int, owner: int, client_id: str) -> Record:
    return rec("apiapplication", pk, client_id=client_id, client_secret="s" * 64,
               name="Acme App", status=0, allowed_origins=None,
               redirect_uris="https://acme.example/cb", homepage_url=None, privacy_url=None,
               terms_url=None, date_added=WHEN, requires_org_level_access=False, scopes=[],
               version=0, owner=owner)


def apitoken(pk: int, user_pk: int, application: int | None, token: str) -> Record:
    return rec("apitoken", pk, user=user_pk, application=application,
               scoping_organization_id=None, name=None, token=token, hashed_token=None,
               token_type=None, token_last_characters=token[-4:], refresh_token=None,
               hashed_refresh_token=None, expires_at=None, scopes="0",
               scope_list='["org:read"]', date_added=WHEN)


def authorization(pk: int, user_pk: int, application: int | None,
                  organization_id: int | None) -> Record:
    return rec("apiauthorization", pk, user=user_pk, application=application,
               organization_id=organization_id, scopes="1024", scope_list='["org:read"]',
               date_added=WHEN)


def sentryapp(pk: int, *, proxy_user: int | None = PROXY, creator: int | None = CREATOR,
              slug: str = "acme-app", app_uuid: str = APP_UUID,
              application: int | None = APPLICATION) -> Record:
    return rec("sentryapp", pk, date_deleted=None, scopes="1024", scope_list='["org:read"]',
               application=application, proxy_user=proxy_user, owner_id=ORG, name="Acme App",
               slug=slug, author="Acme", status=2, uuid=app_uuid,
               redirect_url=None, webhook_url="https://acme.example/hook", is_alertable=True,
               verify_install=False, events='["issue.created"]', overview=None,
               schema={"elements": [{"type": "issue-link"}]}, date_added=WHEN,
               date_updated=WHEN, date_published=None, creator_user=creator,
               creator_label="alice@acme.example", popularity=1, metadata={})


def installation(pk: int, *, grant: int | None = GRANT, token: int | None = TOKEN,
                 installation_uuid: str = INSTALLATION_UUID) -> Record:
    return rec("sentryappinstallation", pk, date_deleted=None, sentry_app=APP,
               organization_id=ORG, api_grant=grant, api_token=token, uuid=installation_uuid,
               status=1, date_added=WHEN, date_updated=WHEN)


def export() -> list[Record]:
    """One record of every model added here, with the users, organization and application
    they reference; one authorization per scope (and one per organization)."""
    return [
        user(OWNER, "alice"),
        user(PROXY, "acme-app-proxy", is_sentry_app=True),
        user(CREATOR, "carol"),
        organization(ORG, "acme"),
        *load_fixture("single-integration.json"),
        rec("organizationintegration", 81, organization_id=ORG, integration=INTEGRATION,
            config={"team": "T123"}, default_auth_id=None, status=0, grace_period_end=None,
            date_added=WHEN, date_updated=WHEN),
        rec("authprovider", PROVIDER, organization_id=ORG, provider="okta",
            config={"domain": "acme.okta.example"}, date_added=WHEN, sync_time=None,
            last_sync=None, default_role=50, default_global_access=True, flags="1"),
        rec("authidentity", 82, user=OWNER, auth_provider=PROVIDER, ident="alice@idp",
            data={"email": "alice@acme.example"}, last_verified=WHEN, last_synced=WHEN,
            date_added=WHEN),
        rec("apikey", 83, organization_id=ORG, label="CI", key=API_KEY, scopes="3",
            scope_list="['project:read', 'project:write']", status=0, date_added=WHEN,
            allowed_origins="https://acme.example"),
        apiapplication(APPLICATION, OWNER, CLIENT_ID),
        apitoken(TOKEN, PROXY, APPLICATION, "sntrys_" + "e" * 64),
        rec("apigrant", GRANT, user=OWNER, application=APPLICATION, code=GRANT_CODE,
            expires_at=WHEN, redirect_uri="https://acme.example/cb", scopes="0",
            scope_list='["org:read"]', organization_id=ORG),
        authorization(84, OWNER, APPLICATION, None),  # Global: bound to an application
        authorization(85, OWNER, APPLICATION, ORG),  # the same pair, for one organization
        authorization(86, OWNER, None, None),  # Config: no application
        sentryapp(APP),
        installation(87),
        rec("sentryappcomponent", 88, uuid=COMPONENT_UUID.hex, sentry_app=APP,
            type="issue-link", schema={"create": {"uri": "/create"}}),
    ]


# --- helpers ----------------------------------------------------------------------------------


def one(silos: Silos, silo: str, sql: str, **params: Any) -> Any:
    (row,) = silos.rows(silo, sql, **params)
    return row


def user_id(silos: Silos, username: str) -> int:
    return one(silos, "control", "SELECT id FROM auth_user WHERE username = :u", u=username).id


# --- tests ------------------------------------------------------------------------------------


def test_global_import_lands_every_model_with_remapped_references(
        silos: Silos, tmp_path: Path, export_file: Any) -> None:
    run_import(silos, tmp_path, "global", export_file(export()))

    org = one(silos, "region", "SELECT id FROM sentry_organization WHERE slug = 'acme'").id
    alice, proxy, carol = (user_id(silos, u) for u in ("alice", "acme-app-proxy", "carol"))
    application = one(silos, "control", "SELECT id, client_id FROM sentry_apiapplication")
    assert application.client_id == CLIENT_ID
    integration = one(silos, "control", "SELECT id FROM sentry_integration").id
    assert ORG not in (org, alice, proxy, carol, application.id)

    oi = one(silos, "control", "SELECT * FROM sentry_organizationintegration")
    assert (oi.organization_id, oi.integration_id, oi.status) == (org, integration, 0)
    assert json.loads(oi.config) == {"team": "T123"}

    provider = one(silos, "control", "SELECT * FROM sentry_authprovider")
    assert (provider.organization_id, provider.provider, provider.flags) == (org, "okta", 1)
    assert json.loads(provider.config) == {"domain": "acme.okta.example"}
    identity = one(silos, "control", "SELECT * FROM sentry_authidentity")
    assert (identity.user_id, identity.auth_provider_id, identity.ident) == (
        alice, provider.id, "alice@idp")

    key = one(silos, "control", "SELECT * FROM sentry_apikey")
    assert (key.organization_id, key.key, key.label, key.scopes, key.scope_list) == (
        org, API_KEY, "CI", 3, ["project:read", "project:write"])

    grant = one(silos, "control", "SELECT * FROM sentry_apigrant")
    assert (grant.user_id, grant.application_id, grant.organization_id, grant.code) == (
        alice, application.id, org, GRANT_CODE)

    authorizations = silos.rows("control", "SELECT user_id, application_id, organization_id "
                                           "FROM sentry_apiauthorization ORDER BY id")
    assert [tuple(a) for a in authorizations] == [
        (alice, application.id, None), (alice, application.id, org), (alice, None, None)]

    app = one(silos, "control", "SELECT * FROM sentry_sentryapp")
    assert (app.application_id, app.proxy_user_id, app.owner_id, app.creator_user_id) == (
        application.id, proxy, org, carol)
    assert (app.slug, app.uuid, app.events, app.scope_list) == (
        "acme-app", APP_UUID, ["issue.created"], ["org:read"])
    assert json.loads(app.schema) == {"elements": [{"type": "issue-link"}]}

    token = one(silos, "control", "SELECT id, user_id FROM sentry_apitoken")
    assert token.user_id == proxy
    install = one(silos, "control", "SELECT * FROM sentry_sentryappinstallation")
    assert (install.sentry_app_id, install.organization_id, install.api_grant_id,
            install.api_token_id, install.uuid) == (app.id, org, grant.id, token.id,
                                                    INSTALLATION_UUID)

    component = one(silos, "control", "SELECT * FROM sentry_sentryappcomponent")
    assert (component.sentry_app_id, str(component.uuid), component.type) == (
        app.id, str(COMPONENT_UUID), "issue-link")


def test_importing_twice_renews_every_colliding_key(silos: Silos, tmp_path: Path,
                                                    export_file: Any) -> None:
    """The second import's rows collide on every key and identifier of the first: secrets
    get fresh values, the app slug a suffix, and the first import's rows stay as they were.

    Sentry has rules for none of these (IntegrityError, or duplicates for the uuids and the
    grant code); see docs/compatibility.md.
    """
    src = export_file(export())
    run_import(silos, tmp_path, "global", src)
    first = {table: [tuple(r) for r in silos.rows("control", f"SELECT * FROM {table} "
                                                             "ORDER BY id")]
             for table in GLOBAL_ONLY.values()}
    run_import(silos, tmp_path, "global", src)

    for table, rows in first.items():
        now = [tuple(r) for r in silos.rows("control", f"SELECT * FROM {table} ORDER BY id")]
        assert len(now) == 2 * len(rows), table
        assert now[:len(rows)] == rows, f"{table}: the first import's rows changed"

    keys = [r.key for r in silos.rows("control", "SELECT key FROM sentry_apikey ORDER BY id")]
    assert keys[0] == API_KEY and keys[1] != API_KEY and len(keys[1]) == 32
    int(keys[1], 16)  # 32 hex characters, like Sentry's keys

    codes = [r.code for r in silos.rows("control", "SELECT code FROM sentry_apigrant "
                                                   "ORDER BY id")]
    assert codes[0] == GRANT_CODE and codes[1] != GRANT_CODE and len(codes[1]) == 64

    apps = silos.rows("control", "SELECT slug, uuid, proxy_user_id, application_id "
                                 "FROM sentry_sentryapp ORDER BY id")
    assert apps[0].slug == "acme-app" and apps[1].slug.startswith("acme-app-")
    assert apps[0].uuid == APP_UUID and apps[1].uuid != APP_UUID
    uuid.UUID(apps[1].uuid)
    assert apps[0].proxy_user_id != apps[1].proxy_user_id  # each import's own proxy user
    assert apps[0].application_id != apps[1].application_id

    installs = [r.uuid for r in silos.rows("control", "SELECT uuid FROM "
                                                      "sentry_sentryappinstallation ORDER BY id")]
    assert installs[0] == INSTALLATION_UUID and installs[1] != INSTALLATION_UUID
    uuid.UUID(installs[1])

    components = [str(r.uuid) for r in silos.rows(
        "control", "SELECT uuid FROM sentry_sentryappcomponent ORDER BY id")]
    assert components[0] == str(COMPONENT_UUID) and components[1] != str(COMPONENT_UUID)

    # The integration itself is reused; each organization gets its own link and provider.
    integrations = silos.rows("control", "SELECT integration_id, organization_id FROM "
                                         "sentry_organizationintegration ORDER BY id")
    assert integrations[0].integration_id == integrations[1].integration_id
    orgs = [r.id for r in silos.rows("region", "SELECT id FROM sentry_organization "
                                               "ORDER BY id")]
    assert [r.organization_id for r in integrations] == orgs
    providers = silos.rows("control", "SELECT organization_id FROM sentry_authprovider "
                                      "ORDER BY id")
    assert [r.organization_id for r in providers] == orgs


def test_duplicates_within_one_export_get_fresh_values(silos: Silos, tmp_path: Path,
                                                       export_file: Any) -> None:
    """Two apps naming one proxy user and sharing slug and uuid, two installations sharing a
    uuid, two components sharing a uuid: the later record of each pair is renewed (or, for the
    proxy user, left without one) instead of failing the import."""
    records = [
        *export(),
        apiapplication(90, OWNER, "f" * 64),
        sentryapp(91, application=90),
        rec("sentryappinstallation", 92, date_deleted=None, sentry_app=91,
            organization_id=ORG, api_grant=None, api_token=None, uuid=INSTALLATION_UUID,
            status=1, date_added=WHEN, date_updated=WHEN),
        rec("sentryappcomponent", 93, uuid=str(COMPONENT_UUID), sentry_app=91,
            type="alert-rule-action", schema={}),
    ]
    run_import(silos, tmp_path, "global", export_file(records))

    proxy = user_id(silos, "acme-app-proxy")
    apps = silos.rows("control", "SELECT id, slug, uuid, proxy_user_id FROM sentry_sentryapp "
                                 "ORDER BY id")
    assert [a.proxy_user_id for a in apps] == [proxy, None]
    assert apps[0].slug == "acme-app" and apps[1].slug.startswith("acme-app-")
    assert apps[0].uuid == APP_UUID and apps[1].uuid not in (APP_UUID, None)
    installs = silos.rows("control", "SELECT sentry_app_id, uuid FROM "
                                     "sentry_sentryappinstallation ORDER BY id")
    assert [i.sentry_app_id for i in installs] == [apps[0].id, apps[1].id]
    assert installs[0].uuid == INSTALLATION_UUID and installs[1].uuid != INSTALLATION_UUID
    components = silos.rows("control", "SELECT sentry_app_id, uuid FROM "
                                       "sentry_sentryappcomponent ORDER BY id")
    assert [c.sentry_app_id for c in components] == [apps[0].id, apps[1].id]
    assert str(components[0].uuid) == str(COMPONENT_UUID)
    assert str(components[1].uuid) != str(COMPONENT_UUID)


def test_api_authorization_scope_is_decided_per_record(silos: Silos, tmp_path: Path,
                                                       export_file: Any) -> None:
    """Config scope takes only the authorization without an application (and no model that is
    Global only); Global takes all of them."""
    src = export_file(export())
    run_import(silos, tmp_path, "config", src)
    alice = user_id(silos, "alice")
    rows = silos.rows("control", "SELECT user_id, application_id, organization_id "
                                 "FROM sentry_apiauthorization")
    assert [tuple(r) for r in rows] == [(alice, None, None)]
    assert silos.count("control", "sentry_apiapplication") == 0
    for table in GLOBAL_ONLY.values():
        assert silos.count("control", table) == 0, table

    run_import(silos, tmp_path, "global", src)
    assert silos.count("control", "sentry_apiauthorization") == 4
    assert silos.count("control", "sentry_apiauthorization", "application_id IS NULL") == 2


@pytest.mark.parametrize("scope", ["users", "organizations"])
def test_global_and_config_models_are_skipped_in_narrower_scopes(
        silos: Silos, tmp_path: Path, export_file: Any, scope: str) -> None:
    run_import(silos, tmp_path, scope, export_file(export()))
    assert silos.count("control", "auth_user") == 3
    for table in [*GLOBAL_ONLY.values(), "sentry_apiauthorization"]:
        assert silos.count("control", table) == 0, table


def test_missing_references_drop_or_clear_as_declared(silos: Silos, tmp_path: Path,
                                                      export_file: Any) -> None:
    """An app whose creator was not imported keeps existing without one, and so does an
    installation whose grant was not imported (ours clears these incidental references where
    Sentry drops the record). An app without its organization is dropped, with everything that
    hangs off it, as in Sentry."""
    records = [r for r in export() if r["model"] != "sentry.apigrant"
               and r["fields"].get("username") != "carol"]
    orphan = sentryapp(95, slug="orphan", app_uuid=str(uuid.uuid4()), proxy_user=None,
                       creator=None, application=None)
    orphan["fields"]["owner_id"] = 999
    records += [orphan, rec("sentryappcomponent", 96, uuid=uuid.uuid4().hex, sentry_app=95,
                            type="issue-link", schema={})]
    run_import(silos, tmp_path, "global", export_file(records))

    app = one(silos, "control", "SELECT id, slug, creator_user_id FROM sentry_sentryapp")
    assert (app.slug, app.creator_user_id) == ("acme-app", None)
    install = one(silos, "control", "SELECT sentry_app_id, api_grant_id, api_token_id "
                                    "FROM sentry_sentryappinstallation")
    assert install.sentry_app_id == app.id and install.api_grant_id is None
    assert install.api_token_id is not None
    assert silos.count("control", "sentry_sentryappcomponent") == 1
    assert silos.count("control", "sentry_apigrant") == 0


def test_empty_api_key_gets_one(silos: Silos, tmp_path: Path, export_file: Any) -> None:
    """Sentry's ApiKey.save() mints a key when it is empty."""
    records = [organization(ORG, "acme"),
               rec("apikey", 83, organization_id=ORG, key="", scopes="0", status=0,
                   date_added=WHEN)]
    run_import(silos, tmp_path, "global", export_file(records))
    key = one(silos, "control", "SELECT key, label, scope_list FROM sentry_apikey")
    assert len(key.key) == 32 and key.label == "Default" and key.scope_list == []
    int(key.key, 16)


def test_duplicate_user_level_authorization_is_an_integrity_error(
        silos: Silos, tmp_path: Path, export_file: Any) -> None:
    """Sentry's (user, application) key holds among authorizations without an organization:
    a second one for the same user and application is refused, naming the record."""
    records = [*export(), authorization(97, OWNER, APPLICATION, None)]
    findings = tmp_path / "findings.json"
    result = silos.relocate("import", "global", export_file(records), "--no-prompt",
                            "--findings-file", findings)
    assert result.code == 1
    (finding,) = json.loads(findings.read_text())
    assert finding["on"]["model"] == "sentry.apiauthorization"
    assert finding["kind"] == "IntegrityError"  # a constraint violation, not a database fault
    assert finding["left_pk"] == 97 and "user, application" in finding["reason"]
    assert silos.count("control", "sentry_apiauthorization") == 0
