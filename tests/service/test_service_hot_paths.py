"""The cheap request path of suggestions and search keeps every guarantee.

* the engine's per-organisation ids (:class:`service.engine.Owners`) agree with the
  database through creates, withdrawals, catch-up from another worker and rebuilds,
  and an organisation's own listings are never suggested to it;
* nothing about a user is cached: deactivation and role changes stop the hot routes
  at once; a request without a valid token answers 401 before its parameters are read;
  a verified token is not decoded again, but its expiry still counts;
* the JSON body written by the route is what :class:`SuggestionsOut` makes of the
  old per-object construction (oracle), and shows only the public listing fields
  whatever else the listing's ``public_dict`` holds;
* plainly valid requests skip FastAPI's parameter solving (:class:`SuggestionsRoute`)
  and every request, plain or not, answers exactly as through FastAPI (oracle); the
  OpenAPI document is the one of the declared signature;
* one statement reads the caller, the listing and the change counter and agrees with
  the Core queries (oracle); driver errors stay SQLAlchemy's;
* the ranking runs on the event loop when the slot is free, and in a thread when it
  is not (the loop keeps answering meanwhile); a waiting thread is never overtaken;
  a worker whose index lags behind the database never ranks on the loop;
* ``isa-match serve --workers N`` listens on a socket whose connections get
  ``TCP_NODELAY``, and its workers see each other's writes.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import fastapi.routing
import jwt.api_jwt
import pytest
from fastapi import APIRouter, FastAPI
from fastapi.dependencies.utils import solve_dependencies
from fastapi.testclient import TestClient
from sqlalchemy import literal_column, select, table
from sqlalchemy.exc import OperationalError
from svc_helpers import (
    ADMIN,
    COMPANY_DE,
    Api,
    call_json,
    free_port,
    password_of,
    small_settings,
    wait_until_healthy,
)

from isa_match.rank.query_filters import FILTER_FIELDS
from service import auth
from service.access import PreparedRead, caller_and_listing, in_scope, listing_ref, public_view
from service.app import create_app
from service.auth import create_token, principal_on, token_claims
from service.cli import listen_socket
from service.db import Database, next_seq
from service.engine import EngineBusy, MatchEngine, SearchSlot
from service.errors import ApiError
from service.listing_data import fill_row, to_listing
from service.models import ListingRow, Organization, User
from service.routers import suggestions as suggestions_module
from service.routers.suggestions import SuggestionsRoute, own_listing_ids, suggestions_body
from service.schemas import MatchOut, ReasonOut, SuggestionsOut

API = "/api/v1"
PARTNER_ORG = "Heißpfad Partner GmbH"
TEXT = "Wolframcarbid-Fräser für Zahnradfertigung mit Beschichtung"


@pytest.fixture()
def small_api(tmp_path: Path) -> Iterator[Api]:
    """A fresh app (hashing encoder, 60 sample listings) of its own."""
    app = create_app(small_settings(tmp_path))
    with TestClient(app) as client:
        yield Api(app, client, "sqlite")


def _engine_agrees_with_database(api: Api) -> int:
    """Assert owned ids == the database's active listings for every organisation."""
    engine: MatchEngine = api.app.state.engine
    database: Database = api.app.state.database
    checked = 0
    with database.session() as db:
        for org in db.execute(select(Organization)).scalars():
            expected = own_listing_ids(db, org.id)
            assert engine.owned_ids((org.name, org.city)) == expected, org.name
            checked += len(expected)
    return checked


def _listing(kind: str, title: str = TEXT, **extra: Any) -> dict[str, Any]:
    return {
        "kind": kind,
        "category": "product",
        "title": title,
        "description": "Hartmetallwerkzeuge, Beschichtung, Zahnräder, Getriebe.",
        "sector": ["C25"],
        **extra,
    }


def _suggested(api: Api, listing_id: str, email: str = COMPANY_DE) -> set[str]:
    r = api.get(f"{API}/listings/{listing_id}/suggestions", email, params={"k": 100})
    assert r.status_code == 200, r.text
    return {i for item in r.json()["items"] for i in (item["id"], *item["duplicates"])}


def _searched(api: Api, email: str, kind: str) -> set[str]:
    r = api.post(f"{API}/search", email, json={"text": TEXT, "kind": kind, "k": 100})
    assert r.status_code == 200, r.text
    return {i for item in r.json()["items"] for i in (item["id"], *item["duplicates"])}


def test_own_listings_are_never_suggested_and_owners_follow_every_change(
    small_api: Api,
) -> None:
    api = small_api
    assert _engine_agrees_with_database(api) == 60
    # the company's request and its own matching offer; another organisation's offer
    request = api.post(f"{API}/listings", COMPANY_DE, json=_listing("request")).json()
    own_offer = api.post(f"{API}/listings", COMPANY_DE, json=_listing("offer")).json()
    partner = api.post(
        f"{API}/listings",
        ADMIN,
        json=_listing("offer", organization=PARTNER_ORG, city="Köln", org_type="company"),
    )
    assert partner.status_code == 201, partner.text
    partner_offer = partner.json()
    assert _engine_agrees_with_database(api) == 63

    suggested = _suggested(api, request["id"])
    assert partner_offer["id"] in suggested  # the same text: found
    assert own_offer["id"] not in suggested  # the same text, own organisation: never
    # the admin asks for the company's listing: still not its own organisation's
    assert own_offer["id"] not in _suggested(api, request["id"], ADMIN)
    # free-text search: a company never gets its own listings, an admin gets all
    assert own_offer["id"] not in _searched(api, COMPANY_DE, "request")
    assert {own_offer["id"], partner_offer["id"]} <= _searched(api, ADMIN, "request")

    # withdrawn: gone from suggestions and from the owners at once
    gone = api.delete(f"{API}/listings/{partner_offer['id']}", ADMIN)
    assert gone.status_code == 200, gone.text
    assert partner_offer["id"] not in _suggested(api, request["id"])
    assert _engine_agrees_with_database(api) == 62

    # a rebuild swaps the owners in with the new matcher
    engine: MatchEngine = api.app.state.engine
    engine.rebuild("test").join(timeout=120)
    assert engine.rebuilds >= 1 and not engine.rebuilding
    assert _engine_agrees_with_database(api) == 62
    assert own_offer["id"] not in _suggested(api, request["id"])


def _write(database: Database, listing: Any, org_id: int, *, status: str = "active") -> int:
    with database.write_session() as db:
        seq = next_seq(db)
        row = db.get(ListingRow, listing.id) or ListingRow(
            organization_id=org_id, version=1, seq=seq
        )
        fill_row(row, listing)
        row.status, row.seq = status, seq
        db.add(row)
        db.commit()
    return seq


def test_a_second_worker_learns_the_owners_of_changes_it_catches_up(tmp_path: Path) -> None:
    settings = small_settings(tmp_path)
    database = Database(settings)
    from service.bootstrap import prepare_database

    prepare_database(database, settings)
    first = MatchEngine(settings, database)
    second = MatchEngine(small_settings(tmp_path, sync_on_read=True), database)
    first.start()
    second.start()
    try:
        with database.session() as db:
            template = db.execute(select(ListingRow)).scalars().first()
            assert template is not None
            base, org_id = to_listing(template), template.organization_id
        owner = (base.organization, base.city)
        new = dataclasses.replace(base, id="HOT-1", title=TEXT, contact=None)
        with first.writing():
            seq = _write(database, new, org_id)
            first.apply(seq, [new])
        # the second worker has not seen it; its next search catches up first and
        # excludes the new listing as one of the organisation's own
        assert "HOT-1" not in second.owned_ids(owner)
        hits = second.suggest(text=TEXT, k=5, exclude_owner=owner)
        assert "HOT-1" in second.owned_ids(owner)
        assert all(h.listing.organization != base.organization for h in hits)
        assert "HOT-1" in {h.id for h in second.suggest(text=TEXT, k=5)}
        # withdrawn by the first worker: the second forgets it on its next search
        with first.writing():
            seq = _write(database, new, org_id, status="withdrawn")
            first.apply(seq, removals=["HOT-1"])
        assert "HOT-1" not in {h.id for h in second.suggest(text=TEXT, k=5)}
        assert "HOT-1" not in second.owned_ids(owner) and "HOT-1" not in first.owned_ids(owner)
    finally:
        first.stop()
        second.stop()
        database.dispose()


def _company_user(api: Api, email: str) -> int:
    """A company account of the Köln demo company's organisation (demo password)."""
    from service.auth import hash_password

    with api.app.state.database.write_session() as db:
        demo = db.execute(select(User).where(User.email == COMPANY_DE)).scalar_one()
        user = User(
            email=email,
            password_hash=hash_password(password_of(COMPANY_DE)),
            role="company",
            organization_id=demo.organization_id,
            is_demo=True,
        )
        db.add(user)
        db.commit()
        return user.id


def _token(api: Api, email: str) -> dict[str, str]:
    r = api.client.post(
        f"{API}/auth/token", data={"username": email, "password": password_of(COMPANY_DE)}
    )
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def test_deactivation_and_role_change_stop_the_hot_routes_at_once(small_api: Api) -> None:
    api = small_api
    user_id = _company_user(api, "company.hot-path@isa.example")
    headers = _token(api, "company.hot-path@isa.example")
    own = api.client.get(f"{API}/listings", headers=headers).json()["items"][0]["id"]
    url = f"{API}/listings/{own}/suggestions"
    body = {"text": TEXT, "k": 5}
    assert api.client.get(url, headers=headers).status_code == 200
    assert api.client.post(f"{API}/search", headers=headers, json=body).status_code == 200

    off = api.patch(f"{API}/admin/users/{user_id}", ADMIN, json={"active": False})
    assert off.status_code == 200, off.text
    for r in (
        api.client.get(url, headers=headers),
        api.client.post(f"{API}/search", headers=headers, json=body),
    ):
        assert r.status_code == 401 and "deactivated" in r.json()["detail"]

    on = api.patch(f"{API}/admin/users/{user_id}", ADMIN, json={"active": True})
    assert on.status_code == 200 and api.client.get(url, headers=headers).status_code == 200
    staff = api.patch(f"{API}/admin/users/{user_id}", ADMIN, json={"role": "staff", "city": "Köln"})
    assert staff.status_code == 200, staff.text
    for r in (
        api.client.get(url, headers=headers),
        api.client.post(f"{API}/search", headers=headers, json=body),
    ):
        assert r.status_code == 401 and "role changed" in r.json()["detail"]


def test_a_request_without_a_valid_token_answers_401_whatever_else_is_wrong(
    small_api: Api,
) -> None:
    api = small_api
    for headers in ({}, {"Authorization": "Bearer abc.def.ghi"}):
        for r in (
            api.client.get(f"{API}/listings/NO-SUCH/suggestions?k=1000", headers=headers),
            api.client.post(f"{API}/search", headers=headers, json={"text": "", "k": 0}),
        ):
            assert r.status_code == 401, r.text
            assert r.headers["www-authenticate"] == "Bearer"
    # with a valid token: the parameters, then the scope
    assert api.get(f"{API}/listings/NO-SUCH/suggestions?k=1000", COMPANY_DE).status_code == 422
    r = api.get(f"{API}/listings/NO-SUCH/suggestions", COMPANY_DE)
    assert r.status_code == 404 and r.json() == {"detail": "listing 'NO-SUCH' not found"}


def _old_body(matches: list[Any], lang: str | None, k: int, listing_id: str) -> bytes:
    """The body as the route built it before: one model object per match and reason."""
    items = [
        MatchOut(
            id=m.id,
            score=round(m.score, 6),
            components={c: round(v, 6) for c, v in m.components.items()},
            reasons=[
                ReasonOut(
                    code=r.code,
                    de=r.de if lang in (None, "de") else None,
                    zh=r.zh if lang in (None, "zh") else None,
                    en=r.en if lang in (None, "en") else None,
                )
                for r in m.reasons
            ],
            listing=public_view(m.listing),
            duplicates=list(m.duplicates),
        )
        for m in matches
    ]
    out = SuggestionsOut(listing_id=listing_id, k=k, items=items)
    return out.model_dump_json().encode("utf-8")


def _model_body(matches: list[Any], lang: str | None, k: int, listing_id: str) -> Any:
    """What :class:`SuggestionsOut` validation makes of the matches, as JSON values."""
    items = [
        {
            "id": m.id,
            "score": round(m.score, 6),
            "components": {c: round(v, 6) for c, v in m.components.items()},
            "reasons": [
                {
                    "code": r.code,
                    "de": r.de if lang in (None, "de") else None,
                    "zh": r.zh if lang in (None, "zh") else None,
                    "en": r.en if lang in (None, "en") else None,
                }
                for r in m.reasons
            ],
            "listing": m.listing.public_dict(),
            "duplicates": list(m.duplicates),
        }
        for m in matches
    ]
    out = SuggestionsOut.model_validate({"listing_id": listing_id, "k": k, "items": items})
    return out.model_dump(mode="json")


def test_the_written_body_equals_the_model_built_one_and_the_wire(small_api: Api) -> None:
    api = small_api
    engine: MatchEngine = api.app.state.engine
    own = api.get(f"{API}/listings", COMPANY_DE).json()["items"][0]
    matches = engine.suggest(own["id"], k=10)
    assert matches and any(m.reasons for m in matches)
    assert any(m.listing.expires_at is None for m in matches)  # null fields too
    for lang in (None, "de", "zh", "en"):
        body = suggestions_body(matches, lang, k=10, listing_id=own["id"])
        assert json.loads(body) == _model_body(matches, lang, 10, own["id"])
        assert body == _old_body(matches, lang, 10, own["id"])  # even byte for byte
    # the route answers exactly that, as JSON, with no contact field anywhere
    org = api.get(f"{API}/auth/me", COMPANY_DE).json()["organization"]
    wire = api.get(f"{API}/listings/{own['id']}/suggestions", COMPANY_DE, params={"lang": "de"})
    assert wire.headers["content-type"] == "application/json"
    expected = engine.suggest(own["id"], k=10, exclude_owner=(org["name"], org["city"]))
    assert wire.content == suggestions_body(expected, "de", k=10, listing_id=own["id"])
    assert "contact" not in wire.text
    schema = api.client.get("/openapi.json").json()
    ok = schema["paths"]["/api/v1/listings/{listing_id}/suggestions"]["get"]["responses"]["200"]
    assert ok["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/SuggestionsOut"
    }


class _Leaky:
    """A listing whose public_dict holds more (or less) than the public fields."""

    def __init__(self, public: dict[str, Any]) -> None:
        self.public = public

    def public_dict(self) -> dict[str, Any]:
        return dict(self.public)


def test_the_body_shows_the_public_fields_only_whatever_public_dict_holds(
    small_api: Api,
) -> None:
    engine: MatchEngine = small_api.app.state.engine
    match = engine.suggest(engine.suggest(text=TEXT, k=1)[0].id, k=1)[0]
    public = match.listing.public_dict()
    leaky = {**public, "contact_email": "secret@example.com", "contact_phone": "+49 1"}
    body = suggestions_body([dataclasses.replace(match, listing=_Leaky(leaky))], None, k=1)  # type: ignore[arg-type]
    assert b"secret@example.com" not in body and b"contact" not in body
    assert json.loads(body)["items"][0]["listing"] == public
    assert json.loads(body) == _model_body([match], None, 1, None)  # type: ignore[arg-type]
    short = {name: value for name, value in public.items() if name != "title"}
    with pytest.raises(KeyError, match="title"):
        suggestions_body([dataclasses.replace(match, listing=_Leaky(short))], None, k=1)  # type: ignore[arg-type]


def _cases(own: str, withdrawn: str, foreign: str) -> list[tuple[str, str, bool]]:
    """(listing id, query, plain?) for the FastAPI-versus-shortcut comparison."""
    many = "&".join(f"city=c{i}" for i in range(51))
    return [
        (own, "", True),
        (own, "k=10", True),
        (own, "k=1&lang=de", True),
        (own, "lang=zh&k=100", True),
        (own, "k=3&lang=en&country=DE&city=K%C3%B6ln&city=Wuhan", True),
        (own, "sector=C25&kind=offer&org_type=company&language=de", True),
        (own, "category=product&region=NRW", True),
        (own, "city=Atlantis", True),  # unknown value: the filter's own 422
        (own, "k=60", True),  # over this app's k_max: the route's own 422
        (own, "country=" + "x" * 100, True),
        (withdrawn, "k=5", True),
        (foreign, "k=5", True),
        ("NO-SUCH", "k=5", True),
        (own, "k=0", False),
        (own, "k=101", False),
        (own, "k=abc", False),
        (own, "k=010", False),
        (own, "k=%2B5", False),
        (own, "k=%205", False),
        (own, "k=5&k=6", False),
        (own, "k=", False),
        (own, "lang=fr", False),
        (own, "lang=", False),
        (own, "lang=de&lang=en", False),
        (own, "contry=DE", False),
        (own, "k=5&Lang=de", False),
        (own, many, False),
        (own, "city=" + "x" * 101, False),
        ("x" * 129, "k=5", False),
        ("A%01B", "k=5", False),
        ("A%7FB", "", False),
    ]


def test_plain_requests_skip_fastapi_and_answer_exactly_as_fastapi_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = create_app(small_settings(tmp_path, k_max=50))
    solved: list[int] = []
    solve = solve_dependencies

    async def counting(**kwargs: Any) -> Any:
        solved.append(1)
        return await solve(**kwargs)

    monkeypatch.setattr(fastapi.routing, "solve_dependencies", counting)
    with TestClient(app) as client:
        api = Api(app, client, "sqlite")
        admin = api.headers(ADMIN)  # logs in
        solved.clear()
        assert (
            client.get(f"{API}/listings/NO-SUCH/suggestions?k=3", headers=admin).status_code == 404
        )
        assert not solved  # by default, a plain request takes the shortcut
        own, gone = (
            api.post(f"{API}/listings", COMPANY_DE, json=_listing("request", title=title)).json()
            for title in (TEXT, "Zurückgezogen: " + TEXT)
        )
        assert api.delete(f"{API}/listings/{gone['id']}", COMPANY_DE).status_code == 200
        foreign = next(
            item["id"]
            for item in api.get(f"{API}/listings", ADMIN, params={"per_page": 100}).json()["items"]
            if item["organization_id"] != own["organization_id"]
        )
        logins = {
            "company": api.headers(COMPANY_DE),
            "admin": api.headers(ADMIN),
            "none": {},
            "garbage": {"Authorization": "Bearer abc.def.ghi"},
        }
        statuses: set[int] = set()
        for listing_id, query, plain in _cases(own["id"], gone["id"], foreign):
            for login, headers in logins.items():
                url = f"{API}/listings/{listing_id}/suggestions" + (f"?{query}" if query else "")
                answers = []
                for shortcut in (True, False):
                    monkeypatch.setattr(SuggestionsRoute, "plain_requests", shortcut)
                    solved.clear()
                    r = client.get(url, headers=headers)
                    # FastAPI solves the parameters unless the shortcut took the request
                    assert bool(solved) == (not (shortcut and plain)), (url, login, shortcut)
                    answers.append(
                        (
                            r.status_code,
                            r.content,
                            r.headers.get("content-type"),
                            r.headers.get("www-authenticate"),
                        )
                    )
                assert answers[0] == answers[1], (url, login)
                statuses.add(answers[0][0])
        assert statuses == {200, 401, 404, 409, 422}


def test_the_suggestions_route_documents_its_declared_signature(small_api: Api) -> None:
    ours = FastAPI()
    ours.include_router(suggestions_module.router)
    route = next(
        r for r in suggestions_module.router.routes if getattr(r, "name", "") == "suggestions"
    )
    assert isinstance(route, SuggestionsRoute)
    plain_router = APIRouter(tags=["suggestions"])
    plain_router.add_api_route(
        route.path,
        route.endpoint,
        methods=["GET"],
        response_model=SuggestionsOut,
        responses=route.responses,
    )
    plain = FastAPI()
    plain.include_router(plain_router)
    path = "/listings/{listing_id}/suggestions"
    assert ours.openapi()["paths"][path] == plain.openapi()["paths"][path]
    names = [p["name"] for p in ours.openapi()["paths"][path]["get"]["parameters"]]
    assert names == ["listing_id", "k", "lang", *FILTER_FIELDS]


def _on_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def test_rankings_run_on_the_loop_and_in_a_thread_while_the_slot_is_taken(
    small_api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    api = small_api
    engine: MatchEngine = api.app.state.engine
    matcher = engine._matcher
    assert matcher is not None
    where: list[bool] = []
    rank = matcher.suggest

    def recording(*args: Any, **kwargs: Any) -> Any:
        where.append(_on_loop())
        return rank(*args, **kwargs)

    monkeypatch.setattr(matcher, "suggest", recording)
    own = api.get(f"{API}/listings", COMPANY_DE).json()["items"][0]["id"]
    url = f"{API}/listings/{own}/suggestions?k=5"
    first = api.get(url, COMPANY_DE)
    assert first.status_code == 200 and where == [True]  # on the event loop

    # another ranking holds the slot: the request waits in a thread, the loop answers
    engine._slot.acquire()
    answers: list[Any] = []
    waiting = threading.Thread(target=lambda: answers.append(api.get(url, COMPANY_DE)))
    try:
        waiting.start()
        deadline = time.monotonic() + 30
        while engine._slot._waiting == 0 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert engine._slot._waiting == 1 and not answers
        assert api.client.get(f"{API}/health").status_code == 200  # the loop is free
        assert not answers
    finally:
        engine._slot.release()
        waiting.join(timeout=30)
    assert answers[0].status_code == 200 and answers[0].content == first.content
    assert where == [True, False]  # in a thread


def test_search_slot_never_lets_the_loop_overtake_a_waiting_thread() -> None:
    slot = SearchSlot()
    assert slot.try_acquire() and not slot.try_acquire()
    got: list[bool] = []

    def wait_for_it() -> None:
        slot.acquire()
        got.append(True)
        slot.release()

    thread = threading.Thread(target=wait_for_it, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while slot._waiting == 0 and time.monotonic() < deadline:
        time.sleep(0.001)
    slot.release()
    # the waiting thread has it, or has been woken and is about to take it
    overtook = slot.try_acquire()
    if overtook:
        slot.release()
    thread.join(timeout=10)
    assert not overtook
    assert got == [True] and slot.try_acquire()
    slot.release()


def test_a_lagging_index_never_ranks_on_the_loop(tmp_path: Path) -> None:
    settings = small_settings(tmp_path, sync_on_read=True)
    database = Database(settings)
    from service.bootstrap import prepare_database

    prepare_database(database, settings)
    engine = MatchEngine(settings, database)
    engine.start()
    try:
        some = engine.suggest(text=TEXT, k=1)[0].id
        seq = database.change_seq()
        assert engine.watermark == seq
        assert engine.suggest(some, k=3, seen_seq=seq, wait=False)
        with pytest.raises(EngineBusy, match="catch up"):
            engine.suggest(some, k=3, seen_seq=seq + 1, wait=False)
        with pytest.raises(EngineBusy, match="catch up"):
            engine.suggest(some, k=3, wait=False)  # counter unknown: it must be read
        assert engine.suggest(some, k=3, seen_seq=seq + 1)  # waits: syncs, then ranks
        engine._slot.acquire()
        try:
            with pytest.raises(EngineBusy, match="another ranking"):
                engine.suggest(some, k=3, seen_seq=seq, wait=False)
        finally:
            engine._slot.release()
    finally:
        engine.stop()
        database.dispose()


class _Clock:
    """A settable clock for both the token cache and PyJWT."""

    now = time.time()

    @classmethod
    def time(cls) -> float:
        return cls.now


class _ClockDatetime(datetime):
    """PyJWT's ``datetime``, reading :class:`_Clock`."""

    @classmethod
    def now(cls, tz: Any = None) -> Any:
        return datetime.fromtimestamp(_Clock.now, tz)


def test_a_verified_token_is_not_decoded_again_but_its_expiry_still_counts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock = _Clock
    monkeypatch.setattr(clock, "now", time.time())
    monkeypatch.setattr(auth, "time", SimpleNamespace(time=clock.time))
    monkeypatch.setattr(jwt.api_jwt, "datetime", _ClockDatetime)
    decoded: list[str] = []
    decode = auth.decode_token

    def counting(token: str, key: str) -> dict[str, Any]:
        decoded.append(token)
        return decode(token, key)

    monkeypatch.setattr(auth, "decode_token", counting)
    key = "k" * 40
    user = SimpleNamespace(id=7, role="company")
    issued = datetime.fromtimestamp(clock.now, UTC)
    token = create_token(user, key, 1, now=issued)  # type: ignore[arg-type]
    assert token_claims(token, key) == auth.TokenClaims(7, "company")
    assert token_claims(token, key) == auth.TokenClaims(7, "company")
    assert len(decoded) == 1  # the second check used the verified claims
    # another key: decoded, and refused
    with pytest.raises(ApiError) as wrong:
        token_claims(token, "q" * 40)
    assert wrong.value.status_code == 401 and len(decoded) == 2
    # a minute later the token has expired: decoded again, and refused as expired
    clock.now += 61
    with pytest.raises(ApiError) as expired:
        token_claims(token, key)
    assert expired.value.status_code == 401 and "expired" in str(expired.value.detail)
    # a token issued in the future is never taken from the cache either
    ahead = create_token(user, key, 5, now=issued + timedelta(minutes=2))  # type: ignore[arg-type]
    for _ in range(2):
        with pytest.raises(ApiError):
            token_claims(ahead, key)


def test_caller_and_listing_agrees_with_the_core_queries(small_api: Api) -> None:
    api = small_api
    database: Database = api.app.state.database
    with database.session() as db:
        users = [(u.id, u.role) for u in db.execute(select(User)).scalars()]
        listing_ids = [*db.execute(select(ListingRow.id).limit(8)).scalars(), "NO-SUCH"]
    assert len(users) >= 3
    for user_id, role in users:
        for listing_id in listing_ids:
            found = caller_and_listing(database, user_id, role, listing_id)
            with database.read() as conn:
                user = principal_on(conn, user_id, role)
                try:
                    expected = listing_ref(conn, user, listing_id)
                except ApiError:
                    expected = None
            assert found.user == user
            visible = found.listing if found.listing and in_scope(user, found.listing) else None
            assert visible == expected
            assert found.change_seq == database.change_seq()
        with pytest.raises(ApiError) as changed:
            caller_and_listing(database, user_id, "nobody", listing_ids[0])
        assert changed.value.status_code == 401
    with pytest.raises(ApiError) as missing:
        caller_and_listing(database, 10**9, "admin", listing_ids[0])
    assert missing.value.status_code == 401
    broken = PreparedRead(select(literal_column("x")).select_from(table("no_such_table")))
    with pytest.raises(OperationalError, match="no_such_table"):
        broken.first(database, {})


def test_listen_socket_gives_its_connections_tcp_nodelay() -> None:
    async def nodelay_of(sock: socket.socket) -> int:
        loop = asyncio.get_running_loop()
        accepted: asyncio.Future[int] = loop.create_future()

        class Probe(asyncio.Protocol):
            def connection_made(self, transport: asyncio.BaseTransport) -> None:
                conn = transport.get_extra_info("socket")
                accepted.set_result(conn.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
                transport.close()

        server = await loop.create_server(Probe, sock=sock)
        port = sock.getsockname()[1]
        with socket.create_connection(("127.0.0.1", port), timeout=5):
            value = await asyncio.wait_for(accepted, 5)
        server.close()
        await server.wait_closed()
        return value

    ours = listen_socket("127.0.0.1", 0)
    assert ours.proto == socket.IPPROTO_TCP and ours.get_inheritable()
    assert asyncio.run(nodelay_of(ours)) == 1
    # the reason: a socket made as uvicorn makes it (protocol 0) gets no TCP_NODELAY
    plain = socket.socket(socket.AF_INET)
    plain.bind(("127.0.0.1", 0))
    assert asyncio.run(nodelay_of(plain)) == 0


def _login(base: str, email: str) -> dict[str, str]:
    form = urllib.parse.urlencode({"username": email, "password": password_of(email)})
    token = call_json(f"{base}/auth/token", form.encode())["access_token"]
    return {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}


def test_two_workers_serve_and_see_each_others_writes(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "ISA_ENCODER": "hashing", "ISA_SAMPLE_LIMIT": "40"}
    command = [sys.executable, "-m", "service", "serve", "--port", str(port)]
    command += ["--data", str(tmp_path), "--workers", "2", "--log-level", "info"]
    server = subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    base = f"http://127.0.0.1:{port}/api/v1"
    try:
        wait_until_healthy(server, base, 120)
        company, admin = (_login(base, email) for email in (COMPANY_DE, ADMIN))
        query = json.dumps({"text": TEXT, "kind": "request", "k": 100}).encode()
        created = call_json(f"{base}/listings", json.dumps(_listing("offer")).encode(), company)
        own = created["id"]
        # every answer, from whichever worker takes the (new) connection, knows the new
        # listing: its suggestions exist, members find it, its organisation never does
        for _ in range(12):
            me = call_json(f"{base}/listings/{own}/suggestions?k=5", headers=company)
            assert me["listing_id"] == own
            assert own in {
                item["id"] for item in call_json(f"{base}/search", query, admin)["items"]
            }
            assert own not in {
                item["id"] for item in call_json(f"{base}/search", query, company)["items"]
            }
    finally:
        server.send_signal(signal.SIGINT)
        output = server.communicate(timeout=90)[0]
    assert server.returncode in (0, -signal.SIGINT), output
    assert "with 2 workers" in output
    assert output.count("Application startup complete") == 2, output


def test_workers_report_a_refused_database_without_traceback(tmp_path: Path) -> None:
    from service.bootstrap import prepare_database

    settings = small_settings(tmp_path)
    database = Database(settings)
    try:
        prepare_database(database, settings)  # demo accounts: production refuses them
    finally:
        database.dispose()
    env = {**os.environ, "ISA_MODE": "production", "ISA_SECRET_KEY": "k" * 40}
    done = subprocess.run(
        [sys.executable, "-m", "service", "serve", "--data", str(tmp_path), "--workers", "2"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    assert "active demo account" in done.stderr and "Traceback" not in done.stderr
