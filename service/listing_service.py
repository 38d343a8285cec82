"""Writing listings: create, update, withdraw (bulk import is in :mod:`service.importer`).

Every write follows one order: validate, encode the vectors (no lock held),
then inside :meth:`MatchEngine.writing` commit the rows with the next change
number and an audit entry, and apply the change to the served index before
returning (read-your-writes).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from isa_match.reference import UnknownCityError, cities
from isa_match.schema import Listing
from service import audit
from service.access import get_listing
from service.auth import Principal
from service.db import Database, next_seq
from service.engine import MatchEngine
from service.errors import ApiError, invalid
from service.listing_data import FieldProblem, fill_row, row_fields, validate_fields
from service.models import ListingRow, Organization, utcnow
from service.schemas import ListingCreate, ListingUpdate


@dataclass(frozen=True, slots=True)
class Writer:
    """What a write needs: the database, the engine, the caller and the day."""

    database: Database
    engine: MatchEngine
    user: Principal
    today: date


@dataclass(frozen=True, slots=True)
class OrgRef:
    """An organisation to post for: an existing id, or the fields of a new one."""

    name: str
    city: str
    org_type: str
    id: int | None = None


def new_listing_id() -> str:
    """A fresh listing id (48 random bits)."""
    return f"L-{secrets.token_hex(6)}"


def resolve_city(text: str, loc: list[str | int]) -> str:
    """The member-city id of ``text`` (any alias); 422 at ``loc`` if unknown."""
    try:
        return cities().resolve(text).id
    except UnknownCityError as exc:
        raise invalid(loc, str(exc)) from None


def owner_for(db: Session, user: Principal, data: ListingCreate) -> OrgRef:
    """The organisation a new listing belongs to, checked against the caller's scope."""
    if user.role == "company":
        assert user.organization_id is not None
        org = db.get(Organization, user.organization_id)
        assert org is not None
        if data.organization is not None and data.organization != org.name:
            raise invalid(
                ["body", "organization"],
                f"a company user posts for their own organisation ({org.name!r}); "
                "leave organization out",
            )
        if data.city is not None and resolve_city(data.city, ["body", "city"]) != org.city:
            raise invalid(["body", "city"], f"your organisation is in {org.city!r}")
        if data.org_type is not None and data.org_type.value != org.org_type:
            raise invalid(["body", "org_type"], f"your organisation is a {org.org_type!r}")
        return OrgRef(org.name, org.city, org.org_type, org.id)
    if data.organization is None:
        raise invalid(["body", "organization"], "name the organisation the listing belongs to")
    if data.city is None and user.role == "staff":
        city = user.city or ""
    elif data.city is None:
        raise invalid(["body", "city"], "name the member city of the organisation")
    else:
        city = resolve_city(data.city, ["body", "city"])
    if user.role == "staff" and city != user.city:
        raise invalid(["body", "city"], f"staff post for organisations of {user.city!r} only")
    existing = find_org(db, data.organization, city)
    if existing is not None:
        if data.org_type is not None and data.org_type.value != existing.org_type:
            raise invalid(
                ["body", "org_type"],
                f"{existing.name!r} is registered as {existing.org_type!r}",
            )
        return OrgRef(existing.name, existing.city, existing.org_type, existing.id)
    if data.org_type is None:
        raise invalid(["body", "org_type"], "a new organisation needs its org_type")
    return OrgRef(data.organization, city, data.org_type.value)


def find_org(db: Session, name: str, city: str) -> Organization | None:
    """The organisation with this name in this city."""
    return db.execute(
        select(Organization).where(Organization.name == name, Organization.city == city)
    ).scalar()


def ensure_org(db: Session, ref: OrgRef) -> Organization:
    """The organisation of ``ref``, created inside ``db``'s transaction if new."""
    if ref.id is not None:
        org = db.get(Organization, ref.id)
        assert org is not None
        return org
    org = find_org(db, ref.name, ref.city)
    if org is None:
        org = Organization(name=ref.name, city=ref.city, org_type=ref.org_type)
        db.add(org)
        db.flush()
    return org


def _checked(fields: dict[str, object], today: date) -> tuple[Listing, list[FieldProblem]]:
    from service.listing_data import ListingInvalid

    try:
        return validate_fields(fields, today)
    except ListingInvalid as exc:
        raise ApiError(422, [p.as_error() for p in exc.problems]) from None


def _values(data: dict[str, Any]) -> dict[str, object]:
    """Model values as row fields (enums as their values)."""
    return {k: getattr(v, "value", v) for k, v in data.items()}


def create_listing(w: Writer, data: ListingCreate) -> tuple[ListingRow, list[FieldProblem]]:
    """Validate, store and index a new listing; returns the row and warnings."""
    with w.database.session() as db:
        ref = owner_for(db, w.user, data)
    fields = _values(data.model_dump(exclude={"organization", "city", "org_type"}))
    fields.update(
        id=new_listing_id(),
        organization=ref.name,
        org_type=ref.org_type,
        city=ref.city,
        created_at=data.created_at or w.today,
    )
    listing, warnings = _checked(fields, w.today)
    vectors = w.engine.encode([listing])
    with w.engine.writing(), w.database.write_session() as db:
        seq = next_seq(db)
        org = ensure_org(db, ref)
        row = ListingRow(organization_id=org.id, status="active", version=1, seq=seq)
        fill_row(row, listing)
        row.updated_at = utcnow()
        row.updated_by = w.user.id
        db.add(row)
        audit.record(db, w.user.id, "listing.create", "listing", listing.id, {"seq": seq})
        db.commit()
        w.engine.apply(seq, [listing], vectors=vectors)
    return row, warnings


def update_listing(
    w: Writer, listing_id: str, data: ListingUpdate, if_match: int | None = None
) -> tuple[ListingRow, list[FieldProblem]]:
    """Change fields of a listing in scope; ``if_match`` is the version the caller saw."""
    with w.database.session() as db:
        row = get_listing(db, w.user, listing_id)
        _check_version(row, if_match)
        if row.status != "active":
            raise ApiError(409, f"listing {listing_id!r} is withdrawn and cannot be changed")
        version = row.version
        fields = row_fields(row)
    changes = data.model_dump(exclude_unset=True)
    fields.update(_values(changes))
    listing, warnings = _checked(fields, w.today)
    vectors = w.engine.encode([listing])
    with w.engine.writing(), w.database.write_session() as db:
        seq = next_seq(db)
        row = get_listing(db, w.user, listing_id)
        if row.version != version or row.status != "active":
            raise ApiError(409, f"listing {listing_id!r} changed meanwhile; read it and retry")
        fill_row(row, listing)
        row.version += 1
        row.seq = seq
        row.updated_at = utcnow()
        row.updated_by = w.user.id
        audit.record(
            db,
            w.user.id,
            "listing.update",
            "listing",
            listing_id,
            {"seq": seq, "fields": sorted(changes)},
        )
        db.commit()
        w.engine.apply(seq, [listing], vectors=vectors)
    return row, warnings


def withdraw_listing(w: Writer, listing_id: str, if_match: int | None = None) -> ListingRow:
    """Withdraw a listing in scope: kept in the database, removed from the index."""
    with w.engine.writing(), w.database.write_session() as db:
        row = get_listing(db, w.user, listing_id)
        _check_version(row, if_match)
        if row.status == "withdrawn":
            return row  # withdrawing twice changes nothing
        seq = next_seq(db)
        row.status = "withdrawn"
        row.version += 1
        row.seq = seq
        row.updated_at = utcnow()
        row.updated_by = w.user.id
        audit.record(db, w.user.id, "listing.withdraw", "listing", listing_id, {"seq": seq})
        db.commit()
        w.engine.apply(seq, removals=[listing_id])
    return row


def _check_version(row: ListingRow, if_match: int | None) -> None:
    if if_match is not None and if_match != row.version:
        raise ApiError(
            412, f"listing {row.id!r} is at version {row.version}, not {if_match}; read it again"
        )
