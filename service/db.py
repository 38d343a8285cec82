"""Database access: engines, sessions, schema creation and the global change counter.

SQLite (the default; one file in the data folder) and PostgreSQL (psycopg 3, URL
``postgresql+psycopg://...``) are supported.

SQLite runs in WAL mode: readers never block the writer and vice versa.
``synchronous`` is NORMAL by default: a commit is in the WAL (in the OS page
cache) when it returns, so a killed process loses no acknowledged write; only a
power cut or OS crash can lose the last transactions (set
``ISA_SQLITE_SYNCHRONOUS=FULL`` to fsync every commit and survive those too).
Write transactions start with ``BEGIN IMMEDIATE`` (:meth:`Database.write_session`),
so a transaction that reads before it writes waits for the write lock instead of
failing with "database is locked" when another connection wrote in between.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, select, text, update
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session, sessionmaker

from service.models import SCHEMA_VERSION, Base, IndexState
from service.settings import Settings, SettingsError

_SCHEMA_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}")
_BUSY_TIMEOUT_MS = 15_000
_CHANGE_SEQ = select(IndexState.change_seq).where(IndexState.id == 1)


def _sqlite_engine(url: str, synchronous: str, *, immediate: bool) -> Engine:
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 15})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA synchronous={synchronous}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={_BUSY_TIMEOUT_MS}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


class Database:
    """The engines and session factories of one database.

    Use :meth:`session` for requests that only read (and for writes that need no
    lock ordering), :meth:`write_session` for transactions that change listings.
    """

    def __init__(self, settings: Settings) -> None:
        url = settings.db_url
        try:
            parsed = make_url(url)
        except ArgumentError as exc:
            raise SettingsError(f"database URL is not valid: {exc}") from None
        self.dialect = parsed.get_backend_name()
        self.schema = settings.database_schema
        if self.dialect == "sqlite":
            if parsed.database and parsed.database != ":memory:":
                Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
            self.engine = _sqlite_engine(url, settings.sqlite_synchronous, immediate=False)
            self.write_engine = _sqlite_engine(url, settings.sqlite_synchronous, immediate=True)
        elif self.dialect == "postgresql":
            args: dict[str, Any] = {}
            if self.schema is not None:
                if not _SCHEMA_NAME.fullmatch(self.schema):
                    raise SettingsError(f"database schema name is not valid: {self.schema!r}")
                args["options"] = f"-c search_path={self.schema}"
            self.engine = create_engine(url, connect_args=args, pool_pre_ping=True)
            self.write_engine = self.engine
        else:
            raise SettingsError(
                f"unsupported database {self.dialect!r}: use sqlite:///PATH or "
                "postgresql+psycopg://USER@HOST/DB"
            )
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._write_sessions = sessionmaker(self.write_engine, expire_on_commit=False)

    def create_schema(self) -> None:
        """Create the schema (and the PostgreSQL schema namespace) if missing; idempotent."""
        if self.dialect == "postgresql" and self.schema is not None:
            with self.engine.begin() as conn:
                conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{self.schema}"'))
        Base.metadata.create_all(self.write_engine)
        with self.write_session() as db:
            state = db.get(IndexState, 1)
            if state is None:
                db.add(IndexState(id=1, database_id=uuid.uuid4().hex, change_seq=0))
                db.commit()
            elif state.schema_version != SCHEMA_VERSION:
                raise SettingsError(
                    f"the database has schema version {state.schema_version}, this code "
                    f"expects {SCHEMA_VERSION}; migrate it first"
                )

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session for reading (rolled back when left without commit)."""
        with self._sessions() as db:
            yield db

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A Core connection for a few quick reads (no ORM; rolled back when left).

        The per-request lookups of the hot paths (the caller, one listing, the change
        counter) use it with statements built once: a tenth of an ORM session's cost.
        """
        with self.engine.connect() as conn:
            yield conn

    def change_seq(self) -> int:
        """The last change number handed out (:func:`current_seq` without a session)."""
        with self.read() as conn:
            return int(conn.execute(_CHANGE_SEQ).scalar_one())

    @contextmanager
    def write_session(self) -> Iterator[Session]:
        """A session whose transactions hold the write lock from their start (SQLite)."""
        with self._write_sessions() as db:
            yield db

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()
        if self.write_engine is not self.engine:
            self.write_engine.dispose()


def next_seq(db: Session) -> int:
    """Take the next number of the global change counter inside ``db``'s transaction.

    The counter row stays locked until the transaction ends (PostgreSQL row lock,
    SQLite write lock), so commits happen in counter order across processes.
    """
    value = db.execute(
        update(IndexState)
        .where(IndexState.id == 1)
        .values(change_seq=IndexState.change_seq + 1)
        .returning(IndexState.change_seq)
    ).scalar_one()
    return int(value)


def read_state(db: Session) -> IndexState:
    """The database's :class:`IndexState` row."""
    state = db.execute(select(IndexState).where(IndexState.id == 1)).scalar_one()
    return state


def current_seq(db: Session) -> int:
    """The last change number handed out."""
    value = db.execute(_CHANGE_SEQ).scalar_one()
    return int(value)
