"""Compiled coercion (silo_engine.rowcode) against the general loop it replaces on the hot
path: for every declared model, any fields give the same row, or both refuse them."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from silo_engine.engine import _coerce
from silo_engine.fields import FieldError
from silo_engine.modelspec import ModelSpec
from tests.every_model import declared_specs, generate
from wire.errors import ImportFailure

SPECS = declared_specs()

# What a JSON field can hold, with the edge values the inline checks decide on.
_SCALARS = st.one_of(
    st.none(), st.booleans(), st.floats(allow_nan=False),
    st.sampled_from([0, 1, -1, 2**15 - 1, 2**15, -(2**15) - 1, 2**31 - 1, 2**31, 2**63 - 1,
                     -(2**63), "", "0", "1", "t", "no", "12", "x\x00y", "a" * 64, "a" * 65,
                     "2023-06-22T00:00:00.000Z", "127.0.0.1", "[1, 2]", "{\"a\": 1}",
                     "6f2c9a8e-3c3b-4f0e-9d1b-6f9c2a7e5b10"]),
    st.integers(), st.text(max_size=40))
_VALUES = st.recursive(_SCALARS, lambda inner: st.lists(inner, max_size=3)
                       | st.dictionaries(st.text(max_size=5), inner, max_size=3), max_leaves=6)


def _outcome(spec: ModelSpec, fields: dict[str, Any], compiled: bool) -> Any:
    try:
        return spec.coerce_row(fields) if compiled else _coerce(spec, fields, 1, 1)
    except (FieldError, ImportFailure):
        return "refused"


def _comparable(spec: ModelSpec, fields: dict[str, Any], row: Any) -> Any:
    """The row without values a default made up afresh for an absent field (a new uuid)."""
    if row == "refused":
        return row
    made_up = {step.key for step in spec.plan if step.name not in fields and step.default}
    return {key: (type(value) if key in made_up else value) for key, value in row.items()}


@pytest.mark.parametrize("model", sorted(SPECS))
@settings(max_examples=40)
@given(data=st.data())
def test_compiled_coercion_matches_the_general_loop(model: str, data: st.DataObject) -> None:
    spec = SPECS[model]
    names = [step.name for step in spec.plan]
    fields = data.draw(st.dictionaries(st.sampled_from(names), _VALUES, max_size=len(names)))
    assert _comparable(spec, fields, _outcome(spec, fields, compiled=True)) == \
        _comparable(spec, fields, _outcome(spec, fields, compiled=False))


_EDGES = [None, True, False, 0, 1, -1, 2**15 - 1, 2**15, -(2**15), -(2**15) - 1, 2**31 - 1,
          2**31, -(2**31), -(2**31) - 1, 2**63 - 1, 2**63, -(2**63), -(2**63) - 1, 0.5, 1.0,
          "", "0", "1", "true", "f", "12", "-3", "x\x00y", "2023-06-22T00:00:00.000Z",
          "2023-06-22 00:00:00+14:00", "127.0.0.1", "::1", "[1, 2]", "['a']", '{"a": 1}',
          "6f2c9a8e-3c3b-4f0e-9d1b-6f9c2a7e5b10", [], ["a"], [1, None], {}, {"a": [1]},
          *("a" * n for n in (1, 2, 8, 16, 32, 50, 63, 64, 65, 100, 128, 129, 200, 255, 256))]


def test_every_field_of_every_model_decides_edge_values_like_the_general_loop() -> None:
    """Each field of a valid record of each model, set to each edge value in turn (the limits
    of every integer width and string length the inline checks test)."""
    bases: dict[str, dict[str, Any]] = {}
    for record in generate(SPECS, count=1).records:
        bases.setdefault(record["model"], record["fields"])
    assert len(bases) > 80  # all but the models no valid record can be made for
    for model, base in bases.items():
        spec = SPECS[model]
        assert _outcome(spec, base, compiled=True) != "refused", model
        for step in spec.plan:
            for edge in _EDGES:
                fields = base | {step.name: edge}
                assert _comparable(spec, fields, _outcome(spec, fields, compiled=True)) == \
                    _comparable(spec, fields, _outcome(spec, fields, compiled=False)), \
                    (model, step.name, edge)


def test_a_clean_record_is_coerced_without_the_general_loop() -> None:
    """Inline checks must not send every record to the slow path: a typical user row passes
    through the compiled function itself, with its values converted where needed."""
    spec = SPECS["sentry.user"]
    row = spec.coerce_row({"username": "ada", "email": "ada@example.com", "is_staff": False,
                           "date_joined": "2023-06-22T00:00:00.000Z", "password": "x"})
    assert row["username"] == "ada" and row["is_staff"] is False
    assert row["date_joined"].year == 2023
    with pytest.raises(FieldError):
        spec.coerce_row({"username": "a" * 500})
