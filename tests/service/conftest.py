"""Fixtures of the service tests: real apps on a real SQLite file and a real PostgreSQL.

The two main apps (one per database) are session-scoped: each seeds 200 sample
listings with the demo accounts and indexes them with the real use-m3 encoder
once. Tests that change data create their own listings, so they do not depend
on each other's order. Fast tests of start-up and restart build their own small
apps with the hashing encoder.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from svc_helpers import PG_SERVER, SAMPLE_LIMIT, Api

from service.app import create_app
from service.settings import Settings


def _real_settings(tmp: Path, **overrides: Any) -> Settings:
    return Settings(
        data_dir=tmp,
        encoder="use-m3",
        encoder_workers=1,
        sample_limit=SAMPLE_LIMIT,
        **overrides,
    )


@pytest.fixture(scope="session")
def sqlite_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    """The app on a SQLite file with 200 sample listings and the use-m3 encoder."""
    app = create_app(_real_settings(tmp_path_factory.mktemp("sqlite-app")))
    with TestClient(app) as client:
        yield Api(app, client, "sqlite")


def _postgres_reachable() -> str | None:
    try:
        import psycopg

        with psycopg.connect(
            "postgresql://postgres@127.0.0.1:5432/test", connect_timeout=3
        ) as conn:
            conn.execute("SELECT 1")
    except Exception as exc:  # any failure to connect means: no server here
        return f"{type(exc).__name__}: {exc}".strip()
    return None


@pytest.fixture(scope="session")
def postgresql_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    """The same app on the local PostgreSQL server, in a schema of its own (dropped after)."""
    problem = _postgres_reachable()
    if problem is not None:
        reason = f"PostgreSQL at 127.0.0.1:5432 is not reachable ({problem})"
        print(f"\nSKIP: {reason}")
        pytest.skip(reason)
    schema = f"isa_test_{uuid.uuid4().hex[:12]}"
    settings = _real_settings(
        tmp_path_factory.mktemp("pg-app"), database_url=PG_SERVER, database_schema=schema
    )
    try:
        app = create_app(settings)
        with TestClient(app) as client:
            yield Api(app, client, "postgresql")
    finally:
        import psycopg

        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/test") as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.fixture(params=["sqlite", "postgresql"])
def api(request: pytest.FixtureRequest) -> Api:
    """Each core test runs against SQLite and PostgreSQL."""
    fixture: Api = request.getfixturevalue(f"{request.param}_api")
    return fixture
