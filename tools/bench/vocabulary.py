"""What the benchmark's generated export is made of: the models in file order, and the names,
words and option values its records draw from (data, so the generator's code stays one shape)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson

# The order models appear in the file: every record comes after the records it references.
EXPORT_ORDER = (
    "sentry.option", "sentry.controloption",
    "sentry.user", "sentry.email", "sentry.useremail",
    "sentry.organization", "sentry.organizationoption", "sentry.organizationmember",
    "sentry.team", "sentry.organizationmemberteam", "sentry.environment",
    "sentry.project", "sentry.projectteam", "sentry.environmentproject", "sentry.projectkey",
    "sentry.projectoption", "sentry.projectownership", "sentry.projectbookmark",
    "sentry.counter", "sentry.rule", "sentry.ruleactivity", "sentry.monitor",
    "sentry.dashboard", "sentry.dashboardwidget", "sentry.dashboardwidgetquery",
    "sentry.savedsearch", "sentry.recentsearch", "sentry.useroption", "sentry.orgauthtoken",
)

EPOCH = 1_609_459_200  # 2021-01-01T00:00:00Z
YEAR = 365 * 86_400
ALNUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
B64 = ALNUM + "+/"
FIRST = ("ada", "alan", "barbara", "claude", "dennis", "edsger", "frances", "grace", "guido",
         "hedy", "ken", "linus", "margaret", "niklaus", "radia", "sophie", "tim", "yukihiro")
LAST = ("lovelace", "turing", "liskov", "shannon", "ritchie", "dijkstra", "allen", "hopper",
        "rossum", "lamarr", "thompson", "torvalds", "hamilton", "wirth", "perlman", "wilson",
        "lee", "matsumoto")
DOMAINS = ("example.com", "example.org", "example.net", "corp.example", "mail.example")
ADJECTIVES = ("amber", "brisk", "calm", "dusty", "eager", "frosty", "gentle", "hidden", "icy",
              "jolly", "keen", "lively", "mellow", "nimble", "orange", "proud", "quiet", "rapid")
NOUNS = ("otter", "falcon", "maple", "harbor", "comet", "canyon", "meadow", "summit", "river",
         "lantern", "willow", "ember", "glacier", "pine", "quartz", "reef", "tundra", "zephyr")
TEAM_WORDS = ("backend", "frontend", "mobile", "platform", "infra", "data", "payments", "growth",
              "search", "security", "sre", "web")
PLATFORMS = ("python", "javascript", "javascript-react", "node", "go", "java", "ruby", "php",
             "android", "cocoa", "python-django", "dotnet")
TIMEZONES = ("UTC", "Europe/Vienna", "Europe/Berlin", "America/New_York", "America/Los_Angeles",
             "Asia/Tokyo", "Australia/Sydney")
USER_OPTIONS: tuple[tuple[str, tuple[Any, ...]], ...] = (
    ("timezone", TIMEZONES),
    ("language", ("en", "de", "fr", "ja", "es")),
    ("theme", ("light", "dark", "system")),
    ("stacktrace_order", ("-1", "1", "2")),
    ("clock_24_hours", (True, False)),
)
ORG_OPTIONS: tuple[tuple[str, tuple[Any, ...]], ...] = (
    ("sentry:require_scrub_defaults", (True, False)),
    ("sentry:scrub_ip_address", (True, False)),
    ("sentry:join_requests", (True, False)),
    ("sentry:events_member_admin", (True, False)),
    ("sentry:alerts_member_write", (True, False)),
    ("sentry:sensitive_fields", (["card_number"], ["password", "ssn"], [])),
    ("sentry:safe_fields", (["order_id"], [])),
)
PROJECT_OPTIONS: tuple[tuple[str, tuple[Any, ...]], ...] = (
    ("sentry:origins", ('["*"]', '["https://app.example.com"]')),
    ("sentry:resolve_age", (0, 24, 168, 720)),
    ("sentry:scrub_data", (True, False)),
    ("sentry:option-epoch", (10, 11, 12)),
    ("sentry:grouping_config", ("newstyle:2023-01-11", "newstyle:2019-10-29")),
    ("sentry:token", ("a1b2c3d4e5f60718293a4b5c6d7e8f90",)),
)
RULE_DATA = orjson.dumps({
    "match": "all",
    "conditions": [{"id": "sentry.rules.conditions.first_seen_event.FirstSeenEventCondition"}],
    "actions": [{"id": "sentry.mail.actions.NotifyEmailAction", "targetType": "IssueOwners",
                 "targetIdentifier": None, "fallthroughType": "ActiveMembers"}],
}).decode()
ENVIRONMENTS = ("production", "staging", "development")
SEARCHES = ("is:unresolved", "is:unresolved is:for_review", "is:unresolved assigned:me",
            "is:unresolved level:error", "is:unresolved release:latest",
            "is:unresolved browser.name:Chrome", "is:ignored", "is:resolved")
WIDGETS = (("Errors over time", "count()", 0), ("Users affected", "count_unique(user)", 0),
           ("Slowest transactions", "p95(transaction.duration)", 4),
           ("Top issues", "count()", 5), ("Crash free sessions", "crash_free_rate(session)", 1))
OWNERSHIP_SCHEMA = {"$version": 1, "rules": [
    {"matcher": {"type": "path", "pattern": "src/*"},
     "owners": [{"type": "team", "identifier": "backend"}]}]}
INSTANCE_OPTIONS = (
    ("sentry.option", "sentry:install-id", '"1bc81f9440424e908a73ca377581cb52682db68a"'),
    ("sentry.option", "sentry:latest_version", '"23.6.1"'),
    ("sentry.option", "sentry:last_worker_version", '"23.7.0.dev0"'),
    ("sentry.option", "sentry:last_worker_ping", 1687902001.2623305),
    ("sentry.controloption", "sentry:install-id", '"1bc81f9440424e908a73ca377581cb52682db68a"'),
    ("sentry.controloption", "system.url-prefix", '"https://sentry.example.com"'),
)


@dataclass(frozen=True)
class FanOut:
    """How many of each an organization gets: bounds for `randint`, per size of organization."""

    home_users: tuple[int, int]  # users of its own
    shared_users: tuple[int, int]  # users already members of other organizations
    teams: tuple[int, int]
    projects: tuple[int, int]


SMALL = FanOut(home_users=(1, 6), shared_users=(0, 3), teams=(1, 3), projects=(1, 4))
LARGE = FanOut(home_users=(10, 40), shared_users=(5, 20), teams=(3, 8), projects=(5, 20))
LARGE_SHARE = 0.05  # the chance that an organization is large
