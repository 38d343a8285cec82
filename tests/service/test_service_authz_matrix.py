"""Authorization matrix: every route of the app x every role -> the expected status.

:data:`MATRIX` has one entry per (method, path) of ``app.routes``; a route without
an entry (or an entry without a route) fails :func:`test_every_route_has_an_entry`,
so a new route cannot ship without its expectations. Each entry builds a real
request for each role (real logins, real tokens, objects of the Köln company):

* ``anonymous``: no token;
* ``company``: the Köln demo company, owner of the objects;
* ``other_company``: another organisation of the same city (scope is the
  organisation, not the city);
* ``staff`` / ``other_staff``: staff of Köln / of the Chinese demo city;
* ``admin``.

:func:`make_ctx` and :func:`walk` are also used by ``test_service_contacts.py``,
which scans every response of the walk for contact data.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi.routing import iter_route_contexts
from sqlalchemy import select
from starlette.routing import BaseRoute
from svc_helpers import ADMIN, COMPANY_CN, COMPANY_DE, STAFF_KOELN, Api, password_of

from service.auth import hash_password
from service.limits import RateLimiter
from service.models import Organization, User
from service.web.session import ANON_COOKIE, SESSION_COOKIE, csrf_for

ROLES = ("anonymous", "company", "other_company", "staff", "other_staff", "admin")
OTHER_COMPANY = "company.matrix-nachbar@isa.example"
OTHER_ORG = "Matrix Nachbar GmbH"
TARGET_USER = "company.matrix-target@isa.example"
API = "/api/v1"


def ensure_user(
    api: Api, email: str, role: str, *, org: str | None = None, city: str | None = None
) -> int:
    """A (demo-password) account, created directly in the database if missing."""
    with api.app.state.database.write_session() as db:
        user = db.execute(select(User).where(User.email == email)).scalar()
        if user is not None:
            return user.id
        org_id = None
        if org is not None:
            assert city is not None
            found = db.execute(
                select(Organization).where(Organization.name == org, Organization.city == city)
            ).scalar()
            if found is None:
                found = Organization(name=org, city=city, org_type="company")
                db.add(found)
                db.flush()
            org_id = found.id
        user = User(
            email=email,
            password_hash=hash_password(password_of(email)),
            role=role,
            organization_id=org_id,
            city=city if role == "staff" else None,
            is_demo=True,
        )
        db.add(user)
        db.commit()
        return user.id


def other_staff_email(api: Api) -> str:
    """The demo staff account of the Chinese demo company's city."""
    with api.app.state.database.session() as db:
        emails = db.execute(select(User.email).where(User.role == "staff")).scalars().all()
    return next(e for e in emails if e.startswith("staff.") and e != STAFF_KOELN)


@dataclass
class Ctx:
    """The objects a walk requests, and who plays which role."""

    api: Api
    emails: dict[str, str | None]
    own: str
    """The Köln company's listing (``company`` owns it)."""
    partner: str
    """The Chinese demo company's listing (the other side of the interests)."""
    other: str
    """A listing of ``other_company``."""
    interest: int
    """``own`` -> ``partner`` (mutual when ``mutual``)."""
    reverse: int | None
    target_user: int
    canaries: dict[str, dict[str, str]]
    """Contact values per role that owns a listing (``company``, ``partner``, ``other_company``)."""
    mutual: bool
    created: list[str] = field(default_factory=list)

    def call(self, role: str, method: str, url: str, **kw: Any) -> Any:
        """A request as ``role`` (no token for anonymous)."""
        email = self.emails[role]
        headers = dict(kw.pop("headers", {}))
        if email is not None:
            headers.update(self.api.headers(email))
        return self.api.client.request(method, url, headers=headers, **kw)

    def new_listing(self, role: str = "company", **fields: Any) -> str:
        """A new listing posted by a company role; withdrawn by :func:`cleanup`."""
        body = {
            "kind": "offer",
            "category": "service",
            "title": f"Prüfdienst für Matrixtests {uuid.uuid4().hex[:6]}",
            "sector": ["M71"],
            **fields,
        }
        r = self.call(role, "POST", f"{API}/listings", json=body)
        assert r.status_code == 201, r.text
        listing_id: str = r.json()["id"]
        self.created.append(listing_id)
        return listing_id


def _canary(who: str, tag: str) -> dict[str, str]:
    digits = f"{int(hashlib.sha256((who + tag).encode()).hexdigest(), 16) % 10**8:08d}"
    return {
        "contact_name": f"Kanarienvogel {who} {tag}",
        "contact_email": f"canary.{who.replace('_', '-')}.{tag}@leak.example",
        "contact_phone": f"+49 221 {digits[:4]} {digits[4:]}",
    }


def make_ctx(api: Api, *, mutual: bool) -> Ctx:
    """Fresh objects for a walk: three listings with distinctive contact data, an
    interest (mutual or not), a target account; logs every role in."""
    ensure_user(api, OTHER_COMPANY, "company", org=OTHER_ORG, city="koeln")
    target = ensure_user(api, TARGET_USER, "company", org=OTHER_ORG, city="koeln")
    emails: dict[str, str | None] = {
        "anonymous": None,
        "company": COMPANY_DE,
        "other_company": OTHER_COMPANY,
        "staff": STAFF_KOELN,
        "other_staff": other_staff_email(api),
        "admin": ADMIN,
        "partner": COMPANY_CN,
    }
    tag = uuid.uuid4().hex[:8]
    canaries = {who: _canary(who, tag) for who in ("company", "partner", "other_company")}
    ctx = Ctx(api, emails, "", "", "", 0, None, target, canaries, mutual)
    ctx.own = ctx.new_listing(
        "company",
        kind="request",
        category="product",
        title=f"Suche Titanschrauben M8 für Medizintechnik {tag}",
        description="Wir suchen einen Lieferanten für Titanschrauben M8 aus Grade-5-Titan.",
        sector=["C25"],
        keywords=["Titan", "Schrauben"],
        **canaries["company"],
    )
    ctx.partner = ctx.new_listing(
        "partner",
        kind="offer",
        category="product",
        title=f"Titanium screws M8 for medical devices {tag}",
        description="We supply titanium screws M8 (grade 5) for medical device makers.",
        sector=["C25"],
        keywords=["titanium", "screws"],
        **canaries["partner"],
    )
    ctx.other = ctx.new_listing("other_company", **canaries["other_company"])
    ctx.interest = _declare(ctx, "company", ctx.own, ctx.partner)
    if mutual:
        ctx.reverse = _declare(ctx, "partner", ctx.partner, ctx.own)
    return ctx


def _declare(ctx: Ctx, role: str, source: str, target: str) -> int:
    r = ctx.call(
        role, "POST", f"{API}/interests", json={"from_listing": source, "to_listing": target}
    )
    assert r.status_code in (200, 201), r.text
    interest_id: int = r.json()["id"]
    return interest_id


def cleanup(ctx: Ctx) -> None:
    """Withdraw every listing the walk created (they would crowd other tests' results)."""
    for listing_id in ctx.created:
        r = ctx.call("admin", "DELETE", f"{API}/listings/{listing_id}")
        assert r.status_code == 200, r.text
    ctx.api.app.state.engine.wait_idle(120)


@pytest.fixture()
def roomy_interest_limit(sqlite_api: Api) -> Iterator[None]:
    """Walks declare many interests; the real limit is tested on its own."""
    limiters = sqlite_api.app.state.limiters
    saved = limiters["interest"]
    limiters["interest"] = RateLimiter(100_000, 3600)
    try:
        yield
    finally:
        limiters["interest"] = saved


# -- requests per route ---------------------------------------------------------------

Request = tuple[str, dict[str, Any]]
"""(url, keyword arguments of the client's request)"""
Builder = Callable[[Ctx, str], Request]


def _listing_body(ctx: Ctx, role: str) -> dict[str, Any]:
    body: dict[str, Any] = {
        "kind": "offer",
        "category": "service",
        "title": "Kalibrierdienst für Drehmomentschlüssel",
        "sector": ["M71"],
    }
    if role in ("staff", "other_staff"):
        body.update(
            organization=OTHER_ORG if role == "staff" else "Matrix 合作伙伴", org_type="company"
        )
    elif role == "admin":
        body.update(organization=OTHER_ORG, city="Köln")
    return body


def _import_file(ctx: Ctx, role: str) -> Request:
    # one invalid row (lenient: 200 with the row rejected), carrying another member's
    # contact address: the report must not echo it
    leak = ctx.canaries["partner"]["contact_email"]
    csv = (
        "id,kind,category,title,organization,org_type,city,sector,created_at,contact_email\n"
        f"MATRIX-IMP-1,offer,nonsense,Titel,{OTHER_ORG},company,Köln,C25,2026-10-01,{leak}\n"
    )
    return f"{API}/listings/import?mode=lenient", {
        "files": {"file": ("rows.csv", csv.encode(), "text/csv")}
    }


def _login(ctx: Ctx, role: str) -> Request:
    email = ctx.emails[role]
    form = (
        {"username": email, "password": password_of(email)}
        if email
        else {
            "username": "nobody@isa.example",
            "password": "wrong-password",
        }
    )
    return f"{API}/auth/token", {"data": form}


def _fresh_listing(ctx: Ctx, role: str) -> Request:
    return f"{API}/listings/{ctx.new_listing()}", {}


def _fresh_interest(ctx: Ctx, role: str) -> Request:
    return f"{API}/interests/{_declare(ctx, 'company', ctx.own, ctx.other)}", {}


def _decision(ctx: Ctx) -> dict[str, Any]:
    return {"listing_id": ctx.own, "suggested_id": ctx.partner, "status": "approve"}


def _get(url: str, **kw: Any) -> Builder:
    return lambda ctx, role: (url.format(ctx=ctx), dict(kw))


# -- the review pages (service/web): cookie sessions and CSRF tokens, no bearer tokens ------

_ANON_ANCHOR = "matrix-anonymous-visitor-anchor"


def _page_session(ctx: Ctx, role: str) -> tuple[dict[str, str], str]:
    """The Cookie header and form CSRF token of ``role``'s page session (the session
    cookie holds the same signed token as the API's bearer header)."""
    key = ctx.api.app.state.signing_key
    email = ctx.emails[role]
    if email is None:
        return {"Cookie": f"{ANON_COOKIE}={_ANON_ANCHOR}"}, csrf_for(
            key, _ANON_ANCHOR, session=False
        )
    token = ctx.api.headers(email)["Authorization"].removeprefix("Bearer ")
    return {"Cookie": f"{SESSION_COOKIE}={token}"}, csrf_for(key, token, session=True)


def _page(url: str, **kw: Any) -> Builder:
    def build(ctx: Ctx, role: str) -> Request:
        cookie, _ = _page_session(ctx, role)
        return url.format(ctx=ctx), {"headers": cookie, "follow_redirects": False, **kw}

    return build


def _form(url: str, fields: Callable[[Ctx, str], dict[str, Any]]) -> Builder:
    def build(ctx: Ctx, role: str) -> Request:
        cookie, token = _page_session(ctx, role)
        data = {**fields(ctx, role), "csrf_token": token}
        return url.format(ctx=ctx), {"headers": cookie, "follow_redirects": False, "data": data}

    return build


def _page_login(ctx: Ctx, role: str) -> dict[str, Any]:
    email = ctx.emails[role]
    if email is None:
        return {"username": "nobody@isa.example", "password": "wrong-password"}
    return {"username": email, "password": password_of(email)}


def _web_withdraw(ctx: Ctx, role: str) -> Request:
    interest = _declare(ctx, "company", ctx.own, ctx.other)
    return _form(f"/company/interests/{interest}/withdraw", lambda c, r: {})(ctx, role)


def _edit_form(ctx: Ctx, role: str) -> dict[str, Any]:
    """Every field of ``ctx.own`` as its owner sees it (contact included), keywords changed:
    the edit form sends all fields, an empty one clears."""
    own = ctx.call("company", "GET", f"{API}/listings/{ctx.own}").json()
    contact = own["contact"] or {}
    return {
        **{k: own[k] for k in ("kind", "category", "title", "description", "language")},
        "sector": ", ".join(own["sector"]),
        "keywords": "Titan, Schrauben, M8",
        "expires_at": own["expires_at"] or "",
        **{k: contact.get(k) or "" for k in ("contact_name", "contact_email", "contact_phone")},
    }


def E(*codes: int | set[int]) -> dict[str, set[int]]:  # noqa: N802 - reads like a table
    """Expected statuses in :data:`ROLES` order."""
    assert len(codes) == len(ROLES)
    return {role: c if isinstance(c, set) else {c} for role, c in zip(ROLES, codes, strict=True)}


ALL_OK = E(401, 200, 200, 200, 200, 200)
OWNER_SCOPE = E(401, 200, 404, 200, 404, 200)
ADMIN_ONLY = E(401, 403, 403, 403, 403, 200)
PUBLIC = E(200, 200, 200, 200, 200, 200)
REVIEW = E(401, 403, 403, 200, 404, 200)
COMPANY_ONLY = E(401, 200, 404, 403, 403, 403)
PAGE_ALL = E(303, 303, 303, 303, 303, 303)
PAGE_REVIEW = E(303, 403, 403, 200, 404, 200)
PAGE_COMPANY = E(303, 200, 200, 403, 403, 403)

MATRIX: dict[tuple[str, str], tuple[Builder, dict[str, set[int]] | Callable[[Ctx], Any]]] = {
    ("GET", "/openapi.json"): (_get("/openapi.json"), PUBLIC),
    ("GET", "/docs"): (_get("/docs"), PUBLIC),
    ("GET", "/docs/oauth2-redirect"): (_get("/docs/oauth2-redirect"), PUBLIC),
    ("GET", "/redoc"): (_get("/redoc"), PUBLIC),
    ("POST", f"{API}/auth/token"): (_login, E(401, 200, 200, 200, 200, 200)),
    ("GET", f"{API}/auth/me"): (_get(f"{API}/auth/me"), ALL_OK),
    ("POST", f"{API}/listings"): (
        lambda ctx, role: (f"{API}/listings", {"json": _listing_body(ctx, role)}),
        E(401, 201, 201, 201, 201, 201),
    ),
    ("GET", f"{API}/listings"): (_get(f"{API}/listings"), ALL_OK),
    ("POST", f"{API}/listings/import"): (_import_file, ALL_OK),
    ("GET", f"{API}/listings/{{listing_id}}"): (_get(API + "/listings/{ctx.own}"), OWNER_SCOPE),
    ("PATCH", f"{API}/listings/{{listing_id}}"): (
        _get(API + "/listings/{ctx.own}", json={"keywords": ["Titan", "Schrauben", "M8"]}),
        OWNER_SCOPE,
    ),
    ("DELETE", f"{API}/listings/{{listing_id}}"): (_fresh_listing, OWNER_SCOPE),
    ("GET", f"{API}/listings/{{listing_id}}/suggestions"): (
        _get(API + "/listings/{ctx.own}/suggestions", params={"k": 50}),
        OWNER_SCOPE,
    ),
    ("POST", f"{API}/search"): (
        _get(f"{API}/search", json={"text": "Titanschrauben M8 Medizintechnik", "k": 50}),
        ALL_OK,
    ),
    ("GET", f"{API}/matchlists"): (
        _get(f"{API}/matchlists", params={"city": "koeln", "page_size": 100}),
        REVIEW,
    ),
    ("POST", f"{API}/matchlists/decisions"): (
        lambda ctx, role: (f"{API}/matchlists/decisions", {"json": _decision(ctx)}),
        E(401, 403, 403, 201, 404, 201),
    ),
    ("POST", f"{API}/matchlists/decisions/bulk"): (
        lambda ctx, role: (
            f"{API}/matchlists/decisions/bulk",
            {"json": {"decisions": [_decision(ctx)]}},
        ),
        E(401, 403, 403, 201, 404, 201),
    ),
    ("GET", f"{API}/matchlists/decisions"): (
        _get(f"{API}/matchlists/decisions", params={"city": "Köln"}),
        REVIEW,
    ),
    ("POST", f"{API}/interests"): (
        lambda ctx, role: (
            f"{API}/interests",
            {"json": {"from_listing": ctx.own, "to_listing": ctx.partner}},
        ),
        E(401, {200, 201}, 404, 403, 403, 403),
    ),
    ("GET", f"{API}/interests"): (_get(f"{API}/interests"), E(401, 200, 200, 403, 403, 403)),
    ("DELETE", f"{API}/interests/{{interest_id}}"): (
        _fresh_interest,
        E(401, 204, 404, 403, 403, 403),
    ),
    ("GET", f"{API}/interests/{{interest_id}}/contact"): (
        _get(API + "/interests/{ctx.interest}/contact"),
        lambda ctx: E(401, 200 if ctx.mutual else 409, 404, 403, 403, 403),
    ),
    ("GET", f"{API}/admin/audit"): (
        _get(f"{API}/admin/audit", params={"page_size": 500}),
        ADMIN_ONLY,
    ),
    ("GET", f"{API}/admin/users"): (
        _get(f"{API}/admin/users", params={"page_size": 500}),
        ADMIN_ONLY,
    ),
    ("PATCH", f"{API}/admin/users/{{user_id}}"): (
        _get(API + "/admin/users/{ctx.target_user}", json={"active": True}),
        ADMIN_ONLY,
    ),
    ("GET", f"{API}/health"): (_get(f"{API}/health"), PUBLIC),
    ("GET", f"{API}/system/index"): (_get(f"{API}/system/index"), ADMIN_ONLY),
    ("POST", f"{API}/system/index/rebuild"): (
        _get(f"{API}/system/index/rebuild"),
        E(401, 403, 403, 403, 403, 202),
    ),
    # the review pages: anonymous visitors are sent to the login page (303)
    ("GET", "/"): (_page("/"), PAGE_ALL),
    ("GET", "/login"): (_page("/login"), PUBLIC),
    ("POST", "/login"): (_form("/login", _page_login), E(200, 303, 303, 303, 303, 303)),
    ("POST", "/logout"): (_form("/logout", lambda c, r: {}), PAGE_ALL),
    ("POST", "/lang"): (_form("/lang", lambda c, r: {"lang": "zh", "back": "/"}), PAGE_ALL),
    ("GET", "/review"): (_page("/review", params={"city": "koeln", "status": "all"}), PAGE_REVIEW),
    ("POST", "/review/decide"): (
        _form("/review/decide", lambda ctx, r: _decision(ctx)),
        E(303, 403, 403, 303, 404, 303),
    ),
    ("POST", "/review/bulk"): (
        _form("/review/bulk", lambda ctx, r: {"pair": f"{ctx.own}|{ctx.partner}"}),
        E(303, 403, 403, 303, 404, 303),
    ),
    ("GET", "/review/export.csv"): (
        _page("/review/export.csv", params={"city": "koeln"}),
        PAGE_REVIEW,
    ),
    ("GET", "/review/export.xlsx"): (
        _page("/review/export.xlsx", params={"city": "koeln"}),
        PAGE_REVIEW,
    ),
    ("GET", "/overview"): (_page("/overview", params={"city": "koeln"}), PAGE_REVIEW),
    ("GET", "/admin"): (_page("/admin"), E(303, 403, 403, 403, 403, 200)),
    ("GET", "/company"): (_page("/company"), PAGE_COMPANY),
    ("POST", "/company/interest"): (
        _form(
            "/company/interest",
            lambda ctx, r: {"from_listing": ctx.own, "to_listing": ctx.partner},
        ),
        E(303, 303, 404, 403, 403, 403),
    ),
    ("POST", "/company/interests/{interest_id}/withdraw"): (
        _web_withdraw,
        E(303, 303, 404, 403, 403, 403),
    ),
    ("GET", "/company/interests/{interest_id}/contact"): (
        _page("/company/interests/{ctx.interest}/contact"),
        lambda ctx: E(303, 200 if ctx.mutual else 409, 404, 403, 403, 403),
    ),
    ("GET", "/company/listings/new"): (_page("/company/listings/new"), PAGE_COMPANY),
    ("POST", "/company/listings/new"): (
        # an invalid form (nothing is created): the role gate, then the API's messages
        _form("/company/listings/new", lambda c, r: {"title": "x" * 300, "sector": "C25"}),
        E(303, 422, 422, 403, 403, 403),
    ),
    ("GET", "/company/listings/{listing_id}/edit"): (
        _page("/company/listings/{ctx.own}/edit"),
        E(303, 200, 404, 403, 403, 403),
    ),
    ("POST", "/company/listings/{listing_id}/edit"): (
        _form("/company/listings/{ctx.own}/edit", lambda ctx, r: _edit_form(ctx, r)),
        E(303, 303, 404, 403, 403, 403),
    ),
}


def route_keys(routes: list[BaseRoute]) -> set[tuple[str, str]]:
    """(method, path) of every route, included routers flattened (HEAD comes with GET)."""
    out = set()
    for route in iter_route_contexts(routes):
        methods = getattr(route, "methods", None) or set()
        assert route.path is not None, route
        out.update((m, route.path) for m in methods if m not in ("HEAD", "OPTIONS"))
    return out


def expected(ctx: Ctx, key: tuple[str, str]) -> dict[str, set[int]]:
    """The expected statuses of one route for this walk."""
    spec = MATRIX[key][1]
    result: dict[str, set[int]] = spec(ctx) if callable(spec) else spec
    return result


@dataclass(frozen=True)
class Outcome:
    """One request of a walk."""

    key: tuple[str, str]
    role: str
    status: int
    body: str


def walk(ctx: Ctx, roles: tuple[str, ...] = ROLES) -> Iterator[Outcome]:
    """Every route of :data:`MATRIX` requested as every role in ``roles``."""
    for key, (build, _) in MATRIX.items():
        method = key[0]
        for role in roles:
            url, kw = build(ctx, role)
            r = ctx.call(role, method, url, **kw)
            if method == "POST" and key[1] == f"{API}/listings" and r.status_code == 201:
                ctx.created.append(r.json()["id"])
            yield Outcome(key, role, r.status_code, r.text)


def test_every_route_has_an_entry(sqlite_api: Api) -> None:
    routes = route_keys(sqlite_api.app.routes)
    missing = sorted(routes - set(MATRIX))
    stale = sorted(set(MATRIX) - routes)
    assert not missing, f"routes without an authorization matrix entry: {missing}"
    assert not stale, f"matrix entries without a route: {stale}"
    # the same routes as the OpenAPI document (plus the documentation pages)
    paths = sqlite_api.client.get("/openapi.json").json()["paths"]
    documented = {(m.upper(), p) for p, ops in paths.items() for m in ops}
    assert documented == {k for k in routes if k[1].startswith(API)}


def test_matrix_every_route_and_role(sqlite_api: Api, roomy_interest_limit: None) -> None:
    ctx = make_ctx(sqlite_api, mutual=True)
    try:
        wrong = []
        seen = set()
        for out in walk(ctx):
            seen.add((out.key, out.role))
            want = expected(ctx, out.key)[out.role]
            if out.status not in want:
                wrong.append(
                    f"{out.key[0]} {out.key[1]} as {out.role}: {out.status} not in "
                    f"{sorted(want)}: {out.body[:200]}"
                )
            assert out.status < 500, out.body
        assert not wrong, "\n".join(wrong)
        assert len(seen) == len(MATRIX) * len(ROLES)
    finally:
        cleanup(ctx)
