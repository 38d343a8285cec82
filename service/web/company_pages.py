"""Company pages: own listings with suggestions, interest, contact reveal, listing form.

The work is done by the API's service functions: :mod:`service.mutual` (interest,
audited contact reveal), :mod:`service.listing_service` (create, update) and the
engine's suggestions with the organisation's own listings excluded, as in
``GET /api/v1/listings/{id}/suggestions``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Path, Request, Response
from pydantic import ValidationError
from sqlalchemy import select

from isa_match.reference import sectors
from service.access import detail_view, get_listing, list_view, listing_scope
from service.auth import Principal
from service.deps import today_of
from service.errors import ApiError
from service.listing_service import Writer, create_listing, update_listing
from service.models import ListingRow
from service.mutual import create_interest, list_interests, reveal_contact, withdraw_interest
from service.review_schemas import DB_INT_MAX, InterestIn, InterestOut
from service.routers.listings import ListingId
from service.routers.suggestions import match_out, own_listing_ids
from service.schemas import ListingOut, MatchOut
from service.web import listing_form as lf
from service.web.charts import score_bar_width
from service.web.guards import Company, CompanyPost
from service.web.i18n import Translator
from service.web.render import PageRoute, redirect, render
from service.web.session import safe_back, set_flash, ui_lang

router = APIRouter(route_class=PageRoute, include_in_schema=False)

SUGGESTIONS_PER_LISTING = 5
MAX_LISTINGS_WITH_SUGGESTIONS = 20
InterestId = Annotated[int, Path(ge=1, le=DB_INT_MAX)]


@dataclass(frozen=True, slots=True)
class OwnListing:
    """One of the organisation's listings with its suggestions."""

    listing: ListingOut
    suggestions: list[MatchOut]


def _interest_maps(
    outgoing: list[InterestOut], incoming: list[InterestOut]
) -> tuple[dict[tuple[str, str], InterestOut], set[tuple[str, str]]]:
    """Outgoing interests by (own, partner) and the (own, partner) pairs the partner
    declared interest in."""
    sent = {(i.from_listing_id, i.to_listing_id): i for i in outgoing}
    received = {(i.to_listing_id, i.from_listing_id) for i in incoming}
    return sent, received


@router.get("/company")
def company_page(request: Request, user: Company) -> Response:
    """The organisation's listings, each with suggested partners and interest buttons;
    interest received; mutual interests with the way to the partner's contact."""
    state = request.app.state
    lang = ui_lang(request)
    assert user.organization_id is not None
    with state.database.session() as db:
        rows = (
            db.execute(
                select(ListingRow)
                .where(listing_scope(user))
                .order_by(ListingRow.status, ListingRow.updated_at.desc(), ListingRow.id)
            )
            .scalars()
            .all()
        )
        interests = list_interests(db, user)
        exclude = own_listing_ids(db, user.organization_id)
    own: list[OwnListing] = []
    for pos, row in enumerate(rows):
        found: list[MatchOut] = []
        if row.status == "active" and pos < MAX_LISTINGS_WITH_SUGGESTIONS:
            matches = state.engine.suggest(row.id, k=SUGGESTIONS_PER_LISTING, exclude_ids=exclude)
            found = [match_out(m, lang) for m in matches]
        own.append(OwnListing(list_view(row), found))
    sent, received = _interest_maps(interests.outgoing, interests.incoming)
    waiting = [i for i in interests.incoming if (i.to_listing_id, i.from_listing_id) not in sent]
    titles = {o.listing.id: o.listing.title for o in own}
    scale = max((m.score for o in own for m in o.suggestions), default=0.0)
    return render(
        request,
        "company.html",
        user,
        own=own,
        sent=sent,
        received=received,
        waiting=waiting,
        mutual=interests.mutual,
        titles=titles,
        bar=lambda score: score_bar_width(score, scale),
    )


@router.post("/company/interest")
def declare_interest(request: Request, posted: CompanyPost) -> Response:
    """Declare interest of an own listing in a partner listing (as ``POST /interests``)."""
    t = Translator(ui_lang(request))
    state = request.app.state
    from_id = posted.get("from_listing")
    response = redirect(safe_back(posted.get("back"), "/company") + f"#listing-{from_id}")
    try:
        body = InterestIn.model_validate(
            {"from_listing": from_id, "to_listing": posted.get("to_listing")}
        )
    except ValidationError as exc:
        raise ApiError(422, str(exc.errors()[0]["msg"])) from None
    wait = state.limiters["interest"].hit(f"user:{posted.user.id}")
    if wait is not None:
        seconds = max(1, math.ceil(wait))
        raise ApiError(
            429,
            f"too many interest declarations; try again in {seconds} s",
            headers={"Retry-After": str(seconds)},
        )
    interest, _ = create_interest(state.database, posted.user, body)
    set_flash(
        request,
        response,
        "ok",
        t("company.interest_mutual") if interest.mutual else t("company.interest_saved"),
    )
    return response


@router.post("/company/interests/{interest_id}/withdraw")
def withdraw(request: Request, interest_id: InterestId, posted: CompanyPost) -> Response:
    """Withdraw an own interest (the partner's contact is hidden again)."""
    withdraw_interest(request.app.state.database, posted.user, interest_id)
    response = redirect(safe_back(posted.get("back"), "/company"))
    set_flash(request, response, "ok", Translator(ui_lang(request))("company.interest_withdrawn"))
    return response


@router.get("/company/interests/{interest_id}/contact")
def contact(request: Request, interest_id: InterestId, user: Company) -> Response:
    """The partner's contact details after mutual interest (409 before); every view is
    audited as ``contact.reveal``, as the API's contact route."""
    reveal = reveal_contact(request.app.state.database, user, interest_id)
    return render(request, "contact.html", user, reveal=reveal)


# -- the listing form ------------------------------------------------------------------------


def _writer(request: Request, user: Principal) -> Writer:
    state = request.app.state
    return Writer(
        database=state.database, engine=state.engine, user=user, today=today_of(state.settings)
    )


def _form_page(
    request: Request,
    user: Principal,
    form: lf.FormState,
    *,
    listing_id: str | None = None,
    version: int | None = None,
    status: int = 200,
) -> Response:
    t = Translator(ui_lang(request))
    divisions = [(d.code, d.label(t.lang)) for d in sectors().divisions()]
    return render(
        request,
        "listing_form.html",
        user,
        status=status,
        form=form,
        listing_id=listing_id,
        version=version,
        kinds=lf.KINDS,
        categories=lf.CATEGORIES,
        divisions=divisions,
        form_error=lf.FORM_ERROR,
    )


@router.get("/company/listings/new")
def new_listing_form(request: Request, user: Company) -> Response:
    """An empty listing form."""
    return _form_page(request, user, lf.FormState(lf.empty_values()))


@router.post("/company/listings/new")
def post_listing(request: Request, posted: CompanyPost) -> Response:
    """Publish the form's listing (422 with the API's messages next to the fields)."""
    form = lf.FormState(lf.posted_values(posted.fields))
    data = lf.parse_create(form)
    if data is None:
        return _form_page(request, posted.user, form, status=422)
    try:
        row, warnings = create_listing(_writer(request, posted.user), data)
    except ApiError as exc:
        if exc.status_code != 422:
            raise
        lf.add_api_errors(form, exc)
        return _form_page(request, posted.user, form, status=422)
    return _written(request, row.id, "form.created", [w.problem for w in warnings])


def _written(request: Request, listing_id: str, key: str, warnings: list[str]) -> Response:
    t = Translator(ui_lang(request))
    response = redirect(f"/company#listing-{listing_id}")
    text = t(key)
    if warnings:
        text += " " + t("form.warnings", text="; ".join(warnings))
    set_flash(request, response, "ok", text)
    return response


@router.get("/company/listings/{listing_id}/edit")
def edit_listing_form(request: Request, listing_id: ListingId, user: Company) -> Response:
    """The form of an own listing, filled in (404 for another organisation's)."""
    with request.app.state.database.session() as db:
        row = get_listing(db, user, listing_id)
        detail = detail_view(row, user)
    form = lf.FormState(lf.values_of(detail))
    return _form_page(request, user, form, listing_id=listing_id, version=detail.version)


@router.post("/company/listings/{listing_id}/edit")
def edit_listing(request: Request, listing_id: ListingId, posted: CompanyPost) -> Response:
    """Save the edit form (the version shown guards against concurrent changes: 412)."""
    with request.app.state.database.session() as db:
        get_listing(db, posted.user, listing_id)  # 404 before anything else
    form = lf.FormState(lf.posted_values(posted.fields))
    version_text = posted.get("version")
    version = int(version_text) if version_text.isdigit() and len(version_text) < 10 else None
    data = lf.parse_update(form)
    if data is None:
        return _form_page(
            request, posted.user, form, listing_id=listing_id, version=version, status=422
        )
    try:
        row, warnings = update_listing(_writer(request, posted.user), listing_id, data, version)
    except ApiError as exc:
        if exc.status_code not in (409, 412, 422):
            raise
        lf.add_api_errors(form, exc)
        return _form_page(
            request,
            posted.user,
            form,
            listing_id=listing_id,
            version=version,
            status=exc.status_code,
        )
    return _written(request, row.id, "form.updated", [w.problem for w in warnings])
