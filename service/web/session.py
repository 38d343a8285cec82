"""Cookies of the review pages: the login session, CSRF tokens, language and one-shot
messages.

* **Session**: the signed access token of :func:`service.auth.create_token` in an
  ``HttpOnly``, ``SameSite=Strict`` cookie (``Secure`` over HTTPS and in production).
  Every request re-reads the user (:func:`service.auth.current_principal`), so a
  deactivated account or a changed role ends the session at once, as for the API.
* **CSRF**: every form carries ``csrf_token`` = HMAC(signing key, session token); a
  visitor without a session (the login form) gets a random ``isa_csrf`` cookie to tie the
  token to instead. A cross-site page can neither read these cookies nor compute the
  token, and SameSite=Strict keeps the cookies off cross-site requests besides.
* **Language**: ``isa_lang`` (de/zh/en), remembered for a year.
* **Flash**: a short message for the next page after a redirect (``isa_flash``).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from typing import Literal

from fastapi import Request, Response

from service.auth import Principal, current_principal
from service.errors import ApiError
from service.web.i18n import UiLang, as_lang, from_accept_language

SESSION_COOKIE = "isa_session"
ANON_COOKIE = "isa_csrf"
LANG_COOKIE = "isa_lang"
FLASH_COOKIE = "isa_flash"
CSRF_FIELD = "csrf_token"
_FLASH_MAX = 1500
_YEAR = 365 * 24 * 3600


class LoginRequired(Exception):
    """The page needs a logged-in user; ``clear`` when the session cookie is stale."""

    def __init__(self, *, clear: bool = False) -> None:
        super().__init__("login required")
        self.clear = clear


class CsrfRejected(Exception):
    """A form arrived without the CSRF token of the current session."""


def _secure(request: Request) -> bool:
    settings = request.app.state.settings
    return request.url.scheme == "https" or settings.mode == "production"


def set_cookie(
    request: Request,
    response: Response,
    name: str,
    value: str,
    *,
    max_age: int | None = None,
    same_site: Literal["strict", "lax"] = "strict",
) -> None:
    """Set an HttpOnly cookie for the whole site (``Secure`` where it applies)."""
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path="/",
        httponly=True,
        samesite=same_site,
        secure=_secure(request),
    )


def clear_cookie(request: Request, response: Response, name: str) -> None:
    """Delete a cookie set by :func:`set_cookie`."""
    response.delete_cookie(
        name, path="/", httponly=True, samesite="strict", secure=_secure(request)
    )


def start_session(request: Request, response: Response, token: str) -> None:
    """Log the browser in: the access token in the session cookie."""
    ttl = int(request.app.state.settings.token_ttl_minutes) * 60
    set_cookie(request, response, SESSION_COOKIE, token, max_age=ttl)


def session_user(request: Request) -> Principal | None:
    """The logged-in user of the request, or None (no or invalid session)."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    try:
        return current_principal(request, token)
    except ApiError:
        return None


def require_user(request: Request) -> Principal:
    """The logged-in user; :class:`LoginRequired` otherwise (the pages redirect to login)."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        raise LoginRequired()
    try:
        return current_principal(request, token)
    except ApiError:
        raise LoginRequired(clear=True) from None


# -- CSRF -----------------------------------------------------------------------------


def csrf_for(key: str, anchor: str, *, session: bool) -> str:
    """The CSRF token of a session token (``session``) or of an anonymous visitor's
    ``isa_csrf`` cookie value."""
    message = ("session|" if session else "anonymous|") + anchor
    return hmac.new(key.encode(), message.encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True, slots=True)
class CsrfAnchor:
    """What a request's CSRF token is tied to; ``new_cookie`` is set on the response."""

    value: str
    session: bool
    new_cookie: str | None = None


def csrf_anchor(request: Request) -> CsrfAnchor:
    """The session token, else the anonymous cookie (a new one when missing)."""
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        return CsrfAnchor(token, True)
    anon = request.cookies.get(ANON_COOKIE)
    if anon and 16 <= len(anon) <= 128:
        return CsrfAnchor(anon, False)
    fresh = secrets.token_urlsafe(32)
    return CsrfAnchor(fresh, False, new_cookie=fresh)


def csrf_token(request: Request) -> tuple[str, str | None]:
    """(the token forms of this page carry, a new anonymous cookie to set or None)."""
    anchor = csrf_anchor(request)
    token = csrf_for(request.app.state.signing_key, anchor.value, session=anchor.session)
    return token, anchor.new_cookie


def check_csrf(request: Request, sent: str | None) -> None:
    """Raise :class:`CsrfRejected` unless ``sent`` is the token of this request's anchor."""
    anchor = csrf_anchor(request)
    if not sent or anchor.new_cookie is not None:
        raise CsrfRejected()
    want = csrf_for(request.app.state.signing_key, anchor.value, session=anchor.session)
    if not hmac.compare_digest(want, sent):
        raise CsrfRejected()


# -- language and flash ------------------------------------------------------------------


def ui_lang(request: Request) -> UiLang:
    """The interface language: the cookie, else the browser's preference, else German."""
    chosen = as_lang(request.cookies.get(LANG_COOKIE))
    return chosen or from_accept_language(request.headers.get("accept-language"))


def remember_lang(request: Request, response: Response, lang: UiLang) -> None:
    """Remember the interface language for a year."""
    set_cookie(request, response, LANG_COOKIE, lang, max_age=_YEAR, same_site="lax")


@dataclass(frozen=True, slots=True)
class Flash:
    """A message for the next page: ``ok`` or ``error``."""

    kind: Literal["ok", "error"]
    text: str


def set_flash(
    request: Request, response: Response, kind: Literal["ok", "error"], text: str
) -> None:
    """Show ``text`` on the next page rendered for this browser."""
    data = json.dumps({"k": kind, "t": text[:_FLASH_MAX]}, ensure_ascii=False)
    value = base64.urlsafe_b64encode(data.encode()).decode()
    set_cookie(request, response, FLASH_COOKIE, value, max_age=120)


def pop_flash(request: Request) -> Flash | None:
    """The pending message, if any (the caller clears the cookie)."""
    value = request.cookies.get(FLASH_COOKIE)
    if not value:
        return None
    try:
        data = json.loads(base64.urlsafe_b64decode(value.encode()).decode())
        kind: Literal["ok", "error"] = "error" if data.get("k") == "error" else "ok"
        return Flash(kind, str(data.get("t", ""))[:_FLASH_MAX])
    except (ValueError, binascii.Error, AttributeError):
        return None


def safe_back(target: str | None, default: str) -> str:
    """``target`` if it is a path on this site (no scheme, host or backslash), else
    ``default``: redirects never leave the site."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return default
    if "\\" in target or any(ord(c) < 0x20 for c in target) or len(target) > 2000:
        return default
    return target
