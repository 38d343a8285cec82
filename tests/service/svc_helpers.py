"""Helpers of the service tests (imported as ``svc_helpers``)."""

from __future__ import annotations

import json
import socket
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from service.bootstrap import DEMO_DOMAIN, DEMO_PASSWORDS
from service.settings import Settings

PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
SAMPLE_LIMIT = 200

ADMIN = f"admin@{DEMO_DOMAIN}"
STAFF_KOELN = f"staff.koeln@{DEMO_DOMAIN}"
COMPANY_DE = f"company.de@{DEMO_DOMAIN}"
COMPANY_CN = f"company.cn@{DEMO_DOMAIN}"


def password_of(email: str) -> str:
    """The demo password of a demo account."""
    role = email.split("@")[0].split(".")[0]
    return DEMO_PASSWORDS[role]


@dataclass
class Api:
    """A running app with a client and cached demo logins."""

    app: FastAPI
    client: TestClient
    backend: str
    _tokens: dict[str, str] = field(default_factory=dict)

    def headers(self, email: str) -> dict[str, str]:
        """Authorization headers of a demo account (logs in once)."""
        if email not in self._tokens:
            r = self.client.post(
                "/api/v1/auth/token", data={"username": email, "password": password_of(email)}
            )
            assert r.status_code == 200, r.text
            self._tokens[email] = r.json()["access_token"]
        return {"Authorization": f"Bearer {self._tokens[email]}"}

    def get(self, url: str, email: str, **kw: Any) -> Any:
        return self.client.get(url, headers=self.headers(email), **kw)

    def post(self, url: str, email: str, **kw: Any) -> Any:
        return self.client.post(url, headers=self.headers(email), **kw)

    def patch(self, url: str, email: str, **kw: Any) -> Any:
        return self.client.patch(url, headers=self.headers(email), **kw)

    def delete(self, url: str, email: str, **kw: Any) -> Any:
        return self.client.delete(url, headers=self.headers(email), **kw)


def small_settings(tmp: Path, **overrides: Any) -> Settings:
    """Fast settings: hashing encoder, 60 sample listings, data in ``tmp``."""
    values: dict[str, Any] = {
        "data_dir": tmp,
        "encoder": "hashing",
        "sample_limit": 60,
        "index_save_seconds": 3600,
    }
    values.update(overrides)
    return Settings(**values)


# -- real servers on loopback ---------------------------------------------------------


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def call_json(url: str, data: bytes | None = None, headers: dict[str, str] | None = None) -> Any:
    """One request on a new connection (``data``: a POST body; a form unless ``headers``
    say otherwise); the decoded JSON answer."""
    request = urllib.request.Request(url, data=data, headers=headers or {})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def wait_until_healthy(server: subprocess.Popen[str], base: str, timeout: float) -> None:
    """Poll ``{base}/health`` until it says ok; fail with the server's output if it exits."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if call_json(f"{base}/health")["status"] == "ok":
                return
        except (urllib.error.URLError, ConnectionError):
            pass
        assert server.poll() is None, server.stdout.read() if server.stdout else ""
        assert time.monotonic() < deadline, "server did not come up"
        time.sleep(0.2)
