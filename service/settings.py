"""Service settings: environment (``ISA_`` prefix), an optional settings file, defaults.

Precedence, highest first: values passed to :class:`Settings` (the command line's
``--data`` etc.), environment variables (``ISA_DATABASE_URL`` ...), the file named
by ``ISA_SETTINGS_FILE`` (TOML with the field names as keys, or a ``.env`` file
with ``ISA_``-prefixed keys), then the defaults below.

Two modes: ``demo`` (the default) serves the embedded sample corpus with documented
demo accounts and a generated secret kept in the data folder; ``production`` refuses
to start without an explicit ``secret_key`` and never creates or accepts demo accounts.
"""

from __future__ import annotations

import os
import secrets
import tempfile
from datetime import date
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import (
    BaseSettings,
    DotEnvSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

SETTINGS_FILE_ENV = "ISA_SETTINGS_FILE"
SAMPLE_REFERENCE_DATE = date(2026, 11, 1)
"""The embedded sample corpus is dated around this day; demo mode serves it as 'today'."""
K_LIMIT = 100
"""The largest ``k`` the API accepts (``Settings.k_max`` may only lower it)."""
K_DEFAULT = 10
"""Suggestions per request when ``k`` is not given."""
MIN_SECRET_CHARS = 32


class SettingsError(ValueError):
    """The settings do not allow the service to start (the message says why and what to set)."""


def default_data_dir() -> Path:
    """``$XDG_DATA_HOME/isa_match``, else ``~/.local/share/isa_match``."""
    base = os.environ.get("XDG_DATA_HOME")
    root = Path(base) if base else Path.home() / ".local" / "share"
    return root / "isa_match"


def _read_key(path: Path) -> str | None:
    """The signing key kept in ``path``, or None when there is none usable."""
    try:
        key = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    return key if len(key) >= MIN_SECRET_CHARS else None


class Settings(BaseSettings):
    """Everything the service reads at start-up (see the module docstring for sources)."""

    model_config = SettingsConfigDict(env_prefix="ISA_", extra="forbid", validate_default=True)

    mode: Literal["demo", "production"] = "demo"
    data_dir: Path = Field(default_factory=default_data_dir)
    database_url: str | None = None
    """SQLAlchemy URL; default ``sqlite:///<data_dir>/isa_match.db``. PostgreSQL:
    ``postgresql+psycopg://user:password@host:5432/dbname``."""
    database_schema: str | None = None
    """PostgreSQL schema to use (``search_path``); created if missing. ``None``: the default."""
    sqlite_synchronous: Literal["NORMAL", "FULL"] = "NORMAL"
    """WAL + NORMAL keeps every acknowledged write across a killed process (the WAL is in
    the OS's page cache); only a power cut or OS crash may lose the last transactions.
    FULL also survives those, at the price of an fsync per commit."""
    index_dir: Path | None = None
    """Where the search index is saved; default ``<data_dir>/index``."""
    index_backend: Literal["faiss", "exact", "milvus"] = "faiss"
    """Vector index of the served matcher; ``milvus`` needs ``pip install "isa-match[scale]"``."""
    milvus_uri: str | None = None
    """With ``index_backend="milvus"``: a Milvus Lite data folder (a path ending in ``.db``;
    default ``<data_dir>/milvus.db``; one process only) or a server, ``http://host:19530``
    (credentials from the ``MILVUS_TOKEN`` environment variable, never saved)."""
    encoder: str | None = None
    """Encoder name for new indexes (``use-m3``, ``hashing``...); default: the ranking config's."""
    encoder_workers: int | None = Field(default=None, ge=1, le=8)
    """Worker processes the encoder may start for large (re)builds; 1 never starts any."""
    ranking_config: Path | None = None
    """A ranking TOML (``models/ranking.toml`` when not given)."""
    reference_date: date | None = None
    """The day suggestions are computed for; default: the sample's date in demo mode,
    the actual day in production."""
    secret_key: SecretStr | None = None
    token_ttl_minutes: int = Field(default=60, ge=1, le=60 * 24 * 30)
    max_body_bytes: int = Field(default=1_000_000, ge=1024)
    k_max: int = Field(default=K_LIMIT, ge=1, le=K_LIMIT)
    login_attempts: int = Field(default=10, ge=1)
    """Failed logins allowed per user name and client address per window (successes are free)."""
    login_window_seconds: int = Field(default=60, ge=1)
    interest_attempts: int = Field(default=30, ge=1)
    """Interest declarations allowed per user per window (used by the interest router)."""
    interest_window_seconds: int = Field(default=3600, ge=1)
    index_save_every: int = Field(default=200, ge=1)
    """Save the index after this many listing changes ..."""
    index_save_seconds: float = Field(default=60.0, gt=0)
    """... or this many seconds after the first unsaved change, whichever comes first."""
    index_wait: bool = True
    """Build a missing index before serving; ``False`` serves at once and answers
    searches with 503 until the index is ready (large databases)."""
    sync_on_read: bool = False
    """Catch up with changes made by other processes before each search (set by
    ``isa-match serve --workers N`` for N > 1: every worker has its own index)."""
    seed_sample: bool | None = None
    """Import the embedded sample on first start; default: in demo mode."""
    sample_limit: int | None = Field(default=None, ge=2)
    """Seed only this many sample listings (tests and quick demos; the listings of the
    labelled pairs come first, so suggestions stay meaningful)."""
    workers: int = Field(default=1, ge=1, le=64)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Arguments, then environment, then the ``ISA_SETTINGS_FILE`` file."""
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        name = os.environ.get(SETTINGS_FILE_ENV)
        if name:
            path = Path(name)
            if not path.is_file():
                raise SettingsError(f"{SETTINGS_FILE_ENV}={name}: no such file")
            if path.suffix.lower() == ".toml":
                sources.append(TomlConfigSettingsSource(settings_cls, toml_file=path))
            else:
                sources.append(DotEnvSettingsSource(settings_cls, env_file=path))
        return tuple(sources)

    @model_validator(mode="after")
    def _derived(self) -> Settings:
        self.data_dir = self.data_dir.expanduser()
        if self.database_url is None:
            self.database_url = f"sqlite:///{self.data_dir / 'isa_match.db'}"
        if self.index_dir is None:
            self.index_dir = self.data_dir / "index"
        if self.index_backend == "milvus" and self.milvus_uri is None:
            self.milvus_uri = str(self.data_dir / "milvus.db")
        if (
            self.index_backend == "milvus"
            and self.workers > 1
            and "://" not in str(self.milvus_uri)
        ):
            raise SettingsError(
                f"ISA_MILVUS_URI={self.milvus_uri} is a Milvus Lite folder, which one process "
                "opens at a time: use a Milvus server URI (http://host:19530) with "
                f"{self.workers} workers, or one worker"
            )
        if self.reference_date is None and self.mode == "demo":
            self.reference_date = SAMPLE_REFERENCE_DATE
        if self.seed_sample is None:
            self.seed_sample = self.mode == "demo"
        return self

    # -- derived values --------------------------------------------------------

    @property
    def db_url(self) -> str:
        """The database URL (always set after validation)."""
        assert self.database_url is not None
        return self.database_url

    def index_options(self, collection: str) -> dict[str, Any]:
        """Backend options for ``Matcher.build``: the Milvus URI and a new collection name."""
        if self.index_backend != "milvus":
            return {}
        return {"uri": self.milvus_uri, "collection": collection}

    @property
    def index_path(self) -> Path:
        """The index folder (always set after validation)."""
        assert self.index_dir is not None
        return self.index_dir

    def check_startable(self) -> None:
        """Raise :class:`SettingsError` when production settings are unsafe."""
        if self.mode != "production":
            return
        if self.secret_key is None:
            raise SettingsError(
                "production mode needs an explicit secret key: set ISA_SECRET_KEY "
                f"(at least {MIN_SECRET_CHARS} random characters, e.g. from "
                "`python -c 'import secrets; print(secrets.token_urlsafe(48))'`)"
            )
        if len(self.secret_key.get_secret_value()) < MIN_SECRET_CHARS:
            raise SettingsError(
                f"ISA_SECRET_KEY is too short for production: at least {MIN_SECRET_CHARS} "
                "characters"
            )
        if self.seed_sample:
            raise SettingsError(
                "production mode never imports the demo sample: unset ISA_SEED_SAMPLE"
            )

    def signing_key(self) -> str:
        """The token signing secret: the configured one, or (demo mode only) one generated
        once and kept in ``<data_dir>/secret_key`` so tokens survive restarts."""
        if self.secret_key is not None:
            return self.secret_key.get_secret_value()
        if self.mode == "production":
            raise SettingsError("production mode needs ISA_SECRET_KEY")
        path = self.data_dir / "secret_key"
        key = _read_key(path)
        if key is not None:
            return key
        self.data_dir.mkdir(parents=True, exist_ok=True)
        # Written whole under a name of its own, then linked into place: the first
        # process to link wins and every other one (workers starting together) reads
        # that key, so all of them sign and verify with the same secret.
        fd, tmp = tempfile.mkstemp(dir=self.data_dir, prefix=".secret_key.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(secrets.token_urlsafe(48) + "\n")
                fh.flush()
                os.fsync(fh.fileno())
            try:
                os.link(tmp, path)
            except FileExistsError:
                if _read_key(path) is None:  # a short or empty key left by hand: replace it
                    os.replace(tmp, path)
        finally:
            Path(tmp).unlink(missing_ok=True)
        key = _read_key(path)
        if key is None:
            raise SettingsError(f"{path}: could not keep a signing key there")
        return key

    def public_dict(self) -> dict[str, Any]:
        """The settings without secrets and credentials, for logs."""
        out = self.model_dump(mode="json", exclude={"secret_key", "database_url"})
        out["database"] = _hide_password(self.db_url)
        return out


def _hide_password(url: str) -> str:
    """``postgresql+psycopg://user:***@host/db`` for logs."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # an unparsable URL is reported when the engine is created
        return "<unparsable database URL>"
