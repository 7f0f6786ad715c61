"""Typed import errors: one exception that travels as a gRPC status with an ImportError detail.

The kinds are Sentry's. Each maps to the gRPC status code that fits it, so generic gRPC
tooling (retries, dashboards) reads them correctly, and the detail keeps model, ordinal and
primary keys for the findings file.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any, cast

import grpc
from google.rpc import status_pb2
from grpc_status import rpc_status

from wire.relocation.v1 import errors_pb2

# How much of a value an error message quotes: a 20 MB pk must not become 42 MB of stderr.
SHOWN_CHARACTERS = 80
# The most of a reason a silo sends: the status message and its ImportError detail both travel
# in gRPC's trailers (8 KiB by default), and a status that overflows them loses its kind.
MAX_REASON = 1000


def shown(value: Any) -> str:
    """`value` as an error message quotes it: its repr, cut to SHOWN_CHARACTERS."""
    return cut(repr(value))


def cut(text: str, limit: int = SHOWN_CHARACTERS) -> str:
    """`text` cut to `limit` characters, saying how many more there were."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}... ({len(text) - limit:,} more characters)"


class ErrorKind(Enum):
    """Why an import call failed. Only DATABASE_ERROR and SILO_UNAVAILABLE are transient: their
    statuses are retried by the orchestrator's clients (every call is idempotent)
    until the retry deadline; every other kind is the same on a retry and ends the import."""

    # An unexpected exception in the silo (a bug), or a failed call that carried no typed
    # error. Not retried.
    UNKNOWN = "Unknown"

    # The database failed a statement for a reason other than the batch's data (connection
    # lost, deadlock, timeout). Transient: retried.
    DATABASE_ERROR = "DatabaseError"

    # The batch's JSON does not decode, or a record is not an object with a model, an integer
    # pk and a fields object (also the orchestrator's, for an unreadable export). Not retried.
    DESERIALIZATION_FAILED = "DeserializationFailed"

    # The model belongs to the other silo: the batch was sent to the wrong one. Not retried.
    INCORRECT_SILO_MODE_FOR_MODEL = "IncorrectSiloModeForModel"

    # A record collides with a row or an earlier record on a unique key its model has no rule
    # for, no free suffixed name was left, or PostgreSQL refused a constraint. Not retried.
    INTEGRITY_ERROR = "IntegrityError"

    # The batch's first ordinal is below 1, or the import wrote these records before as a
    # batch cut otherwise (a resume with another batch size). Not retried.
    INVALID_MIN_ORDINAL = "InvalidMinOrdinal"

    # The call carries no import uuid, or one that is not a UUID. Not retried.
    MISSING_IMPORT_UUID = "MissingImportUUID"

    # The model is not a relocatable model of either silo. Not retried.
    UNKNOWN_MODEL = "UnknownModel"

    # A record of another model was sent in the batch. Not retried.
    UNEXPECTED_MODEL = "UnexpectedModel"

    # The call carries no import (or export) scope. Not retried.
    UNSPECIFIED_SCOPE = "UnspecifiedScope"

    # A field's value does not fit its column (type, range, length, null), or a model's
    # normalisation refused the record. Not retried.
    VALIDATION_ERROR = "ValidationError"

    # Not Sentry's: the import uuid was bound by an earlier run to another scope, other flags
    # or another source file, whose resume would skip or mix records. Not retried.
    IMPORT_UUID_MISMATCH = "ImportUuidMismatch"
    # Not one of Sentry's kinds: the silo could not be reached or did not answer (down,
    # restarting, shutting down, too slow, or serving its most calls at once: UNAVAILABLE,
    # CANCELLED, DEADLINE_EXCEEDED or RESOURCE_EXHAUSTED with no typed error) for as long as the
    # orchestrator retries. Made by the orchestrator's client, never sent by a silo. Transient:
    # retried until the retry deadline; the import resumes with the same uuid once the silo is
    # back.
    SILO_UNAVAILABLE = "SiloUnavailable"
    # Not one of Sentry's kinds: a request or an answer over the message limit (gRPC's own
    # RESOURCE_EXHAUSTED). Made by the orchestrator's client, never sent by a silo. Not retried.
    MESSAGE_TOO_LARGE = "MessageTooLarge"

    # Not Sentry's: a rollback was refused: rows written after the import reference rows it
    # inserted (named in the reason), or the import is unknown. Not retried.
    ROLLBACK_REFUSED = "RollbackRefused"

    @property
    def status_code(self) -> grpc.StatusCode:
        return _STATUS[self]

    def to_proto(self) -> errors_pb2.ImportErrorKind:
        return cast(errors_pb2.ImportErrorKind,
                    errors_pb2.ImportErrorKind.Value(f"IMPORT_ERROR_KIND_{self.name}"))

    @classmethod
    def from_proto(cls, value: int) -> ErrorKind:
        name = errors_pb2.ImportErrorKind.Name(value).removeprefix("IMPORT_ERROR_KIND_")
        return cls.UNKNOWN if name == "UNSPECIFIED" else cls[name]


_STATUS = {
    ErrorKind.UNKNOWN: grpc.StatusCode.INTERNAL,
    ErrorKind.DATABASE_ERROR: grpc.StatusCode.UNAVAILABLE,
    ErrorKind.DESERIALIZATION_FAILED: grpc.StatusCode.INVALID_ARGUMENT,
    ErrorKind.INCORRECT_SILO_MODE_FOR_MODEL: grpc.StatusCode.FAILED_PRECONDITION,
    ErrorKind.INTEGRITY_ERROR: grpc.StatusCode.FAILED_PRECONDITION,
    ErrorKind.INVALID_MIN_ORDINAL: grpc.StatusCode.INVALID_ARGUMENT,
    ErrorKind.MISSING_IMPORT_UUID: grpc.StatusCode.INVALID_ARGUMENT,
    ErrorKind.UNKNOWN_MODEL: grpc.StatusCode.NOT_FOUND,
    ErrorKind.UNEXPECTED_MODEL: grpc.StatusCode.INVALID_ARGUMENT,
    ErrorKind.UNSPECIFIED_SCOPE: grpc.StatusCode.INVALID_ARGUMENT,
    ErrorKind.VALIDATION_ERROR: grpc.StatusCode.INVALID_ARGUMENT,
    ErrorKind.IMPORT_UUID_MISMATCH: grpc.StatusCode.FAILED_PRECONDITION,
    ErrorKind.SILO_UNAVAILABLE: grpc.StatusCode.UNAVAILABLE,
    ErrorKind.MESSAGE_TOO_LARGE: grpc.StatusCode.RESOURCE_EXHAUSTED,
    ErrorKind.ROLLBACK_REFUSED: grpc.StatusCode.FAILED_PRECONDITION,
}
# Statuses of a call that ended without a typed error because the silo was not there to answer
# it: down or restarting (UNAVAILABLE), shutting down with the call in flight (CANCELLED), not
# answering in time (DEADLINE_EXCEEDED), or refusing calls past its concurrent-call limit
# (RESOURCE_EXHAUSTED, but for a message over the size limit).
TRANSPORT_FAILURES = frozenset({grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.CANCELLED,
                                grpc.StatusCode.DEADLINE_EXCEEDED,
                                grpc.StatusCode.RESOURCE_EXHAUSTED})


def too_large(error: grpc.RpcError) -> bool:
    """Whether a call failed because a message was over a size limit: gRPC says so with
    RESOURCE_EXHAUSTED, the code it also refuses a call past the concurrent-call limit with,
    and tells the two apart only in its words ("Sent message larger than max (N vs. M)")."""
    return error.code() is grpc.StatusCode.RESOURCE_EXHAUSTED and \
        "larger than max" in (error.details() or "")


@dataclass
class ImportFailure(Exception):
    """A typed import error: what went wrong, on which model and record."""

    kind: ErrorKind
    model: str | None = None
    reason: str = ""
    ordinal: int | None = None
    left_pk: int | None = None
    right_pk: int | None = None

    def __str__(self) -> str:
        if self.model is None:
            return f"{self.kind.value}: {self.reason}"
        where = self.model
        if self.ordinal:
            where += f" #{self.ordinal}"
        if self.left_pk is not None:
            where += f" (pk {self.left_pk})"
        return f"{self.kind.value} on {where}: {self.reason}"

    def pretty(self) -> str:
        lines = ["RpcImportError(", f"    kind: {self.kind.value},"]
        if self.model is not None:  # errors about the file as a whole name no model
            on = f"    on: InstanceID(model: '{self.model}'"
            if self.ordinal:
                on += f", ordinal: {self.ordinal}"
            lines.append(on + "),")
        if self.left_pk is not None:
            lines.append(f"    left_pk: {self.left_pk},")
        if self.right_pk is not None:
            lines.append(f"    right_pk: {self.right_pk},")
        if self.reason:
            lines.append(f"    reason: {self.reason}")
        lines.append(")")
        return "\n".join(lines)

    # --- gRPC transport ---------------------------------------------------------------

    def to_proto(self) -> errors_pb2.ImportError:
        msg = errors_pb2.ImportError(kind=self.kind.to_proto(),
                                     model=cut(self.model or "", MAX_REASON),
                                     reason=cut(self.reason, MAX_REASON))
        for name in ("ordinal", "left_pk", "right_pk"):
            value = getattr(self, name)
            if value is not None:
                setattr(msg, name, value)
        return msg

    @classmethod
    def from_proto(cls, msg: errors_pb2.ImportError) -> ImportFailure:
        return cls(
            kind=ErrorKind.from_proto(msg.kind),
            model=msg.model or None,
            reason=msg.reason,
            ordinal=msg.ordinal if msg.HasField("ordinal") else None,
            left_pk=msg.left_pk if msg.HasField("left_pk") else None,
            right_pk=msg.right_pk if msg.HasField("right_pk") else None,
        )

    def abort(self, context: grpc.ServicerContext) -> None:
        """End the current RPC with this error as a rich gRPC status."""
        detail = status_pb2.Status(code=self.kind.status_code.value[0],
                                   message=cut(str(self), MAX_REASON))
        detail.details.add().Pack(self.to_proto())
        context.abort_with_status(rpc_status.to_status(detail))

    @classmethod
    def from_rpc_error(cls, error: grpc.RpcError, model: str | None = None) -> ImportFailure:
        """Turn a failed call back into the typed error the silo raised, if it sent one."""
        status = rpc_status.from_call(error)  # type: ignore[arg-type]
        if status is not None:
            for any_detail in status.details:
                msg = errors_pb2.ImportError()
                if any_detail.Unpack(msg):
                    return cls.from_proto(msg)
        code = error.code() if hasattr(error, "code") else None
        kind = ErrorKind.MESSAGE_TOO_LARGE if code is not None and too_large(error) else \
            ErrorKind.SILO_UNAVAILABLE if code in TRANSPORT_FAILURES else ErrorKind.UNKNOWN
        details = error.details() if hasattr(error, "details") else str(error)
        return cls(kind, model, f"the silo call failed ({code.name if code else 'no status'}): "
                                f"{details}")
