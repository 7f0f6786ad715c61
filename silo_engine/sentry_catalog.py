"""Which silo every Sentry model lives in, relocatable or not.

A silo answers IncorrectSiloModeForModel (instead of UnknownModel) for a model that exists but
belongs to the other silo. Checked against Sentry's model_dependencies by tests/test_catalog.py.
"""

from __future__ import annotations

from wire.scopes import Silo

CONTROL_MODELS = frozenset({
    "hybridcloud.controlcacheversion", "hybridcloud.externalactorreplica",
    "hybridcloud.webhookpayload", "sentry.apiapplication", "sentry.apiauthorization",
    "sentry.apigrant", "sentry.apikey", "sentry.apitoken", "sentry.assistantactivity",
    "sentry.auditlogentry", "sentry.authenticator", "sentry.authidentity", "sentry.authprovider",
    "sentry.authproviderdefaultteams", "sentry.broadcast", "sentry.broadcastseen",
    "sentry.controlfile", "sentry.controlfileblob", "sentry.controlfileblobindex",
    "sentry.controlfileblobowner", "sentry.controlimportchunk", "sentry.controloption",
    "sentry.controloutbox", "sentry.controltombstone", "sentry.docintegration",
    "sentry.docintegrationavatar", "sentry.email", "sentry.identity", "sentry.identityprovider",
    "sentry.integration", "sentry.integrationexternalproject", "sentry.integrationfeature",
    "sentry.lostpasswordhash", "sentry.notificationsettingoption",
    "sentry.notificationsettingprovider", "sentry.organizationintegration",
    "sentry.organizationmapping", "sentry.organizationmembermapping",
    "sentry.organizationmemberteamreplica", "sentry.organizationslugreservation",
    "sentry.orgauthtoken", "sentry.scheduleddeletion", "sentry.sentryapp",
    "sentry.sentryappavatar", "sentry.sentryappcomponent", "sentry.sentryappinstallation",
    "sentry.sentryappinstallationforprovider", "sentry.sentryappinstallationtoken",
    "sentry.teamreplica", "sentry.user", "sentry.useravatar", "sentry.useremail", "sentry.userip",
    "sentry.useroption", "sentry.userpermission", "sentry.userrole", "sentry.userroleuser",
    "social_auth.usersocialauth",
})

REGION_MODELS = frozenset({
    "feedback.feedback", "flags.flagauditlogmodel", "flags.flagwebhooksigningsecretmodel",
    "hybridcloud.apikeyreplica", "hybridcloud.apitokenreplica",
    "hybridcloud.organizationslugreservationreplica", "hybridcloud.orgauthtokenreplica",
    "hybridcloud.regioncacheversion", "nodestore.node", "replays.replayrecordingsegment",
    "sentry.activity", "sentry.alertrule", "sentry.alertruleactivationcondition",
    "sentry.alertruleactivations", "sentry.alertruleactivity", "sentry.alertruleprojects",
    "sentry.alertruletrigger", "sentry.alertruletriggeraction", "sentry.artifactbundle",
    "sentry.artifactbundleindex", "sentry.authidentityreplica", "sentry.authproviderreplica",
    "sentry.commit", "sentry.commitauthor", "sentry.commitfilechange",
    "sentry.controlimportchunkreplica", "sentry.counter", "sentry.customdynamicsamplingrule",
    "sentry.customdynamicsamplingruleproject", "sentry.dashboard", "sentry.dashboardfavoriteuser",
    "sentry.dashboardpermissions", "sentry.dashboardpermissionsteam", "sentry.dashboardproject",
    "sentry.dashboardtombstone", "sentry.dashboardwidget", "sentry.dashboardwidgetquery",
    "sentry.dashboardwidgetqueryondemand", "sentry.datasecrecywaiver",
    "sentry.debugidartifactbundle", "sentry.deletedorganization", "sentry.deletedproject",
    "sentry.deletedteam", "sentry.deploy", "sentry.discoversavedquery",
    "sentry.discoversavedqueryproject", "sentry.distribution", "sentry.environment",
    "sentry.environmentproject", "sentry.eventattachment", "sentry.exporteddata",
    "sentry.exporteddatablob", "sentry.externalactor", "sentry.externalissue",
    "sentry.featureadoption", "sentry.file", "sentry.fileblob", "sentry.fileblobindex",
    "sentry.fileblobowner", "sentry.group", "sentry.groupassignee", "sentry.groupbookmark",
    "sentry.groupcommitresolution", "sentry.groupemailthread", "sentry.groupenvironment",
    "sentry.grouphash", "sentry.grouphashmetadata", "sentry.grouphistory", "sentry.groupinbox",
    "sentry.grouplink", "sentry.groupmeta", "sentry.groupowner", "sentry.groupredirect",
    "sentry.grouprelease", "sentry.groupresolution", "sentry.grouprulestatus",
    "sentry.groupsearchview", "sentry.groupseen", "sentry.groupshare", "sentry.groupsnooze",
    "sentry.groupsubscription", "sentry.grouptombstone", "sentry.incident",
    "sentry.incidentactivity", "sentry.incidentproject", "sentry.incidentsnapshot",
    "sentry.incidenttrigger", "sentry.latestreporeleaseenvironment", "sentry.monitor",
    "sentry.monitorcheckin", "sentry.monitorenvbrokendetection", "sentry.monitorenvironment",
    "sentry.monitorincident", "sentry.monitorlocation", "sentry.neglectedrule",
    "sentry.notificationaction", "sentry.notificationactionproject", "sentry.notificationmessage",
    "sentry.option", "sentry.organization", "sentry.organizationaccessrequest",
    "sentry.organizationavatar", "sentry.organizationmember", "sentry.organizationmemberteam",
    "sentry.organizationonboardingtask", "sentry.organizationoption",
    "sentry.pendingincidentsnapshot", "sentry.perfstringindexer", "sentry.platformexternalissue",
    "sentry.proguardartifactrelease", "sentry.project", "sentry.projectartifactbundle",
    "sentry.projectbookmark", "sentry.projectcodeowners", "sentry.projectdebugfile",
    "sentry.projectintegration", "sentry.projectkey", "sentry.projectoption",
    "sentry.projectownership", "sentry.projectplatform", "sentry.projectredirect",
    "sentry.projectteam", "sentry.projecttemplate", "sentry.projecttemplateoption",
    "sentry.projecttransactionthreshold", "sentry.projecttransactionthresholdoverride",
    "sentry.promptsactivity", "sentry.pullrequest", "sentry.pullrequestcomment",
    "sentry.pullrequestcommit", "sentry.querysubscription", "sentry.recentsearch",
    "sentry.regionimportchunk", "sentry.regionoutbox", "sentry.regionscheduleddeletion",
    "sentry.regiontombstone", "sentry.regressiongroup", "sentry.relay", "sentry.relayusage",
    "sentry.release", "sentry.releaseactivity", "sentry.releaseartifactbundle",
    "sentry.releasecommit", "sentry.releaseenvironment", "sentry.releasefile",
    "sentry.releaseheadcommit", "sentry.releaseproject", "sentry.releaseprojectenvironment",
    "sentry.releasethreshold", "sentry.relocation", "sentry.relocationfile",
    "sentry.relocationvalidation", "sentry.relocationvalidationattempt", "sentry.repository",
    "sentry.repositoryprojectpathconfig", "sentry.rollbackorganization", "sentry.rollbackuser",
    "sentry.rule", "sentry.ruleactivity", "sentry.rulefirehistory", "sentry.rulesnooze",
    "sentry.savedsearch", "sentry.sentryshot", "sentry.servicehook", "sentry.servicehookproject",
    "sentry.snubaquery", "sentry.snubaqueryeventtype", "sentry.stringindexer", "sentry.team",
    "sentry.teamkeytransaction", "sentry.timeseriessnapshot", "sentry.userreport",
    "tempest.tempestcredentials", "uptime.projectuptimesubscription", "uptime.uptimesubscription",
    "uptime.uptimesubscriptionregion", "workflow_engine.action",
    "workflow_engine.alertruledetector", "workflow_engine.alertruletriggerdatacondition",
    "workflow_engine.alertruleworkflow", "workflow_engine.datacondition",
    "workflow_engine.dataconditiongroup", "workflow_engine.dataconditiongroupaction",
    "workflow_engine.datasource", "workflow_engine.datasourcedetector",
    "workflow_engine.detector", "workflow_engine.detectorstate",
    "workflow_engine.detectorworkflow", "workflow_engine.workflow",
    "workflow_engine.workflowdataconditiongroup", "workflow_engine.workflowgroupstatus",
})


def silo_of(model: str) -> Silo | None:
    """The silo that owns `model` in Sentry, or None for a name Sentry does not have."""
    if model in CONTROL_MODELS:
        return Silo.CONTROL
    if model in REGION_MODELS:
        return Silo.REGION
    return None
