"""Helpers of the service tests (imported as ``svc_helpers``)."""

from __future__ import annotations

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
