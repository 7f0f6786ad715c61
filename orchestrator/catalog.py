"""What the orchestrator knows about models: learned from the silos, never from their code.

Holds each model's description (silo, scopes, references, identifier) and computes the import
order the way Sentry does, so batch boundaries (and so chunk keys) match between runs.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from wire.errors import ErrorKind, ImportFailure
from wire.relocation.v1 import models_pb2
from wire.scopes import ImportScope, RelocationScope, Silo

if TYPE_CHECKING:
    from orchestrator.client import SiloClient


@dataclass(frozen=True)
class ModelInfo:
    name: str
    silo: Silo
    scopes: frozenset[RelocationScope]
    foreign_keys: tuple[tuple[str, str], ...]  # (export field, target model)
    nullable_fields: frozenset[str]  # reference fields that may be null
    dependencies: frozenset[str]  # targets of foreign keys plus extra ordering dependencies
    identifier: str | None
    fields: frozenset[str]
    deferred: bool

    @classmethod
    def from_proto(cls, msg: models_pb2.ModelDescription) -> ModelInfo:
        fks = tuple((fk.field, fk.target_model) for fk in msg.foreign_keys)
        return cls(
            name=msg.name,
            silo=Silo.from_proto(msg.silo),
            scopes=frozenset(RelocationScope.from_proto(s) for s in msg.relocation_scopes),
            foreign_keys=fks,
            nullable_fields=frozenset(fk.field for fk in msg.foreign_keys if fk.nullable),
            dependencies=dependencies_of(
                msg.name, [*(target for _, target in fks), *msg.relocation_dependencies]),
            identifier=msg.identifier_field or None,
            fields=frozenset(msg.fields),
            deferred=msg.deferred,
        )

    @property
    def self_referencing(self) -> bool:
        """Some of its records may point at others of the same model."""
        return any(target == self.name for _, target in self.foreign_keys)

    def in_scope(self, scope: ImportScope) -> bool:
        return bool(self.scopes & scope.accepts)


class Catalog:
    def __init__(self, models: Iterable[ModelInfo]) -> None:
        self.models = {m.name: m for m in models}
        self.order = dependency_order({m.name: m.dependencies for m in self.models.values()})
        self.fk_targets = {t for m in self.models.values() for _, t in m.foreign_keys}

    def get(self, name: str) -> ModelInfo | None:
        return self.models.get(name)


def dependencies_of(name: str, references: Iterable[str]) -> frozenset[str]:
    """The models `name` waits for: those it references (foreign-key targets and extra ordering
    dependencies), less itself, since a self reference does not order models."""
    return frozenset(references) - {name}


def learn_catalog(control: SiloClient, region: SiloClient) -> tuple[Catalog, str]:
    """Ask both silos what they own; the region's name comes back too."""
    answers = {}
    for client, expected in ((control, Silo.CONTROL), (region, Silo.REGION)):
        answer = client.describe()
        silo = Silo.from_proto(answer.silo)
        if silo is not expected:
            raise ImportFailure(ErrorKind.INCORRECT_SILO_MODE_FOR_MODEL, None,
                                f"the service at {client.address}, given as the {client.label} "
                                f"silo, is a {silo.value} silo")
        answers[expected] = answer
    catalog = Catalog(ModelInfo.from_proto(m) for a in answers.values() for m in a.models)
    return catalog, answers[Silo.REGION].region_name


def dependency_order(references: Mapping[str, Iterable[str]]) -> list[str]:
    """Sentry's order: in repeated passes over the names in ascending order, place every model
    whose dependencies are placed already (or are not models of this graph).

    `references` maps each model to the models it references (as `dependencies_of` takes them);
    the one function every side orders models with, from the silos' descriptions here and from
    the declarations in tools and tests, so all of them agree."""
    dependencies = {name: dependencies_of(name, refs) for name, refs in references.items()}
    placed: list[str] = []
    done: set[str] = set()
    remaining = sorted(dependencies)
    while remaining:
        progress = False
        for name in list(remaining):
            if all(d in done or d not in dependencies for d in dependencies[name]):
                placed.append(name)
                done.add(name)
                remaining.remove(name)
                progress = True
        if not progress:
            raise ValueError(f"cannot order models, circular dependencies among {remaining}")
    return placed
