"""The region models beyond organizations, projects and issue rules: one hand-written export with
a record of each, imported through the real CLI into real silos.

Every imported record is found through the import's chunk ledger (old pk -> new pk) and each of
its references is checked against the new pk of the record it referred to.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from region_service.models import REGISTRY
from silo_engine.modelspec import ModelSpec, OnMissing
from tests.conftest import Silos, run_import

WHEN = "2024-11-05T10:20:30.000Z"
LATER = "2025-01-05T10:20:30.000Z"
PASSWORD = "pbkdf2_sha256$150000$iEvdIknqYjTr$+QsGn0tfIJ1FZLxQI37mVU1gL2KbL/wqjMtG/dFhsMA="
MONITOR_GUID = "5f4c9a1e-2b7d-4c3a-9e8f-0a1b2c3d4e5f"
SUBSCRIPTION_ID = "0/1f2e3d4c5b6a79887766554433221100"
HOOK_GUID = "0123456789abcdef0123456789abcdef"
DETECTION_UUID = "a6d5c4b3-2a19-4f8e-8d7c-6b5a49382716"
NOTIFICATION_UUID = "b7e6d5c4-3b2a-4091-9e8d-7c6b5a493827"
MISSING_USER = 999  # a user id no record of the export has

SPECS: dict[str, ModelSpec] = {spec.name: spec for spec in REGISTRY}

# Models whose records are Global in scope (by model, or per record as noted in the export).
GLOBAL_ONLY = {
    "sentry.alertruletriggeraction", "sentry.incident", "sentry.incidenttrigger",
    "sentry.incidentactivity", "sentry.timeseriessnapshot", "sentry.incidentsnapshot",
    "sentry.pendingincidentsnapshot", "sentry.repository", "sentry.projectintegration",
    "sentry.servicehook"}


def rec(model: str, pk: int, **fields: Any) -> dict[str, Any]:
    return {"model": model, "pk": pk, "fields": fields}


def user(pk: int, username: str) -> dict[str, Any]:
    return rec("sentry.user", pk, password=PASSWORD, last_login=None, username=username,
               name=username.title(), email=f"{username}@example.com", is_staff=False,
               is_active=True, is_superuser=False, is_managed=False, is_sentry_app=None,
               is_password_expired=False, is_unclaimed=False, last_password_change=WHEN,
               flags="0", session_nonce=None, date_joined=WHEN, last_active=WHEN,
               avatar_type=0, avatar_url=None)


def member(pk: int, user_pk: int) -> dict[str, Any]:
    return rec("sentry.organizationmember", pk, organization=21, user_id=user_pk, email=None,
               role="member", flags="0", token=None, date_added=WHEN, token_expires_at=None,
               has_global_access=True, inviter_id=None, invite_status=0, type=50,
               user_is_active=True, user_email=None)


def project(pk: int, slug: str, template: int | None) -> dict[str, Any]:
    return rec("sentry.project", pk, slug=slug, name=slug.title(), forced_color=None,
               organization=21, public=False, date_added=WHEN, status=0, first_event=None,
               flags="10", platform="python", template=template)


def saved_search(pk: int, name: str, *, owner: int | None, is_global: bool = False
                 ) -> dict[str, Any]:
    return rec("sentry.savedsearch", pk, organization=None if is_global else 21, type=0,
               name=name, query="is:unresolved", sort="date", date_added=WHEN,
               is_global=is_global, owner_id=owner,
               visibility="organization" if is_global else "owner")


def base_records() -> list[dict[str, Any]]:
    """Users, an integration, an organization with members, a team and two projects."""
    return [
        user(11, "ada"), user(12, "bob"),
        rec("sentry.integration", 31, date_added=WHEN, date_updated=WHEN,
            external_id="slack:acme", name="Slack for acme", provider="slack", status=0),
        rec("sentry.organization", 21, name="Acme", slug="acme", status=0, date_added=WHEN,
            default_role="member", is_test=False, flags="1"),
        member(22, 11), member(23, 12),
        rec("sentry.team", 24, slug="backend", name="Backend", organization=21, status=0,
            idp_provisioned=False, date_added=WHEN),
        project(25, "api", 41), project(26, "web", None),
        rec("sentry.projecttemplate", 41, name="Python services", organization=21,
            date_added=WHEN, date_updated=WHEN),
        rec("sentry.environment", 51, organization_id=21, name="production", date_added=WHEN),
        rec("sentry.rule", 53, project=25, environment_id=51, label="New issues",
            data={"actions": []}, status=0, source=0, owner_user_id=None, owner_team=None,
            date_added=WHEN),
    ]


def model_records() -> list[dict[str, Any]]:
    """At least one record of each model this file is about."""
    return [
        # projects and organizations
        rec("sentry.projecttemplateoption", 42, project_template=41, key="sentry:scrub_data",
            value=True),
        rec("sentry.projectredirect", 43, organization=21, project=25, redirect_slug="old-api",
            date_added=WHEN),
        rec("sentry.projectownership", 44, project=25, raw="path:src/* #backend",
            schema={"$version": 1, "rules": []}, fallthrough=True, auto_assignment=True,
            date_created=WHEN, last_updated=WHEN, is_active=True, codeowners_auto_sync=True,
            suspect_committer_auto_assignment=False),
        rec("sentry.projectbookmark", 45, project=25, user_id=11, date_added=WHEN),
        rec("sentry.counter", 46, project=25, value=1234),
        rec("sentry.organizationaccessrequest", 47, team=24, member=23, requester_id=11),
        rec("sentry.datasecrecywaiver", 48, organization=21, access_start=WHEN,
            access_end=LATER, zendesk_tickets=["https://acme.zendesk.com/tickets/1"],
            date_added=WHEN, date_updated=WHEN),
        rec("sentry.environmentproject", 52, environment=51, project=25, is_hidden=False),
        # searches: two owners' searches may share a name (the name key covers only global
        # searches); a global search is part of the instance
        saved_search(54, "Mine", owner=11), saved_search(55, "Mine", owner=12),
        saved_search(56, "Unresolved", owner=None, is_global=True),
        rec("sentry.recentsearch", 57, organization=21, user_id=11, type=0,
            query="is:unresolved level:error", query_hash="", last_seen=WHEN, date_added=WHEN),
        # dashboards
        rec("sentry.dashboardtombstone", 61, organization=21, slug="default-overview",
            date_added=WHEN),
        rec("sentry.dashboard", 62, title="Backend health", created_by_id=11, organization=21,
            date_added=WHEN, visits=3, last_visited=WHEN, filters={"release": []}),
        rec("sentry.dashboardwidget", 63, dashboard=62, order=0, title="Errors",
            description=None, thresholds=None, interval="5m", display_type=0, date_added=WHEN,
            widget_type=100, limit=None, detail={"layout": {"x": 0}},
            discover_widget_split=None, dataset_source=0),
        rec("sentry.dashboardwidgetquery", 64, widget=63, name="", fields=["count()"],
            conditions="level:error", aggregates=["count()"], columns=[], field_aliases=[""],
            orderby="", order=0, date_added=WHEN, date_modified=WHEN, is_hidden=False,
            selected_aggregate=None),
        rec("sentry.dashboardwidgetqueryondemand", 65, dashboard_widget_query=64,
            spec_hashes=["abc"], spec_version=1, extraction_state="disabled:not-applicable",
            date_modified=WHEN, date_added=WHEN),
        rec("sentry.dashboardpermissions", 66, dashboard=62, is_editable_by_everyone=False),
        rec("sentry.dashboardpermissionsteam", 67, permissions=66, team=24),
        rec("sentry.dashboardfavoriteuser", 68, dashboard=62, user_id=12, date_added=WHEN,
            date_updated=WHEN),
        # dynamic sampling
        rec("sentry.customdynamicsamplingrule", 71, organization=21, created_by_id=11,
            date_added=WHEN, is_active=True, is_org_level=False, rule_id=1,
            condition='{"op": "and", "inner": []}', sample_rate=0.5, start_date=WHEN,
            end_date=LATER, num_samples=100, condition_hash="f" * 40, query="",
            notification_sent=False),
        rec("sentry.customdynamicsamplingruleproject", 72, custom_dynamic_sampling_rule=71,
            project=25),
        # cron monitors: the team owner is a plain id in Sentry and is not carried over
        rec("sentry.monitor", 73, organization_id=21, project_id=25, guid=MONITOR_GUID,
            slug="nightly", name="Nightly job", status=0, is_muted=False,
            owner_user_id=None, owner_team_id=24, date_added=WHEN,
            config={"schedule": "0 0 * * *", "schedule_type": 1}),
        # snuba queries and metric alert rules
        rec("sentry.snubaquery", 81, environment=51, type=0, dataset="events",
            query="level:error", aggregate="count()", time_window=3600, resolution=60,
            date_added=WHEN),
        rec("sentry.snubaqueryeventtype", 82, snuba_query=81, type=0),
        rec("sentry.querysubscription", 83, project=25, snuba_query=81,
            type="incidents", status=0, subscription_id=SUBSCRIPTION_ID, date_added=WHEN,
            date_updated=WHEN, query_extra=None),
        # its owning user is not in the export: the rule is kept without that owner
        rec("sentry.alertrule", 84, organization=21, snuba_query=81, user_id=MISSING_USER,
            team=None, name="Too many errors", status=0, threshold_type=0,
            resolve_threshold=None, threshold_period=1, comparison_delta=None,
            date_modified=WHEN, date_added=WHEN, monitor_type=0, description=None,
            detection_type="static", sensitivity=None, seasonality=None),
        rec("sentry.alertruletrigger", 85, alert_rule=84, label="critical", threshold_type=0,
            alert_threshold=100.0, resolve_threshold=None, date_added=WHEN),
        rec("sentry.alertruletriggeraction", 86, alert_rule_trigger=85, integration_id=31,
            sentry_app_id=None, type=2, target_type=0, target_identifier="C123",
            target_display="#alerts", date_added=WHEN, sentry_app_config=None, status=0),
        rec("sentry.alertruleprojects", 87, alert_rule=84, project=26, date_added=WHEN),
        rec("sentry.alertruleactivity", 88, alert_rule=84, previous_alert_rule=None,
            user_id=12, type=1, date_added=WHEN),
        rec("sentry.alertruleactivationcondition", 89, alert_rule=84, label="release",
            condition_type=0, date_added=WHEN),
        # issue alert rule extras: two users' snoozes of one rule, one for everyone of the
        # metric alert rule
        rec("sentry.neglectedrule", 91, rule=53, organization=21, disable_date=LATER,
            opted_out=False, sent_initial_email_date=None, sent_final_email_date=None),
        rec("sentry.rulesnooze", 92, rule=53, alert_rule=None, user_id=11, owner_id=12,
            until=LATER, date_added=WHEN),
        rec("sentry.rulesnooze", 93, rule=53, alert_rule=None, user_id=12, owner_id=12,
            until=None, date_added=WHEN),
        rec("sentry.rulesnooze", 94, rule=None, alert_rule=84, user_id=None, owner_id=11,
            until=None, date_added=WHEN),
        rec("sentry.ruleactivity", 95, rule=53, user_id=11, type=1, date_added=WHEN),
        # incidents (Global): the activation was never exported and is forgotten
        rec("sentry.incident", 101, organization=21, alert_rule=84, subscription=83,
            activation=5, identifier=1, detection_uuid=DETECTION_UUID, status=2,
            status_method=3, type=2, title="Too many errors", date_started=WHEN,
            date_detected=WHEN, date_added=WHEN, date_closed=LATER),
        rec("sentry.incidenttrigger", 102, incident=101, alert_rule_trigger=85, status=1,
            date_modified=WHEN, date_added=WHEN),
        rec("sentry.incidentactivity", 103, incident=101, user_id=11, type=2, value="2",
            previous_value="1", comment=None, date_added=WHEN,
            notification_uuid=NOTIFICATION_UUID),
        rec("sentry.timeseriessnapshot", 104, start=WHEN, end=LATER,
            values="[[1730802030.0, 3.0], [1730805630.0, 7.0]]", period=3600,
            date_added=WHEN),
        rec("sentry.incidentsnapshot", 105, incident=101, event_stats_snapshot=104,
            unique_users=4, total_events=10, date_added=WHEN),
        rec("sentry.pendingincidentsnapshot", 106, incident=101, target_run_date=LATER,
            date_added=WHEN),
        # notification actions: Organization scope without an integration, Global with one
        rec("sentry.notificationaction", 111, organization=21, integration_id=None,
            sentry_app_id=None, type=0, target_type=1, target_identifier="11",
            target_display=None, trigger_type=100),
        rec("sentry.notificationaction", 112, organization=21, integration_id=31,
            sentry_app_id=None, type=2, target_type=0, target_identifier="C123",
            target_display="#spikes", trigger_type=100),
        rec("sentry.notificationactionproject", 113, action=111, project=25),
        rec("sentry.notificationactionproject", 114, action=112, project=25),
        # integrations (Global)
        rec("sentry.repository", 121, organization_id=21, integration_id=31,
            name="acme/api", url="https://github.com/acme/api", provider="integrations:github",
            external_id="4711", config={"name": "acme/api"}, status=0, date_added=WHEN),
        rec("sentry.projectintegration", 122, project=25, integration_id=31,
            config={"sync": True}),
        rec("sentry.servicehook", 123, guid=HOOK_GUID, application_id=None, actor_id=0,
            installation_id=None, project_id=25, organization_id=21,
            url="https://hooks.example.com/sentry", secret="s" * 64,
            events=["event.alert"], status=0, version=0, date_added=WHEN),
        # the workflow engine; issues are never exported, so a group status is always dropped
        rec("workflow_engine.dataconditiongroup", 131, organization=21, logic_type="any",
            date_added=WHEN, date_updated=WHEN),
        rec("workflow_engine.dataconditiongroup", 136, organization=21, logic_type="all",
            date_added=WHEN, date_updated=WHEN),
        rec("workflow_engine.datasource", 132, organization=21, source_id="83",
            type="snuba_query_subscription", date_added=WHEN, date_updated=WHEN),
        rec("workflow_engine.datacondition", 133, condition_group=131,
            comparison={"interval": "1h", "value": 100}, condition_result=True, type="gt",
            date_added=WHEN, date_updated=WHEN),
        rec("workflow_engine.workflow", 134, organization=21, name="Page the backend",
            when_condition_group=131, environment=51, owner_user_id=None, owner_team=24,
            created_by_id=11, config={"frequency": 30}, enabled=True, date_added=WHEN,
            date_updated=WHEN),
        rec("workflow_engine.detector", 135, organization=21, project=25,
            name="Error spike", type="metric_issue", workflow_condition_group=136,
            owner_user_id=11, owner_team=None, created_by_id=12, config={"threshold": 1},
            enabled=True, description=None, date_added=WHEN, date_updated=WHEN),
        rec("workflow_engine.datasourcedetector", 137, data_source=132, detector=135,
            date_added=WHEN, date_updated=WHEN),
        rec("workflow_engine.workflowgroupstatus", 138, workflow=134, group=9, status=0,
            date_added=WHEN, date_updated=WHEN),
        rec("workflow_engine.workflowdataconditiongroup", 139, condition_group=131,
            workflow=134, date_added=WHEN, date_updated=WHEN),
        rec("workflow_engine.detectorworkflow", 140, detector=135, workflow=134,
            date_added=WHEN, date_updated=WHEN),
        rec("workflow_engine.alertruleworkflow", 141, alert_rule=84, rule=None, workflow=134,
            date_added=WHEN, date_updated=WHEN),
        rec("workflow_engine.alertruledetector", 142, alert_rule=None, rule=53, detector=135,
            date_added=WHEN, date_updated=WHEN),
        rec("workflow_engine.alertruletriggerdatacondition", 143, alert_rule_trigger=85,
            data_condition=133, date_added=WHEN, date_updated=WHEN),
    ]


# --- helpers -----------------------------------------------------------------------------------


def pk_map(silos: Silos) -> dict[str, dict[int, int]]:
    """Old pk -> new pk per model, for every import so far, from the region's ledgers."""
    mapping: dict[str, dict[int, int]] = {}
    for table in ("sentry_regionimportchunk", "sentry_controlimportchunkreplica"):
        for model, inserted, existing in silos.rows(
                "region", f"SELECT model, inserted_map, existing_map FROM {table}"):
            for old, new in (inserted | existing).items():
                mapping.setdefault(model, {})[int(old)] = new
    return mapping


def row(silos: Silos, model: str, pk: int) -> dict[str, Any]:
    (found,) = silos.rows("region", f"SELECT * FROM {SPECS[model].table.name} WHERE id = :pk",
                          pk=pk)
    return dict(found._mapping)


def assert_landed_with_references(silos: Silos, record: dict[str, Any],
                                  mapping: dict[str, dict[int, int]]) -> dict[str, Any]:
    """The record's row exists and each reference names the new row of its target."""
    spec = SPECS[record["model"]]
    new_pk = mapping.get(spec.name, {}).get(record["pk"])
    assert new_pk is not None, f"{spec.name} {record['pk']} was not imported"
    landed = row(silos, spec.name, new_pk)
    for fk in spec.foreign_keys:
        old = record["fields"].get(fk.field)
        expected = None if old is None else mapping.get(fk.target, {}).get(old)
        if old is not None and expected is None:
            assert fk.on_missing is OnMissing.NULLIFY, f"{spec.name}.{fk.field}"
        assert landed[fk.column] == expected, f"{spec.name}.{fk.field}"
        if expected is not None:
            assert expected != old or fk.target == "sentry.project", \
                f"{spec.name}.{fk.field}: choose source pks the new rows cannot have"
    return landed


# --- every model, both scopes ------------------------------------------------------------------


@pytest.mark.parametrize("scope", ["organizations", "global"])
def test_every_model_lands_with_its_references(silos: Silos, tmp_path: Path, export_file: Any,
                                               scope: str) -> None:
    records = model_records()
    assert {r["model"] for r in records} | {"sentry.projecttemplate", "sentry.environment"} \
        == set(SPECS) - {"sentry.option", "sentry.relay", "sentry.relayusage",
                         "sentry.organization", "sentry.organizationoption",
                         "sentry.organizationmember", "sentry.organizationmemberteam",
                         "sentry.team", "sentry.project", "sentry.projectkey",
                         "sentry.projectoption", "sentry.projectteam", "sentry.rule",
                         "sentry.groupsearchview"}
    run_import(silos, tmp_path, scope, export_file([*base_records(), *records]))
    mapping = pk_map(silos)
    in_global = scope == "global"

    # Global only: by model, the global saved search, and the action with an integration and
    # its link (Sentry decides a notification action's scope per record).
    global_only = {(r["model"], r["pk"]) for r in records if r["model"] in GLOBAL_ONLY}
    global_only |= {("sentry.savedsearch", 56), ("sentry.notificationaction", 112),
                    ("sentry.notificationactionproject", 114)}
    dropped = {("workflow_engine.workflowgroupstatus", 138)}
    landed: dict[tuple[str, int], dict[str, Any]] = {}
    for record in [*base_records(), *records]:
        key = (record["model"], record["pk"])
        if record["model"] in ("sentry.user", "sentry.integration") or key in dropped:
            continue
        if key in global_only and not in_global:
            assert record["pk"] not in mapping.get(record["model"], {}), key
            continue
        if record["model"] in SPECS:
            landed[key] = assert_landed_with_references(silos, record, mapping)

    for model, count in {"sentry.savedsearch": 3 if in_global else 2,
                         "sentry.rulesnooze": 3, "sentry.notificationaction": 1 + in_global,
                         "sentry.notificationactionproject": 1 + in_global,
                         "workflow_engine.workflowgroupstatus": 0}.items():
        assert silos.count("region", SPECS[model].table.name) == count, model
    for model in GLOBAL_ONLY:
        assert silos.count("region", SPECS[model].table.name) == int(in_global), model

    # The new references of models declared before these: a project's template, a rule's
    # environment.
    assert landed[("sentry.project", 25)]["template_id"] == mapping["sentry.projecttemplate"][41]
    assert landed[("sentry.rule", 53)]["environment_id"] == mapping["sentry.environment"][51]
    # Per-model rules.
    assert landed[("sentry.alertrule", 84)]["user_id"] is None  # owner not imported
    assert landed[("sentry.monitor", 73)]["owner_team_id"] is None
    assert str(landed[("sentry.monitor", 73)]["guid"]) == MONITOR_GUID  # kept: it was free
    assert json.loads(landed[("sentry.monitor", 73)]["config"]) == {
        "schedule": "0 0 * * *", "schedule_type": 1}
    assert landed[("sentry.recentsearch", 57)]["query_hash"] == \
        hashlib.md5(b"is:unresolved level:error", usedforsecurity=False).hexdigest()
    assert landed[("sentry.querysubscription", 83)]["subscription_id"] == SUBSCRIPTION_ID
    assert landed[("sentry.dashboardwidgetquery", 64)]["fields"] == ["count()"]
    assert json.loads(landed[("workflow_engine.datacondition", 133)]["comparison"]) == {
        "interval": "1h", "value": 100}
    assert landed[("workflow_engine.datasource", 132)]["source_id"] == "83"  # as exported
    if in_global:
        incident = landed[("sentry.incident", 101)]
        assert incident["activation_id"] is None
        assert incident["detection_uuid"] is not None
        assert str(incident["detection_uuid"]) != DETECTION_UUID
        activity = landed[("sentry.incidentactivity", 103)]
        assert activity["notification_uuid"] is not None
        assert str(activity["notification_uuid"]) != NOTIFICATION_UUID
        assert json.loads(landed[("sentry.timeseriessnapshot", 104)]["values"]) == \
            "[[1730802030.0, 3.0], [1730805630.0, 7.0]]"
        hook = landed[("sentry.servicehook", 123)]
        assert (hook["guid"], hook["events"]) == (HOOK_GUID, ["event.alert"])


# --- collisions and scope rules ----------------------------------------------------------------


def test_colliding_guids_and_subscription_ids_are_regenerated(silos: Silos, tmp_path: Path,
                                                              export_file: Any) -> None:
    """Sentry C19/C22: the same export imported twice; the second copies get fresh values."""
    records = [r for r in model_records()
               if (r["model"], r["pk"]) != ("sentry.savedsearch", 56)]
    src = export_file([*base_records(), *records])
    run_import(silos, tmp_path, "global", src)
    run_import(silos, tmp_path, "global", src)

    monitors = silos.rows("region", "SELECT guid FROM sentry_monitor ORDER BY id")
    assert str(monitors[0].guid) == MONITOR_GUID
    assert len({m.guid for m in monitors}) == 2
    subscriptions = silos.rows("region", "SELECT subscription_id, status "
                                         "FROM sentry_querysubscription ORDER BY id")
    # The second copy is left for Sentry to subscribe again (status "creating").
    assert [tuple(s) for s in subscriptions] == [(SUBSCRIPTION_ID, 0), (None, 1)]
    hooks = silos.rows("region", "SELECT guid FROM sentry_servicehook ORDER BY id")
    assert hooks[0].guid == HOOK_GUID
    assert len({h.guid for h in hooks}) == 2 and all(len(h.guid) == 32 for h in hooks)
    incidents = silos.rows("region", "SELECT detection_uuid FROM sentry_incident")
    assert len({i.detection_uuid for i in incidents}) == 2
    assert silos.count("region", "sentry_dashboard") == 2


def test_global_saved_search_only_in_global_scope(silos: Silos, tmp_path: Path,
                                                  export_file: Any) -> None:
    """Sentry C23: a Global import brings the global search; an organizations import of the
    same export adds only the organization's searches."""
    src = export_file([*base_records(), saved_search(54, "Mine", owner=11),
                       saved_search(56, "Unresolved", owner=None, is_global=True)])
    run_import(silos, tmp_path, "global", src)
    assert silos.count("region", "sentry_savedsearch", "is_global") == 1
    run_import(silos, tmp_path, "organizations", src)
    assert silos.count("region", "sentry_savedsearch", "is_global") == 1
    assert silos.count("region", "sentry_savedsearch", "NOT is_global") == 2

    # A global search of that name exists now: a second Global import reuses it (Sentry's
    # partial key would refuse the import; see docs/compatibility.md).
    run_import(silos, tmp_path, "global", src)
    assert silos.count("region", "sentry_savedsearch", "is_global") == 1
    (chunk,) = silos.rows("region", "SELECT existing_map FROM sentry_regionimportchunk WHERE "
                                    "model = 'sentry.savedsearch' ORDER BY id DESC LIMIT 1")
    assert list(chunk.existing_map) == ["56"]


def test_partial_unique_keys_still_hold_where_they_apply(silos: Silos, tmp_path: Path,
                                                          export_file: Any) -> None:
    """Two snoozes of one rule for everyone break the partial key: the import fails."""
    snoozes = [rec("sentry.rulesnooze", pk, rule=53, alert_rule=None, user_id=None,
                   owner_id=11, until=None, date_added=WHEN) for pk in (92, 93)]
    findings = tmp_path / "findings.json"
    result = silos.relocate("import", "organizations",
                            export_file([*base_records(), *snoozes]), "--no-prompt",
                            "--findings-file", findings)
    assert result.code != 0
    assert "sentry.rulesnooze" in findings.read_text()
    assert silos.count("region", "sentry_rulesnooze") == 0


def test_group_search_view_lands(silos: Silos, tmp_path: Path, export_file: Any) -> None:
    view = rec("sentry.groupsearchview", 151, organization=21, user_id=11, name="Mine",
               query="is:unresolved", query_sort="date", position=0, date_added=WHEN,
               date_updated=WHEN)
    findings = tmp_path / "findings.json"
    result = silos.relocate("import", "organizations", export_file([*base_records(), view]),
                            "--no-prompt", "--findings-file", findings)
    assert result.code == 0, result.stderr
    assert_landed_with_references(silos, view, pk_map(silos))
