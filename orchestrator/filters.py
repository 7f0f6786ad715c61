"""Turn the CLI's filters into the allow-lists the silos apply, with one pass over the export.

An organization filter selects organizations by slug, then the users who are members of them,
then those users' email addresses (Email rows have no reference to a user, so they cannot be
filtered through references). A username filter selects users, then their email addresses.
"""

from __future__ import annotations

from orchestrator.source import SpilledExport
from wire.values import RecordFilter

USER, EMAIL, USEREMAIL = "sentry.user", "sentry.email", "sentry.useremail"
ORG, MEMBER = "sentry.organization", "sentry.organizationmember"


def derive_filters(export: SpilledExport, org_slugs: frozenset[str] | None,
                   usernames: frozenset[str] | None) -> list[RecordFilter]:
    """The allow-lists for this import; none when no filter was asked for."""
    filters: list[RecordFilter] = []
    if org_slugs is not None:
        filters.append(RecordFilter(ORG, "slug", org_slugs))
        org_pks = {r["pk"] for r in export.records(ORG) if r["fields"].get("slug") in org_slugs}
        user_pks = {r["fields"].get("user_id") for r in export.records(MEMBER)
                    if r["fields"].get("organization") in org_pks}
        user_pks.discard(None)
        filters.append(RecordFilter(USER, "pk", frozenset(str(pk) for pk in user_pks)))
        selected = lambda r: r["pk"] in user_pks  # noqa: E731
    elif usernames is not None:
        filters.append(RecordFilter(USER, "username", usernames))
        selected = lambda r: r["fields"].get("username") in usernames  # noqa: E731
    else:
        return filters
    emails: set[str] = set()
    user_pks_selected: set[int] = set()
    for record in export.records(USER):
        if selected(record):
            user_pks_selected.add(record["pk"])
            if record["fields"].get("email") is not None:
                emails.add(record["fields"]["email"])
    for record in export.records(USEREMAIL):
        if record["fields"].get("user") in user_pks_selected and \
                record["fields"].get("email") is not None:
            emails.add(record["fields"]["email"])
    filters.append(RecordFilter(EMAIL, "email", frozenset(emails)))
    return filters
