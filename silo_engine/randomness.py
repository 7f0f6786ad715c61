"""Random values minted during import: suffixes, secrets and unusable passwords."""

from __future__ import annotations

import hashlib
import secrets
import string

_SUFFIX_ALPHABET = string.ascii_lowercase + string.digits
_PASSWORD_ALPHABET = string.ascii_letters + string.digits

# How many suffix lengths to try, shortest first (the schedule Sentry uses).
SUFFIX_SCHEDULE: tuple[tuple[int, int], ...] = ((2, 2), (5, 3), (20, 5), (1, 12))


def suffixed(base: str, length: int, max_length: int) -> str:
    """`base` cut to fit, a dash, and `length` random lowercase letters or digits."""
    tail = "".join(secrets.choice(_SUFFIX_ALPHABET) for _ in range(length))
    return f"{base[: max_length - length - 1]}-{tail}"


# The suffix length of each try, in order. Callers make a try's names only for the names still
# colliding: making all 28 up front for thousands of organizations cost a third of a second.
SUFFIX_LENGTHS: tuple[int, ...] = tuple(n for tries, n in SUFFIX_SCHEDULE for _ in range(tries))


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
