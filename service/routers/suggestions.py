"""Suggested partners for a listing, and free-text search, with the ranking filters.

Both are the service's hot paths. Suggestions for a listing cost, beyond the
ranking, about half a millisecond of CPU on SQLite, uvicorn's HTTP handling
included (a third of what FastAPI's generic path, SQLAlchemy's and pydantic's
per-request work and a thread hand-over cost before):

* :class:`SuggestionsRoute` answers a request whose parameters are plainly valid
  (the usual ``?k=10``) without FastAPI's generic parameter and dependency solving;
  any other request goes through FastAPI as declared, so every 422 is FastAPI's
  own and the OpenAPI document is the one of the declared signature;
* the caller, the listing and the change counter are one statement
  (:func:`~service.access.caller_and_listing`, no ORM, no transaction);
* on SQLite the work runs on the event loop, without a thread hand-over: the
  engine ranks one request at a time per process anyway, a SQLite read in WAL mode
  does not wait for writers, and a ranking that would have to wait (another one
  runs in a thread, or the index must catch up with another worker's changes:
  :class:`~service.engine.EngineBusy`) goes to the thread pool. Other requests on
  the same worker wait for at most the ranking being answered (a few
  milliseconds; they would wait for the GIL otherwise). With PostgreSQL the whole
  work stays in the thread pool (network round trips);
* the JSON body is built from plain values (:func:`suggestions_body`) and equals
  what :class:`SuggestionsOut` makes of them (the tests compare the two).

Free-text search encodes its text, so it keeps its one thread hand-over.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Coroutine, Iterable
from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.routing import APIRoute
from pydantic_core import to_json
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import State

from isa_match.rank.matcher import Match
from isa_match.rank.query_filters import FILTER_FIELDS, FilterValueError, resolve_filters
from isa_match.schema import Filters, Listing
from service.access import caller_and_listing, scoped_ref
from service.auth import (
    BearerClaims,
    Principal,
    TokenClaims,
    bearer,
    bearer_claims,
    load_principal,
)
from service.deps import DatabaseDep, EngineDep, SettingsDep
from service.engine import EngineBusy, MatchEngine
from service.errors import ApiError, FilterInputError, invalid
from service.models import ListingRow
from service.routers.listings import LISTING_ID_MAX, ListingId
from service.schemas import (
    Lang,
    ListingPublic,
    MatchOut,
    SearchRequest,
    SuggestionsOut,
)
from service.settings import K_DEFAULT, K_LIMIT, Settings

router = APIRouter(tags=["suggestions"])

FILTER_MAX_VALUES = 50
FILTER_MAX_CHARS = 100

FilterParam = Annotated[
    list[Annotated[str, Query(max_length=FILTER_MAX_CHARS)]] | None,
    Query(max_length=FILTER_MAX_VALUES, description="repeat to accept several values"),
]

FilterValues = dict[str, list[str] | None]
"""Filter values by field (:data:`~isa_match.rank.query_filters.FILTER_FIELDS`)."""


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


_PUBLIC_FIELDS = tuple(ListingPublic.model_fields)
_PUBLIC_NAMES = frozenset(_PUBLIC_FIELDS)


def _public_fields(listing: Listing) -> dict[str, Any]:
    """The listing's :class:`~service.schemas.ListingPublic` fields, taken from
    :meth:`~isa_match.schema.Listing.public_dict` by name: nothing else it may hold is
    ever shown, and a missing field raises."""
    public = listing.public_dict()
    if public.keys() == _PUBLIC_NAMES:  # the usual case: no copy needed
        return public
    return {name: public[name] for name in _PUBLIC_FIELDS}


def _match_fields(match: Match, lang: Lang | None) -> dict[str, Any]:
    """The fields of :class:`MatchOut` as JSON-ready plain values (the listing's public
    fields only: :func:`_public_fields`)."""
    return {
        "id": match.id,
        "score": float(round(match.score, 6)),
        "components": {k: float(round(v, 6)) for k, v in match.components.items()},
        "reasons": [
            {
                "code": r.code,
                "de": r.de if lang in (None, "de") else None,
                "zh": r.zh if lang in (None, "zh") else None,
                "en": r.en if lang in (None, "en") else None,
            }
            for r in match.reasons
        ],
        "listing": _public_fields(match.listing),
        "duplicates": list(match.duplicates),
    }


def suggestions_body(
    matches: Iterable[Match], lang: Lang | None, *, k: int, listing_id: str | None = None
) -> bytes:
    """The JSON body of a :class:`SuggestionsOut`, serialised from plain values by
    pydantic's serialiser without building or validating the model (the same JSON as
    ``SuggestionsOut.model_validate(...).model_dump_json()``)."""
    items = [_match_fields(m, lang) for m in matches]
    return to_json({"listing_id": listing_id, "k": k, "items": items})


def _json(body: bytes) -> Response:
    return Response(content=body, media_type="application/json")


def _owner_of(user: Principal) -> tuple[str, str] | None:
    """A company user's organisation as the index knows it: (name, city)."""
    if user.organization_id is None or user.organization is None or user.city is None:
        return None
    return (user.organization, user.city)


# -- suggestions for a listing ------------------------------------------------------


def _prepare(
    state: State, claims: TokenClaims, listing_id: str, k: int, values: FilterValues
) -> Callable[..., list[Match]]:
    """Everything before the ranking, in the order of the answers: 401 (the caller),
    422 (k over the configured limit), 404 (the listing in the caller's scope), 409
    (withdrawn), 422 (filter values). Returns the ranking to run."""
    found = caller_and_listing(state.database, claims.user_id, claims.role, listing_id)
    _check_k(k, state.settings, ["query", "k"])
    ref = scoped_ref(found.user, found.listing, listing_id)
    if ref.status != "active":
        raise ApiError(409, f"listing {listing_id!r} is withdrawn: it has no suggestions")
    filters = _filters("query", **values)
    engine: MatchEngine = state.engine
    return partial(
        engine.suggest,
        listing_id,
        k=k,
        filters=filters,
        exclude_owner=(ref.organization, ref.city),
        seen_seq=found.change_seq,
    )


async def suggestions_answer(
    state: State,
    claims: TokenClaims,
    listing_id: str,
    k: int,
    lang: Lang | None,
    values: FilterValues,
) -> Response:
    """The answer of ``GET /listings/{listing_id}/suggestions`` for validated parameters
    (see the module docstring for where each part runs)."""
    if state.database.dialect != "sqlite":

        def work() -> bytes:
            rank = _prepare(state, claims, listing_id, k, values)
            return suggestions_body(rank(), lang, k=k, listing_id=listing_id)

        return _json(await run_in_threadpool(work))
    rank = _prepare(state, claims, listing_id, k, values)
    try:
        matches = rank(wait=False)
    except EngineBusy:
        matches = await run_in_threadpool(rank)
    return _json(suggestions_body(matches, lang, k=k, listing_id=listing_id))


_K_TEXT = re.compile(r"[1-9][0-9]{0,2}")
_LANGS: dict[str, Lang] = {"de": "de", "zh": "zh", "en": "en"}
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def plain_query(request: Request) -> tuple[str, int, Lang | None, FilterValues] | None:
    """The listing id and parameters of a request that FastAPI would take as they are:
    known names only, ``k`` and ``lang`` at most once, ``k`` a plain number within
    bounds, ``lang`` one of the three, filter values within their limits, the id
    within its length and without control characters. None for anything else, which
    then goes through FastAPI (and gets its 422 if it is invalid)."""
    listing_id = request.path_params.get("listing_id")
    if (
        not isinstance(listing_id, str)
        or not 0 < len(listing_id) <= LISTING_ID_MAX
        or _CONTROL.search(listing_id)
    ):
        return None
    k: int | None = None
    lang: Lang | None = None
    seen_lang = False
    given: dict[str, list[str]] = {}
    for name, value in request.query_params.multi_items():
        if name == "k":
            if k is not None or not _K_TEXT.fullmatch(value) or int(value) > K_LIMIT:
                return None
            k = int(value)
        elif name == "lang":
            lang = _LANGS.get(value)
            if seen_lang or lang is None:
                return None
            seen_lang = True
        elif name in FILTER_FIELDS:
            values = given.setdefault(name, [])
            values.append(value)
            if len(value) > FILTER_MAX_CHARS or len(values) > FILTER_MAX_VALUES:
                return None
        else:
            return None
    filters: FilterValues = {name: given.get(name) for name in FILTER_FIELDS}
    return listing_id, K_DEFAULT if k is None else k, lang, filters


class SuggestionsRoute(APIRoute):
    """The suggestions route: plainly valid requests (:func:`plain_query`) skip FastAPI's
    dependency and parameter solving; all others take FastAPI's way.

    The order of the answers is FastAPI's: parameters it would reject never reach
    the token check here (FastAPI checks unknown query parameters first), the token
    is checked before anything is read. Apps with dependency overrides always take
    FastAPI's way.
    """

    plain_requests = True
    """Whether plainly valid requests skip FastAPI's solving (tests compare both ways)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        """FastAPI's handler behind the shortcut for plainly valid requests."""
        declared = super().get_route_handler()

        async def handler(request: Request) -> Response:
            plain = plain_query(request) if self.plain_requests else None
            if plain is None or request.app.dependency_overrides:
                return await declared(request)
            listing_id, k, lang, values = plain
            claims = await bearer_claims(request, await bearer(request))
            return await suggestions_answer(request.app.state, claims, listing_id, k, lang, values)

        return handler


async def suggestions(
    request: Request,
    listing_id: ListingId,
    claims: BearerClaims,
    k: Annotated[int, Query(ge=1, le=K_LIMIT)] = K_DEFAULT,
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
    values: FilterValues = {
        "country": country,
        "city": city,
        "region": region,
        "sector": sector,
        "category": category,
        "kind": kind,
        "org_type": org_type,
        "language": language,
    }
    return await suggestions_answer(request.app.state, claims, listing_id, k, lang, values)


router.add_api_route(
    "/listings/{listing_id}/suggestions",
    suggestions,
    methods=["GET"],
    response_model=SuggestionsOut,
    responses={404: {"description": "no such listing in the caller's scope"}},
    route_class_override=SuggestionsRoute,
)


# -- free-text search ---------------------------------------------------------------


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
