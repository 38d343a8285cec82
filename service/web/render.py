"""Rendering the review pages: the Jinja2 environment, page responses, HTML errors.

Templates are autoescaped (every value a page shows is text, never markup) and
strict about undefined names. :class:`PageRoute` is the route class of the page
router: errors raised by the shared service code (:class:`~service.errors.ApiError`
404/403/409/422, invalid query parameters, an index still building) become an
HTML page with the same status the API would answer, and a missing or expired
session becomes a redirect to the login page.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import jinja2
from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException as StarletteHTTPException

from isa_match.rank.query_filters import FilterValueError
from service.auth import Principal
from service.errors import FilterInputError
from service.web.i18n import CATALOGUE, HTML_LANG, LANG_NAMES, LANGS, Translator
from service.web.session import (
    ANON_COOKIE,
    FLASH_COOKIE,
    SESSION_COOKIE,
    CsrfRejected,
    LoginRequired,
    clear_cookie,
    csrf_token,
    pop_flash,
    set_cookie,
    ui_lang,
)

log = logging.getLogger(__name__)

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"
NO_STORE = {"Cache-Control": "no-store"}


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """The template environment (created on first use)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["LANGS"] = LANGS
    env.globals["LANG_NAMES"] = LANG_NAMES
    return env


def nav_links(user: Principal | None) -> list[tuple[str, str]]:
    """(path, catalogue key) of the navigation for ``user``'s role."""
    if user is None:
        return []
    if user.role == "company":
        return [("/company", "nav.company"), ("/company/listings/new", "nav.new_listing")]
    links = [("/review", "nav.review"), ("/overview", "nav.overview")]
    if user.role == "admin":
        links.append(("/admin", "nav.admin"))
    return links


def home_of(role: str) -> str:
    """The start page of a role."""
    return {"company": "/company", "staff": "/review", "admin": "/admin"}.get(role, "/login")


def render(
    request: Request,
    template: str,
    user: Principal | None,
    *,
    status: int = 200,
    **context: Any,
) -> HTMLResponse:
    """A page: ``template`` with the common context (user, translator, CSRF token,
    navigation, pending message). Pages are never cached (they show personal data)."""
    lang = ui_lang(request)
    token, new_anchor = csrf_token(request)
    flash = pop_flash(request)
    full = {
        "request_path": request.url.path,
        "current_url": _current_url(request),
        "user": user,
        "t": Translator(lang),
        "lang": lang,
        "html_lang": HTML_LANG[lang],
        "csrf": token,
        "nav": nav_links(user),
        "flash": flash,
        **context,
    }
    html = environment().get_template(template).render(full)
    response = HTMLResponse(html, status_code=status, headers=NO_STORE)
    if new_anchor is not None:
        set_cookie(request, response, ANON_COOKIE, new_anchor)
    if flash is not None:
        clear_cookie(request, response, FLASH_COOKIE)
    return response


def _current_url(request: Request) -> str:
    """The address to come back to (after a language switch): this page, or after a form
    post (a form shown again, an error page) the page the form was on."""
    if request.method != "GET":
        referer = urlsplit(request.headers.get("referer", ""))
        if referer.netloc != request.url.netloc or not referer.path.startswith("/"):
            return "/"
        return referer.path + (f"?{referer.query}" if referer.query else "")
    query = request.url.query
    return request.url.path + (f"?{query}" if query else "")


def redirect(url: str) -> RedirectResponse:
    """303 See Other to a path of this site (after a form, the browser GETs ``url``)."""
    return RedirectResponse(url, status_code=303, headers=NO_STORE)


def error_page(request: Request, status: int, detail: str | None = None) -> HTMLResponse:
    """An error page in the interface language (no user data besides ``detail``)."""
    t = Translator(ui_lang(request))
    key = f"error.{status}"
    message = t(key) if key in CATALOGUE else t("error.other")
    return render(
        request,
        "error.html",
        None,
        status=status,
        error_status=status,
        message=message,
        detail=detail,
    )


def _detail_text(detail: Any) -> str | None:
    """An API error's detail as one line: the message, or the items' ``field: msg``."""
    if isinstance(detail, str):
        return detail
    if isinstance(detail, list):
        parts = []
        for item in detail[:10]:
            if isinstance(item, dict):
                loc = [str(x) for x in item.get("loc", ()) if x not in ("body", "query")]
                msg = str(item.get("msg", ""))
                parts.append(f"{'.'.join(loc)}: {msg}" if loc else msg)
        return "; ".join(parts) or None
    return None


def _login_redirect(request: Request, exc: LoginRequired) -> Response:
    target = "/login"
    if request.method == "GET" and request.url.path != "/login":
        target += "?next=" + quote(_current_url(request), safe="/")
    response = redirect(target)
    if exc.clear:
        clear_cookie(request, response, SESSION_COOKIE)
    return response


class PageRoute(APIRoute):
    """Route class of the page router: failures answer as HTML pages (see module doc)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        """The original handler, with service errors turned into pages."""
        from service.engine import IndexNotReady

        handler = super().get_route_handler()

        async def page_handler(request: Request) -> Response:
            try:
                return await handler(request)
            except LoginRequired as exc:
                return _login_redirect(request, exc)
            except CsrfRejected:
                t = Translator(ui_lang(request))
                return error_page(request, 403, t("error.csrf"))
            except StarletteHTTPException as exc:
                response = error_page(request, exc.status_code, _detail_text(exc.detail))
                for name, value in (exc.headers or {}).items():
                    if name.lower() == "retry-after":
                        response.headers[name] = value
                return response
            except RequestValidationError as exc:
                items = [
                    {"loc": list(e.get("loc", ())), "msg": str(e.get("msg", ""))}
                    for e in exc.errors()
                ]
                return error_page(request, 422, _detail_text(items))
            except (FilterInputError, FilterValueError) as exc:
                return error_page(request, 422, str(exc))
            except IndexNotReady as exc:
                response = error_page(request, 503, str(exc))
                response.headers["Retry-After"] = "30"
                return response

        return page_handler
