"""The FastAPI application: :func:`create_app` builds it from :class:`Settings`.

Nothing happens at import time. The lifespan opens the database (creating and,
in demo mode, seeding it on first start), loads or builds the index, warms the
encoder up and starts the background saver; on shutdown it saves unsaved index
changes and closes the database.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI

from isa_match import __version__
from service.bootstrap import prepare_database
from service.db import Database
from service.engine import MatchEngine
from service.errors import install_error_handlers, reject_unknown_query_params
from service.limits import BodyLimitMiddleware, RateLimiter
from service.routers import api_router
from service.settings import Settings
from service.web import install_web

log = logging.getLogger(__name__)


def create_app(settings: Settings | None = None) -> FastAPI:
    """The application for ``settings`` (default: from the environment and settings file).

    Raises:
        SettingsError: production mode without a secret key, or other unsafe settings.
    """
    settings = settings or Settings()
    settings.check_startable()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        log.info("starting with %s", settings.public_dict())
        database = Database(settings)
        try:
            prepare_database(database, settings)
            engine = MatchEngine(settings, database)
            engine.start(wait=settings.index_wait)
        except BaseException:
            database.dispose()
            raise
        app.state.database = database
        app.state.engine = engine
        try:
            yield
        finally:
            engine.stop()
            database.dispose()

    app = FastAPI(
        title="isa_match",
        version=__version__,
        summary="Partner suggestions for the Chinese-German Industrial Cities Alliance",
        lifespan=lifespan,
        dependencies=[Depends(reject_unknown_query_params)],
    )
    app.state.settings = settings
    app.state.signing_key = settings.signing_key()
    app.state.limiters = {
        "login": RateLimiter(settings.login_attempts, settings.login_window_seconds),
        "interest": RateLimiter(settings.interest_attempts, settings.interest_window_seconds),
    }
    install_error_handlers(app)
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.include_router(api_router())
    install_web(app)  # the review pages, /static and their security headers
    return app


def app_from_env() -> FastAPI:
    """Factory for ``uvicorn --factory service.app:app_from_env`` (settings from the
    environment; used by ``isa-match serve --workers N``)."""
    return create_app(Settings())
