"""Who a filter selects: organizations by slug, then the users who are members of them, or
users by username; then those users' email addresses.

Email rows have no reference to a user, so they cannot be selected through references: their
addresses are gathered from the users and their UserEmail rows. The import reads the records
from its spilled export, the export from the silos; both select the same way, here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from orchestrator.model_names import MEMBER, ORGANIZATION, USER, USEREMAIL

# A model's records ({"model", "pk", "fields"}), by model name.
Records = Callable[[str], Iterable[dict[str, Any]]]


@dataclass(frozen=True)
class Selection:
    """The organizations (by pk) an organization filter selects, and the users (by pk) either
    filter selects; None where no filter selects them."""

    organizations: frozenset[int] | None = None
    users: frozenset[int] | None = None


def select(records: Records, org_slugs: frozenset[str] | None,
           usernames: frozenset[str] | None) -> Selection:
    """The organization filter wins over the username filter, as on the command line."""
    if org_slugs is not None:
        organizations = frozenset(r["pk"] for r in records(ORGANIZATION)
                                  if r["fields"].get("slug") in org_slugs)
        users = {r["fields"].get("user_id") for r in records(MEMBER)
                 if r["fields"].get("organization") in organizations}
        users.discard(None)
        return Selection(organizations, frozenset(users))
    if usernames is not None:
        return Selection(None, frozenset(r["pk"] for r in records(USER)
                                         if r["fields"].get("username") in usernames))
    return Selection()


def emails_of(users: Iterable[int], records: Records) -> frozenset[str]:
    """The email addresses of the users among `users` that exist: their own and their
    UserEmail rows'."""
    wanted = set(users)
    found: set[int] = set()
    emails: set[str] = set()
    for record in records(USER):
        if record["pk"] in wanted:
            found.add(record["pk"])
            if record["fields"].get("email") is not None:
                emails.add(record["fields"]["email"])
    for record in records(USEREMAIL):
        if record["fields"].get("user") in found and record["fields"].get("email") is not None:
            emails.add(record["fields"]["email"])
    return frozenset(emails)
