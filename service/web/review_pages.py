"""Staff pages: the city's match list with decisions, bulk approval and exports.

The same functions as ``/api/v1/matchlists`` do the work (:func:`service.review.match_list`,
:func:`service.review.record_decisions`, the shared suggestion cache), so the pages
and the API show the same pairs and store the same decisions.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Annotated, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import ValidationError
from sqlalchemy import select

from isa_match.rank.query_filters import resolve_filters
from isa_match.reference import cities, sectors
from isa_match.schema import Category
from service import audit
from service.access import city_scope
from service.auth import Principal
from service.errors import ApiError, clean_error
from service.models import ListingRow
from service.review import MatchListQuery, SortKey, StatusFilter, match_list, record_decisions
from service.review_schemas import DecisionBulkIn, DecisionIn, MatchListPage, MatchListRow
from service.routers.matchlists import get_cache, matchlist_k
from service.web import export
from service.web.charts import score_bar_width
from service.web.guards import Staff, StaffPost
from service.web.i18n import Translator, UiLang
from service.web.render import NO_STORE, PageRoute, redirect, render
from service.web.session import safe_back, set_flash, ui_lang

router = APIRouter(route_class=PageRoute, include_in_schema=False)

PAGE_SIZES = (20, 50, 100)
EXPORT_ROWS = 100_000
"""More than any match list holds (500 listings x k suggestions)."""
Text = Annotated[str | None, Query(max_length=100, pattern=r"^[^\x00-\x1f\x7f]*$")]


@dataclass(frozen=True, slots=True)
class ViewParams:
    """The filters and order of a match-list view, as given in the address."""

    city: str | None
    status: StatusFilter
    sector: str | None
    category: str | None
    country: str | None
    min_score: str | None
    sort: SortKey

    def query_string(self, **extra: object) -> str:
        """The view's parameters (and ``extra``) for a link; empty ones left out."""
        values: dict[str, object] = {
            "city": self.city,
            "status": self.status,
            "sector": self.sector,
            "category": self.category,
            "country": self.country,
            "min_score": self.min_score,
            "sort": self.sort,
            **extra,
        }
        return urlencode({k: v for k, v in values.items() if v not in (None, "")})


def view_params(
    city: Text = None,
    status: Annotated[StatusFilter, Query()] = "pending",
    sector: Text = None,
    category: Text = None,
    country: Text = None,
    min_score: Annotated[str | None, Query(max_length=32)] = None,
    sort: SortKey = "score",
) -> ViewParams:
    """The view parameters of the address (empty form fields count as not given)."""
    return ViewParams(
        city=city or None,
        status=status,
        sector=sector or None,
        category=category or None,
        country=country or None,
        min_score=(min_score or "").strip() or None,
        sort=sort,
    )


View = Annotated[ViewParams, Depends(view_params)]


def _min_score(text: str | None) -> float | None:
    if text is None:
        return None
    try:
        value = float(text.replace(",", "."))
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or abs(value) > 1e6:
        raise ApiError(
            422, [{"loc": ["query", "min_score"], "msg": "expected a number", "type": "float"}]
        )
    return value


def _one(value: str | None) -> list[str] | None:
    return [value] if value else None


def build_query(
    user: Principal, view: ViewParams, k: int, lang: UiLang, *, page: int, page_size: int
) -> MatchListQuery | None:
    """The match-list query of a view (filters resolved as the API resolves them); None
    when an admin has not chosen a city yet. A city outside a staff user's scope is 404."""
    canonical = None
    if view.city:
        canonical = sorted(resolve_filters(city=[view.city]).city or ())[0]
    scope = city_scope(user, canonical)
    if scope is None:
        return None
    filters = resolve_filters(
        sector=_one(view.sector), category=_one(view.category), country=_one(view.country)
    )
    return MatchListQuery(
        city=scope,
        status=view.status,
        sectors=filters.sector,
        categories=filters.category,
        countries=filters.country,
        min_score=_min_score(view.min_score),
        sort=view.sort,
        page=page,
        page_size=page_size,
        lang=lang,
        k=k,
    )


def _run(request: Request, user: Principal, query: MatchListQuery) -> MatchListPage:
    state = request.app.state
    with state.database.session() as db:
        return match_list(db, state.engine, get_cache(request), user, query)


def _sector_options(request: Request, city: str, t: Translator) -> list[tuple[str, str]]:
    """(code, label) of the sections and divisions the city's active listings name."""
    with request.app.state.database.session() as db:
        lists = db.execute(
            select(ListingRow.sector).where(ListingRow.city == city, ListingRow.status == "active")
        ).scalars()
        codes = {c for codes in lists for c in codes}
    table = sectors()
    found = {table.section_of(c) for c in codes if c in table} | {
        c for c in codes if len(c) > 1 and c in table
    }
    return [(c, f"{c} {t.sector(c)}") for c in sorted(found, key=lambda c: (c[0], len(c), c))]


def _city_options(t: Translator) -> list[tuple[str, str]]:
    return sorted(((c.id, c.name(t.lang)) for c in cities()), key=lambda x: x[1])


@router.get("/review")
def review_page(
    request: Request,
    user: Staff,
    view: View,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=100)] = 20,
) -> Response:
    """The match list of the staff user's city (admins choose a city)."""
    lang = ui_lang(request)
    t = Translator(lang)
    k = matchlist_k(request.app.state.settings)
    query = build_query(user, view, k, lang, page=page, page_size=page_size)
    result: MatchListPage | None = None
    scale = 0.0
    sector_options: list[tuple[str, str]] = []
    if query is not None:
        result = _run(request, user, query)
        scale = _best_score(request, user, query, result)
        sector_options = _sector_options(request, query.city or "", t)
    pages = max(1, math.ceil(result.total / page_size)) if result else 1
    return render(
        request,
        "review.html",
        user,
        view=view,
        query=query,
        result=result,
        city_name=t.city(query.city) if query and query.city else "",
        pages=pages,
        page=page,
        page_size=page_size,
        page_sizes=PAGE_SIZES,
        bar=lambda score: score_bar_width(score, scale),
        sector_options=sector_options,
        categories=[c.value for c in Category],
        city_options=_city_options(t) if user.role == "admin" else [],
        here=request.url.path + "?" + view.query_string(page=page, page_size=page_size),
        link=lambda **kw: "/review?" + view.query_string(page_size=page_size, **kw),
        export_query=view.query_string(),
    )


def _best_score(
    request: Request, user: Principal, query: MatchListQuery, result: MatchListPage
) -> float:
    """The best score of the whole filtered list: the score bars' full length."""
    if query.sort == "score" and query.page == 1:
        return result.items[0].suggestion.score if result.items else 0.0
    top = _run(request, user, replace(query, sort="score", page=1, page_size=1))
    return top.items[0].suggestion.score if top.items else 0.0


# -- decisions ----------------------------------------------------------------------------


def _problems(exc: ValidationError | ApiError) -> str:
    if isinstance(exc, ValidationError):
        cleaned = [clean_error(dict(e)) for e in exc.errors()]
        items = [(".".join(str(x) for x in e["loc"]), str(e["msg"])) for e in cleaned]
    elif isinstance(exc.detail, list):
        items = [
            (".".join(str(x) for x in e.get("loc", ()) if x != "body"), str(e.get("msg", "")))
            for e in exc.detail
        ]
    else:
        items = [("", str(exc.detail))]
    return "; ".join(f"{loc}: {msg}" if loc else msg for loc, msg in items)


def _store(request: Request, posted_user: Principal, items: list[DecisionIn], bulk: bool) -> None:
    state = request.app.state
    record_decisions(
        state.database,
        state.engine,
        get_cache(request),
        posted_user,
        items,
        k=matchlist_k(state.settings),
        bulk=bulk,
    )


@router.post("/review/decide")
def decide(request: Request, posted: StaffPost) -> Response:
    """Approve a pair, or reject it with a reason (stored as by the API); back to the list."""
    t = Translator(ui_lang(request))
    back = safe_back(posted.get("back"), "/review")
    listing_id, suggested_id = posted.get("listing_id"), posted.get("suggested_id")
    response = redirect(f"{back}#pair-{listing_id}-{suggested_id}")
    try:
        item = DecisionIn.model_validate(
            {
                "listing_id": listing_id,
                "suggested_id": suggested_id,
                "status": posted.get("status"),
                "reason": posted.get("reason") or None,
                "note": posted.get("note") or None,
            }
        )
        _store(request, posted.user, [item], bulk=False)
    except ValidationError as exc:
        set_flash(request, response, "error", _problems(exc))
        return response
    except ApiError as exc:
        if exc.status_code != 422:
            raise
        set_flash(request, response, "error", _problems(exc))
        return response
    set_flash(request, response, "ok", t("review.saved"))
    return response


@router.post("/review/bulk")
def decide_bulk(request: Request, posted: StaffPost) -> Response:
    """Approve every selected pair at once (all stored or none)."""
    t = Translator(ui_lang(request))
    response = redirect(safe_back(posted.get("back"), "/review"))
    pairs = [p.split("|", 1) for p in posted.lists.get("pair", []) if "|" in p]
    if not pairs:
        set_flash(request, response, "error", t("review.bulk_none"))
        return response
    note = posted.get("note") or None
    try:
        body = DecisionBulkIn.model_validate(
            {
                "decisions": [
                    {"listing_id": a, "suggested_id": b, "status": "approve", "note": note}
                    for a, b in pairs
                ]
            }
        )
        _store(request, posted.user, body.decisions, bulk=True)
    except ValidationError as exc:
        set_flash(request, response, "error", _problems(exc))
        return response
    except ApiError as exc:
        if exc.status_code != 422:
            raise
        set_flash(request, response, "error", _problems(exc))
        return response
    set_flash(request, response, "ok", t("review.saved_bulk", n=len(body.decisions)))
    return response


# -- exports --------------------------------------------------------------------------------


def _export(
    request: Request, user: Principal, view: ViewParams, fmt: Literal["csv", "xlsx"]
) -> Response:
    lang = ui_lang(request)
    t = Translator(lang)
    k = matchlist_k(request.app.state.settings)
    query = build_query(user, view, k, lang, page=1, page_size=EXPORT_ROWS)
    if query is None:
        raise ApiError(422, "choose a member city to export its match list")
    rows: list[MatchListRow] = _run(request, user, query).items
    head, body = export.headers(t), export.table(rows, t)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M")
    name = f"matchlist-{query.city}-{stamp}.{fmt}"
    if fmt == "csv":
        data, media = export.to_csv(head, body), "text/csv; charset=utf-8"
    else:
        data = export.to_xlsx(head, body, f"matchlist-{query.city}")
        media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    with request.app.state.database.write_session() as db:
        audit.record_export(
            db,
            user.id,
            "matchlist",
            fmt=fmt,
            rows=len(rows),
            filters={
                "city": query.city,
                "status": view.status,
                "sector": view.sector,
                "category": view.category,
                "country": view.country,
                "min_score": query.min_score,
                "sort": view.sort,
                "lang": lang,
            },
        )
        db.commit()
    headers = {**NO_STORE, "Content-Disposition": f'attachment; filename="{name}"'}
    return Response(data, media_type=media, headers=headers)


@router.get("/review/export.csv")
def export_csv(request: Request, user: Staff, view: View) -> Response:
    """Every pair of the current view (all pages) as CSV; audited as ``matchlist.export``."""
    return _export(request, user, view, "csv")


@router.get("/review/export.xlsx")
def export_xlsx(request: Request, user: Staff, view: View) -> Response:
    """Every pair of the current view (all pages) as XLSX; audited as ``matchlist.export``."""
    return _export(request, user, view, "xlsx")
