"""Database tables (SQLAlchemy 2 typed ORM); the schema is created with ``create_all``.

There is no migration tool yet: the schema is created on first start and this
module is its only definition. The first schema change after a release needs
Alembic (or a hand-written migration) and a ``schema_version`` bump in
:class:`IndexState`.

Every listing change takes a number from one global change counter
(:attr:`IndexState.change_seq`, bumped inside the writing transaction) and stores
it in :attr:`ListingRow.seq`; the search index records the highest number it
reflects (its *watermark*), so "which changes does the index miss" is one
indexed query (``seq > watermark``).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

SCHEMA_VERSION = 2
"""2: decisions keep the suggestion's score, components, rank and source."""
ROLES = ("company", "staff", "admin")
LISTING_STATUSES = ("active", "withdrawn")
DECISIONS = ("approve", "reject")


def utcnow() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """A stored time as aware UTC (SQLite hands back naive datetimes)."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    """Declarative base of every table."""


class Organization(Base):
    """A company, institute or public body in a member city (owner of listings)."""

    __tablename__ = "organizations"
    __table_args__ = (UniqueConstraint("name", "city", name="uq_organization_name_city"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    city: Mapped[str] = mapped_column(String(64), index=True)
    """Canonical member-city id (``koeln``, ``baoan``)."""
    org_type: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class User(Base):
    """An account: company user (of one organisation), city staff, or alliance admin."""

    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("role IN ('company', 'staff', 'admin')", name="ck_user_role"),
        CheckConstraint(
            "(role = 'company' AND organization_id IS NOT NULL) OR role <> 'company'",
            name="ck_company_user_has_organization",
        ),
        CheckConstraint(
            "(role = 'staff' AND city IS NOT NULL) OR role <> 'staff'",
            name="ck_staff_user_has_city",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    """The login name, stored case-folded."""
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    organization_id: Mapped[int | None] = mapped_column(
        ForeignKey("organizations.id"), index=True, default=None
    )
    city: Mapped[str | None] = mapped_column(String(64), default=None)
    """Member-city id of a staff user."""
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    """A documented demo account; production mode refuses to start while one is active."""
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ListingRow(Base):
    """A listing with every field of :class:`isa_match.Listing`, its contact data and state."""

    __tablename__ = "listings"
    __table_args__ = (
        CheckConstraint("status IN ('active', 'withdrawn')", name="ck_listing_status"),
        Index("ix_listings_status_city", "status", "city"),
    )

    id: Mapped[str] = mapped_column(String(128), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    category: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str] = mapped_column(String(4))
    organization: Mapped[str] = mapped_column(String(300))
    org_type: Mapped[str] = mapped_column(String(16))
    city: Mapped[str] = mapped_column(String(64))
    country: Mapped[str] = mapped_column(String(2))
    region: Mapped[str] = mapped_column(String(8))
    sector: Mapped[list[str]] = mapped_column(JSON)
    keywords: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[date] = mapped_column(Date)
    expires_at: Mapped[date | None] = mapped_column(Date, default=None)
    contact_name: Mapped[str | None] = mapped_column(String(300), default=None)
    contact_email: Mapped[str | None] = mapped_column(String(320), default=None)
    contact_phone: Mapped[str | None] = mapped_column(String(64), default=None)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="active")
    version: Mapped[int] = mapped_column(Integer, default=1)
    seq: Mapped[int] = mapped_column(Integer, index=True)
    """Value of the global change counter at this listing's last change."""
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)


class Decision(Base):
    """A staff decision on one suggestion (approve, or reject with a reason); history kept.

    Every decision is a new row; the latest row of a pair is its current decision.
    The suggestion's score, components and rank at decision time are stored with it,
    so the decisions are a training set for the ranking weights.
    """

    __tablename__ = "decisions"
    __table_args__ = (
        CheckConstraint("status IN ('approve', 'reject')", name="ck_decision_status"),
        CheckConstraint(
            "source IN ('suggested', 'duplicate', 'manual')", name="ck_decision_source"
        ),
        Index("ix_decisions_pair", "listing_id", "suggested_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    listing_id: Mapped[str] = mapped_column(ForeignKey("listings.id"))
    suggested_id: Mapped[str] = mapped_column(ForeignKey("listings.id"))
    status: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(String(500), default=None)
    note: Mapped[str | None] = mapped_column(Text, default=None)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    source: Mapped[str] = mapped_column(String(16), default="manual")
    """``suggested`` (among the listing's suggestions), ``duplicate`` (a near-duplicate
    collapsed into one) or ``manual`` (a pair staff found themselves)."""
    rank: Mapped[int | None] = mapped_column(Integer, default=None)
    """1-based position among the listing's suggestions (None for a manual pair)."""
    score: Mapped[float | None] = mapped_column(Float, default=None)
    components: Mapped[dict[str, float] | None] = mapped_column(JSON, default=None)
    watermark: Mapped[int | None] = mapped_column(Integer, default=None)
    """The index's change number the suggestion was computed at."""


class Interest(Base):
    """One side's interest in a suggested partner; contact data is shown once both exist."""

    __tablename__ = "interests"
    __table_args__ = (
        UniqueConstraint("from_listing_id", "to_listing_id", name="uq_interest_pair"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    from_listing_id: Mapped[str] = mapped_column(ForeignKey("listings.id"), index=True)
    to_listing_id: Mapped[str] = mapped_column(ForeignKey("listings.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AuditEntry(Base):
    """Who did what to which object, when. ``details`` never holds contact data."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_object", "object_type", "object_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True, default=None)
    action: Mapped[str] = mapped_column(String(64), index=True)
    object_type: Mapped[str] = mapped_column(String(32))
    object_id: Mapped[str | None] = mapped_column(String(128), default=None)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class IndexState(Base):
    """One row: the database's identity, schema version and change counter.

    ``change_seq`` is the last number handed to a listing change; ``saved_seq`` the
    watermark of the last saved index (informational: the index folder's manifest
    is what start-up compares). ``database_id`` ties a saved index to this database,
    so an index folder copied from another database is never taken for current.
    """

    __tablename__ = "index_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    database_id: Mapped[str] = mapped_column(String(64))
    schema_version: Mapped[int] = mapped_column(Integer, default=SCHEMA_VERSION)
    change_seq: Mapped[int] = mapped_column(Integer, default=0)
    saved_seq: Mapped[int | None] = mapped_column(Integer, default=None)
    saved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
