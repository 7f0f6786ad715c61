"""Turn the CLI's filters into the allow-lists the silos apply, from the spilled export.

An organization filter allows organizations by slug and users by pk (the members of those
organizations); a username filter allows users by username; either allows the selected users'
email addresses (see `selection`).
"""

from __future__ import annotations

from orchestrator.model_names import EMAIL, ORGANIZATION, USER
from orchestrator.selection import emails_of, select
from orchestrator.source import SpilledExport
from wire.values import RecordFilter


def derive_filters(export: SpilledExport, org_slugs: frozenset[str] | None,
                   usernames: frozenset[str] | None) -> list[RecordFilter]:
    """The allow-lists for this import; none when no filter was asked for."""
    selection = select(export.records, org_slugs, usernames)
    if selection.users is None:
        return []
    if org_slugs is not None:
        filters = [RecordFilter(ORGANIZATION, "slug", org_slugs),
                   RecordFilter(USER, "pk", frozenset(str(pk) for pk in selection.users))]
    else:
        filters = [RecordFilter(USER, "username", usernames or frozenset())]
    filters.append(RecordFilter(EMAIL, "email", emails_of(selection.users, export.records)))
    return filters
