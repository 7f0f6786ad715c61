"""Every declared model agrees with Sentry's model_dependencies (detailed.json)."""

from __future__ import annotations

import json

import pytest

from control_service.models import REGISTRY as CONTROL
from region_service.models import REGISTRY as REGION
from silo_engine.modelspec import ModelSpec
from silo_engine.sentry_catalog import CONTROL_MODELS, REGION_MODELS
from tests.conftest import DETAILED
from wire.scopes import Silo

SPECS: dict[str, ModelSpec] = {spec.name: spec for spec in [*CONTROL, *REGION]}


@pytest.fixture(scope="module")
def detailed() -> dict:
    return json.loads(DETAILED.read_text())


def test_catalog_names_every_sentry_model_with_its_silo(detailed: dict) -> None:
    control = {name for name, m in detailed.items() if m["silos"] == ["Control"]}
    region = {name for name, m in detailed.items() if m["silos"] == ["Region"]}
    assert control == CONTROL_MODELS
    assert region == REGION_MODELS


@pytest.mark.parametrize("name", sorted(SPECS))
def test_declaration_matches_sentry(name: str, detailed: dict) -> None:
    spec, sentry = SPECS[name], detailed[name]
    assert spec.table.name == sentry["table_name"]
    assert spec.silo is (Silo.CONTROL if sentry["silos"] == ["Control"] else Silo.REGION)
    scopes = sentry["relocation_scope"]
    scopes = {scopes} if isinstance(scopes, str) else set(scopes)
    assert {s.value for s in spec.scopes} == scopes
    assert {frozenset(u.fields) for u in spec.uniques} == {frozenset(u) for u in
                                                            sentry["uniques"]}
    ours = {fk.field: (fk.target, fk.nullable, fk.cross_silo) for fk in spec.foreign_keys}
    theirs = {field: (fk["model"], fk["nullable"], fk["kind"] == "HybridCloudForeignKey")
              for field, fk in sentry["foreign_keys"].items()}
    assert ours == theirs
    assert set(spec.relocation_dependencies) == set(sentry["relocation_dependencies"])


def test_every_model_of_a_silo_is_declared_in_that_silo() -> None:
    for spec in CONTROL:
        assert spec.name in CONTROL_MODELS, spec.name
    for spec in REGION:
        assert spec.name in REGION_MODELS, spec.name


def test_every_relocatable_model_is_declared(detailed: dict) -> None:
    """All of Sentry's relocatable models (95 in the dependency file) can be imported here."""
    relocatable = {name for name, m in detailed.items() if m["relocation_scope"] != "Excluded"}
    assert len(relocatable) == 95
    assert set(SPECS) == relocatable
