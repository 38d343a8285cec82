"""The cheap request path of suggestions and search keeps every guarantee.

* the engine's per-organisation ids (:class:`service.engine.Owners`) agree with the
  database through creates, withdrawals, catch-up from another worker and rebuilds,
  and an organisation's own listings are never suggested to it;
* nothing about a user is cached: deactivation and role changes stop the hot routes
  at once; a request without a valid token answers 401 before its parameters are read;
* the JSON body written by the route is what :class:`SuggestionsOut` makes of the
  old per-object construction (oracle);
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
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
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

from service.access import public_view
from service.app import create_app
from service.cli import listen_socket
from service.db import Database, next_seq
from service.engine import MatchEngine
from service.listing_data import fill_row, to_listing
from service.models import ListingRow, Organization, User
from service.routers.suggestions import own_listing_ids, suggestions_body
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


def test_the_written_body_equals_the_model_built_one_and_the_wire(small_api: Api) -> None:
    api = small_api
    engine: MatchEngine = api.app.state.engine
    own = api.get(f"{API}/listings", COMPANY_DE).json()["items"][0]
    matches = engine.suggest(own["id"], k=10)
    assert matches and any(m.reasons for m in matches)
    for lang in (None, "de", "zh", "en"):
        body = suggestions_body(matches, lang, k=10, listing_id=own["id"])  # type: ignore[arg-type]
        assert body == _old_body(matches, lang, 10, own["id"])
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
