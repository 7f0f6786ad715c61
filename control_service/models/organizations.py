"""Control's view of organizations: globally reserved slugs and which region holds each one.

These are not relocatable models; the import writes them after the region has imported its
organizations (Sentry's OrganizationSlugReservation and OrganizationMapping).
"""

import sqlalchemy as sa

from control_service.models.metadata import metadata

PRIMARY, VANITY_ALIAS, TEMPORARY_RENAME_ALIAS = 0, 1, 2

slug_reservation = sa.Table(
    "sentry_organizationslugreservation", metadata,
    sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=True),
    sa.Column("slug", sa.String(50), nullable=False, unique=True),
    sa.Column("organization_id", sa.BigInteger, nullable=False),
    sa.Column("user_id", sa.BigInteger, nullable=True, index=True),
    sa.Column("region_name", sa.String(48), nullable=False),
    sa.Column("reservation_type", sa.BigInteger, nullable=False, default=PRIMARY),
    sa.Column("date_added", sa.DateTime(timezone=True), nullable=False,
              server_default=sa.func.now()),
    sa.UniqueConstraint("organization_id", "reservation_type",
                        name="sentry_organizationslugreservation_org_type_uniq"),
)

organization_mapping = sa.Table(
    "sentry_organizationmapping", metadata,
    sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=True),
    sa.Column("organization_id", sa.BigInteger, nullable=False, unique=True),
    sa.Column("slug", sa.String(50), nullable=False, unique=True),
    sa.Column("name", sa.String(64), nullable=False),
    sa.Column("date_created", sa.DateTime(timezone=True), nullable=False,
              server_default=sa.func.now()),
    sa.Column("customer_id", sa.String(255), nullable=True),
    sa.Column("verified", sa.Boolean, nullable=False, default=False),
    sa.Column("idempotency_key", sa.String(48), nullable=False),
    sa.Column("region_name", sa.String(48), nullable=False),
    sa.Column("status", sa.BigInteger, nullable=True),
    *[sa.Column(flag, sa.Boolean, nullable=False, server_default=sa.false())
      for flag in ("allow_joinleave", "enhanced_privacy", "require_2fa", "early_adopter",
                   "disable_shared_issues", "disable_new_visibility_features",
                   "require_email_verification", "codecov_access",
                   "disable_member_project_creation", "prevent_superuser_access",
                   "disable_member_invite")],
)

organization_member_mapping = sa.Table(
    "sentry_organizationmembermapping", metadata,
    sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=True),
    sa.Column("organization_id", sa.BigInteger, nullable=False, index=True),
    sa.Column("organizationmember_id", sa.BigInteger, nullable=True),
    sa.Column("date_added", sa.DateTime(timezone=True), nullable=False,
              server_default=sa.func.now()),
    sa.Column("role", sa.String(32), nullable=False),
    # Indexed, as Django indexes a foreign key: deleting a user (a rollback) checks this
    # table for rows that still point at it, a scan of the whole table per user without one.
    sa.Column("user_id", sa.BigInteger, sa.ForeignKey("auth_user.id", deferrable=True,
                                                      initially="DEFERRED"), nullable=True,
              index=True),
    sa.Column("email", sa.String(75), nullable=True),
    sa.Column("inviter_id", sa.BigInteger, sa.ForeignKey("auth_user.id", deferrable=True,
                                                         initially="DEFERRED"), nullable=True,
              index=True),
    sa.Column("invite_status", sa.Integer, nullable=True),
    sa.UniqueConstraint("organization_id", "organizationmember_id",
                        name="sentry_organizationmembermapping_org_member_uniq"),
)
