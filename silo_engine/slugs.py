"""Organization slug rules shared by the region (local uniqueness) and control (global)."""

from __future__ import annotations

import re
import unicodedata
import uuid

SLUG_MAX_LENGTH = 50

# Slugs that name routes or system pages and can never belong to an organization.
RESERVED_ORGANIZATION_SLUGS = frozenset({
    "404", "500", "about", "account", "accept", "admin", "api", "app", "auth", "avatar",
    "billing", "blog", "careers", "claim", "customers", "debug", "docs", "extensions", "features",
    "get-cli", "help", "integration-platform", "integrations", "invite", "join", "login",
    "logout", "manage", "new", "onboarding", "organization-avatar", "organizations",
    "out", "platforms", "pricing", "privacy", "register", "remote", "resources", "security",
    "sentry", "sentry-apps", "settings", "signup", "support", "team-avatar", "terms", "tour",
    "user-avatar",
})


def slug_base(slug: str) -> str:
    """Sentry's slug rules: lower case, dashes for underscores, then Django's slugify (accents
    dropped to ASCII, anything but letters, digits, dashes and spaces removed, runs of spaces
    and dashes made one dash), no dashes at either end, at most SLUG_MAX_LENGTH characters."""
    # Lower case and underscores after the compatibility decomposition: "㎷" only becomes
    # letters ("mV") there, and a full-width low line (U+FF3F) an underscore.
    text = unicodedata.normalize("NFKD", slug).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^\w\s-]", "", text.lower().replace("_", "-"))
    return re.sub(r"[-\s]+", "-", text).strip("-_")[:SLUG_MAX_LENGTH].strip("-")


def normalize_slug(slug: str) -> str:
    """The slug an imported organization gets before it is made unique: `slug_base`, and a
    random one where that is empty, reserved or all digits (which would be unusable)."""
    cleaned = slug_base(slug)
    if not cleaned or cleaned in RESERVED_ORGANIZATION_SLUGS:
        return _random_slug()
    if cleaned.isdigit():
        return f"{cleaned[:SLUG_MAX_LENGTH - 7]}-{uuid.uuid4().hex[:6]}"
    return cleaned


def _random_slug() -> str:
    """Twelve random hex digits, with a letter among them (about one in 280 draws is digits
    only, which Sentry refuses as a slug)."""
    while (slug := uuid.uuid4().hex[:12]).isdigit():
        pass
    return slug
