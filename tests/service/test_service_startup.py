"""Settings, production safeguards, and the index watermark across restarts (fast apps)."""

from __future__ import annotations

import json
import multiprocessing
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from svc_helpers import ADMIN, COMPANY_DE, password_of, small_settings

from service.app import create_app
from service.auth import create_token
from service.db import Database, next_seq
from service.models import ListingRow, User
from service.settings import Settings, SettingsError


def _token(client: TestClient, email: str) -> dict[str, str]:
    r = client.post("/api/v1/auth/token", data={"username": email, "password": password_of(email)})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def _search(client: TestClient, headers: dict[str, str], text: str) -> list[str]:
    r = client.post("/api/v1/search", headers=headers, json={"text": text, "k": 3})
    assert r.status_code == 200, r.text
    return [m["listing"]["title"] for m in r.json()["items"]]


def test_production_needs_a_secret(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="ISA_SECRET_KEY"):
        create_app(Settings(mode="production", data_dir=tmp_path))
    with pytest.raises(SettingsError, match="too short"):
        create_app(Settings(mode="production", data_dir=tmp_path, secret_key="short"))
    assert not (tmp_path / "secret_key").exists()


def _key_of(data_dir: str, start: Any, out: Any) -> None:
    import secrets

    import service.settings

    def slow_token(n: int) -> str:  # every process gets past "no key yet" before any writes
        time.sleep(0.3)
        return secrets.token_urlsafe(n)

    service.settings.secrets = SimpleNamespace(token_urlsafe=slow_token)  # type: ignore[assignment]
    settings = Settings(mode="demo", data_dir=Path(data_dir))
    start.wait(30)
    out.put(settings.signing_key())


def test_workers_starting_together_agree_on_one_signing_key(tmp_path: Path) -> None:
    # demo mode, first start: every worker process makes the key file at once; a
    # worker that kept a key of its own would reject the others' tokens
    context = multiprocessing.get_context("spawn")
    start, out = context.Event(), context.Queue()
    procs = [context.Process(target=_key_of, args=(str(tmp_path), start, out)) for _ in range(6)]
    for proc in procs:
        proc.start()
    start.set()
    keys = [out.get(timeout=60) for _ in procs]
    for proc in procs:
        proc.join(30)
        assert proc.exitcode == 0
    assert len(set(keys)) == 1 and len(keys[0]) >= 32
    assert (tmp_path / "secret_key").read_text(encoding="utf-8").strip() == keys[0]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["secret_key"]  # no temporary left
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_signing_key_is_kept_and_a_short_one_replaced(tmp_path: Path) -> None:
    settings = Settings(mode="demo", data_dir=tmp_path)
    first = settings.signing_key()
    assert Settings(mode="demo", data_dir=tmp_path).signing_key() == first
    (tmp_path / "secret_key").write_text("too-short\n", encoding="utf-8")
    fresh = settings.signing_key()
    assert fresh != first and len(fresh) >= 32
    assert (tmp_path / "secret_key").read_text(encoding="utf-8").strip() == fresh


def test_production_refuses_demo_accounts(tmp_path: Path) -> None:
    demo = small_settings(tmp_path)
    with TestClient(create_app(demo)):
        pass  # first start in demo mode: sample and demo accounts
    prod = small_settings(tmp_path, mode="production", secret_key="s" * 40, seed_sample=False)
    with pytest.raises(SettingsError, match="demo account"):
        with TestClient(create_app(prod)):
            pass


def test_settings_from_file_and_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    toml = tmp_path / "isa.toml"
    toml.write_text('token_ttl_minutes = 5\nk_max = 50\nencoder = "hashing"\n', encoding="utf-8")
    monkeypatch.setenv("ISA_SETTINGS_FILE", str(toml))
    monkeypatch.setenv("ISA_K_MAX", "20")  # the environment wins over the file
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    settings = Settings()
    assert (settings.token_ttl_minutes, settings.k_max, settings.encoder) == (5, 20, "hashing")
    assert settings.data_dir == tmp_path / "xdg" / "isa_match"
    assert settings.db_url == f"sqlite:///{tmp_path / 'xdg' / 'isa_match' / 'isa_match.db'}"
    assert str(settings.reference_date) == "2026-11-01"  # demo mode serves the sample's day
    env = tmp_path / "isa.env"
    env.write_text("ISA_MODE=production\nISA_TOKEN_TTL_MINUTES=7\n", encoding="utf-8")
    monkeypatch.setenv("ISA_SETTINGS_FILE", str(env))
    monkeypatch.delenv("ISA_K_MAX")
    settings = Settings(data_dir=tmp_path / "cli")  # arguments win over everything
    assert (settings.mode, settings.token_ttl_minutes, settings.reference_date) == (
        "production",
        7,
        None,
    )
    assert settings.data_dir == tmp_path / "cli"
    monkeypatch.setenv("ISA_SETTINGS_FILE", str(tmp_path / "missing.toml"))
    with pytest.raises(SettingsError, match="no such file"):
        Settings()
    monkeypatch.delenv("ISA_SETTINGS_FILE")
    with pytest.raises(ValueError, match="k_max"):
        Settings(k_max=500)


def test_expired_token_is_refused(tmp_path: Path) -> None:
    from datetime import UTC, datetime, timedelta

    app = create_app(small_settings(tmp_path, token_ttl_minutes=1))
    with TestClient(app) as client:
        with app.state.database.session() as db:
            user = db.execute(select(User).where(User.email == COMPANY_DE)).scalar_one()
        old = create_token(
            user, app.state.signing_key, 1, now=datetime.now(UTC) - timedelta(minutes=2)
        )
        r = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {old}"})
        assert r.status_code == 401 and "expired" in r.json()["detail"]
        assert r.headers["WWW-Authenticate"] == "Bearer"
        forged = create_token(user, "another-key-" * 4, 5)
        r = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {forged}"})
        assert r.status_code == 401
        fresh = create_token(user, app.state.signing_key, 1)
        r = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {fresh}"})
        assert r.status_code == 200


def test_restart_with_a_changed_database_rebuilds_the_index(tmp_path: Path) -> None:
    settings = small_settings(tmp_path)
    with TestClient(create_app(settings)) as client:
        headers = _token(client, COMPANY_DE)
        new = client.post(
            "/api/v1/listings",
            headers=headers,
            json={"kind": "offer", "category": "product", "title": "Gusseisen", "sector": ["C24"]},
        )
        assert new.status_code == 201
    manifest = json.loads((tmp_path / "index" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["watermark"] == 2 and manifest["listings"] == 61

    # unchanged database: the saved index is loaded, nothing is rebuilt
    app = create_app(settings)
    with TestClient(app):
        assert app.state.engine.rebuilds == 0 and app.state.engine.watermark == 2

    # another program changes a listing while the service is down
    database = Database(settings)
    with database.write_session() as db:
        row = db.get(ListingRow, new.json()["id"])
        assert row is not None
        row.title = "Titanfedern für Uhrwerke"
        row.seq = next_seq(db)
        db.commit()
    database.dispose()
    app = create_app(settings)
    with TestClient(app) as client:
        engine = app.state.engine
        # caught up at once, then rebuilt in the background and swapped in
        assert _search(client, _token(client, ADMIN), "Titanfedern Uhrwerke")[0] == (
            "Titanfedern für Uhrwerke"
        )
        assert engine.wait_idle(timeout=60)
        assert engine.rebuilds == 1
        assert "reflects change 2, the database 3" in (engine.last_rebuild_reason or "")
        assert engine.watermark == 3
        assert _search(client, _token(client, ADMIN), "Titanfedern Uhrwerke")[0] == (
            "Titanfedern für Uhrwerke"
        )
    manifest = json.loads((tmp_path / "index" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["watermark"] == 3


def test_corrupt_or_foreign_index_is_rebuilt_before_serving(tmp_path: Path) -> None:
    settings = small_settings(tmp_path)
    with TestClient(create_app(settings)):
        pass
    listings = tmp_path / "index" / "matcher" / "listings.jsonl"
    listings.write_text(listings.read_text(encoding="utf-8")[:-50], encoding="utf-8")
    app = create_app(settings)
    with TestClient(app) as client:
        assert app.state.engine.rebuilds == 1
        assert "cannot be used" in (app.state.engine.last_rebuild_reason or "")
        assert client.get("/api/v1/health").json() == {"status": "ok"}
    # a new database next to the old index: the index belongs to another database
    (tmp_path / "isa_match.db").unlink()
    app = create_app(settings)
    with TestClient(app):
        assert app.state.engine.rebuilds == 1
        assert "another database" in (app.state.engine.last_rebuild_reason or "")


def test_milvus_settings(tmp_path: Path) -> None:
    lite = Settings(data_dir=tmp_path, index_backend="milvus")
    assert lite.milvus_uri == str(tmp_path / "milvus.db")
    assert lite.index_options("isa_x") == {
        "uri": str(tmp_path / "milvus.db"),
        "collection": "isa_x",
    }
    assert Settings(data_dir=tmp_path).index_options("isa_x") == {}
    with pytest.raises(ValueError, match="one process"):  # pydantic wraps SettingsError
        Settings(data_dir=tmp_path, index_backend="milvus", workers=2)
    server = Settings(
        data_dir=tmp_path, index_backend="milvus", milvus_uri="http://db:19530", workers=2
    )
    assert server.index_options("c")["uri"] == "http://db:19530"
