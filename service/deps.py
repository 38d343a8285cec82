"""FastAPI dependencies shared by the routers (``Annotated`` aliases).

The application state (set up in :func:`service.app.create_app`'s lifespan)
holds one :class:`~service.db.Database`, one :class:`~service.engine.MatchEngine`
and the settings; tests override nothing but the settings they build the app with.

Dependencies that only read the application state are ``async``: FastAPI runs a
plain ``def`` dependency in the thread pool, a hand-over that costs more than the
dependency itself. Those that touch the database stay ``def``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from service.auth import CurrentUser
from service.db import Database
from service.engine import MatchEngine
from service.limits import RateLimiter
from service.listing_service import Writer
from service.settings import Settings


async def get_settings(request: Request) -> Settings:
    """The app's settings."""
    settings: Settings = request.app.state.settings
    return settings


async def get_database(request: Request) -> Database:
    """The app's database."""
    database: Database = request.app.state.database
    return database


async def get_engine(request: Request) -> MatchEngine:
    """The app's match engine."""
    engine: MatchEngine = request.app.state.engine
    return engine


def get_session(database: Annotated[Database, Depends(get_database)]) -> Iterator[Session]:
    """A read session for the request (closed afterwards)."""
    with database.session() as db:
        yield db


async def get_limiters(request: Request) -> dict[str, RateLimiter]:
    """The app's rate limiters by name (``login``, ``interest``)."""
    limiters: dict[str, RateLimiter] = request.app.state.limiters
    return limiters


SettingsDep = Annotated[Settings, Depends(get_settings)]
DatabaseDep = Annotated[Database, Depends(get_database)]
EngineDep = Annotated[MatchEngine, Depends(get_engine)]
SessionDep = Annotated[Session, Depends(get_session)]
LimitersDep = Annotated[dict[str, RateLimiter], Depends(get_limiters)]


def today_of(settings: Settings) -> date:
    """The service's 'today' (the sample's date in demo mode)."""
    return settings.reference_date or date.today()


async def get_writer(
    user: CurrentUser, settings: SettingsDep, database: DatabaseDep, engine: EngineDep
) -> Writer:
    """What a listing write needs, for the authenticated caller."""
    return Writer(database=database, engine=engine, user=user, today=today_of(settings))


WriterDep = Annotated[Writer, Depends(get_writer)]
