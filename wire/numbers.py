"""Reading integers the way Django does, for both the silos and the orchestrator (which must
not pay for importing the database layer to do it)."""

from __future__ import annotations

from typing import Any


def integer_value(value: Any) -> int | None:
    """The integer an export value stands for: an integer, a number written as a string, or an
    integral float; None for anything else (booleans included)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        text = value.strip()
        # int() takes exactly one sign and decimal digits (isdigit() would let "²" through)
        if (text[1:] if text[:1] in ("+", "-") else text).isdecimal():
            return int(text)
        return None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None
