"""``/matchlists``: staff review the suggestions for their city's listings and decide.

The logic is in :mod:`service.review`; this module maps HTTP to it.
"""

from __future__ import annotations

import threading
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request, status

from isa_match.rank.query_filters import FilterValueError, resolve_filters
from isa_match.schema import Filters
from service import audit
from service.access import city_scope
from service.auth import Principal, require_roles
from service.deps import DatabaseDep, EngineDep, SessionDep, SettingsDep
from service.errors import FilterInputError
from service.review import (
    DEFAULT_MATCHLIST_K,
    MatchListQuery,
    SortKey,
    StatusFilter,
    SuggestionCache,
    export_decisions,
    match_list,
    record_decisions,
)
from service.review_schemas import (
    ID_PATTERN,
    DecisionBulkIn,
    DecisionIn,
    DecisionOut,
    DecisionPage,
    DecisionsWritten,
    MatchListPage,
)
from service.schemas import Lang
from service.settings import Settings

router = APIRouter(prefix="/matchlists", tags=["review"])

Reviewer = Annotated[Principal, Depends(require_roles("staff", "admin"))]
FilterParam = Annotated[
    list[Annotated[str, Query(max_length=100)]] | None,
    Query(max_length=50, description="repeat to accept several values"),
]
CityParam = Annotated[
    str | None,
    Query(
        max_length=100,
        pattern=r"^[^\x00-\x1f\x7f]*$",
        description="member city (any spelling); staff: their own city only",
    ),
]
Page = Annotated[int, Query(ge=1, le=100_000)]
_SCOPE_404: dict[int | str, dict[str, Any]] = {
    404: {"description": "a listing or city outside the caller's scope"}
}
_cache_lock = threading.Lock()


def get_cache(request: Request) -> SuggestionCache:
    """The app's match-list suggestion cache (created on first use)."""
    state = request.app.state
    with _cache_lock:
        cache: SuggestionCache | None = getattr(state, "matchlist_cache", None)
        if cache is None:
            cache = SuggestionCache()
            state.matchlist_cache = cache
    return cache


CacheDep = Annotated[SuggestionCache, Depends(get_cache)]


def matchlist_k(settings: Settings) -> int:
    """Suggestions per listing in match lists (a setting once ``Settings`` has one)."""
    value = getattr(settings, "matchlist_k", DEFAULT_MATCHLIST_K)
    return int(value)


def _resolve(**values: list[str] | None) -> Filters:
    try:
        return resolve_filters(**values)
    except FilterValueError as exc:
        raise FilterInputError("query", exc) from None


def _city(user: Principal, city: str | None) -> str | None:
    canonical = None
    if city:
        resolved = _resolve(city=[city]).city
        canonical = sorted(resolved)[0] if resolved else None
    return city_scope(user, canonical)


@router.get("", response_model=MatchListPage, responses=_SCOPE_404)
def get_match_list(
    user: Reviewer,
    db: SessionDep,
    engine: EngineDep,
    settings: SettingsDep,
    cache: CacheDep,
    city: CityParam = None,
    status_: Annotated[StatusFilter, Query(alias="status")] = "all",
    sector: FilterParam = None,
    category: FilterParam = None,
    country: FilterParam = None,
    min_score: Annotated[float | None, Query(ge=-1e6, le=1e6, allow_inf_nan=False)] = None,
    sort: SortKey = "score",
    page: Page = 1,
    page_size: Annotated[int, Query(ge=1, le=100)] = 20,
    lang: Lang | None = None,
) -> MatchListPage:
    """The engine's suggestions for the active listings of a city, with the latest decision
    on each pair. Staff: their city (``city`` may be left out); admins: the named city, or
    all cities (then at most 500 listings: narrow with ``sector``/``category``).

    ``status`` keeps pending (undecided), approved or rejected pairs; ``sector`` and
    ``category`` filter the city's listings, ``country`` and ``min_score`` the suggested
    partners. ``sort=score`` (best first) or ``date`` (newest listing first)."""
    scope = _city(user, city)
    filters = _resolve(sector=sector, category=category, country=country)
    query = MatchListQuery(
        city=scope,
        status=status_,
        sectors=filters.sector,
        categories=filters.category,
        countries=filters.country,
        min_score=min_score,
        sort=sort,
        page=page,
        page_size=page_size,
        lang=lang,
        k=matchlist_k(settings),
    )
    return match_list(db, engine, cache, user, query)


@router.post(
    "/decisions",
    status_code=status.HTTP_201_CREATED,
    response_model=DecisionOut,
    responses=_SCOPE_404,
)
def decide(
    body: DecisionIn,
    user: Reviewer,
    database: DatabaseDep,
    engine: EngineDep,
    settings: SettingsDep,
    cache: CacheDep,
) -> DecisionOut:
    """Approve a suggested pair, or reject it with a reason. Stored with who and when as a
    new row (the latest decision of a pair wins), with the suggestion's rank, score and
    components at this moment (``source`` ``manual`` for a pair the engine did not
    suggest: allowed when the listing is in the caller's scope and the partner active)."""
    stored = record_decisions(database, engine, cache, user, [body], k=matchlist_k(settings))
    return stored[0]


@router.post(
    "/decisions/bulk",
    status_code=status.HTTP_201_CREATED,
    response_model=DecisionsWritten,
    responses=_SCOPE_404,
)
def decide_bulk(
    body: DecisionBulkIn,
    user: Reviewer,
    database: DatabaseDep,
    engine: EngineDep,
    settings: SettingsDep,
    cache: CacheDep,
) -> DecisionsWritten:
    """Up to 500 decisions at once: all are stored, or none (the first problem answers)."""
    stored = record_decisions(
        database, engine, cache, user, body.decisions, k=matchlist_k(settings), bulk=True
    )
    return DecisionsWritten(items=stored)


@router.get("/decisions", response_model=DecisionPage, responses=_SCOPE_404)
def export(
    user: Reviewer,
    db: SessionDep,
    database: DatabaseDep,
    city: CityParam = None,
    status_: Annotated[Literal["approve", "reject"] | None, Query(alias="status")] = None,
    listing_id: Annotated[str | None, Query(max_length=128, pattern=ID_PATTERN)] = None,
    latest_only: bool = False,
    page: Page = 1,
    page_size: Annotated[int, Query(ge=1, le=5000)] = 1000,
) -> DecisionPage:
    """Export decisions on listings in the caller's scope, oldest first: pair, status,
    reason, note, who, when, and the suggestion's rank, score and components at decision
    time (a training set for the ranking). ``latest_only`` keeps the current decision of
    each pair. Every export is audited (``decisions.export``)."""
    scope = _city(user, city)
    result = export_decisions(
        db,
        user,
        city=scope,
        status=status_,
        listing_id=listing_id,
        latest_only=latest_only,
        page=page,
        page_size=page_size,
    )
    db.close()
    with database.write_session() as wdb:
        audit.record_export(
            wdb,
            user.id,
            "decisions",
            fmt="json",
            rows=len(result.items),
            filters={
                "city": scope,
                "status": status_,
                "listing_id": listing_id,
                "latest_only": latest_only,
                "page": page,
                "page_size": page_size,
            },
        )
        wdb.commit()
    return result
