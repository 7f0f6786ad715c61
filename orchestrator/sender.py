"""Send one model's batches to its silo through a window of requests in flight.

The window is one batch: the next batch is read and its request prepared while the previous
one is written, and sent once that one is answered. One at a time keeps Sentry's order: new
pks ascend with the records' order in the export (so an export of the silos compares record by
record with the original), and the earlier record wins a collision (keeps the name, the
token). A model that references itself needs the previous batch's pks before its next request
is built, so it waits for each answer first.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import Executor, Future
from typing import NamedTuple

from orchestrator.catalog import ModelInfo
from orchestrator.client import SiloClient
from orchestrator.storage import Batch
from wire.relocation.v1 import silo_service_pb2

WINDOW = 1  # batches of one model in flight at once

# A batch's request without its records: (the batch's references, its first ordinal) -> bytes.
Head = Callable[[list[bytes], int], bytes]
# A batch's answer: (records sent, their kept fields, the reply) -> calls it started.
Answered = Callable[[int, bytearray, silo_service_pb2.ImportByModelResponse], list[Future]]


class _Sent(NamedTuple):
    """A batch on its way: how many records it had, the fields its answer is read with (see
    `cross_silo`), and the pending answer."""

    records: int
    kept: bytearray  # the records' kept fields as spilled (a JSON array)
    future: Future[silo_service_pb2.ImportByModelResponse]


class ModelSender:
    """One model's batches, in order, through the window."""

    def __init__(self, info: ModelInfo, client: SiloClient, pool: Executor, head: Head,
                 answered: Answered) -> None:
        self.info = info
        self.client = client
        self.pool = pool
        self.head = head
        self.answered = answered
        self.in_flight: deque[_Sent] = deque()
        self.started: list[Future] = []  # calls the answers started

    def send(self, batches: Iterable[Batch]) -> None:
        """Send every batch and wait for every answer and every call the answers started;
        after a failure, the batches in flight are not awaited."""
        offset = 0
        try:
            for batch in batches:
                if self.info.self_referencing:
                    self._drain(0)
                head = self.head(batch.references, offset + 1)
                count, kept, records = len(batch.references), batch.kept, batch.json_array
                del batch  # the request and the kept fields are all that wait
                self._drain(WINDOW - 1)
                self.in_flight.append(_Sent(count, kept, self.pool.submit(
                    self.client.import_batch, head, records, self.info.name,
                    (offset + 1, offset + count))))
                del records
                offset += count
            self._drain(0)
            for call in self.started:
                call.result()
        finally:
            for sent in self.in_flight:
                sent.future.cancel()

    def _drain(self, limit: int) -> None:
        """Take answers, oldest first, until at most `limit` batches are in flight."""
        while len(self.in_flight) > limit:
            sent = self.in_flight[0]
            reply = sent.future.result()
            self.in_flight.popleft()
            self.started.extend(self.answered(sent.records, sent.kept, reply))
