"""Organization slug rules shared by the region (local uniqueness) and control (global)."""

from __future__ import annotations

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


def normalize_slug(slug: str) -> str:
    """Sentry's slug rules: lower case, dashes for underscores, no dashes at either end.

    A slug that is empty, reserved or all digits would be unusable, so it gets a random tail.
    """
    cleaned = slug.strip().lower().replace("_", "-").strip("-")[:SLUG_MAX_LENGTH]
    if not cleaned or cleaned in RESERVED_ORGANIZATION_SLUGS:
        return uuid.uuid4().hex[:12]
    if cleaned.isdigit():
        return f"{cleaned[:SLUG_MAX_LENGTH - 7]}-{uuid.uuid4().hex[:6]}"
    return cleaned
