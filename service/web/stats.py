"""Counts behind the city overview and the admin page (plain SQL aggregates)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from isa_match.reference import sectors
from service.models import Decision, ListingRow, Organization, User


@dataclass(frozen=True, slots=True)
class CityStats:
    """What the overview of one member city shows."""

    listings: int
    organizations: int
    approved: int
    rejected: int
    listings_by_section: Counter[str]
    """Active listings per NACE section (a listing naming two sections counts in both)."""
    approved_by_section: Counter[str]
    """Approved pairs per section of the city's listing."""
    approved_by_city: Counter[str]
    """Approved pairs per member city of the partner."""


def _sections(codes: list[str]) -> set[str]:
    table = sectors()
    return {table.section_of(c) for c in codes if c in table}


def city_stats(db: Session, city: str) -> CityStats:
    """Listings and the latest decisions on the pairs of ``city``'s listings."""
    by_section: Counter[str] = Counter()
    listings = 0
    for codes in db.execute(
        select(ListingRow.sector).where(ListingRow.city == city, ListingRow.status == "active")
    ).scalars():
        listings += 1
        by_section.update(_sections(list(codes)))
    organizations = (
        db.scalar(select(func.count()).select_from(Organization).where(Organization.city == city))
        or 0
    )
    own = aliased(ListingRow)
    partner = aliased(ListingRow)
    latest = (
        select(func.max(Decision.id))
        .join(own, own.id == Decision.listing_id)
        .where(own.city == city)
        .group_by(Decision.listing_id, Decision.suggested_id)
    )
    rows = db.execute(
        select(Decision.status, own.sector, partner.city)
        .join(own, own.id == Decision.listing_id)
        .join(partner, partner.id == Decision.suggested_id)
        .where(Decision.id.in_(latest))
    ).all()
    approved_by_section: Counter[str] = Counter()
    approved_by_city: Counter[str] = Counter()
    approved = rejected = 0
    for status, codes, partner_city in rows:
        if status == "approve":
            approved += 1
            approved_by_section.update(_sections(list(codes)))
            approved_by_city[partner_city] += 1
        else:
            rejected += 1
    return CityStats(
        listings=listings,
        organizations=organizations,
        approved=approved,
        rejected=rejected,
        listings_by_section=by_section,
        approved_by_section=approved_by_section,
        approved_by_city=approved_by_city,
    )


@dataclass(frozen=True, slots=True)
class MemberCounts:
    """Per member city: active listings, organisations, staff accounts."""

    listings: Counter[str]
    organizations: Counter[str]
    staff: Counter[str]


def member_counts(db: Session) -> MemberCounts:
    """Counts of every member city (cities without any are absent: 0)."""
    listings: Counter[str] = Counter()
    for city, n in db.execute(
        select(ListingRow.city, func.count())
        .where(ListingRow.status == "active")
        .group_by(ListingRow.city)
    ):
        listings[city] = n
    organizations: Counter[str] = Counter()
    for city, n in db.execute(select(Organization.city, func.count()).group_by(Organization.city)):
        organizations[city] = n
    staff: Counter[str] = Counter()
    for staff_city in db.execute(
        select(User.city).where(User.role == "staff", User.active, User.city.is_not(None))
    ).scalars():
        if staff_city is not None:
            staff[staff_city] += 1
    return MemberCounts(listings, organizations, staff)
