"""Start page, login, logout and the interface language switch."""

from __future__ import annotations

import math
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from service.auth import authenticate, create_token, normalize_email
from service.bootstrap import DEMO_DOMAIN, DEMO_PASSWORDS
from service.web.guards import OpenPost
from service.web.i18n import Translator, as_lang
from service.web.render import PageRoute, home_of, redirect, render
from service.web.session import (
    SESSION_COOKIE,
    clear_cookie,
    remember_lang,
    safe_back,
    session_user,
    set_flash,
    start_session,
    ui_lang,
)

router = APIRouter(route_class=PageRoute, include_in_schema=False)

_MAX_USERNAME = 320
_MAX_PASSWORD = 1024
NextParam = Annotated[str | None, Query(alias="next", max_length=2000)]


def _demo_accounts(request: Request) -> list[tuple[str, str]]:
    """(login, password) of the documented demo accounts, shown in demo mode only."""
    if request.app.state.settings.mode != "demo":
        return []
    logins = [
        ("admin", "admin"),
        ("staff.koeln", "staff"),
        ("staff.maanshan", "staff"),
        ("company.de", "company"),
        ("company.cn", "company"),
    ]
    return [(f"{name}@{DEMO_DOMAIN}", DEMO_PASSWORDS[role]) for name, role in logins]


@router.get("/")
def start(request: Request) -> Response:
    """The user's start page, or the login page."""
    user = session_user(request)
    return redirect(home_of(user.role) if user is not None else "/login")


def _login_page(
    request: Request, next_url: str | None, *, error: str | None = None, email: str = ""
) -> Response:
    return render(
        request,
        "login.html",
        None,
        next_url=safe_back(next_url, ""),
        error=error,
        email=email,
        demo_accounts=_demo_accounts(request),
    )


@router.get("/login")
def login_form(request: Request, next_url: NextParam = None) -> Response:
    """The login form (``next``: the page to go to afterwards)."""
    return _login_page(request, next_url)


@router.post("/login")
def login(request: Request, posted: OpenPost) -> Response:
    """Check the credentials (same rules and rate limit as the API's token route) and
    start a session: the signed token in the session cookie."""
    t = Translator(ui_lang(request))
    username = posted.fields.get("username", "")
    password = posted.fields.get("password", "")
    next_url = posted.get("next")
    shown = username[:_MAX_USERNAME]
    if len(username) > _MAX_USERNAME or len(password) > _MAX_PASSWORD:
        return _login_page(request, next_url, error=t("login.failed"), email=shown)
    client = request.client.host if request.client else "-"
    key = f"{normalize_email(username)}|{client}"
    limiter = request.app.state.limiters["login"]
    wait = limiter.hit(key)
    if wait is not None:
        seconds = max(1, math.ceil(wait))
        page = _login_page(request, next_url, error=t("login.too_many", seconds=seconds))
        page.status_code = 429
        page.headers["Retry-After"] = str(seconds)
        return page
    state = request.app.state
    with state.database.session() as db:
        user = authenticate(db, username, password)
        if user is None:
            return _login_page(request, next_url, error=t("login.failed"), email=shown)
        token = create_token(user, state.signing_key, state.settings.token_ttl_minutes)
        home = home_of(user.role)
    limiter.refund(key)  # only failed attempts count against the limit
    target = safe_back(next_url, home)
    if target.startswith("/login"):
        target = home
    response = redirect(target)
    start_session(request, response, token)
    return response


@router.post("/logout")
def logout(request: Request, posted: OpenPost) -> Response:
    """End the browser's session (the token itself expires on its own)."""
    response = redirect("/login")
    clear_cookie(request, response, SESSION_COOKIE)
    set_flash(request, response, "ok", Translator(ui_lang(request))("logout.done"))
    return response


@router.post("/lang")
def switch_language(request: Request, posted: OpenPost) -> Response:
    """Switch and remember the interface language, back to the page it was switched on."""
    response = redirect(safe_back(posted.get("back"), "/"))
    lang = as_lang(posted.get("lang"))
    if lang is not None:
        remember_lang(request, response, lang)
    return response
