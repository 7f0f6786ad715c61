"""The models as the silos declare them, for the tools that read their declarations directly.

`relocate compare` and `relocate bench` (and the tests' synthetic exports) are not the pipeline:
they may look at the silos' registries instead of asking `DescribeModels`. Their dependency
order is the orchestrator's (`orchestrator.catalog.dependency_order`), so a tool walks the
models in the order an import does.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable

from orchestrator.catalog import dependency_order
from silo_engine.modelspec import ModelSpec


@functools.cache
def declared_specs() -> dict[str, ModelSpec]:
    """Every declared model by name: control's first, then the region's."""
    from control_service.models import REGISTRY as CONTROL
    from region_service.models import REGISTRY as REGION

    return {spec.name: spec for spec in [*CONTROL, *REGION]}


def spec_order(specs: Iterable[ModelSpec]) -> list[ModelSpec]:
    """`specs` in dependency order: what each references (foreign keys and extra ordering
    dependencies) comes first."""
    by_name = {spec.name: spec for spec in specs}
    references = {spec.name: [*(fk.target for fk in spec.foreign_keys),
                              *spec.relocation_dependencies] for spec in by_name.values()}
    return [by_name[name] for name in dependency_order(references)]
