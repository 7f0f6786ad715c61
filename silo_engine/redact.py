"""Keep secrets out of error messages, findings and logs.

Values of fields that hold credentials (password hashes, tokens, keys, secrets, validation
hashes, authenticator config) are never echoed back; database messages lose the values they
quote.
"""

from __future__ import annotations

import re
from typing import Any

from wire.errors import shown

REDACTED = "[redacted]"
_SENSITIVE_PARTS = ("password", "token", "secret", "hash", "nonce", "signature")
_SENSITIVE_NAMES = frozenset({"config", "client_id", "data_key"})
_DB_VALUES = re.compile(r"\)=\((.*?)\)(?= |$|\.)")


def is_sensitive(field: str) -> bool:
    name = field.lower()
    return name in _SENSITIVE_NAMES or name.endswith("_key") or \
        any(part in name for part in _SENSITIVE_PARTS)


def field_message(message: str, value: Any, secret: bool) -> str:
    """A message about a field's value, with the value hidden when it is a credential (values
    are quoted cut to size by `shown`, from wire.errors, for both sides)."""
    if not secret:
        return message
    return message.replace(shown(value), REDACTED).replace(repr(value), REDACTED) \
        .replace(str(value), REDACTED)


def database_message(message: str) -> str:
    """A database error's text without the row values it quotes (`Key (token)=(...)`)."""
    return _DB_VALUES.sub(f")=({REDACTED})", message)
