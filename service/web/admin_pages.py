"""The city overview with charts (staff, admins) and the admin page (cities, accounts)."""

from __future__ import annotations

import math
from collections import Counter
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from isa_match.rank.query_filters import resolve_filters
from isa_match.reference import cities
from service.access import city_scope
from service.auth import Principal
from service.errors import ApiError
from service.review import MatchListQuery, match_list
from service.routers.matchlists import get_cache, matchlist_k
from service.user_admin import list_users
from service.web.charts import bar_chart
from service.web.guards import Admin, Staff
from service.web.i18n import Translator
from service.web.render import PageRoute, render
from service.web.session import ui_lang
from service.web.stats import city_stats, member_counts

router = APIRouter(route_class=PageRoute, include_in_schema=False)

ACCOUNTS_PER_PAGE = 100
ALL_ROWS = 100_000
CityText = Annotated[str | None, Query(max_length=100, pattern=r"^[^\x00-\x1f\x7f]*$")]


@router.get("/overview")
def overview(request: Request, user: Staff, city: CityText = None) -> Response:
    """Charts of a member city: active listings per sector, approved pairs per sector,
    suggested and approved pairs per partner city (staff: their city; admins choose,
    default the city with the most listings)."""
    t = Translator(ui_lang(request))
    canonical = sorted(resolve_filters(city=[city]).city or ())[0] if city else None
    scope = city_scope(user, canonical)
    database = request.app.state.database
    with database.session() as db:
        if scope is None:
            counts = member_counts(db)
            scope = max(counts.listings, key=lambda c: (counts.listings[c], c), default="koeln")
        stats = city_stats(db, scope)
    charts = [
        bar_chart(
            t("chart.listings_by_sector"),
            [(f"{s} {t.sector(s)}", n) for s, n in stats.listings_by_section.items()],
        ),
        bar_chart(
            t("chart.approved_by_sector"),
            [(f"{s} {t.sector(s)}", n) for s, n in stats.approved_by_section.items()],
        ),
        bar_chart(
            t("chart.suggested_by_city"),
            [(t.city(c), n) for c, n in _suggested_by_city(request, user, scope).items()],
        ),
        bar_chart(
            t("chart.approved_by_city"),
            [(t.city(c), n) for c, n in stats.approved_by_city.items()],
        ),
    ]
    city_options = []
    if user.role == "admin":
        city_options = sorted(((c.id, c.name(t.lang)) for c in cities()), key=lambda x: x[1])
    return render(
        request,
        "overview.html",
        user,
        city=scope,
        city_name=t.city(scope),
        stats=stats,
        charts=charts,
        city_options=city_options,
    )


def _suggested_by_city(request: Request, user: Principal, city: str) -> Counter[str]:
    """Suggested pairs of the city's match list per partner city (empty for a city too
    large for one match list)."""
    state = request.app.state
    query = MatchListQuery(city=city, page_size=ALL_ROWS, k=matchlist_k(state.settings))
    try:
        with state.database.session() as db:
            found = match_list(db, state.engine, get_cache(request), user, query)
    except ApiError as exc:
        if exc.status_code != 422:
            raise
        return Counter()
    return Counter(row.suggestion.listing.city for row in found.items)


@router.get("/admin")
def admin_page(
    request: Request,
    user: Admin,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    """Member cities (names, region, counts) and accounts (role, scope, state)."""
    t = Translator(ui_lang(request))
    with request.app.state.database.session() as db:
        counts = member_counts(db)
        accounts = list_users(db, page=page, page_size=ACCOUNTS_PER_PAGE)
    registry = cities()
    members = sorted(registry, key=lambda c: (c.country.value, c.name(t.lang)))
    regions = {c.id: registry.region(c.region).name(t.lang) for c in members}
    return render(
        request,
        "admin.html",
        user,
        members=members,
        regions=regions,
        counts=counts,
        accounts=accounts,
        page=page,
        pages=max(1, math.ceil(accounts.total / ACCOUNTS_PER_PAGE)),
    )
