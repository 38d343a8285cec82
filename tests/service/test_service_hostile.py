"""Hostile and malformed input over real HTTP: always a JSON ``{"detail": ...}``, never a 500.

A uvicorn server (hashing encoder, 60 sample listings) runs in a thread; the body
limit is checked on raw sockets, the rest with an HTTP client. Decisions this file
pins down:

* text is normalised (NFKC; control, format and bidi characters removed) before it
  is stored and before its length is checked; text left empty is rejected naming
  the field;
* a body sent in another media type than the operation reads answers 415;
* an unknown query parameter answers 422 naming it (a misspelt filter must not
  silently return unfiltered results);
* SQL and HTML in text fields are data: stored and returned as sent, as JSON.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import uvicorn
from svc_helpers import ADMIN, COMPANY_DE, password_of, small_settings

from service.app import create_app
from service.limits import RateLimiter

LIMIT = 1_000_000


class Live:
    """A running server: its address and an HTTP client with cached logins."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.client = httpx.Client(base_url=f"http://{host}:{port}", timeout=30)
        self._tokens: dict[str, str] = {}

    def auth(self, email: str = COMPANY_DE) -> dict[str, str]:
        if email not in self._tokens:
            r = self.client.post(
                "/api/v1/auth/token", data={"username": email, "password": password_of(email)}
            )
            assert r.status_code == 200, r.text
            self._tokens[email] = r.json()["access_token"]
        return {"Authorization": f"Bearer {self._tokens[email]}"}


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    app = create_app(small_settings(tmp_path_factory.mktemp("hostile")))
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, name="uvicorn-hostile", daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    live = Live("127.0.0.1", port)
    yield live
    live.client.close()
    server.should_exit = True
    thread.join(timeout=30)


def error(r: httpx.Response, status: int) -> Any:
    """The ``detail`` of a JSON error answer with ``status``."""
    assert r.status_code == status, (r.status_code, r.text[:500])
    assert r.headers["content-type"].startswith("application/json"), r.headers
    body = r.json()
    assert set(body) == {"detail"}, body
    return body["detail"]


def problem_at(r: httpx.Response, loc: list[str | int]) -> str:
    """The message of the 422 problem at ``loc``."""
    items = error(r, 422)
    assert isinstance(items, list), items
    found = [item["msg"] for item in items if item["loc"] == loc]
    assert found, (loc, items)
    return str(found[0])


def new_listing(**fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "kind": "offer",
        "category": "technology",
        "title": "Wärmepumpen für Industriehallen",
        "description": "Wir planen und liefern Großwärmepumpen für Produktionshallen.",
        "sector": ["C28"],
    }
    body.update(fields)
    return body


# -- body size ------------------------------------------------------------------------


def _read_response(sock: socket.socket) -> tuple[int, dict[str, str], bytes]:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, f"connection closed without an answer: {data!r}"
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {k.strip().lower(): v.strip() for k, _, v in (x.partition(":") for x in lines[1:])}
    while len(body) < int(headers.get("content-length", 0)):
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return status, headers, body


def test_declared_body_over_the_limit_is_refused_before_it_is_sent(live: Live) -> None:
    token = live.auth()["Authorization"]
    with socket.create_connection((live.host, live.port), timeout=10) as sock:
        sock.sendall(
            b"POST /api/v1/search HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            + f"Authorization: {token}\r\nContent-Length: {5 * LIMIT}\r\n\r\n".encode()
        )
        # no body byte is sent: the answer must come from the declared length alone
        status, headers, body = _read_response(sock)
    assert status == 413 and headers["content-type"] == "application/json"
    assert json.loads(body) == {"detail": f"request body larger than {LIMIT:,} bytes"}
    assert headers["connection"] == "close"


def test_chunked_body_over_the_limit_is_refused_while_it_streams(live: Live) -> None:
    token = live.auth()["Authorization"]
    chunk = b"x" * 65536
    framed = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
    sent = 0
    with socket.create_connection((live.host, live.port), timeout=10) as sock:
        sock.sendall(
            b"POST /api/v1/search HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            + f"Authorization: {token}\r\nTransfer-Encoding: chunked\r\n\r\n".encode()
        )
        try:
            while sent < 20 * LIMIT:  # the final chunk is never sent
                sock.sendall(framed)
                sent += len(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered and closed while we were still sending
        status, headers, body = _read_response(sock)
    assert status == 413, body
    assert json.loads(body)["detail"] == f"request body larger than {LIMIT:,} bytes"
    # refused while streaming, long before the 20 MB we were willing to send
    assert sent < 10 * LIMIT


def test_upload_over_the_limit_is_413(live: Live) -> None:
    files = {"file": ("big.csv", b"a,b\n" * 300_000, "text/csv")}
    r = live.client.post("/api/v1/listings/import", headers=live.auth(), files=files)
    assert "larger than" in error(r, 413)


# -- numbers and limits ---------------------------------------------------------------


@pytest.mark.parametrize("k", ["101", "1000000", "99999999999999999999999999", "0", "-1", "1e3"])
def test_huge_or_invalid_k_is_422(live: Live, k: str) -> None:
    listing = live.client.get("/api/v1/listings", headers=live.auth()).json()["items"][0]["id"]
    r = live.client.get(f"/api/v1/listings/{listing}/suggestions?k={k}", headers=live.auth())
    problem_at(r, ["query", "k"])
    r = live.client.post(
        "/api/v1/search", headers=live.auth(), json={"text": "Wärmepumpe", "k": int(float(k))}
    )
    assert "100" in problem_at(r, ["body", "k"]) or int(float(k)) < 1


@pytest.mark.parametrize(
    ("field", "value", "limit"),
    [
        ("title", "T" * 201, "200"),
        ("description", "D" * 5001, "5000"),
        ("title", "㎏" * 101, "200"),  # 101 characters sent, 202 after NFKC ("kg")
        ("keywords", ["k"] * 31, "30"),
        ("sector", ["C28"] * 21, "20"),
        ("contact_email", "a" * 250 + "@x.de", "254"),
    ],
)
def test_overlong_fields_are_422_naming_field_and_limit(
    live: Live, field: str, value: Any, limit: str
) -> None:
    r = live.client.post(
        "/api/v1/listings", headers=live.auth(), json=new_listing(**{field: value})
    )
    assert limit in problem_at(r, ["body", field])


def test_an_overlong_list_item_is_named_by_its_position(live: Live) -> None:
    body = new_listing(keywords=["gut", "x" * 101])
    r = live.client.post("/api/v1/listings", headers=live.auth(), json=body)
    assert "100" in problem_at(r, ["body", "keywords", 1])


# -- text content ---------------------------------------------------------------------


def test_control_and_bidi_characters_are_removed_before_storing(live: Live) -> None:
    title = "Wärme\u202epumpen\u0000 für\u200b Hallen\u2066\u0007"
    body = new_listing(title=title, keywords=["\u202eWärme\u202c", "Pumpe\u0008"])
    r = live.client.post("/api/v1/listings", headers=live.auth(), json=body)
    assert r.status_code == 201, r.text
    created = r.json()
    assert created["title"] == "Wärmepumpen für Hallen"
    assert created["keywords"] == ["Wärme", "Pumpe"]
    again = live.client.get(f"/api/v1/listings/{created['id']}", headers=live.auth()).json()
    assert again["title"] == "Wärmepumpen für Hallen"


@pytest.mark.parametrize("title", ["\u202e\u202c", "\u0000\u0007 ", "\u200b\ufeff", "\ud800"])
def test_a_title_of_only_invisible_characters_is_rejected(live: Live, title: str) -> None:
    raw = json.dumps(new_listing(title=title)).encode()  # escapes what UTF-8 cannot carry
    headers = {**live.auth(), "Content-Type": "application/json"}
    r = live.client.post("/api/v1/listings", headers=headers, content=raw)
    problem_at(r, ["body", "title"])


def test_a_lone_surrogate_is_dropped_not_a_server_error(live: Live) -> None:
    raw = json.dumps(new_listing(title="Pumpe \ud800 Wärme")).encode()  # "\ud800" escaped
    r = live.client.post(
        "/api/v1/listings",
        headers={**live.auth(), "Content-Type": "application/json"},
        content=raw,
    )
    assert r.status_code == 201, r.text
    assert r.json()["title"] == "Pumpe Wärme"


@pytest.mark.parametrize("text", ["", "   ", "\u200b\u202e", "\n\t"])
def test_empty_search_text_is_422(live: Live, text: str) -> None:
    r = live.client.post("/api/v1/search", headers=live.auth(), json={"text": text})
    assert "empty" in problem_at(r, ["body", "text"])


def test_sql_and_html_are_stored_and_returned_as_plain_data(live: Live) -> None:
    title = "Robert'); DROP TABLE listings; -- <b>Wärme</b>"
    description = "<script>alert('x')</script><img src=x onerror=alert(1)> ' OR '1'='1"
    body = new_listing(title=title, description=description, keywords=["' OR 1=1 --"])
    r = live.client.post("/api/v1/listings", headers=live.auth(), json=body)
    assert r.status_code == 201, r.text
    assert r.headers["content-type"] == "application/json"
    listing_id = r.json()["id"]
    got = live.client.get(f"/api/v1/listings/{listing_id}", headers=live.auth()).json()
    assert (got["title"], got["description"], got["keywords"]) == (
        title,
        description,
        ["' OR 1=1 --"],
    )
    # the table is still there and the listing is searchable
    assert live.client.get("/api/v1/listings", headers=live.auth()).json()["total"] > 1
    r = live.client.post("/api/v1/search", headers=live.auth(ADMIN), json={"text": title, "k": 100})
    assert r.status_code == 200
    assert listing_id in [m["id"] for m in r.json()["items"]]
    r = live.client.get("/api/v1/listings/x' OR '1'='1", headers=live.auth())
    assert "not found" in error(r, 404)
    r = live.client.get(
        f"/api/v1/listings/{listing_id}/suggestions",
        params={"city": "' OR 1=1 --"},
        headers=live.auth(),
    )
    problem_at(r, ["query", "city"])


# -- malformed bodies and content types ----------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b'{"text": "x",', "not valid JSON"),
        (b"[" * 100_000, "nested too deeply"),
        (b'{"text": "\xff\xfe"}', "UTF-8"),
        (b'"just a string"', "must be a JSON object"),
        (b"null", "must be a JSON object"),
    ],
)
def test_malformed_json_is_422(live: Live, raw: bytes, expected: str) -> None:
    r = live.client.post(
        "/api/v1/search",
        headers={**live.auth(), "Content-Type": "application/json"},
        content=raw,
    )
    items = error(r, 422)
    assert items[0]["loc"][0] == "body"
    assert expected in items[0]["msg"]


@pytest.mark.parametrize(
    ("url", "content_type", "content", "accepted"),
    [
        ("/api/v1/search", "text/plain", b'{"text": "Pumpe"}', "application/json"),
        ("/api/v1/search", "application/x-www-form-urlencoded", b"text=Pumpe", "application/json"),
        ("/api/v1/search", None, b'{"text": "Pumpe"}', "application/json"),
        ("/api/v1/listings/import", "application/json", b"[]", "multipart/form-data"),
        ("/api/v1/auth/token", "application/json", b'{"username": "a"}', "x-www-form-urlencoded"),
    ],
)
def test_a_body_in_another_media_type_is_415(
    live: Live, url: str, content_type: str | None, content: bytes, accepted: str
) -> None:
    headers = {**live.auth()}
    if content_type is not None:
        headers["Content-Type"] = content_type
    r = live.client.post(url, headers=headers, content=content)
    if content_type is None:
        assert "content-type" not in r.request.headers
    assert accepted in error(r, 415)


def test_a_chunked_body_without_content_type_is_415(live: Live) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"text": '
        yield b'"Pumpe"}'

    r = live.client.post("/api/v1/search", headers=live.auth(), content=chunks())
    assert "content-type" not in r.request.headers
    assert r.request.headers["transfer-encoding"] == "chunked"
    assert "application/json" in error(r, 415)


def test_a_json_subtype_is_accepted(live: Live) -> None:
    r = live.client.post(
        "/api/v1/search",
        headers={**live.auth(), "Content-Type": "application/vnd.isa+json; charset=utf-8"},
        content=b'{"text": "Pumpe"}',
    )
    assert r.status_code == 200, r.text


def test_unknown_fields_and_query_parameters_are_422_naming_them(live: Live) -> None:
    r = live.client.post("/api/v1/search", headers=live.auth(), json={"text": "x", "txt": "y"})
    problem_at(r, ["body", "txt"])
    r = live.client.get("/api/v1/listings", params={"contry": "CN"}, headers=live.auth())
    assert "category" in problem_at(r, ["query", "contry"])  # names what is accepted
    r = live.client.get("/api/v1/health", params={"verbose": "1"})
    problem_at(r, ["query", "verbose"])
    r = live.client.get("/api/v1/health")
    assert r.status_code == 200


# -- authentication -------------------------------------------------------------------


@pytest.mark.parametrize(
    "authorization",
    [
        "Bearer garbage",
        "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.",  # alg "none"
        "Bearer " + "A" * 8000,
        "Basic YWRtaW46YWRtaW4=",
        "Bearer",
    ],
)
def test_bad_tokens_are_401(live: Live, authorization: str) -> None:
    r = live.client.get("/api/v1/auth/me", headers={"Authorization": authorization})
    assert error(r, 401)
    assert r.headers["www-authenticate"] == "Bearer"


def test_oversized_login_fields_are_401_not_500(live: Live) -> None:
    r = live.client.post(
        "/api/v1/auth/token", data={"username": "u" * 5000, "password": "p" * 100_000}
    )
    assert "wrong user name or password" in error(r, 401)


# -- limits ---------------------------------------------------------------------------


def test_refunded_attempts_do_not_count() -> None:
    limiter = RateLimiter(2, 60.0)
    for second in range(10):  # ten successful attempts: each counted, then refunded
        assert limiter.hit("user", now=float(second)) is None
        limiter.refund("user")
    assert limiter.hit("user", now=10.0) is None  # one failure
    assert limiter.hit("user", now=11.0) is None  # two failures
    assert limiter.hit("user", now=12.0) is not None  # the third is refused
    limiter.refund("nobody")  # refunding an unknown key changes nothing
    assert limiter.hit("nobody", now=12.0) is None
