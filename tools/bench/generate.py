"""`relocate bench generate`: a deterministic Sentry-shaped export.

The export has a realistic fan-out (users shared between organizations through memberships;
teams, projects, keys, options and rules per organization), streamed through one spool file per
model and concatenated in dependency order, so memory stays constant whatever the size and the
same seed always gives the same bytes. Every random draw happens in a fixed order: a change to
the order of the calls below changes every export after it.
"""

from __future__ import annotations

import hashlib
import random
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import orjson

from tools.bench.vocabulary import (
    ADJECTIVES,
    ALNUM,
    B64,
    DOMAINS,
    ENVIRONMENTS,
    EPOCH,
    EXPORT_ORDER,
    FIRST,
    INSTANCE_OPTIONS,
    LARGE,
    LARGE_SHARE,
    LAST,
    NOUNS,
    ORG_OPTIONS,
    OWNERSHIP_SCHEMA,
    PLATFORMS,
    PROJECT_OPTIONS,
    RULE_DATA,
    SEARCHES,
    SMALL,
    TEAM_WORDS,
    USER_OPTIONS,
    WIDGETS,
    YEAR,
    FanOut,
)


@dataclass
class GeneratedExport:
    """What `generate` wrote: per-model record counts (in file order) and the fan-out."""

    path: Path
    seed: int
    counts: dict[str, int]
    organizations: int
    users: int
    memberships: int  # organization members that are users (invites not counted)
    shared_users: int  # users who are members of two or more organizations

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def to_json(self) -> dict[str, Any]:
        return {"path": str(self.path), "seed": self.seed, "records": self.total,
                "counts": self.counts, "organizations": self.organizations,
                "users": self.users, "memberships": self.memberships,
                "shared_users": self.shared_users}


class _Spool:
    """One append-only spool file per model; pks are counted per model from 1."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(tempfile.mkdtemp(prefix=".bench-spool-", dir=directory))
        self.handles: dict[str, IO[bytes]] = {}
        self.counts: dict[str, int] = dict.fromkeys(EXPORT_ORDER, 0)
        self.total = 0

    def emit(self, model: str, fields: dict[str, Any]) -> int:
        handle = self.handles.get(model)
        if handle is None:
            handle = self.handles[model] = (self.directory / model).open("wb", 1 << 20)
        pk = self.counts[model] + 1
        self.counts[model] = pk
        self.total += 1
        handle.write(b",\n" + orjson.dumps({"model": model, "pk": pk, "fields": fields}))
        return pk

    def next_pk(self, model: str) -> int:
        """The pk the model's next record gets (secrets are made unique with it)."""
        return self.counts[model] + 1

    def write_to(self, out: IO[bytes]) -> None:
        """`[`, every model's records in EXPORT_ORDER, `]`."""
        for handle in self.handles.values():
            handle.close()
        out.write(b"[")
        first = True
        for model in EXPORT_ORDER:
            if not self.counts[model]:
                continue
            with (self.directory / model).open("rb") as f:
                if first:  # the first record takes "[\n" instead of ",\n"
                    f.seek(1)
                    first = False
                shutil.copyfileobj(f, out, 1 << 20)
        out.write(b"\n]\n")

    def close(self) -> None:
        for handle in self.handles.values():
            handle.close()
        shutil.rmtree(self.directory, ignore_errors=True)


@dataclass
class _Organization:
    """What the records of one organization refer back to while it is being generated."""

    index: int
    pk: int
    users: list[int]  # indexes of its members' users, its owner first
    owner_pk: int  # pk of the owner's user


class _Generator:
    """Emits the records of the instance and of one organization at a time, one method per
    family of models, each drawing from the one random stream in a fixed order."""

    def __init__(self, spool: _Spool, seed: int) -> None:
        self.w = spool
        self.rng = random.Random(f"relocation-bench:{seed}")
        self.salt = self.rng.randrange(1 << 16)
        self.users = 0
        self.memberships = 0
        self.member_of = bytearray()  # per user: organizations joined (saturating at 255)

    # values

    def date(self, start: int = EPOCH, span: int = 2 * YEAR) -> str:
        moment = start + self.rng.randrange(span)
        return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(moment)) + \
            f".{self.rng.randrange(1000):03d}Z"

    def text(self, alphabet: str, length: int) -> str:
        return "".join(self.rng.choices(alphabet, k=length))

    def unique_hex(self, prefix: int, length: int) -> str:
        """`length` hex digits, unique because they start with a counter."""
        random_digits = length - 12
        return f"{prefix:012x}{self.rng.getrandbits(random_digits * 4):0{random_digits}x}"

    def email(self, user: int) -> str:
        first = FIRST[(user + self.salt) % len(FIRST)]
        last = LAST[(user * 7 + self.salt) % len(LAST)]
        return f"{first}.{last}.{user}@{DOMAINS[(user + self.salt) % len(DOMAINS)]}"

    def options(self, model: str, owner_field: str, owner: int,
                table: tuple[tuple[str, tuple[Any, ...]], ...], most: int) -> None:
        """Between one and `most` distinct options of `table`, each with one of its values."""
        for key, values in self.rng.sample(table, self.rng.randint(1, most)):
            self.w.emit(model, {owner_field: owner, "key": key, "value": self.rng.choice(values)})

    # the instance and its users

    def instance_options(self) -> None:
        for model, key, value in INSTANCE_OPTIONS:
            self.w.emit(model, {"key": key, "last_updated": self.date(),
                                "last_updated_by": "unknown", "value": value})

    def user(self) -> int:
        """A user with emails and options; returns its index (pk - 1)."""
        index = self.users
        self.users += 1
        self.member_of.append(0)
        address = self.email(index)
        joined = self.date()
        pk = self.w.emit("sentry.user", {
            "password": f"pbkdf2_sha256$150000${self.text(ALNUM, 12)}$"
                        f"{self.text(B64, 43)}=",
            "last_login": self.date() if self.rng.random() < 0.7 else None,
            "username": address, "name": f"{address.split('.')[0].title()} "
                                          f"{address.split('.')[1].title()}",
            "email": address, "is_staff": False, "is_active": True, "is_superuser": False,
            "is_managed": False, "is_sentry_app": None, "is_password_expired": False,
            "is_unclaimed": False, "last_password_change": self.date(), "flags": "0",
            "session_nonce": None, "date_joined": joined, "last_active": self.date(),
            "avatar_type": 0, "avatar_url": None})
        assert pk == index + 1
        addresses = [address]
        if self.rng.random() < 0.2:
            addresses.append(f"{address.split('@')[0]}+work@{DOMAINS[-1]}")
        for one in addresses:
            self.w.emit("sentry.email", {"email": one, "date_added": joined})
            self.w.emit("sentry.useremail", {
                "user": pk, "email": one, "validation_hash": self.text(ALNUM, 32),
                "date_hash_added": joined, "is_verified": self.rng.random() < 0.8})
        for key, values in self.rng.sample(USER_OPTIONS, self.rng.randint(0, 3)):
            self.w.emit("sentry.useroption", {
                "user": pk, "project_id": None, "organization_id": None, "key": key,
                "value": orjson.dumps(self.rng.choice(values)).decode()})
        return index

    # one organization

    def organization(self, index: int) -> None:
        """An organization and everything in it: members (its own users, users shared with
        earlier organizations, pending invites), teams, environments, projects, dashboards,
        searches and auth tokens."""
        fan_out = LARGE if self.rng.random() < LARGE_SHARE else SMALL
        org = self.organization_record(index, fan_out)
        member_pks = self.members(org)
        self.invites(org)
        teams = self.teams(org, fan_out)
        self.team_memberships(member_pks, teams)
        environments = [self.w.emit("sentry.environment", {
            "organization_id": org.pk, "name": name, "date_added": self.date()})
            for name in ENVIRONMENTS[:self.rng.randint(1, 3)]]
        projects = [self.project(org, k, teams, environments)
                    for k in range(self.rng.randint(*fan_out.projects))]
        self.dashboards(org)
        self.searches(org)
        if self.rng.random() < 0.3:
            self.auth_tokens(org, projects)

    def organization_record(self, index: int, fan_out: FanOut) -> _Organization:
        """The organization, its options, and the users who will be its members (their own
        users are generated here, before any member record)."""
        rng = self.rng
        adjective, noun = rng.choice(ADJECTIVES), rng.choice(NOUNS)
        pk = self.w.emit("sentry.organization", {
            "name": f"{adjective.title()} {noun.title()} {index}",
            "slug": f"{adjective}-{noun}-{index}", "status": 0, "date_added": self.date(),
            "default_role": "member", "is_test": False, "flags": "1"})
        self.options("sentry.organizationoption", "organization", pk, ORG_OPTIONS, 4)
        earlier = self.users
        home = [self.user() for _ in range(rng.randint(*fan_out.home_users))]
        shared = rng.sample(range(earlier), min(earlier, rng.randint(*fan_out.shared_users)))
        users = home + shared
        return _Organization(index, pk, users, owner_pk=users[0] + 1)

    def members(self, org: _Organization) -> list[int]:
        """One member per user, the first the owner; returns the members' pks."""
        rng = self.rng
        member_pks: list[int] = []
        for position, user in enumerate(org.users):
            self.member_of[user] = min(255, self.member_of[user] + 1)
            role = "owner" if position == 0 else rng.choices(
                ("member", "admin", "manager", "owner"), (80, 10, 7, 3))[0]
            member_pks.append(self.w.emit("sentry.organizationmember", {
                "organization": org.pk, "user_id": user + 1, "email": None, "role": role,
                "flags": "0", "token": None, "date_added": self.date(), "token_expires_at": None,
                "has_global_access": True,
                "inviter_id": org.owner_pk if position and rng.random() < 0.3 else None,
                "invite_status": 0, "type": 50, "user_is_active": True,
                "user_email": self.email(user)}))
        self.memberships += len(org.users)
        return member_pks

    def invites(self, org: _Organization) -> None:
        """Pending invites: members with an email and a token but no user."""
        for invite in range(self.rng.randint(0, 2)):
            pk = self.w.next_pk("sentry.organizationmember")
            self.w.emit("sentry.organizationmember", {
                "organization": org.pk, "user_id": None,
                "email": f"invitee{invite}.{org.index}@example.org", "role": "member",
                "flags": "0", "token": self.unique_hex(pk, 64), "date_added": self.date(),
                "token_expires_at": self.date(EPOCH + 2 * YEAR, 30 * 86_400),
                "has_global_access": True, "inviter_id": org.owner_pk, "invite_status": 1,
                "type": 50, "user_is_active": True, "user_email": None})

    def teams(self, org: _Organization, fan_out: FanOut) -> list[int]:
        teams = []
        for k in range(self.rng.randint(*fan_out.teams)):
            word = TEAM_WORDS[(org.index + k) % len(TEAM_WORDS)]
            teams.append(self.w.emit("sentry.team", {
                "organization": org.pk, "slug": f"{word}-{k + 1}",
                "name": f"{word.title()} {k + 1}", "status": 0, "idp_provisioned": False,
                "date_added": self.date()}))
        return teams

    def team_memberships(self, member_pks: list[int], teams: list[int]) -> None:
        """Every member joins one team, some two."""
        rng = self.rng
        for member in member_pks:
            joined = rng.sample(teams, 2 if len(teams) > 1 and rng.random() < 0.3 else 1)
            for team in joined:
                self.w.emit("sentry.organizationmemberteam", {
                    "team": team, "organizationmember": member, "is_active": True,
                    "role": "admin" if rng.random() < 0.05 else None})

    # one project

    def project(self, org: _Organization, k: int, teams: list[int],
                environments: list[int]) -> int:
        """A project and what hangs off it; returns its pk."""
        rng, w = self.rng, self.w
        kind = rng.choice(PLATFORMS)
        project = w.emit("sentry.project", {
            "slug": f"{kind}-{k + 1}", "name": f"{kind.title()} {k + 1}",
            "forced_color": None, "organization": org.pk, "public": False,
            "date_added": self.date(),
            "status": 0, "first_event": self.date() if rng.random() < 0.8 else None,
            "flags": "10", "platform": kind})
        owners = rng.sample(teams, 2 if len(teams) > 1 and rng.random() < 0.2 else 1)
        for team in owners:
            w.emit("sentry.projectteam", {"project": project, "team": team})
        for environment in environments:
            if rng.random() < 0.8:
                w.emit("sentry.environmentproject", {
                    "project": project, "environment": environment,
                    "is_hidden": None if rng.random() < 0.7 else False})
        self.project_keys(project)
        self.options("sentry.projectoption", "project", project, PROJECT_OPTIONS, 3)
        if rng.random() < 0.3:
            self.ownership(org, project)
        for user in rng.sample(org.users, min(len(org.users), rng.randint(0, 2))):
            w.emit("sentry.projectbookmark", {
                "project": project, "user_id": user + 1, "date_added": self.date()})
        if rng.random() < 0.8:
            w.emit("sentry.counter", {"project": project, "value": rng.randint(1, 5000)})
        for _ in range(rng.randint(1, 2)):
            self.rule(org, project, owners, environments)
        if rng.random() < 0.2:
            self.monitor(org, project, k)
        for user in org.users:
            if rng.random() < 0.1:
                w.emit("sentry.useroption", {
                    "user": user + 1, "project_id": project, "organization_id": None,
                    "key": "mail:alert", "value": "0"})
        return project

    def project_keys(self, project: int) -> None:
        """One key, sometimes two."""
        for n in range(2 if self.rng.random() < 0.1 else 1):
            key_pk = self.w.next_pk("sentry.projectkey")
            self.w.emit("sentry.projectkey", {
                "project": project, "label": "Default" if n == 0 else "Secondary",
                "public_key": self.unique_hex(key_pk, 32),
                "secret_key": self.unique_hex(key_pk, 32), "roles": "1", "status": 0,
                "date_added": self.date(), "rate_limit_count": None,
                "rate_limit_window": None,
                "data": {"dynamicSdkLoaderOptions": {"hasPerformance": True,
                                                     "hasReplay": self.rng.random() < 0.5}}})

    def ownership(self, org: _Organization, project: int) -> None:
        self.w.emit("sentry.projectownership", {
            "project": project, "raw": f"path:src/* #{TEAM_WORDS[org.index % 12]}-1",
            "schema": OWNERSHIP_SCHEMA, "fallthrough": True, "auto_assignment": True,
            "date_created": self.date(), "last_updated": self.date(),
            "is_active": True, "codeowners_auto_sync": True,
            "suspect_committer_auto_assignment": False})

    def rule(self, org: _Organization, project: int, owners: list[int],
             environments: list[int]) -> None:
        """An alert rule, owned by a user, a team or no one, and its creation activity."""
        rng = self.rng
        owner = rng.random()
        owner_user = rng.choice(org.users) + 1 if owner < 0.2 else None
        rule = self.w.emit("sentry.rule", {
            "project": project,
            "environment_id": environments[0] if rng.random() < 0.3 else None,
            "label": "Send a notification for new issues", "data": RULE_DATA,
            "status": 0, "source": 0, "date_added": self.date(),
            "owner_user_id": owner_user,
            "owner_team": rng.choice(owners) if 0.2 <= owner < 0.6 else None})
        self.w.emit("sentry.ruleactivity", {
            "rule": rule, "user_id": owner_user, "type": 1, "date_added": self.date()})

    def monitor(self, org: _Organization, project: int, k: int) -> None:
        rng = self.rng
        guid = self.unique_hex(self.w.next_pk("sentry.monitor"), 32)
        self.w.emit("sentry.monitor", {
            "guid": f"{guid[:8]}-{guid[8:12]}-{guid[12:16]}-{guid[16:20]}-{guid[20:]}",
            "slug": f"nightly-job-{k + 1}", "organization_id": org.pk,
            "project_id": project, "name": f"Nightly job {k + 1}", "status": 0,
            "is_muted": False, "date_added": self.date(),
            "config": {"schedule": "0 3 * * *", "schedule_type": 1,
                       "checkin_margin": None, "max_runtime": None},
            "owner_user_id": rng.choice(org.users) + 1 if rng.random() < 0.3 else None,
            "owner_team_id": None})

    # the organization's own pages

    def dashboards(self, org: _Organization) -> None:
        rng = self.rng
        for d in range(rng.randint(1, 3) if rng.random() < 0.4 else 0):
            dashboard = self.w.emit("sentry.dashboard", {
                "title": f"Dashboard {d + 1}", "created_by_id": rng.choice(org.users) + 1,
                "organization": org.pk, "date_added": self.date(),
                "visits": rng.randint(1, 500), "last_visited": self.date(), "filters": None})
            for order, widget in enumerate(rng.sample(WIDGETS, rng.randint(1, 4))):
                self.widget(dashboard, order, *widget)

    def widget(self, dashboard: int, order: int, title: str, aggregate: str,
               display: int) -> None:
        widget = self.w.emit("sentry.dashboardwidget", {
            "dashboard": dashboard, "order": order, "title": title,
            "description": None, "thresholds": None, "interval": "5m",
            "display_type": display, "date_added": self.date(), "widget_type": 0,
            "limit": 5 if display == 5 else None, "detail": None,
            "discover_widget_split": None, "dataset_source": 0})
        self.w.emit("sentry.dashboardwidgetquery", {
            "widget": widget, "name": "", "fields": orjson.dumps([aggregate]).decode(),
            "conditions": "", "aggregates": orjson.dumps([aggregate]).decode(),
            "columns": "[]", "field_aliases": '[""]', "orderby": "", "order": 0,
            "date_added": self.date(), "date_modified": self.date(),
            "is_hidden": False, "selected_aggregate": None})

    def searches(self, org: _Organization) -> None:
        """Saved searches of a few members, and every member's recent searches."""
        rng, users = self.rng, org.users
        for n, user in enumerate(rng.sample(users, min(len(users), rng.randint(0, 2)))):
            self.w.emit("sentry.savedsearch", {
                "organization": org.pk, "owner_id": user + 1, "type": 0,
                "name": f"My search {n + 1}", "query": rng.choice(SEARCHES), "sort": "date",
                "date_added": self.date(), "is_global": False, "visibility": "owner"})
        for user in users:
            for query in rng.sample(SEARCHES, rng.randint(0, 2)):
                self.w.emit("sentry.recentsearch", {
                    "organization": org.pk, "user_id": user + 1, "type": 0, "query": query,
                    "query_hash": hashlib.md5(query.encode(), usedforsecurity=False).hexdigest(),
                    "last_seen": self.date(), "date_added": self.date()})

    def auth_tokens(self, org: _Organization, projects: list[int]) -> None:
        rng = self.rng
        for n in range(rng.randint(1, 2)):
            hashed = self.unique_hex(self.w.next_pk("sentry.orgauthtoken"), 64)
            self.w.emit("sentry.orgauthtoken", {
                "organization_id": org.pk, "token_hashed": hashed,
                "token_last_characters": hashed[-4:], "name": f"CI token {n + 1}",
                "scope_list": '["org:ci"]', "created_by": org.owner_pk,
                "date_added": self.date(),
                "date_last_used": self.date() if rng.random() < 0.5 else None,
                "project_last_used_id": rng.choice(projects) if rng.random() < 0.5 else None,
                "date_deactivated": None})


def generate(out: Path, records: int, seed: int) -> GeneratedExport:
    """Write an export of about `records` records (whole organizations, so it stops at the
    first organization boundary at or past `records`)."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    spool = _Spool(out.parent)
    try:
        gen = _Generator(spool, seed)
        gen.instance_options()
        organizations = 0
        while organizations == 0 or spool.total < records:
            gen.organization(organizations)
            organizations += 1
        partial = out.with_name(out.name + ".partial")
        with partial.open("wb") as f:
            spool.write_to(f)
        partial.replace(out)
    finally:
        spool.close()
    return GeneratedExport(
        path=out, seed=seed, counts={m: c for m, c in spool.counts.items() if c},
        organizations=organizations, users=gen.users, memberships=gen.memberships,
        shared_users=sum(1 for n in gen.member_of if n >= 2))
