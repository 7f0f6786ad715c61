"""Relocation scopes (per model) and import scopes (per import), as Sentry defines them."""

from __future__ import annotations

from enum import Enum

from wire.relocation.v1 import models_pb2 as pb
from wire.relocation.v1 import silo_service_pb2 as silo_pb


class RelocationScope(Enum):
    EXCLUDED = "Excluded"
    USER = "User"
    ORGANIZATION = "Organization"
    CONFIG = "Config"
    GLOBAL = "Global"

    def to_proto(self) -> int:
        return pb.RelocationScope.Value(f"RELOCATION_SCOPE_{self.name}")

    @classmethod
    def from_proto(cls, value: int) -> RelocationScope:
        return cls[pb.RelocationScope.Name(value).removeprefix("RELOCATION_SCOPE_")]


class ImportScope(Enum):
    USER = "users"
    ORGANIZATION = "organizations"
    CONFIG = "config"
    GLOBAL = "global"

    @property
    def accepts(self) -> frozenset[RelocationScope]:
        """The relocation scopes whose models an import in this scope takes."""
        return _ACCEPTED[self]

    def to_proto(self) -> int:
        return pb.ImportScope.Value(f"IMPORT_SCOPE_{self.name}")

    @classmethod
    def from_proto(cls, value: int) -> ImportScope | None:
        if value == pb.IMPORT_SCOPE_UNSPECIFIED:
            return None
        return cls[pb.ImportScope.Name(value).removeprefix("IMPORT_SCOPE_")]


_ACCEPTED = {
    ImportScope.USER: frozenset({RelocationScope.USER}),
    ImportScope.ORGANIZATION: frozenset({RelocationScope.USER, RelocationScope.ORGANIZATION}),
    ImportScope.CONFIG: frozenset({RelocationScope.USER, RelocationScope.CONFIG}),
    ImportScope.GLOBAL: frozenset(
        {RelocationScope.USER, RelocationScope.ORGANIZATION, RelocationScope.CONFIG,
         RelocationScope.GLOBAL}
    ),
}


class ImportState(Enum):
    """Where an import stands in one silo (its binding's state column holds the value)."""

    PARTIAL = "partial"  # bound; running, interrupted or failed
    COMPLETE = "complete"
    ROLLING_BACK = "rolling_back"  # a rollback started and has not finished
    ROLLED_BACK = "rolled_back"

    @property
    def shown(self) -> str:
        return self.value.replace("_", " ")

    def to_proto(self) -> int:
        return silo_pb.ImportState.Value(f"IMPORT_STATE_{self.name}")

    @classmethod
    def from_proto(cls, value: int) -> ImportState:
        return cls[silo_pb.ImportState.Name(value).removeprefix("IMPORT_STATE_")]


class ImportKind(Enum):
    INSERTED = "Inserted"
    EXISTING = "Existing"
    OVERWRITE = "Overwrite"

    def to_proto(self) -> int:
        return pb.ImportKind.Value(f"IMPORT_KIND_{self.name}")

    @classmethod
    def from_proto(cls, value: int) -> ImportKind:
        return cls[pb.ImportKind.Name(value).removeprefix("IMPORT_KIND_")]


class Silo(Enum):
    CONTROL = "control"
    REGION = "region"

    def to_proto(self) -> int:
        return pb.Silo.Value(f"SILO_{self.name}")

    @classmethod
    def from_proto(cls, value: int) -> Silo:
        return cls[pb.Silo.Name(value).removeprefix("SILO_")]
