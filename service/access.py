"""Who may see what: scope rules and the response views that follow them.

* a company user sees and changes only their organisation's listings;
* city staff see and change the listings of their city's organisations;
* alliance admins see and change all.

An object outside the caller's scope answers 404, exactly like a missing one,
so ids of other members' listings cannot be probed. The public fields of every
active listing are visible to every member (suggestions and search show them):
:func:`visible_listing`. Contact fields are shown only to the listing's own
organisation (:func:`sees_contact`) and, once two organisations have each
expressed interest in the other's listing, to that partner through the audited
contact route (:mod:`service.mutual`). Review objects follow their listing:
match lists and decisions belong to the staff of the listing's city
(:func:`city_scope`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Connection, Select, bindparam, literal_column, select, true
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from sqlalchemy.sql.compiler import SQLCompiler

from isa_match.schema import Listing
from service.auth import PRINCIPAL_COLUMNS, Principal, principal_from_row
from service.db import Database
from service.errors import not_found
from service.listing_data import public_fields
from service.models import IndexState, ListingRow, Organization, User, as_utc
from service.schemas import ContactOut, ListingDetail, ListingOut, ListingPublic


def listing_scope(user: Principal) -> ColumnElement[bool]:
    """SQL condition: the listings ``user`` may see and change."""
    if user.role == "admin":
        return true()
    if user.role == "staff":
        return ListingRow.city == (user.city or "")
    return ListingRow.organization_id == (user.organization_id or -1)


def in_scope(user: Principal, row: ListingRow | ListingRef) -> bool:
    """Python form of :func:`listing_scope` for one row."""
    if user.role == "admin":
        return True
    if user.role == "staff":
        return row.city == user.city
    return user.organization_id is not None and row.organization_id == user.organization_id


@dataclass(frozen=True, slots=True)
class ListingRef:
    """What the hot read paths need of a stored listing: scope, state and owner."""

    id: str
    status: str
    organization_id: int
    organization: str
    city: str


_REF_COLUMNS = (
    ListingRow.id,
    ListingRow.status,
    ListingRow.organization_id,
    ListingRow.organization,
    ListingRow.city,
)
"""The columns of a :class:`ListingRef`, in its order."""
_LISTING_REF = select(*_REF_COLUMNS).where(ListingRow.id == bindparam("listing_id"))


def listing_ref(conn: Connection, user: Principal, listing_id: str) -> ListingRef:
    """:func:`get_listing` for the hot paths: a few columns over a Core connection
    (:meth:`~service.db.Database.read`); 404 when missing or outside the scope."""
    row = conn.execute(_LISTING_REF, {"listing_id": listing_id}).one_or_none()
    return scoped_ref(user, None if row is None else ListingRef(*row), listing_id)


class PreparedRead:
    """A one-row SELECT compiled once per dialect and run on a pooled DBAPI connection.

    On SQLite it skips SQLAlchemy's per-execution work, which costs several times the
    query itself on the hot paths: no ``BEGIN``/``ROLLBACK`` (the connection is in
    autocommit mode, so the statement reads one consistent snapshot on its own), no
    execution context, no result object. Driver errors are raised as SQLAlchemy's
    (an ``OperationalError`` still answers 503). Other databases run it through a
    Core connection as usual.
    """

    def __init__(self, statement: Select[Any]) -> None:
        self.statement = statement
        self._compiled: dict[str, SQLCompiler] = {}

    def first(self, database: Database, params: Mapping[str, Any]) -> Sequence[Any] | None:
        """The first row for ``params`` (bind parameter name -> value), or None."""
        if database.dialect != "sqlite":
            with database.read() as conn:
                return conn.execute(self.statement, dict(params)).first()
        engine = database.engine
        compiled = self._compiled.get(engine.dialect.name)
        if compiled is None:
            compiled = self.statement.compile(dialect=engine.dialect)
            self._compiled[engine.dialect.name] = compiled
        sql = compiled.string
        args = tuple(params[name] for name in compiled.positiontup or ())
        raw = engine.raw_connection()
        try:
            cursor = raw.cursor()
            try:
                cursor.execute(sql, args)
                row: Sequence[Any] | None = cursor.fetchone()
            finally:
                cursor.close()
        except engine.dialect.loaded_dbapi.Error as exc:
            raise DBAPIError.instance(sql, args, exc, engine.dialect.loaded_dbapi.Error) from exc
        finally:
            raw.close()
        return row


_CALLER_AND_LISTING = PreparedRead(
    select(
        *PRINCIPAL_COLUMNS,
        *_REF_COLUMNS,
        select(IndexState.change_seq).where(IndexState.id == literal_column("1")).scalar_subquery(),
    )
    .select_from(User)
    .outerjoin(Organization, Organization.id == User.organization_id)
    .outerjoin(ListingRow, ListingRow.id == bindparam("listing_id"))
    .where(User.id == bindparam("user_id"))
)
_N_PRINCIPAL = len(PRINCIPAL_COLUMNS)


@dataclass(frozen=True, slots=True)
class CallerAndListing:
    """What one read of :func:`caller_and_listing` found."""

    user: Principal
    listing: ListingRef | None
    """The listing, in or out of the caller's scope; None when there is no such listing."""
    change_seq: int
    """The database's change counter at the same moment."""


def caller_and_listing(
    database: Database, user_id: int, role: str, listing_id: str
) -> CallerAndListing:
    """The caller (:func:`~service.auth.principal_from_row`: 401 for a deactivated user
    or a changed role), a listing (:class:`ListingRef`, whatever its scope: check
    :func:`in_scope`) and the change counter, in one statement (:class:`PreparedRead`)."""
    row = _CALLER_AND_LISTING.first(database, {"user_id": user_id, "listing_id": listing_id})
    user = principal_from_row(user_id, role, row)
    assert row is not None  # principal_from_row raised otherwise
    n, m = _N_PRINCIPAL, _N_PRINCIPAL + len(_REF_COLUMNS)
    ref = None if row[n] is None else ListingRef(*row[n:m])
    return CallerAndListing(user, ref, int(row[m]))


def scoped_ref(user: Principal, ref: ListingRef | None, listing_id: str) -> ListingRef:
    """``ref`` if it exists and is in ``user``'s scope; 404 otherwise (same answer)."""
    if ref is None or not in_scope(user, ref):
        raise not_found(f"listing {listing_id!r}")
    return ref


def get_listing(db: Session, user: Principal, listing_id: str) -> ListingRow:
    """The listing if it exists and is in ``user``'s scope; 404 otherwise (same answer)."""
    row = db.execute(
        select(ListingRow).where(ListingRow.id == listing_id, listing_scope(user))
    ).scalar()
    if row is None:
        raise not_found(f"listing {listing_id!r}")
    return row


def visible_listing(db: Session, listing_id: str) -> ListingRow:
    """An active listing of any member (its public fields are visible to all); 404 otherwise."""
    row = db.get(ListingRow, listing_id)
    if row is None or row.status != "active":
        raise not_found(f"listing {listing_id!r}")
    return row


def city_scope(user: Principal, city: str | None) -> str | None:
    """The member city a staff or admin view covers (``None``: all cities, admins only).

    Staff always see their own city; naming another answers 404 like any object
    outside the scope.

    Args:
        user: a staff user or admin.
        city: the canonical city id asked for, or None.
    """
    if user.role == "admin":
        return city
    if city is not None and city != user.city:
        raise not_found(f"city {city!r}")
    return user.city or ""


def sees_contact(user: Principal, row: ListingRow) -> bool:
    """True when ``user`` may see the listing's contact fields (its own organisation)."""
    return user.organization_id is not None and user.organization_id == row.organization_id


def public_view(listing: Listing) -> ListingPublic:
    """The public fields of a core listing."""
    return ListingPublic.model_validate(listing.public_dict())


def public_row_view(row: ListingRow) -> ListingPublic:
    """The public fields of a stored listing (what any member may see)."""
    return ListingPublic.model_validate(public_fields(row))


def list_view(row: ListingRow) -> ListingOut:
    """A row for lists: public fields and state, never contact data."""
    return ListingOut.model_validate(
        {
            **public_fields(row),
            "organization_id": row.organization_id,
            "status": row.status,
            "version": row.version,
            "updated_at": as_utc(row.updated_at),
        }
    )


def detail_view(row: ListingRow, user: Principal) -> ListingDetail:
    """One listing for ``user``: contact fields only for its own organisation."""
    contact = None
    if sees_contact(user, row):
        contact = ContactOut(
            contact_name=row.contact_name,
            contact_email=row.contact_email,
            contact_phone=row.contact_phone,
        )
    return ListingDetail.model_validate({**list_view(row).model_dump(), "contact": contact})
