"""A silo's Prometheus metrics (`relocate serve ... --metrics-listen`), in a registry of its own.

Each server has its own registry, not prometheus_client's global one, so that several silos in
one process (the embedded default, the tests) count apart. The engine reports each batch once,
whatever its outcome (`SiloEngine.import_by_model`); label values are bounded: a model is one
of the silo's own catalog or "unknown", an error kind one of ErrorKind's names.
"""

from __future__ import annotations

from collections import Counter as Tally
from collections.abc import Iterable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from silo_engine.ledger import Chunk
from wire.errors import ErrorKind
from wire.pkwire import CODE_OF_KIND
from wire.scopes import ImportKind

UNKNOWN_MODEL = "unknown"
# records_total's kind label of each answer code.
_KIND_LABEL = {CODE_OF_KIND[ImportKind.INSERTED]: "inserted",
               CODE_OF_KIND[ImportKind.EXISTING]: "existing",
               CODE_OF_KIND[ImportKind.OVERWRITE]: "overwritten"}
# A batch takes from a few ms (answered from the ledger) to seconds (thousands of rows with
# collisions on a busy database).
_SECONDS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class SiloMetrics:
    """The metrics of one silo server: batches and records by model and outcome, errors by
    kind, batch latency, batches in flight, ledger hits."""

    def __init__(self, models: Iterable[str]) -> None:
        self.models = frozenset(models)
        self.registry = on = CollectorRegistry()
        self.batches = Counter(
            "relocate_silo_batches", "ImportByModel batches by outcome (written, from_ledger, "
            "failed)", ["model", "outcome"], registry=on)
        self.records = Counter(
            "relocate_silo_records", "records written by batches, by what became of each "
            "(inserted, existing, overwritten)", ["model", "kind"], registry=on)
        self.errors = Counter(
            "relocate_silo_errors", "failed batches and import bindings, by error kind",
            ["kind"], registry=on)
        self.seconds = Histogram(
            "relocate_silo_batch_seconds", "time to handle a batch, from request to answer",
            ["model"], buckets=_SECONDS, registry=on)
        self.in_flight = Gauge(
            "relocate_silo_in_flight", "ImportByModel batches being handled now", registry=on)
        self.ledger_hits = Counter(
            "relocate_silo_ledger_hits", "batches answered from the chunk ledger (written "
            "before: a resumed import)", ["model"], registry=on)

    def model(self, name: str) -> str:
        """The model's label: the request's model only when it is one of this silo's."""
        return name if name in self.models else UNKNOWN_MODEL

    def answered(self, model: str, chunk: Chunk, seconds: float) -> None:
        label = self.model(model)
        self.seconds.labels(label).observe(seconds)
        if chunk.from_ledger:
            self.batches.labels(label, "from_ledger").inc()
            self.ledger_hits.labels(label).inc()
            return
        self.batches.labels(label, "written").inc()
        for code, count in Tally(chunk.mapped.kinds).items():
            self.records.labels(label, _KIND_LABEL[code]).inc(count)

    def failed(self, model: str, kind: ErrorKind, seconds: float) -> None:
        """A batch that failed."""
        self.error(kind)
        label = self.model(model)
        self.batches.labels(label, "failed").inc()
        self.seconds.labels(label).observe(seconds)

    def error(self, kind: ErrorKind) -> None:
        """A failed call (a batch, or the binding of an import uuid)."""
        self.errors.labels(kind.name).inc()
