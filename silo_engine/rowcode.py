"""A model's field coercion compiled into one Python function per model.

The general loop (engine._coerce) reads a FieldPlan and calls a coercer for every field of
every record, although for what JSON almost always holds (an int in range, a short string, a
boolean) the coercer hands its input back. The compiled function tests those cases inline,
as each coercer declares them (`unchanged_if`), calls the coercer only for the rest, and builds
the row as one dict display: a third less time per record.

It only handles records that coerce cleanly. Where the general loop would report a problem (a
coercer's FieldError, a required field that is missing or null) it raises FieldError without
detail, and the caller runs the general loop, whose error names the field, ordinal and pk.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from silo_engine.fields import FieldError

if TYPE_CHECKING:
    from silo_engine.modelspec import FieldPlan

RowCoercer = Callable[[dict[str, Any]], dict[str, Any]]


class _Missing:
    """The value of a field the record does not have (None is a value: JSON null)."""


def compile_coercion(model: str, plan: Sequence[FieldPlan]) -> RowCoercer:
    """One function from a record's fields to its row that computes what the general loop does
    for `plan` (the same coercers and defaults, in the same order)."""
    scope: dict[str, Any] = {"MISSING": _Missing, "Unfit": FieldError}
    lines = ["def coerce_row(fields):", "    get = fields.get"]
    for i, step in enumerate(plan):
        value = f"v{i}"
        scope[f"coerce{i}"], scope[f"default{i}"] = step.coerce, step.default
        lines += [f"    {value} = get({step.name!r}, MISSING)",
                  f"    if {value} is MISSING:",
                  f"        {value} = {f'default{i}()' if step.default else 'None'}",
                  f"    if {value} is not None:"]
        unchanged_if = getattr(step.coerce, "unchanged_if", None)
        if unchanged_if == "True":
            lines.append("        pass")
        elif unchanged_if:
            condition = unchanged_if.format(v=value)
            lines.append(f"        if not ({condition}): {value} = coerce{i}({value})")
        else:
            lines.append(f"        {value} = coerce{i}({value})")
        if not step.nullable:
            lines.append("    else: raise Unfit")
    lines.append("    return {" + ", ".join(f"{step.key!r}: v{i}"
                                            for i, step in enumerate(plan)) + "}")
    # Everything in the source comes from the declarations (names as literals), none from data.
    exec(compile("\n".join(lines), f"<coercion of {model}>", "exec"), scope)
    return scope["coerce_row"]


__all__ = ["RowCoercer", "compile_coercion"]
