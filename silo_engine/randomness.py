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


def suffix_candidates(base: str, max_length: int) -> list[str]:
    """Every suffixed name to try for `base`, in order."""
    return [suffixed(base, n, max_length) for tries, n in SUFFIX_SCHEDULE for _ in range(tries)]


def hex_token(nbytes: int = 32) -> str:
    return secrets.token_hex(nbytes)


def random_string(length: int = 32) -> str:
    return "".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(length))


def unusable_password() -> str:
    """Django's marker for "no password set": nobody can log in until the account is claimed."""
    return "!" + random_string(40)


def sha256_hex(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()
