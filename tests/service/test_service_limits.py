"""Limits and errors: body size, rate limits, hostile input, JSON errors (SQLite app)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from svc_helpers import COMPANY_DE, Api, password_of

from service.limits import RateLimiter


def test_body_over_limit_without_content_length_is_413(sqlite_api: Api) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(40):  # 40 x 64 KiB = 2.6 MB
            yield b"x" * 65536

    client = sqlite_api.client
    request = client.build_request(
        "POST", "/api/v1/search", content=chunks(), headers=sqlite_api.headers(COMPANY_DE)
    )
    assert "content-length" not in request.headers
    assert request.headers["transfer-encoding"] == "chunked"
    r = client.send(request)
    assert r.status_code == 413
    assert r.json() == {"detail": "request body larger than 1,000,000 bytes"}
    # a declared length over the limit is refused before reading
    r = sqlite_api.post(
        "/api/v1/listings/import",
        COMPANY_DE,
        files={"file": ("big.csv", b"a" * 1_100_000, "text/csv")},
    )
    assert r.status_code == 413 and "detail" in r.json()


def test_login_rate_limit_answers_429(sqlite_api: Api) -> None:
    form = {"username": "rate.limit@isa.example", "password": "wrong-password"}
    codes = [sqlite_api.client.post("/api/v1/auth/token", data=form).status_code for _ in range(11)]
    assert codes[:10] == [401] * 10
    assert codes[10] == 429
    r = sqlite_api.client.post("/api/v1/auth/token", data=form)
    assert r.status_code == 429 and int(r.headers["Retry-After"]) >= 1
    assert "too many login attempts" in r.json()["detail"]


def test_successful_logins_are_not_limited(sqlite_api: Api) -> None:
    form = {"username": COMPANY_DE, "password": password_of(COMPANY_DE)}
    codes = [sqlite_api.client.post("/api/v1/auth/token", data=form).status_code for _ in range(15)]
    assert codes == [200] * 15


def test_rate_limiter_window_slides() -> None:
    limiter = RateLimiter(2, 10.0)
    assert limiter.hit("a", now=0.0) is None
    assert limiter.hit("a", now=1.0) is None
    assert limiter.hit("a", now=2.0) == pytest.approx(8.0)
    assert limiter.hit("b", now=2.0) is None  # other keys are independent
    assert limiter.hit("a", now=10.5) is None  # the first event left the window


@pytest.mark.parametrize(
    ("method", "url", "body", "status"),
    [
        ("get", "/api/v1/no-such-route", None, 404),
        ("post", "/api/v1/search", b"{not json", 422),
        ("post", "/api/v1/search", {"text": "   \u200b\u202e "}, 422),
        ("post", "/api/v1/search", {"text": "x", "k": "many"}, 422),
        ("post", "/api/v1/search", {"text": "x", "filters": {"city": ["Atlantis"]}}, 422),
        ("get", "/api/v1/listings/a%00b", None, 422),
        ("get", "/api/v1/listings?page=0", None, 422),
        ("get", "/api/v1/listings?page=99999999999999999999", None, 422),
        ("patch", "/api/v1/listings/x", {"title": None, "version": 3}, 422),
    ],
)
def test_bad_input_gets_json_errors(
    sqlite_api: Api, method: str, url: str, body: object, status: int
) -> None:
    kwargs: dict[str, object] = {}
    if isinstance(body, bytes):
        kwargs = {"content": body, "headers": {"Content-Type": "application/json"}}
    elif body is not None:
        kwargs = {"json": body}
    headers = {**sqlite_api.headers(COMPANY_DE), **kwargs.pop("headers", {})}  # type: ignore[dict-item]
    r = sqlite_api.client.request(method.upper(), url, headers=headers, **kwargs)  # type: ignore[arg-type]
    assert r.status_code == status, r.text
    assert "detail" in r.json()


def test_unknown_filter_value_names_field_and_suggestions(sqlite_api: Api) -> None:
    body = {"text": "Batterie", "filters": {"city": ["Koln"], "sector": ["C99"]}}
    r = sqlite_api.post("/api/v1/search", COMPANY_DE, json=body)
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"][0] == "body"
    listing = sqlite_api.get("/api/v1/listings", COMPANY_DE).json()["items"][0]["id"]
    r = sqlite_api.get(
        f"/api/v1/listings/{listing}/suggestions", COMPANY_DE, params={"city": "Atlantis"}
    )
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["query", "city"]
    ok = sqlite_api.get(
        f"/api/v1/listings/{listing}/suggestions",
        COMPANY_DE,
        params=[("country", "China"), ("city", "科隆"), ("city", "Foshan")],
    )
    assert ok.status_code == 200
    assert {m["listing"]["city"] for m in ok.json()["items"]} <= {"foshan"}


def test_control_and_bidi_characters_are_removed_before_storing(sqlite_api: Api) -> None:
    body = {
        "kind": "offer",
        "category": "service",
        "title": "Prüf\u202edienst\u0000 für\u200b Sensoren",
        "description": "Zeile eins\r\n\r\nZeile\x07 zwei",
        "sector": ["M71"],
    }
    r = sqlite_api.post("/api/v1/listings", COMPANY_DE, json=body)
    assert r.status_code == 201, r.text
    assert r.json()["title"] == "Prüfdienst für Sensoren"
    assert "\x07" not in r.json()["description"]
