"""The fields every log line about a batch carries, on both sides of the wire.

The orchestrator's lines (sent, answered, retried, failed) and a silo's (written, from the
ledger, failed) name a batch the same way, so that the lines of concurrent imports can be told
apart and one batch followed from the orchestrator into its silo. They go to logging as `extra`
fields: the JSON format writes them as keys, the plain one as `key=value` after the message
(commands/logs.py). They name a batch, never its records' values.
"""

from __future__ import annotations

from typing import NamedTuple

from wire.scopes import Silo


class BatchLine(NamedTuple):
    import_uuid: str
    silo: str  # "control", or the region's name
    model: str
    min_ordinal: int
    max_ordinal: int | None  # None when the batch failed before its records were counted

    @property
    def records(self) -> int | None:
        """How many records the batch holds, once its last ordinal is known."""
        return None if self.max_ordinal is None else self.max_ordinal - self.min_ordinal + 1

    def extra(self, **more: object) -> dict[str, object]:
        """The fields for `logging`'s `extra=`, with the line's own (outcome, seconds...)."""
        return {**self._asdict(), "records": self.records, **more}


def silo_name(silo: Silo, region_name: str) -> str:
    """How log lines name a silo: "control", or the region's name (`serve region --name`)."""
    return Silo.CONTROL.value if silo is Silo.CONTROL else region_name
