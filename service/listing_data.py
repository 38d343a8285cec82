"""Listings between the database, the core's :class:`~isa_match.Listing` and validation.

One validation for every way in: a listing sent to the API is turned into the
same field dictionary a file row becomes and checked by the core's row
validator, so the API and bulk import report the same problems with the same
fixes.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from isa_match.io import RowIssue, validate_listing
from isa_match.schema import (
    CONTACT_FIELDS,
    Category,
    Contact,
    Country,
    Kind,
    Language,
    Listing,
    OrgType,
)
from service.models import ListingRow

_BATCH = 1000


@dataclass(frozen=True, slots=True)
class FieldProblem:
    """One problem of a listing sent to the API (a row issue without file and row)."""

    field: str | None
    problem: str
    fix: str
    severity: str

    def as_error(self) -> dict[str, Any]:
        """FastAPI's error shape (``loc``, ``msg``, ``type``) plus the fix."""
        return {
            "loc": ["body", self.field] if self.field else ["body"],
            "msg": self.problem,
            "type": "value_error" if self.severity == "error" else "warning",
            "fix": self.fix,
        }


class ListingInvalid(ValueError):
    """A listing sent to the API has errors; ``problems`` lists all of them."""

    def __init__(self, problems: list[FieldProblem]) -> None:
        super().__init__("; ".join(f"{p.field}: {p.problem}" for p in problems))
        self.problems = problems


def validate_fields(
    fields: Mapping[str, object], today: date
) -> tuple[Listing, list[FieldProblem]]:
    """Check one listing given as field values; the listing and its warnings.

    Raises:
        ListingInvalid: any error (all of the listing's problems are listed).
    """
    listing, issues = validate_listing(fields, today)
    problems = [_problem(i) for i in issues]
    if listing is None:
        errors = [p for p in problems if p.severity == "error"]
        raise ListingInvalid(errors or problems)
    return listing, [p for p in problems if p.severity != "error"]


def _problem(issue: RowIssue) -> FieldProblem:
    return FieldProblem(issue.field, issue.problem, issue.fix, issue.severity)


def issue_dict(issue: RowIssue, file: str) -> dict[str, Any]:
    """A row issue as JSON for API responses; contact values are never echoed."""
    value = None if issue.field in CONTACT_FIELDS else issue.value
    return {
        "file": file,
        "row": issue.row,
        "id": issue.listing_id,
        "field": issue.field,
        "column": issue.column,
        "value": value,
        "problem": issue.problem,
        "fix": issue.fix,
        "severity": issue.severity,
    }


def _stored_fields(row: ListingRow) -> dict[str, object]:
    """A stored listing's own fields: no derived ones (country, region), no contact data."""
    return {
        "id": row.id,
        "kind": row.kind,
        "category": row.category,
        "title": row.title,
        "description": row.description,
        "language": row.language,
        "organization": row.organization,
        "org_type": row.org_type,
        "city": row.city,
        "sector": list(row.sector),
        "keywords": list(row.keywords or ()),
        "created_at": row.created_at,
        "expires_at": row.expires_at,
    }


def row_fields(row: ListingRow) -> dict[str, object]:
    """A stored listing as the field dictionary :func:`validate_fields` reads."""
    return {
        **_stored_fields(row),
        "contact_name": row.contact_name,
        "contact_email": row.contact_email,
        "contact_phone": row.contact_phone,
    }


def public_fields(row: ListingRow) -> dict[str, object]:
    """The fields of a stored listing any member may see (with country and region)."""
    return {**_stored_fields(row), "country": row.country, "region": row.region}


def to_listing(row: ListingRow) -> Listing:
    """The core listing of a stored row (with its contact data)."""
    contact = Contact(row.contact_name, row.contact_email, row.contact_phone)
    return Listing(
        id=row.id,
        kind=Kind(row.kind),
        category=Category(row.category),
        title=row.title,
        description=row.description,
        language=Language(row.language),
        organization=row.organization,
        org_type=OrgType(row.org_type),
        city=row.city,
        country=Country(row.country),
        region=row.region,
        sector=tuple(row.sector),
        created_at=row.created_at,
        expires_at=row.expires_at,
        keywords=tuple(row.keywords or ()),
        contact=None if contact.is_empty() else contact,
    )


def fill_row(row: ListingRow, listing: Listing) -> None:
    """Copy every field of ``listing`` (contact included) onto ``row``."""
    contact = listing.contact or Contact()
    row.id = listing.id
    row.kind = listing.kind.value
    row.category = listing.category.value
    row.title = listing.title
    row.description = listing.description
    row.language = listing.language.value
    row.organization = listing.organization
    row.org_type = listing.org_type.value
    row.city = listing.city
    row.country = listing.country.value
    row.region = listing.region
    row.sector = list(listing.sector)
    row.keywords = list(listing.keywords)
    row.created_at = listing.created_at
    row.expires_at = listing.expires_at
    row.contact_name = contact.name
    row.contact_email = contact.email
    row.contact_phone = contact.phone


def iter_active(db: Session) -> Iterator[Listing]:
    """Every active listing, in id order, streamed in batches."""
    last = ""
    while True:
        rows = (
            db.execute(
                select(ListingRow)
                .where(ListingRow.status == "active", ListingRow.id > last)
                .order_by(ListingRow.id)
                .limit(_BATCH)
            )
            .scalars()
            .all()
        )
        if not rows:
            return
        for row in rows:
            yield to_listing(row)
        last = rows[-1].id
        db.expunge_all()


def changed_since(db: Session, seq: int, upto: int | None = None) -> list[ListingRow]:
    """Listings changed after change number ``seq`` (up to ``upto``), in change order."""
    query = select(ListingRow).where(ListingRow.seq > seq)
    if upto is not None:
        query = query.where(ListingRow.seq <= upto)
    return list(db.execute(query.order_by(ListingRow.seq, ListingRow.id)).scalars().all())
