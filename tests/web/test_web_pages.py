"""The review pages through TestClient: login and sessions, roles and scope, CSRF,
escaping, security headers, language, staff decisions, company interest and contact."""

from __future__ import annotations

import html
import re

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from web_helpers import (
    ADMIN,
    COMPANY_CN,
    COMPANY_DE,
    DEMO_DE_LISTING,
    STAFF_KOELN,
    STAFF_MAANSHAN,
    bearer,
    csrf_of,
    new_listing,
    pairs_of,
    password_of,
    token_of,
    user_client,
)

from isa_match.reference import cities, sectors
from service.limits import RateLimiter
from service.models import Decision
from service.web.security import CSP
from service.web.session import SESSION_COOKIE

API = "/api/v1"
SCRIPT_TITLE = '<script>alert("pwned")</script> Titan "quoted" & <b>bold</b>'


def _flash(text: str) -> list[str]:
    return [
        html.unescape(m)
        for m in re.findall(r'class="flash flash-(?:ok|error)"[^>]*>([^<]*)<', text)
    ]


def _field_errors(text: str, field: str) -> list[str]:
    found = re.findall(rf'id="error-{field}" role="alert">([^<]*)<', text)
    return [html.unescape(m) for m in found]


# -- sessions -------------------------------------------------------------------------------


def test_login_starts_a_strict_httponly_session_and_goes_to_the_role_home(
    web_app: FastAPI,
) -> None:
    homes = {STAFF_KOELN: "/review", COMPANY_DE: "/company", ADMIN: "/admin"}
    for email, home in homes.items():
        client = TestClient(web_app)
        page = client.get("/login")
        r = client.post(
            "/login",
            data={
                "username": email.upper(),  # login names are case-insensitive, as in the API
                "password": password_of(email),
                "csrf_token": csrf_of(page.text),
            },
            follow_redirects=False,
        )
        assert r.status_code == 303 and r.headers["location"] == home
        cookie = next(c for c in r.headers.get_list("set-cookie") if c.startswith(SESSION_COOKIE))
        assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/" in cookie
        assert client.get(home).status_code == 200
    # a wrong password: the form again with the message, no session
    client = TestClient(web_app)
    page = client.get("/login")
    r = client.post(
        "/login",
        data={"username": STAFF_KOELN, "password": "wrong", "csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )
    assert r.status_code == 200 and "E-Mail oder Passwort ist falsch." in r.text
    assert SESSION_COOKIE not in client.cookies
    # pages need the session; the login page remembers where the user wanted to go
    r = client.get("/review?status=all", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login?next=/review%3Fstatus%3Dall"
    page = client.get(r.headers["location"])
    r = client.post(
        "/login",
        data={
            "username": STAFF_KOELN,
            "password": password_of(STAFF_KOELN),
            "csrf_token": csrf_of(page.text),
            "next": "/review?status=all",
        },
        follow_redirects=False,
    )
    assert r.headers["location"] == "/review?status=all"


def test_failed_logins_are_limited_as_in_the_api(web_app: FastAPI) -> None:
    limiters = web_app.state.limiters
    saved = limiters["login"]
    limiters["login"] = RateLimiter(2, 60)
    try:
        client = TestClient(web_app)
        token = csrf_of(client.get("/login").text)
        wrong = {"username": COMPANY_CN, "password": "wrong", "csrf_token": token}
        assert [client.post("/login", data=wrong).status_code for _ in range(2)] == [200, 200]
        r = client.post("/login", data=wrong)
        assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1
        assert "Zu viele Versuche" in r.text
        # the right password is refused as well until the window has passed
        right = {**wrong, "password": password_of(COMPANY_CN)}
        assert client.post("/login", data=right, follow_redirects=False).status_code == 429
    finally:
        limiters["login"] = saved


def test_logout_ends_the_session(web_app: FastAPI) -> None:
    client = user_client(web_app, COMPANY_DE)
    r = client.post("/logout", data={"csrf_token": token_of(client, "/company")})
    assert r.status_code == 200 and "Sie sind abgemeldet." in r.text
    assert client.get("/company", follow_redirects=False).status_code == 303


def test_redirect_targets_stay_on_the_site(web_app: FastAPI) -> None:
    client = TestClient(web_app)
    for target in ("//evil.example/x", "https://evil.example/", "/\\evil.example", "javascript:x"):
        page = client.get("/login")
        r = client.post(
            "/lang",
            data={"lang": "en", "back": target, "csrf_token": csrf_of(page.text)},
            follow_redirects=False,
        )
        assert r.status_code == 303 and r.headers["location"] == "/", target


# -- safety ---------------------------------------------------------------------------------


def test_pages_are_not_in_the_openapi_document(web_app: FastAPI) -> None:
    paths = TestClient(web_app).get("/openapi.json").json()["paths"]
    assert paths and all(p.startswith(f"{API}/") for p in paths)


def test_security_headers_on_pages_not_on_the_api(web_app: FastAPI) -> None:
    client = user_client(web_app, STAFF_KOELN)
    for path in ("/login", "/review", "/overview", "/static/app.css"):
        r = client.get(path)
        assert r.status_code == 200, path
        assert r.headers["content-security-policy"] == CSP
        assert r.headers["x-frame-options"] == "DENY"
        assert r.headers["x-content-type-options"] == "nosniff"
    assert "script-src 'self'" in CSP and "unsafe-inline" not in CSP
    assert client.get("/review").headers["cache-control"] == "no-store"
    # no inline script anywhere: the one script is a file of this site
    text = client.get("/review").text
    assert re.findall(r"<script[^>]*>", text) == ['<script src="/static/app.js" defer>']
    assert " on" not in " ".join(re.findall(r"<[^>]+>", text)).replace(" onl", "")
    # the API and its documentation keep their own headers
    assert "content-security-policy" not in client.get(f"{API}/health").headers
    assert "content-security-policy" not in client.get("/docs").headers


def test_user_text_is_escaped_everywhere(web_app: FastAPI) -> None:
    listing = new_listing(web_app, COMPANY_DE, title=SCRIPT_TITLE, keywords=['"><img src=x>'])
    escaped = "&lt;script&gt;alert(&#34;pwned&#34;)&lt;/script&gt;"
    company = user_client(web_app, COMPANY_DE)
    staff = user_client(web_app, STAFF_KOELN)
    pages = [
        company.get("/company").text,
        company.get(f"/company/listings/{listing}/edit").text,
        staff.get("/review", params={"sort": "date", "status": "all", "page_size": 100}).text,
    ]
    for text in pages:
        assert escaped in text
        assert "<script>alert" not in text and "<b>bold</b>" not in text
        assert '"><img src=x>' not in text
    assert f'value="{SCRIPT_TITLE}"' not in pages[1]
    assert "&amp; &lt;b&gt;bold&lt;/b&gt;" in pages[1]


def test_forms_without_the_session_csrf_token_are_refused(web_app: FastAPI) -> None:
    staff = user_client(web_app, STAFF_KOELN)
    page = staff.get("/review")
    listing_id, suggested_id = pairs_of(page.text)[0]
    decision = {"listing_id": listing_id, "suggested_id": suggested_id, "status": "approve"}
    other = user_client(web_app, ADMIN)  # a token of another session
    foreign_token = token_of(other, "/review")
    with web_app.state.database.session() as db:
        before = db.scalar(select(func.count()).select_from(Decision))
    for token in (None, "", "0" * 64, foreign_token):
        data = dict(decision) if token is None else {**decision, "csrf_token": token}
        r = staff.post("/review/decide", data=data, follow_redirects=False)
        assert r.status_code == 403, token
        assert "CSRF" in r.text
        r = staff.post("/review/bulk", data={"pair": f"{listing_id}|{suggested_id}"})
        assert r.status_code == 403
    with web_app.state.database.session() as db:
        assert db.scalar(select(func.count()).select_from(Decision)) == before
    # login and logout forms are protected as well
    anon = TestClient(web_app)
    r = anon.post("/login", data={"username": STAFF_KOELN, "password": "isa-demo-staff"})
    assert r.status_code == 403 and SESSION_COOKIE not in anon.cookies
    assert staff.post("/logout", data={}).status_code == 403
    assert staff.get("/review").status_code == 200  # still logged in


def test_roles_and_scope_as_in_the_api(web_app: FastAPI) -> None:
    staff = user_client(web_app, STAFF_KOELN)
    company = user_client(web_app, COMPANY_DE)
    other_company = user_client(web_app, COMPANY_CN)
    for path in ("/company", "/company/listings/new", "/admin"):
        r = staff.get(path)
        assert r.status_code == 403 and "Diese Seite ist für Ihre Rolle nicht vorgesehen." in r.text
    for path in ("/review", "/overview", "/review/export.csv", "/admin"):
        assert company.get(path).status_code == 403
    # objects outside the scope answer 404 like missing ones
    assert other_company.get(f"/company/listings/{DEMO_DE_LISTING}/edit").status_code == 404
    assert company.get("/company/listings/L-does-not-exist/edit").status_code == 404
    assert staff.get("/review", params={"city": "Ma'anshan"}).status_code == 404
    assert staff.get("/overview", params={"city": "maanshan"}).status_code == 404
    assert staff.get("/review/export.xlsx", params={"city": "马鞍山"}).status_code == 404
    cn_staff = user_client(web_app, STAFF_MAANSHAN)
    listing_id, suggested_id = pairs_of(staff.get("/review").text)[0]
    r = cn_staff.post(
        "/review/decide",
        data={
            "listing_id": listing_id,
            "suggested_id": suggested_id,
            "status": "approve",
            "csrf_token": token_of(cn_staff, "/review"),
        },
        follow_redirects=False,
    )
    assert r.status_code == 404 and "not found" in r.text
    # unknown query parameters are refused as in the API (a misspelt filter is not ignored)
    r = staff.get("/review", params={"contry": "CN"})
    assert r.status_code == 422 and "contry" in r.text
    assert staff.get("/review", params={"sector": "Z99"}).status_code == 422
    assert staff.get("/review", params={"min_score": "abc"}).status_code == 422


# -- staff ----------------------------------------------------------------------------------


def test_staff_decide_filter_and_bulk_approve(web_app: FastAPI) -> None:
    staff = user_client(web_app, STAFF_KOELN)
    page = staff.get("/review", params={"country": "CN", "page_size": 100})
    assert page.status_code == 200
    pairs = pairs_of(page.text)
    assert len(pairs) >= 4
    assert '· <span class="country">Deutschland</span>' in page.text  # the Köln listings
    partner_countries = re.findall(r'<span class="country">([^<]+)</span>', page.text)[1::2]
    assert set(partner_countries) == {"China"}
    token = csrf_of(page.text)
    (a, b), (c, d), *rest = pairs
    # a rejection needs a reason: the API's message, nothing stored
    r = staff.post(
        "/review/decide",
        data={"csrf_token": token, "listing_id": a, "suggested_id": b, "status": "reject"},
    )
    assert _flash(r.text) == ["reason: a rejection needs a reason"]
    r = staff.post(
        "/review/decide",
        data={
            "csrf_token": token,
            "listing_id": a,
            "suggested_id": b,
            "status": "reject",
            "reason": "Partner sucht keine Fläche",
            "note": "telefonisch geklärt",
            "back": "/review?status=all&page_size=100",
        },
    )
    assert _flash(r.text) == ["Entscheidung gespeichert."]
    assert f'id="pair-{a}-{b}" data-status="rejected"' in r.text
    assert "Partner sucht keine Fläche" in r.text and STAFF_KOELN in r.text
    r = staff.post(
        "/review/bulk",
        data={
            "csrf_token": token,
            "pair": [f"{c}|{d}", f"{rest[0][0]}|{rest[0][1]}"],
            "note": "Sammelfreigabe",
        },
    )
    assert _flash(r.text) == ["2 Paare bestätigt."]
    approved = staff.get("/review", params={"status": "approved", "page_size": 100}).text
    assert {(c, d), rest[0]} <= set(pairs_of(approved))
    pending = staff.get("/review", params={"status": "pending", "page_size": 100}).text
    assert not {(a, b), (c, d), rest[0]} & set(pairs_of(pending))
    # the API sees the same decisions
    api = TestClient(web_app).get(
        f"{API}/matchlists/decisions",
        params={"listing_id": c, "latest_only": True},
        headers=bearer(web_app, STAFF_KOELN),
    )
    mine = [x for x in api.json()["items"] if x["suggested_id"] == d]
    assert mine and mine[0]["status"] == "approve" and mine[0]["note"] == "Sammelfreigabe"
    # nothing selected: said so
    r = staff.post("/review/bulk", data={"csrf_token": token})
    assert _flash(r.text) == ["Kein Paar ausgewählt."]


def test_paging_and_sorting_links(web_app: FastAPI) -> None:
    staff = user_client(web_app, STAFF_KOELN)
    first = staff.get("/review", params={"status": "all", "page_size": 20})
    second = staff.get("/review", params={"status": "all", "page_size": 20, "page": 2})
    assert 'rel="next"' in first.text and 'rel="prev"' in second.text
    assert not set(pairs_of(first.text)) & set(pairs_of(second.text))
    scores = [float(s) for s in re.findall(r'class="score-value">(-?[\d.]+)<', first.text)]
    assert scores == sorted(scores, reverse=True)
    by_date = _every_pair(staff, {"status": "all", "sort": "date"})
    by_score = _every_pair(staff, {"status": "all"})
    assert len(by_date) == len(set(by_date)) and sorted(by_date) == sorted(by_score)
    total = int(re.search(r"(\d+) vorgeschlagene Paare", first.text)[1])  # type: ignore[index]
    assert len(by_score) == total


def _every_pair(client: TestClient, params: dict[str, str]) -> list[tuple[str, str]]:
    """The pairs of every page of a view, following the "next" links."""
    found: list[tuple[str, str]] = []
    url: str | None = "/review?" + "&".join(f"{k}={v}" for k, v in params.items())
    while url is not None:
        page = client.get(html.unescape(url)).text
        found += pairs_of(page)
        link = re.search(r'<a href="([^"]+)" rel="next">', page)
        url = link[1] if link else None
    return found


def test_overview_charts_follow_the_decisions(web_app: FastAPI) -> None:
    staff = user_client(web_app, STAFF_KOELN)
    before = staff.get("/overview").text
    approved = int(re.search(r'id="n-approved">(\d+)<', before)[1])  # type: ignore[index]
    assert before.count("<figure") == 4 and before.count("<svg") >= 2
    assert "Vorgeschlagene Paare nach Partnerstadt" in before
    assert "Aktive Einträge nach Branche" in before and 'class="bar"' in before
    page = staff.get("/review", params={"status": "pending"})
    a, b = pairs_of(page.text)[0]
    staff.post(
        "/review/decide",
        data={
            "csrf_token": csrf_of(page.text),
            "listing_id": a,
            "suggested_id": b,
            "status": "approve",
        },
    )
    after = staff.get("/overview").text
    assert int(re.search(r'id="n-approved">(\d+)<', after)[1]) == approved + 1  # type: ignore[index]
    assert "Bestätigte Paare nach Partnerstadt" in after


def test_admin_sees_member_cities_and_accounts(web_app: FastAPI) -> None:
    admin = user_client(web_app, ADMIN)
    text = admin.get("/admin").text
    assert len(re.findall(r'<tr data-city="', text)) == 41
    assert '<tr data-city="koeln">' in text and "Köln" in text and "科隆" in text
    for email in (ADMIN, STAFF_KOELN, STAFF_MAANSHAN, COMPANY_DE, COMPANY_CN):
        assert f"<td>{email}</td>" in text
    assert admin.get("/review").status_code == 200  # asks for a city
    assert admin.get("/review", params={"city": "Köln", "status": "all"}).status_code == 200
    assert admin.get("/overview", params={"city": "maanshan"}).status_code == 200


# -- language ---------------------------------------------------------------------------------


def test_language_switch_is_remembered_and_labels_follow(web_app: FastAPI) -> None:
    staff = user_client(web_app, STAFF_KOELN)
    page = staff.get("/review")
    assert 'lang="de"' in page.text and "Bestätigen" in page.text
    r = staff.post(
        "/lang",
        data={"lang": "zh", "back": "/review?status=all", "csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == "/review?status=all"
    assert "Max-Age=31536000" in r.headers["set-cookie"]
    text = staff.get("/review", params={"status": "all"}).text
    assert '<html lang="zh-Hans">' in text
    assert "科隆 配对清单" in text and "批准" in text and "拒绝" in text
    assert f"C28 {sectors().label('C28', 'zh')}" in text  # NACE labels in Chinese
    assert cities().display_name("maanshan", "zh") in text
    assert "Bestätigen" not in text
    assert "城市概览" in staff.get("/overview").text
    # browsers without the cookie get their Accept-Language
    fresh = TestClient(web_app)
    assert "Log in" in fresh.get("/login", headers={"Accept-Language": "en-GB,en;q=0.9"}).text
    assert "登录" in fresh.get("/login", headers={"Accept-Language": "zh-CN,zh;q=0.8"}).text
