"""Suggested partners for a listing, and free-text search, with the ranking filters."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy import select
from sqlalchemy.orm import Session

from isa_match.rank.matcher import Match
from isa_match.rank.query_filters import FilterValueError, resolve_filters
from isa_match.schema import Filters
from service.access import get_listing, public_view
from service.auth import CurrentUser
from service.deps import EngineDep, SessionDep, SettingsDep
from service.errors import ApiError, FilterInputError, invalid
from service.models import ListingRow
from service.routers.listings import ListingId
from service.schemas import (
    Lang,
    MatchOut,
    ReasonOut,
    SearchRequest,
    SuggestionsOut,
)
from service.settings import K_LIMIT, Settings

router = APIRouter(tags=["suggestions"])

FilterParam = Annotated[
    list[Annotated[str, Query(max_length=100)]] | None,
    Query(max_length=50, description="repeat to accept several values"),
]


def _filters(where: str, **values: list[str] | None) -> Filters | None:
    if not any(values.values()):
        return None
    try:
        return resolve_filters(**values)
    except FilterValueError as exc:
        raise FilterInputError(where, exc) from None


def _check_k(k: int, settings: Settings, loc: list[str | int]) -> None:
    if k > settings.k_max:
        raise invalid(loc, f"k must be at most {settings.k_max}, got {k}")


def own_listing_ids(db: Session, organization_id: int) -> frozenset[str]:
    """Active listings of one organisation (never suggested to that organisation)."""
    rows = db.execute(
        select(ListingRow.id).where(
            ListingRow.organization_id == organization_id, ListingRow.status == "active"
        )
    ).scalars()
    return frozenset(rows)


def match_out(match: Match, lang: Lang | None) -> MatchOut:
    """A match as the API shows it: public listing fields, reasons in one or all languages."""
    reasons = [
        ReasonOut(
            code=r.code,
            de=r.de if lang in (None, "de") else None,
            zh=r.zh if lang in (None, "zh") else None,
            en=r.en if lang in (None, "en") else None,
        )
        for r in match.reasons
    ]
    return MatchOut(
        id=match.id,
        score=round(match.score, 6),
        components={k: round(v, 6) for k, v in match.components.items()},
        reasons=reasons,
        listing=public_view(match.listing),
        duplicates=list(match.duplicates),
    )


@router.get(
    "/listings/{listing_id}/suggestions",
    response_model=SuggestionsOut,
    responses={404: {"description": "no such listing in the caller's scope"}},
)
def suggestions(
    listing_id: ListingId,
    user: CurrentUser,
    db: SessionDep,
    engine: EngineDep,
    settings: SettingsDep,
    k: Annotated[int, Query(ge=1, le=K_LIMIT)] = 10,
    lang: Lang | None = None,
    country: FilterParam = None,
    city: FilterParam = None,
    region: FilterParam = None,
    sector: FilterParam = None,
    category: FilterParam = None,
    kind: FilterParam = None,
    org_type: FilterParam = None,
    language: FilterParam = None,
) -> SuggestionsOut:
    """Suggested partners for a listing in the caller's scope (public fields only; the
    listing's own organisation is never suggested to itself)."""
    _check_k(k, settings, ["query", "k"])
    row = get_listing(db, user, listing_id)
    if row.status != "active":
        raise ApiError(409, f"listing {listing_id!r} is withdrawn: it has no suggestions")
    filters = _filters(
        "query",
        country=country,
        city=city,
        region=region,
        sector=sector,
        category=category,
        kind=kind,
        org_type=org_type,
        language=language,
    )
    exclude = own_listing_ids(db, row.organization_id)
    db.close()  # no connection held while ranking
    matches = engine.suggest(listing_id, k=k, filters=filters, exclude_ids=exclude)
    return SuggestionsOut(listing_id=listing_id, k=k, items=[match_out(m, lang) for m in matches])


@router.post("/search", response_model=SuggestionsOut)
def search(
    body: SearchRequest,
    user: CurrentUser,
    db: SessionDep,
    engine: EngineDep,
    settings: SettingsDep,
) -> SuggestionsOut:
    """Listings matching a free text (German, Chinese or English). ``kind`` is the kind the
    text describes: a request gets offers, an offer requests; without it, both kinds.
    A company's own listings are left out."""
    _check_k(body.k, settings, ["body", "k"])
    filters = None
    if body.filters is not None:
        filters = _filters("body", **body.filters.model_dump())
    exclude = frozenset[str]()
    if user.organization_id is not None:
        exclude = own_listing_ids(db, user.organization_id)
    db.close()
    kind = body.kind.value if body.kind is not None else None
    matches = engine.suggest(
        text=body.text, kind=kind, k=body.k, filters=filters, exclude_ids=exclude
    )
    return SuggestionsOut(k=body.k, items=[match_out(m, body.lang) for m in matches])
