"""Reading integers the way Django does, for both the silos and the orchestrator (which must
not pay for importing the database layer to do it)."""

from __future__ import annotations

from typing import Any

# No column holds an integer of more than 20 digits, and Python's int() refuses a string of
# more than sys.int_info.str_digits_check_threshold: a longer number is refused before int().
MAX_DIGITS = 40


class NumberTooLong(ValueError):
    """A number written with more significant digits than any integer column can hold."""


def integer_value(value: Any) -> int | None:
    """The integer an export value stands for: an integer, a number written as a string, or an
    integral float; None for anything else (booleans included). NumberTooLong for a number
    string longer than MAX_DIGITS significant digits (int() would refuse or take long)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        text = value.strip()
        # int() takes exactly one sign and decimal digits (isdigit() would let "²" through)
        digits = text[1:] if text[:1] in ("+", "-") else text
        if digits.isdecimal():
            significant = digits.lstrip("0") or "0"
            if len(significant) > MAX_DIGITS:
                raise NumberTooLong(f"a number of {len(significant):,} digits, larger than "
                                    "any integer column holds")
            return int(text[:len(text) - len(digits)] + significant)
        return None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None
