"""Helpers of the page tests (imported as ``web_helpers``): demo logins through the login
form, CSRF tokens from pages, a live uvicorn server, screenshots."""

from __future__ import annotations

import os
import re
import shutil
import socket
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient

from service.bootstrap import DEMO_DOMAIN, DEMO_PASSWORDS
from service.settings import Settings

SAMPLE_LIMIT = 200
ADMIN = f"admin@{DEMO_DOMAIN}"
STAFF_KOELN = f"staff.koeln@{DEMO_DOMAIN}"
STAFF_MAANSHAN = f"staff.maanshan@{DEMO_DOMAIN}"
COMPANY_DE = f"company.de@{DEMO_DOMAIN}"
COMPANY_CN = f"company.cn@{DEMO_DOMAIN}"
DEMO_DE_LISTING = "L0000067"
"""The Köln demo company's listing (a request for a production hall in Ma'anshan)."""
DEMO_CN_LISTING = "L0001436"
"""The Ma'anshan demo organisation's listing (the matching offer)."""
SCREENS = Path("/tmp/web_screens")
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def password_of(email: str) -> str:
    """The demo password of a demo account."""
    return DEMO_PASSWORDS[email.split("@")[0].split(".")[0]]


def settings_for(tmp: Path, **overrides: Any) -> Settings:
    """Demo mode over ``tmp``: 200 sample listings, the real use-m3 encoder."""
    values: dict[str, Any] = {
        "data_dir": tmp,
        "encoder": "use-m3",
        "encoder_workers": 1,
        "sample_limit": SAMPLE_LIMIT,
        "index_save_seconds": 3600,
    }
    values.update(overrides)
    return Settings(**values)


def csrf_of(html: str) -> str:
    """The CSRF token of the first form of a page."""
    found = _CSRF.search(html)
    assert found is not None, "the page has no form with a CSRF token"
    return found[1]


def login(client: TestClient, email: str) -> str:
    """Log ``client`` in through the login form; returns the start page's path."""
    page = client.get("/login")
    assert page.status_code == 200, page.text
    r = client.post(
        "/login",
        data={"username": email, "password": password_of(email), "csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    location: str = r.headers["location"]
    return location


def user_client(app: FastAPI, email: str | None = None) -> TestClient:
    """A client with its own cookie jar on an app whose lifespan already runs, logged in
    as ``email`` (anonymous for None)."""
    client = TestClient(app)
    if email is not None:
        login(client, email)
    return client


def token_of(client: TestClient, path: str) -> str:
    """The CSRF token forms of ``path`` carry for this client's session."""
    r = client.get(path)
    assert r.status_code == 200, r.text
    return csrf_of(r.text)


def bearer(app: FastAPI, email: str) -> dict[str, str]:
    """Authorization headers of a demo account for the API."""
    client = TestClient(app)
    r = client.post("/api/v1/auth/token", data={"username": email, "password": password_of(email)})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def new_listing(app: FastAPI, email: str, **fields: Any) -> str:
    """A new listing posted through the API by ``email``; its id."""
    body = {
        "kind": "offer",
        "category": "product",
        "title": f"Titanschrauben M8 {uuid.uuid4().hex[:6]}",
        "description": "Wir liefern Titanschrauben M8 aus Grade-5-Titan für Medizintechnik.",
        "sector": ["C25"],
        **fields,
    }
    r = TestClient(app).post("/api/v1/listings", json=body, headers=bearer(app, email))
    assert r.status_code == 201, r.text
    listing_id: str = r.json()["id"]
    return listing_id


def pairs_of(page: str) -> list[tuple[str, str]]:
    """(listing, suggested) of every decision form of a match-list page, in order."""
    return re.findall(
        r'name="listing_id" value="([^"]+)">\s*<input type="hidden" name="suggested_id" '
        r'value="([^"]+)"',
        page,
    )


@dataclass
class LiveServer:
    """The app served by uvicorn on 127.0.0.1 in a thread."""

    app: FastAPI
    base_url: str
    server: uvicorn.Server
    thread: threading.Thread

    def stop(self) -> None:
        """Ask uvicorn to exit (runs the app's shutdown) and wait for the thread."""
        self.server.should_exit = True
        self.thread.join(60)


def start_live_server(app: FastAPI, timeout: float = 300.0) -> LiveServer:
    """Serve ``app`` on a free port; returns once the app has started (index built)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout
    while not server.started:
        if not thread.is_alive():
            raise RuntimeError("the live server stopped while starting (see the log above)")
        if time.monotonic() > deadline:
            server.should_exit = True
            raise RuntimeError(f"the live server did not start within {timeout:.0f} s")
        time.sleep(0.05)
    return LiveServer(app, f"http://127.0.0.1:{port}", server, thread)


def keep_screenshot(path: Path) -> Path:
    """Copy a screenshot to /tmp/web_screens/ as well (for people to look at)."""
    SCREENS.mkdir(parents=True, exist_ok=True)
    target = SCREENS / path.name
    shutil.copyfile(path, target)
    return target


def artifacts_dir(default: Path) -> Path:
    """``$ISA_TEST_ARTIFACTS`` or ``default``, created."""
    folder = Path(os.environ.get("ISA_TEST_ARTIFACTS") or default)
    folder.mkdir(parents=True, exist_ok=True)
    return folder
