"""Interest between two organisations' listings, and the contact reveal it unlocks.

A company user declares that one of their organisation's listings is interested
in another organisation's active listing (usually one of its suggestions; any
listing whose public fields the member can see qualifies). When both sides have
done so (A's listing → B's listing and B's listing → A's listing) and both
listings are still active, the interest is *mutual*: each side may read the
other's contact fields through :func:`reveal_contact`, and every such read is
audited (who, when, which listing; never the contact itself). Withdrawing an
interest (or a listing) ends the mutual state and the contact is hidden again.
Before that, no response carries the partner's contact fields: interests show
the partner through :class:`~service.schemas.ListingPublic`.
"""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from service import audit
from service.access import get_listing, public_row_view, visible_listing
from service.auth import Principal
from service.db import Database
from service.errors import ApiError, invalid, not_found
from service.models import Interest, ListingRow, as_utc
from service.review_schemas import ContactReveal, InterestIn, InterestOut, InterestsOut
from service.schemas import ContactOut


def _org(user: Principal) -> int:
    if user.organization_id is None:  # the routers admit company users only
        raise ApiError(403, "this needs the role company")
    return user.organization_id


def _find(db: Session, from_id: str, to_id: str) -> Interest | None:
    return db.execute(
        select(Interest).where(Interest.from_listing_id == from_id, Interest.to_listing_id == to_id)
    ).scalar()


def is_mutual(db: Session, interest: Interest) -> bool:
    """Both directions exist and both listings are active."""
    if _find(db, interest.to_listing_id, interest.from_listing_id) is None:
        return False
    statuses = db.execute(
        select(ListingRow.status).where(
            ListingRow.id.in_([interest.from_listing_id, interest.to_listing_id])
        )
    ).scalars()
    return all(s == "active" for s in statuses)


def _out(interest: Interest, partner: ListingRow, *, outgoing: bool, mutual: bool) -> InterestOut:
    return InterestOut(
        id=interest.id,
        from_listing_id=interest.from_listing_id,
        to_listing_id=interest.to_listing_id,
        at=as_utc(interest.at),
        direction="outgoing" if outgoing else "incoming",
        mutual=mutual,
        partner=public_row_view(partner),
        partner_active=partner.status == "active",
    )


def create_interest(
    database: Database, user: Principal, data: InterestIn
) -> tuple[InterestOut, bool]:
    """Record the interest (idempotent); returns it and whether it is new.

    Raises:
        ApiError: 404 (``from_listing`` not the caller's organisation's, ``to_listing``
            missing or withdrawn), 409 (``from_listing`` withdrawn), 422 (both listings
            of the caller's organisation).
    """
    org = _org(user)
    with database.session() as db:
        own = get_listing(db, user, data.from_listing)
        if own.status != "active":
            raise ApiError(409, f"listing {own.id!r} is withdrawn")
        partner = visible_listing(db, data.to_listing)
        if partner.organization_id == org:
            raise invalid(["body", "to_listing"], "a listing of your own organisation")
    created = False
    with database.write_session() as db:
        interest = _find(db, own.id, partner.id)
        if interest is None:
            interest = Interest(from_listing_id=own.id, to_listing_id=partner.id, user_id=user.id)
            db.add(interest)
            try:
                db.flush()
            except IntegrityError:  # the same pair was declared concurrently
                db.rollback()
                interest = _find(db, own.id, partner.id)
                if interest is None:
                    raise
            else:
                audit.record(
                    db,
                    user.id,
                    "interest.create",
                    "interest",
                    str(interest.id),
                    {"from_listing": own.id, "to_listing": partner.id},
                )
                db.commit()
                created = True
        mutual = is_mutual(db, interest)
        return _out(interest, partner, outgoing=True, mutual=mutual), created


def _own_interest(db: Session, user: Principal, interest_id: int) -> Interest:
    """An interest sent from or to the caller's organisation's listings; 404 otherwise."""
    org = _org(user)
    interest = db.get(Interest, interest_id)
    if interest is not None:
        owners = db.execute(
            select(ListingRow.organization_id).where(
                ListingRow.id.in_([interest.from_listing_id, interest.to_listing_id])
            )
        ).scalars()
        if org in set(owners):
            return interest
    raise not_found(f"interest {interest_id}")


def withdraw_interest(database: Database, user: Principal, interest_id: int) -> None:
    """Delete one of the caller's organisation's own (outgoing) interests; 404 otherwise."""
    org = _org(user)
    with database.write_session() as db:
        interest = _own_interest(db, user, interest_id)
        sender = db.get(ListingRow, interest.from_listing_id)
        if sender is None or sender.organization_id != org:
            raise not_found(f"interest {interest_id}")
        audit.record(
            db,
            user.id,
            "interest.withdraw",
            "interest",
            str(interest.id),
            {"from_listing": interest.from_listing_id, "to_listing": interest.to_listing_id},
        )
        db.delete(interest)
        db.commit()


def list_interests(db: Session, user: Principal) -> InterestsOut:
    """The organisation's outgoing and incoming interests and the mutual ones."""
    org = _org(user)
    mine = set(db.execute(select(ListingRow.id).where(ListingRow.organization_id == org)).scalars())
    if not mine:
        return InterestsOut(outgoing=[], incoming=[], mutual=[])
    found = (
        db.execute(
            select(Interest)
            .where(or_(Interest.from_listing_id.in_(mine), Interest.to_listing_id.in_(mine)))
            .order_by(Interest.id)
        )
        .scalars()
        .all()
    )
    others = {i.to_listing_id if i.from_listing_id in mine else i.from_listing_id for i in found}
    rows = {
        r.id: r for r in db.execute(select(ListingRow).where(ListingRow.id.in_(others))).scalars()
    }
    own_active = set(
        db.execute(
            select(ListingRow.id).where(
                ListingRow.organization_id == org, ListingRow.status == "active"
            )
        ).scalars()
    )
    pairs = {(i.from_listing_id, i.to_listing_id) for i in found}
    outgoing: list[InterestOut] = []
    incoming: list[InterestOut] = []
    for i in found:
        sent = i.from_listing_id in mine
        own_id = i.from_listing_id if sent else i.to_listing_id
        other_id = i.to_listing_id if sent else i.from_listing_id
        partner = rows.get(other_id)
        if partner is None:  # both listings are the caller's (not created by the API)
            continue
        mutual = (
            (i.to_listing_id, i.from_listing_id) in pairs
            and own_id in own_active
            and partner.status == "active"
        )
        (outgoing if sent else incoming).append(_out(i, partner, outgoing=sent, mutual=mutual))
    return InterestsOut(
        outgoing=outgoing, incoming=incoming, mutual=[i for i in outgoing if i.mutual]
    )


def reveal_contact(database: Database, user: Principal, interest_id: int) -> ContactReveal:
    """The partner's contact fields of a mutual interest; audited as ``contact.reveal``.

    ``interest_id`` is either direction of the pair.

    Raises:
        ApiError: 404 (no such interest of the caller's organisation), 409 (not mutual).
    """
    org = _org(user)
    with database.write_session() as db:
        interest = _own_interest(db, user, interest_id)
        sender = db.get(ListingRow, interest.from_listing_id)
        receiver = db.get(ListingRow, interest.to_listing_id)
        assert sender is not None and receiver is not None
        own, partner = (sender, receiver) if sender.organization_id == org else (receiver, sender)
        if not is_mutual(db, interest):
            raise ApiError(
                409,
                "no mutual interest (yet): contact details are shown once both sides have "
                "expressed interest and both listings are active",
            )
        audit.record(
            db,
            user.id,
            "contact.reveal",
            "listing",
            partner.id,
            {"interest_id": interest.id, "for_listing": own.id},
        )
        db.commit()
        return ContactReveal(
            interest_id=interest.id,
            listing_id=own.id,
            partner_listing_id=partner.id,
            partner=public_row_view(partner),
            contact=ContactOut(
                contact_name=partner.contact_name,
                contact_email=partner.contact_email,
                contact_phone=partner.contact_phone,
            ),
        )
