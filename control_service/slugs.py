"""Global organization slugs: reserve each imported organization's slug across all regions.

Runs after a region has imported its organizations (with slugs unique in that region). The
control silo makes them unique globally, records the reservation and the organization's region,
and answers with the final slug for each. Repeating a call returns the same answer.
"""

from __future__ import annotations

import functools
import uuid
from dataclasses import dataclass

import sqlalchemy as sa

from control_service.models.organizations import (
    PRIMARY,
    organization_mapping,
    organization_member_mapping,
    slug_reservation,
)
from silo_engine.bulk import insert_from_json, json_rows
from silo_engine.randomness import first_free_names
from silo_engine.slugs import RESERVED_ORGANIZATION_SLUGS, SLUG_MAX_LENGTH


@dataclass(frozen=True)
class SlugClaim:
    organization_id: int
    desired_slug: str
    name: str
    status: int = 0


def reserve_slugs(conn: sa.Connection, region_name: str, import_uuid: str,
                  claims: list[SlugClaim]) -> dict[int, str]:
    """organization id -> its globally unique slug, reserving the ones not reserved yet."""
    conn.execute(sa.select(sa.func.pg_advisory_xact_lock(sa.func.hashtext(slug_reservation.name))))
    ids = [c.organization_id for c in claims]
    known = dict(conn.execute(
        sa.select(organization_mapping.c.organization_id, organization_mapping.c.slug).where(
            organization_mapping.c.organization_id.in_(ids),
            organization_mapping.c.region_name == region_name)).all())
    result = {oid: slug for oid, slug in known.items()}
    pending = [c for c in claims if c.organization_id not in known]
    if not pending:
        return result
    slugs = first_free_names([c.desired_slug for c in pending], SLUG_MAX_LENGTH,
                             RESERVED_ORGANIZATION_SLUGS, functools.partial(_taken, conn),
                             bases_first=True)  # the slug as asked, then ever longer suffixes
    for claim, slug in zip(pending, slugs, strict=True):
        if slug is None:
            raise RuntimeError(f"no free organization slug for {claim.desired_slug!r}")
        result[claim.organization_id] = slug
    new = [c for c in claims if c.organization_id not in known]
    conn.execute(insert_from_json(slug_reservation, _RESERVATION_COLUMNS), json_rows([
        {"slug": result[c.organization_id], "organization_id": c.organization_id,
         "region_name": region_name, "reservation_type": PRIMARY} for c in new]))
    conn.execute(insert_from_json(organization_mapping, _MAPPING_COLUMNS), json_rows([
        {"organization_id": c.organization_id, "slug": result[c.organization_id],
         "name": c.name[:64], "idempotency_key": import_uuid[:48], "region_name": region_name,
         "verified": False, "status": c.status} for c in new]))
    return result


_RESERVATION_COLUMNS = ("slug", "organization_id", "region_name", "reservation_type")
_MAPPING_COLUMNS = ("organization_id", "slug", "name", "idempotency_key", "region_name",
                    "verified", "status")


def _taken(conn: sa.Connection, slugs: list[str]) -> set[str]:
    rows = conn.execute(sa.select(sa.func.lower(slug_reservation.c.slug)).where(
        sa.func.lower(slug_reservation.c.slug).in_([s.lower() for s in slugs])))
    return {r[0] for r in rows}


def _keys(import_uuid: str) -> list[str]:
    """The idempotency keys of the organization mappings the import made: its uuid as sent,
    in either spelling."""
    given = uuid.UUID(import_uuid)
    return sorted({import_uuid[:48], given.hex[:48], str(given)[:48]})


def _created_by(import_uuid: str) -> sa.ColumnElement[bool]:
    return organization_mapping.c.idempotency_key.in_(_keys(import_uuid))


def organizations_known(conn: sa.Connection, import_uuid: str) -> None:
    """Add the organizations the import made to a rollback's rows (silo_engine.rollback): the
    region's, known here by their mappings, which control rows may reference."""
    conn.execute(sa.text(
        "INSERT INTO rollback_rows (model, id, source) SELECT 'sentry.organization', "
        "organization_id, 'elsewhere' FROM sentry_organizationmapping "
        "WHERE idempotency_key = ANY(:keys) ON CONFLICT DO NOTHING"),
        {"keys": _keys(import_uuid)})


def release_organizations(conn: sa.Connection, import_uuid: str) -> None:
    """Remove what reserving the import's slugs made: the member mappings of its organizations,
    their slug reservations, then their mappings (last: they say which organizations were the
    import's, so a release stopped half-way finds them again)."""
    mine = sa.select(organization_mapping.c.organization_id, organization_mapping.c.region_name
                     ).where(_created_by(import_uuid))
    conn.execute(sa.delete(organization_member_mapping).where(
        organization_member_mapping.c.organization_id.in_(
            mine.with_only_columns(organization_mapping.c.organization_id))))
    conn.execute(sa.delete(slug_reservation).where(
        sa.tuple_(slug_reservation.c.organization_id, slug_reservation.c.region_name)
        .in_(mine)))
    conn.execute(sa.delete(organization_mapping).where(_created_by(import_uuid)))
