"""Fixtures of the page tests: two demo-mode apps (200 sample listings, use-m3), one driven
in-process by TestClient for the fast tests, one served by uvicorn on 127.0.0.1 for the
browser tests in headless Chromium (Debian's ``/usr/bin/chromium`` through Playwright).

Each app starts in about 4 s (index build included) and is shared by its tests; tests
that change data choose or create their own objects, so their order does not matter.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from web_helpers import (
    CHROMIUM,
    CHROMIUM_ARGS,
    LiveServer,
    artifacts_dir,
    keep_screenshot,
    settings_for,
    start_live_server,
)

from service.app import create_app


@pytest.fixture(scope="session")
def web_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FastAPI]:
    """A running demo app for TestClient tests (its lifespan runs for the session)."""
    app = create_app(settings_for(tmp_path_factory.mktemp("web-app")))
    with TestClient(app):
        yield app


@pytest.fixture(scope="session")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A demo app served by uvicorn on a free port of 127.0.0.1."""
    app = create_app(settings_for(tmp_path_factory.mktemp("live-app")))
    server = start_live_server(app)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Headless Chromium (Debian's package) driven by Playwright; skipped without it."""
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is not installed (apt-get install chromium): no browser tests"
        print(f"\nSKIP: {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture()
def new_context(browser: Any, live: LiveServer) -> Iterator[Callable[[], Any]]:
    """Factory of fresh browser contexts (own cookies and storage) on the live server.

    Afterwards no page may have logged a Content-Security-Policy violation or a script
    error (an inline script or style would show up here)."""
    made: list[Any] = []
    problems: list[str] = []

    def make() -> Any:
        context = browser.new_context(
            base_url=live.base_url,
            accept_downloads=True,
            viewport={"width": 1280, "height": 900},
            locale="de-DE",
        )
        context.set_default_timeout(20_000)
        context.on("console", lambda msg: _note_console(problems, msg))
        context.on("weberror", lambda error: problems.append(f"page error: {error.error}"))
        made.append(context)
        return context

    yield make
    for context in made:
        context.close()
    assert problems == []


def _note_console(problems: list[str], message: Any) -> None:
    text = str(message.text)
    if "Content Security Policy" in text or "Refused to" in text:
        problems.append(f"console: {text}")


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Callable[[Any, str], Path]:
    """``shoot(page, name)``: a full-page screenshot under ``$ISA_TEST_ARTIFACTS`` (default:
    a pytest temporary folder), copied to /tmp/web_screens/."""
    folder = artifacts_dir(tmp_path_factory.mktemp("web-artifacts"))

    def shoot(page: Any, name: str) -> Path:
        path = folder / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        assert path.stat().st_size > 1000
        keep_screenshot(path)
        return path

    return shoot
