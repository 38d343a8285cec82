"""Request and response models of the review workflow: match lists, decisions,
interests and contact reveal, and the admin API (audit log, users).

Like :mod:`service.schemas`: requests forbid unknown fields and count text
lengths after NFKC normalisation; responses show listings through
:class:`~service.schemas.ListingPublic` / :class:`~service.schemas.ListingOut`,
which have no contact fields. The only model that carries contact data is
:class:`ContactReveal`, answered by the audited contact route alone.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from isa_match.text import normalize_line, normalize_text
from service.schemas import ContactOut, ListingOut, ListingPublic, MatchOut, OrganizationOut

MAX_BULK_DECISIONS = 500
ID_PATTERN = r"^[^\x00-\x1f\x7f]+$"
"""Listing ids: no control characters (PostgreSQL refuses NUL in text)."""
DB_INT_MAX = 2**31 - 1
"""Largest integer id (PostgreSQL ``integer``); larger values answer 422, never 500."""

Role = Literal["company", "staff", "admin"]
DecisionStatus = Literal["approve", "reject"]
DecisionSource = Literal["suggested", "duplicate", "manual"]


def _limited(normalize: Callable[[str], str], limit: int) -> Callable[[str], str]:
    def check(value: str) -> str:
        text = normalize(value)
        if len(text) > limit:
            raise ValueError(f"at most {limit} characters (after normalisation), got {len(text)}")
        return text

    return check


ListingRef = Annotated[str, Field(min_length=1, max_length=128, pattern=ID_PATTERN)]
Reason = Annotated[str, AfterValidator(_limited(normalize_line, 500))]
Note = Annotated[str, AfterValidator(_limited(normalize_text, 2000))]
CityText = Annotated[str, AfterValidator(_limited(normalize_line, 100))]


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


# -- match lists and decisions ----------------------------------------------------------


class DecisionIn(_Request):
    """A decision on one suggested pair: approve, or reject with a reason."""

    listing_id: ListingRef
    suggested_id: ListingRef
    status: DecisionStatus
    reason: Reason | None = Field(default=None, description="required for reject")
    note: Note | None = None


class DecisionBulkIn(_Request):
    """Up to 500 decisions, stored all together or not at all."""

    decisions: list[DecisionIn] = Field(min_length=1, max_length=MAX_BULK_DECISIONS)


class DecisionOut(BaseModel):
    """A stored decision with who and when, and the suggestion as it was at that time."""

    id: int
    listing_id: str
    suggested_id: str
    status: DecisionStatus
    reason: str | None
    note: str | None
    user_id: int
    user_email: str | None
    at: datetime
    source: DecisionSource
    rank: int | None
    score: float | None
    components: dict[str, float] | None
    latest: bool = True
    """False once a newer decision on the same pair exists (the latest wins)."""


class DecisionsWritten(BaseModel):
    """Decisions just stored."""

    items: list[DecisionOut]


class DecisionPage(BaseModel):
    """One page of the decisions export (oldest first)."""

    items: list[DecisionOut]
    total: int
    page: int
    page_size: int


class MatchListRow(BaseModel):
    """One suggested pair of a match list: the city's listing, the suggestion, the decision."""

    listing: ListingOut
    rank: int
    suggestion: MatchOut
    decision: DecisionOut | None


class MatchListPage(BaseModel):
    """One page of a match list."""

    items: list[MatchListRow]
    total: int
    page: int
    page_size: int
    k: int
    listings: int
    """How many of the city's active listings the list covers (after the listing filters)."""
    watermark: int
    """The index's change number the suggestions were computed at."""


# -- interests ------------------------------------------------------------------------


class InterestIn(_Request):
    """Interest of one of the caller's listings in another organisation's listing."""

    from_listing: ListingRef
    to_listing: ListingRef


class InterestOut(BaseModel):
    """An interest as one side sees it: the partner's public fields, never contact data."""

    id: int
    from_listing_id: str
    to_listing_id: str
    at: datetime
    direction: Literal["outgoing", "incoming"]
    mutual: bool
    """Both sides have expressed interest (and both listings are active): the contact
    route answers."""
    partner: ListingPublic
    partner_active: bool


class InterestsOut(BaseModel):
    """The caller's organisation's interests."""

    outgoing: list[InterestOut]
    incoming: list[InterestOut]
    mutual: list[InterestOut]
    """The outgoing interests answered by the partner (``GET /interests/{id}/contact``)."""


class ContactReveal(BaseModel):
    """The partner's contact data after mutual interest (each call is audited)."""

    interest_id: int
    listing_id: str
    partner_listing_id: str
    partner: ListingPublic
    contact: ContactOut


# -- admin ----------------------------------------------------------------------------


class AuditOut(BaseModel):
    """One audit entry."""

    id: int
    at: datetime
    user_id: int | None
    user_email: str | None
    action: str
    object_type: str
    object_id: str | None
    details: dict[str, Any]


class AuditPage(BaseModel):
    """One page of the audit log (newest first)."""

    items: list[AuditOut]
    total: int
    page: int
    page_size: int


class AdminUserOut(BaseModel):
    """An account as administrators see it (never the password hash)."""

    id: int
    email: str
    role: Role
    organization: OrganizationOut | None
    city: str | None
    active: bool
    is_demo: bool
    created_at: datetime


class UserPage(BaseModel):
    """One page of accounts."""

    items: list[AdminUserOut]
    total: int
    page: int
    page_size: int


class UserPatch(_Request):
    """Changes to an account (absent fields stay). A company user needs an organisation,
    staff a city; the field the new role does not use is cleared."""

    role: Role | None = None
    city: CityText | None = None
    organization_id: int | None = Field(default=None, ge=1, le=DB_INT_MAX)
    active: bool | None = None
