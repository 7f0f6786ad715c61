"""The few Sentry models the orchestrator's own logic names, declared once.

Everything else about models comes from the silos (DescribeModels); these are the ones whose
answers feed a cross-silo step (users, organizations, members) or whose records a filter
selects (users, their email addresses).
"""

from __future__ import annotations

USER = "sentry.user"
EMAIL = "sentry.email"
USEREMAIL = "sentry.useremail"
ORGANIZATION = "sentry.organization"
MEMBER = "sentry.organizationmember"
