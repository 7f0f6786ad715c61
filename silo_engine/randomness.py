"""Random values minted during import: suffixes, secrets and unusable passwords."""

from __future__ import annotations

import hashlib
import secrets
import string
from collections.abc import Callable, Iterable, Sequence

_SUFFIX_ALPHABET = string.ascii_lowercase + string.digits
_PASSWORD_ALPHABET = string.ascii_letters + string.digits

# How many suffix lengths to try, shortest first (the schedule Sentry uses).
SUFFIX_SCHEDULE: tuple[tuple[int, int], ...] = ((2, 2), (5, 3), (20, 5), (1, 12))


def suffixed(base: str, length: int, max_length: int) -> str:
    """`base` cut to fit, a dash, and `length` random lowercase letters or digits."""
    tail = "".join(secrets.choice(_SUFFIX_ALPHABET) for _ in range(length))
    return f"{base[: max_length - length - 1]}-{tail}"


# The suffix length of each try, in order. A try's names are made only for the names still
# colliding: making every try's name up front for thousands of organizations was slow.
SUFFIX_LENGTHS: tuple[int, ...] = tuple(n for tries, n in SUFFIX_SCHEDULE for _ in range(tries))


def first_free_names(bases: Sequence[str], max_length: int, taken: Iterable[str],
                     find_taken: Callable[[list[str]], set[str]],
                     bases_first: bool = False) -> list[str | None]:
    """For each base, the first name free of `taken` (lower-cased names) and of what
    `find_taken` reports (it gets one round's proposals and answers the lower-cased ones it
    finds taken): the base itself when `bases_first`, then ever longer random suffixes. Names
    are compared case-insensitively, and one granted is taken for the bases after it; None
    where every try was taken. One `find_taken` call per try, for all names still pending."""
    taken = set(taken)
    free: list[str | None] = [None] * len(bases)
    pending = list(range(len(bases)))
    for length in (None, *SUFFIX_LENGTHS) if bases_first else SUFFIX_LENGTHS:
        names = [bases[i] if length is None else suffixed(bases[i], length, max_length)
                 for i in pending]
        found = find_taken(names)
        still = []
        for index, name in zip(pending, names, strict=True):
            lowered = name.lower()
            if lowered in taken or lowered in found:
                still.append(index)
                continue
            taken.add(lowered)
            free[index] = name
        pending = still
        if not pending:
            break
    return free


def hex_token(nbytes: int = 32) -> str:
    return secrets.token_hex(nbytes)


# Bytes map onto the alphabet through one translation table; bytes past the last whole
# multiple of the alphabet's size are dropped, so every character is equally likely.
_UNBIASED = 256 - 256 % len(_PASSWORD_ALPHABET)
_TO_ALPHABET = bytes(ord(_PASSWORD_ALPHABET[b % len(_PASSWORD_ALPHABET)]) for b in range(256))
_DROP = bytes(range(_UNBIASED, 256))


def random_string(length: int = 32) -> str:
    """`length` characters of [A-Za-z0-9] from the OS's CSPRNG, without modulo bias."""
    out = b""
    while len(out) < length:
        out += secrets.token_bytes(length + 8).translate(_TO_ALPHABET, _DROP)
    return out[:length].decode()


def unusable_password() -> str:
    """Django's marker for "no password set": nobody can log in until the account is claimed."""
    return "!" + random_string(40)


def sha256_hex(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()
