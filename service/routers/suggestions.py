"""Suggested partners for a listing, and free-text search, with the ranking filters.

Both are the service's hot paths, so each request costs one thread hand-over: the
routes are ``async``, check the bearer token on the event loop
(:func:`~service.auth.bearer_claims`), and do everything that blocks in one call in
the thread pool: the caller's account (:func:`~service.auth.principal_on`) and the
listing (:func:`~service.access.listing_ref`) on one database connection, the
ranking, and the JSON body, which goes out as it is (:func:`suggestions_body`:
validated against :class:`SuggestionsOut` once, not again by FastAPI). The OpenAPI
document is the same as for a route returning :class:`SuggestionsOut`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from isa_match.rank.matcher import Match
from isa_match.rank.query_filters import FilterValueError, resolve_filters
from isa_match.schema import Filters
from service.access import listing_ref
from service.auth import BearerClaims, Principal, load_principal, principal_on
from service.deps import DatabaseDep, EngineDep, SettingsDep
from service.errors import ApiError, FilterInputError, invalid
from service.models import ListingRow
from service.routers.listings import ListingId
from service.schemas import (
    Lang,
    MatchOut,
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
    return MatchOut.model_validate(_match_fields(match, lang))


def _match_fields(match: Match, lang: Lang | None) -> dict[str, Any]:
    """The fields of :class:`MatchOut` (the listing's public fields only: validating
    them as :class:`~service.schemas.ListingPublic` drops anything else)."""
    return {
        "id": match.id,
        "score": round(match.score, 6),
        "components": {k: round(v, 6) for k, v in match.components.items()},
        "reasons": [
            {
                "code": r.code,
                "de": r.de if lang in (None, "de") else None,
                "zh": r.zh if lang in (None, "zh") else None,
                "en": r.en if lang in (None, "en") else None,
            }
            for r in match.reasons
        ],
        "listing": match.listing.public_dict(),
        "duplicates": list(match.duplicates),
    }


def suggestions_body(
    matches: Iterable[Match], lang: Lang | None, *, k: int, listing_id: str | None = None
) -> bytes:
    """The JSON body of a :class:`SuggestionsOut`: validated by the model in one pass
    (no model object per match and reason), then serialised by pydantic."""
    out = SuggestionsOut.model_validate(
        {"listing_id": listing_id, "k": k, "items": [_match_fields(m, lang) for m in matches]}
    )
    return out.model_dump_json().encode("utf-8")


def _json(body: bytes) -> Response:
    return Response(content=body, media_type="application/json")


def _owner_of(user: Principal) -> tuple[str, str] | None:
    """A company user's organisation as the index knows it: (name, city)."""
    if user.organization_id is None or user.organization is None or user.city is None:
        return None
    return (user.organization, user.city)


@router.get(
    "/listings/{listing_id}/suggestions",
    response_model=SuggestionsOut,
    responses={404: {"description": "no such listing in the caller's scope"}},
)
async def suggestions(
    listing_id: ListingId,
    claims: BearerClaims,
    database: DatabaseDep,
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
) -> Response:
    """Suggested partners for a listing in the caller's scope (public fields only; the
    listing's own organisation is never suggested to itself)."""

    def work() -> bytes:
        with database.read() as conn:  # closed before ranking
            user = principal_on(conn, claims.user_id, claims.role)
            _check_k(k, settings, ["query", "k"])
            ref = listing_ref(conn, user, listing_id)
        if ref.status != "active":
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
        matches = engine.suggest(
            listing_id, k=k, filters=filters, exclude_owner=(ref.organization, ref.city)
        )
        return suggestions_body(matches, lang, k=k, listing_id=listing_id)

    return _json(await run_in_threadpool(work))


@router.post("/search", response_model=SuggestionsOut)
async def search(
    body: SearchRequest,
    claims: BearerClaims,
    database: DatabaseDep,
    engine: EngineDep,
    settings: SettingsDep,
) -> Response:
    """Listings matching a free text (German, Chinese or English). ``kind`` is the kind the
    text describes: a request gets offers, an offer requests; without it, both kinds.
    A company's own listings are left out."""

    def work() -> bytes:
        user = load_principal(database, claims.user_id, claims.role)
        _check_k(body.k, settings, ["body", "k"])
        filters = None
        if body.filters is not None:
            filters = _filters("body", **body.filters.model_dump())
        kind = body.kind.value if body.kind is not None else None
        matches = engine.suggest(
            text=body.text, kind=kind, k=body.k, filters=filters, exclude_owner=_owner_of(user)
        )
        return suggestions_body(matches, body.lang, k=body.k)

    return _json(await run_in_threadpool(work))
