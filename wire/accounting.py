"""Why a record of the export was not imported: the reasons a silo counts each batch's
left-out records by (ImportByModelResponse.dropped), and those the orchestrator adds."""

from __future__ import annotations

from enum import StrEnum


class DropReason(StrEnum):
    # The silo's reasons.
    FILTER = "filter"  # outside --filter-org-slugs / --filter-usernames
    SCOPE = "scope"  # outside the import's scope (the model's, or the record's by its rule)
    MERGED_USER = "merged_user"  # belongs to a user merged into an existing one (--merge-users)
    MISSING_REFERENCE = "missing_reference"  # a required reference to a record not imported
    # Answered from a ledger row written before the silos kept reasons.
    UNRECORDED = "unrecorded"
    # The orchestrator's: a model this installation does not import.
    UNKNOWN_MODEL = "unknown_model"


# Left out because the import was asked to (scope, filters, flags): "filtered" in the report;
# every other reason is "dropped".
FILTERED = frozenset({DropReason.FILTER, DropReason.SCOPE, DropReason.MERGED_USER})
