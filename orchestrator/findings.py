"""Findings: what an import, export or compare reports about the data, in Sentry's shape.

Sentry's `backup` commands write their findings as a JSON list of objects with the keys
`finding`, `kind`, `on` (`model`, `ordinal`), `left_pk`, `right_pk` and `reason`, sorted,
ASCII-only and indented by two spaces (Sentry's `findings.py` and its encoder). Tools that read
Sentry's findings files read ours, so every finding is made here, by one type, and written by
one writer.
"""

from __future__ import annotations

import enum
import json
import os
from collections import Counter
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, TypeVar

from orchestrator.crypto import DecryptionError
from wire.errors import ImportFailure

NAMES_SHOWN = 20  # unknown models (or fields) named one by one in findings and the summary
NAMES_COUNTED = 10_000  # distinct unknown names counted apart; records of any more are "others"

K = TypeVar("K", bound=Hashable)

COMPATIBILITY = "Compatibility"  # the `kind` of every compatibility notice
ACCOUNTING = "Accounting"  # the `kind` of an import's books that do not balance
DECRYPTION_FAILED = "DecryptionFailed"  # the `kind` of a decryption finding
FOREIGN_KEY_COMPARATOR = "ForeignKeyComparator"  # the `kind` of an unequal reference


class FindingKind(enum.StrEnum):
    """What a finding is about: the `finding` key of the findings file (Sentry's finding class
    names). The `kind` key says more within each: the error kind, or the comparator."""

    RPC_IMPORT_ERROR = "RpcImportError"
    """The import (or export, or the reading of an export) stopped on an error; `kind` is the
    ErrorKind. Always the only finding in its file."""

    DECRYPTION_ERROR = "DecryptionError"
    """An encrypted export could not be decrypted (wrong key, damaged tarball); nothing was
    imported. Always the only finding in its file."""

    INTERRUPTED = "Interrupted"
    """The import (or export) was stopped by a signal (Ctrl-C, SIGTERM, SIGHUP); `kind` is the
    signal's name and the reason says how to resume. Always the only finding in its file."""

    UNKNOWN_MODEL_SKIPPED = "UnknownModelSkipped"
    """Records of a model this version does not import (removed, renamed, not relocatable)
    were skipped; the import went on."""

    UNKNOWN_FIELD_DROPPED = "UnknownFieldDropped"
    """A field this version does not know was dropped from a model's records; the import went
    on."""

    UNACCOUNTED_RECORDS = "UnaccountedRecords"
    """An import's books do not balance: records of a model in the file that the silos'
    answers neither mapped (inserted, existing, overwritten) nor counted as filtered out or
    dropped. The import exits 1."""

    UNEQUAL_COUNTS = "UnequalCounts"
    """`relocate compare`: a model has a different number of records on each side (its records
    are not compared further)."""

    UNEQUAL_REFERENCE = "UnequalReference"
    """`relocate compare`: a reference points at different records on each side (matched by
    ordinal, never by pk)."""

    UNEQUAL_JSON = "UnequalJSON"
    """`relocate compare`: a field's values differ beyond encodings and what an import may
    change; `kind` names the comparator whose rule did not accept them, if any."""


class Tally(Counter[K]):
    """Records per unknown name, counted apart for the first `NAMES_COUNTED` distinct names
    and together (`others`) after: an export of a million made-up model names (or a record
    of a million made-up fields) must not cost memory, findings or stderr in proportion."""

    def __init__(self, counts: Iterable[tuple[K, int]] = (), others: int = 0) -> None:
        super().__init__()
        self.others = others
        for key, count in counts:
            self[key] += count

    def __setitem__(self, key: K, count: int) -> None:
        if key in self or len(self) < NAMES_COUNTED:
            super().__setitem__(key, count)
        else:
            self.others += count

    def update(self, other: Any = None, /, **kwargs: int) -> None:
        """Add `other`'s counts (and, from another Tally, its others)."""
        if isinstance(other, Mapping):
            for key, count in other.items():
                self[key] += count
            self.others += getattr(other, "others", 0)
        elif other is not None:
            super().update(other)
        if kwargs:
            super().update(kwargs)  # type: ignore[arg-type]  # Counter(a=1) form

    def records(self) -> int:
        return sum(self.values()) + self.others

    def __reduce__(self) -> Any:  # Counter's would drop `others` on the way to a spill child
        return type(self), (list(self.items()), self.others)


@dataclass(frozen=True)
class Finding:
    """One finding. `field`, `left` and `right` (the values as shown, redacted for credentials)
    are for printing a compare difference; the file holds Sentry's keys only."""

    finding: FindingKind
    kind: str
    model: str | None
    ordinal: int | None
    left_pk: int | None
    right_pk: int | None
    reason: str
    field: str | None = None
    left: str | None = None
    right: str | None = None

    @classmethod
    def from_failure(cls, failure: ImportFailure) -> Finding:
        """Sentry's RpcImportError for a typed import error."""
        return cls(FindingKind.RPC_IMPORT_ERROR, failure.kind.value, failure.model,
                   failure.ordinal, failure.left_pk, failure.right_pk, failure.reason)

    @classmethod
    def from_decryption(cls, error: DecryptionError) -> Finding:
        """An export that cannot be decrypted: its one sentence as the reason."""
        return cls(FindingKind.DECRYPTION_ERROR, DECRYPTION_FAILED, None, None, None, None,
                   str(error))

    @classmethod
    def interrupted(cls, signal_name: str, reason: str) -> Finding:
        """The run was stopped by `signal_name`; `reason` says what was kept and the command
        that resumes it."""
        return cls(FindingKind.INTERRUPTED, signal_name, None, None, None, None, reason)

    @classmethod
    def unknown_model(cls, model: str, count: int) -> Finding:
        return cls(FindingKind.UNKNOWN_MODEL_SKIPPED, COMPATIBILITY, model, None, None, None,
                   f"{count} record(s) of a model this installation does not import (removed, "
                   "renamed or not relocatable) were skipped")

    @classmethod
    def other_unknown_models(cls, records: int, models: int, capped: bool) -> Finding:
        """The unknown models past the first `NAMES_SHOWN`, in one finding."""
        some = f"more than {models:,}" if capped else f"{models:,}"
        return cls(FindingKind.UNKNOWN_MODEL_SKIPPED, COMPATIBILITY, None, None, None, None,
                   f"{records:,} record(s) of {some} other model(s) this installation does not "
                   f"import were skipped (the first {NAMES_SHOWN} models are named apart)")

    @classmethod
    def other_dropped_fields(cls, records: int, fields: int, capped: bool) -> Finding:
        """The unknown fields past the first `NAMES_SHOWN`, in one finding."""
        some = f"more than {fields:,}" if capped else f"{fields:,}"
        return cls(FindingKind.UNKNOWN_FIELD_DROPPED, COMPATIBILITY, None, None, None, None,
                   f"{some} other field(s) this installation does not know were dropped, "
                   f"{records:,} time(s) in all (the first {NAMES_SHOWN} fields are named apart)")

    @classmethod
    def dropped_field(cls, model: str, name: str, count: int) -> Finding:
        return cls(FindingKind.UNKNOWN_FIELD_DROPPED, COMPATIBILITY, model, None, None, None,
                   f"field {name!r} is not a field of {model} here; it was dropped from "
                   f"{count} record(s)")

    @classmethod
    def unaccounted(cls, model: str, count: int) -> Finding:
        """`count` records of `model` unaccounted for (negative: answered beyond the file's)."""
        what = (f"{count:,} record(s) of {model} in the export were neither inserted, reused, "
                "overwritten, filtered out nor dropped" if count > 0 else
                f"the silos answered for {-count:,} record(s) of {model} more than the export "
                "holds")
        return cls(FindingKind.UNACCOUNTED_RECORDS, ACCOUNTING, model, None, None, None,
                   f"{what}: the import's books do not balance")

    @classmethod
    def unequal_counts(cls, model: str, left: int, right: int) -> Finding:
        return cls(FindingKind.UNEQUAL_COUNTS, FindingKind.UNEQUAL_COUNTS, model, None, None,
                   None, f"{model} has {left} record(s) on the left and {right} on the right")

    @classmethod
    def unequal_reference(cls, model: str, ordinal: int, left_pk: int, right_pk: int,
                          name: str, left: str, right: str) -> Finding:
        """`left` and `right` say where the reference points on each side."""
        return cls(FindingKind.UNEQUAL_REFERENCE, FOREIGN_KEY_COMPARATOR, model, ordinal,
                   left_pk, right_pk,
                   f"field {name!r} points at {left} on the left and {right} on the right",
                   name, left, right)

    @classmethod
    def unequal_value(cls, comparator: str | None, model: str, ordinal: int, left_pk: int,
                      right_pk: int, name: str, left: str, right: str) -> Finding:
        """`left` and `right` are the values as shown; `comparator`, the rule that did not
        accept them (None: no rule applies to the field)."""
        return cls(FindingKind.UNEQUAL_JSON, comparator or FindingKind.UNEQUAL_JSON, model,
                   ordinal, left_pk, right_pk,
                   f"field {name!r} differs: left {left}, right {right}", name, left, right)

    def to_json(self) -> dict[str, Any]:
        """Sentry's keys, as they stand in the findings file."""
        return {"finding": self.finding, "kind": self.kind,
                "on": {"model": self.model, "ordinal": self.ordinal},
                "left_pk": self.left_pk, "right_pk": self.right_pk, "reason": self.reason}

    def line(self) -> str:
        """The finding on one line, for the terminal."""
        where = f"{self.model}"
        if self.ordinal is not None:
            where += f" #{self.ordinal} (left pk {self.left_pk}, right pk {self.right_pk})"
        if self.field is None:
            return f"{self.finding} [{self.kind}] {where}: {self.reason}"
        return (f"{self.finding} [{self.kind}] {where} field {self.field!r}: "
                f"left {self.left} | right {self.right}")


class FindingsWriter:
    """Streams findings into Sentry's format, byte for byte what
    `json.dumps(findings, sort_keys=True, ensure_ascii=True, indent=2)` and a newline give,
    without holding them: a compare of two large exports can find millions."""

    def __init__(self, out: IO[str]) -> None:
        self.out = out
        self.count = 0

    def add(self, finding: Finding) -> None:
        body = json.dumps(finding.to_json(), sort_keys=True, ensure_ascii=True, indent=2)
        self.out.write(("[\n" if self.count == 0 else ",\n") +
                       "\n".join("  " + line for line in body.splitlines()))
        self.count += 1

    def close(self) -> None:
        """End the list: `[]` when nothing was found, as Sentry writes it."""
        self.out.write("\n]\n" if self.count else "[]\n")


def open_private(path: Path) -> IO[str]:
    """`path` opened for writing text, readable only by its owner: findings name users,
    emails and organizations. A file already there is made private too before it is written."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)
    return os.fdopen(fd, "w")


def write_findings(path: Path, findings: Iterable[Finding]) -> None:
    """Write a findings file; an empty one (`[]`) says that all is well."""
    with open_private(path) as out:
        writer = FindingsWriter(out)
        for finding in findings:
            writer.add(finding)
        writer.close()
