"""``isa-match serve`` and ``isa-match create-user``, registered as command plugins.

:func:`register` is the ``isa_match.commands`` entry point (see
:mod:`isa_match.plugins`). This module is imported on every ``isa-match`` call,
so it imports nothing heavy at module level.
"""

from __future__ import annotations

import argparse
import copy
import getpass
import logging
import logging.config
import os
import socket
import sys
from pathlib import Path
from typing import Any

EXIT_OK = 0
EXIT_USAGE = 2
STARTUP_FAILURE = 3  # uvicorn's exit status when the app cannot start
_THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def register(subparsers: Any) -> None:
    """Add ``serve`` and ``create-user`` to the ``isa-match`` command."""
    serve = subparsers.add_parser(
        "serve",
        help="run the web service (API under /api/v1; demo data on first start)",
        description=(
            "Serve the matching API on uvicorn. With no arguments: a SQLite database in "
            "$XDG_DATA_HOME/isa_match (default ~/.local/share/isa_match), created on first "
            "start with the embedded sample corpus and demo accounts (see service/README.md). "
            "Other settings come from ISA_* environment variables or the file named by "
            "ISA_SETTINGS_FILE; ISA_MODE=production needs ISA_SECRET_KEY."
        ),
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    _add_storage(serve)
    serve.add_argument(
        "--workers",
        type=int,
        default=1,
        help="worker processes (default 1); each keeps its own index in step with the database",
    )
    serve.add_argument(
        "--log-level",
        choices=("debug", "info", "warning", "error"),
        default="info",
        help="log level (default info)",
    )
    serve.set_defaults(run=run_serve)

    user = subparsers.add_parser(
        "create-user",
        help="create a service account (e.g. the first admin in production)",
        description="Create an account; the password is read from stdin or asked for.",
    )
    user.add_argument("--email", required=True, help="login name (e-mail address)")
    user.add_argument("--role", choices=("company", "staff", "admin"), required=True)
    user.add_argument("--organization-id", type=int, help="organisation of a company user")
    user.add_argument("--city", help="member city of a staff user (any common name)")
    _add_storage(user)
    user.set_defaults(run=run_create_user)


def _add_storage(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data",
        type=Path,
        metavar="DIR",
        help="data folder: database and index (default $XDG_DATA_HOME/isa_match)",
    )
    parser.add_argument(
        "--database-url",
        metavar="URL",
        help="SQLAlchemy URL, e.g. postgresql+psycopg://user@host/db (default: SQLite in DIR)",
    )


def _overrides(args: argparse.Namespace) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if args.data is not None:
        out["data_dir"] = args.data
    if args.database_url is not None:
        out["database_url"] = args.database_url
    return out


def _settings(overrides: dict[str, Any]) -> Any:
    from pydantic import ValidationError

    from isa_match.cli import CliError
    from service.settings import Settings, SettingsError

    try:
        settings = Settings(**overrides)
        settings.check_startable()
    except ValidationError as exc:
        raise CliError(f"invalid settings: {exc}") from None
    except SettingsError as exc:
        raise CliError(str(exc)) from None
    return settings


def run_serve(args: argparse.Namespace) -> int:
    """``isa-match serve``."""
    from isa_match.cli import CliError

    for name in _THREAD_VARS:
        os.environ.setdefault(name, "1")  # one BLAS/OpenMP thread per worker process
    if args.workers < 1:
        raise CliError(f"--workers must be at least 1, got {args.workers}")
    if not 0 < args.port < 65536:
        raise CliError(f"--port must be 1-65535, got {args.port}")
    log_config = _log_config(args.log_level)
    logging.config.dictConfig(log_config)
    overrides = _overrides(args)
    overrides["workers"] = args.workers
    if args.workers > 1:
        overrides["sync_on_read"] = True
    settings = _settings(overrides)
    import uvicorn

    from service.settings import SettingsError

    try:
        if args.workers == 1:
            from service.app import create_app

            uvicorn.run(
                create_app(settings),
                host=args.host,
                port=args.port,
                log_level=args.log_level,
                log_config=log_config,
            )
            return EXIT_OK
        _prepare_in_child(settings, log_config)
        for key, value in overrides.items():
            os.environ[f"ISA_{key.upper()}"] = str(value)
        _run_workers(args, log_config)
    except SettingsError as exc:
        raise CliError(str(exc)) from None
    return EXIT_OK


def _run_workers(args: argparse.Namespace, log_config: dict[str, Any]) -> None:
    """``args.workers`` uvicorn workers behind :func:`service._workers.serve_workers`:
    it listens on :func:`listen_socket` and hands each connection to the worker with
    the fewest open ones."""
    import uvicorn

    from isa_match.cli import CliError
    from service._workers import WorkerStartupError, serve_workers

    config = uvicorn.Config(
        "service.app:app_from_env",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level=args.log_level,
        log_config=log_config,
    )
    sock = listen_socket(args.host, args.port)
    logging.getLogger("uvicorn.error").info(
        "Uvicorn running on http://%s:%d with %d workers (Press CTRL+C to quit)",
        args.host,
        sock.getsockname()[1],
        args.workers,
    )
    try:
        serve_workers(config, sock)
    except KeyboardInterrupt:
        pass
    except WorkerStartupError as exc:
        raise CliError(str(exc), code=STARTUP_FAILURE) from None
    finally:
        sock.close()


def listen_socket(host: str, port: int) -> socket.socket:
    """A bound TCP socket for the supervisor to listen on, made with
    ``IPPROTO_TCP`` so that its connections get ``TCP_NODELAY``.

    uvicorn's own socket for ``--workers`` has protocol 0, and asyncio sets
    ``TCP_NODELAY`` only on sockets whose protocol is TCP: every response on a
    kept-alive connection then waits ~40 ms for the client's delayed ACK (Nagle;
    uvicorn issue #3149).
    """
    from isa_match.cli import CliError

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise CliError(f"cannot listen on {host}:{port}: {exc}") from None
    sock.set_inheritable(True)
    return sock


def _log_config(level: str) -> dict[str, Any]:
    """Uvicorn's logging configuration plus the service's and the core's loggers."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config["formatters"]["isa"] = {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}
    config["handlers"]["isa"] = {
        "class": "logging.StreamHandler",
        "formatter": "isa",
        "stream": "ext://sys.stderr",
    }
    for name in ("service", "isa_match"):
        config["loggers"][name] = {"handlers": ["isa"], "level": level.upper(), "propagate": False}
    return config


def _prepare_in_child(settings: Any, log_config: dict[str, Any]) -> None:
    """:func:`_prepare_once` in a child process.

    Loading the index there keeps its memory out of the supervisor that starts the
    workers: freed objects stay in a process's heap, so a supervisor that had loaded
    the index itself would hold about one more worker's worth of memory for its
    whole life (~330 MB at 100,000 listings).
    """
    import multiprocessing

    from isa_match.cli import CliError

    context = multiprocessing.get_context("spawn")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(
        target=_prepare_child, args=(settings, log_config, send), name="isa-match-prepare"
    )
    child.start()
    send.close()
    child.join()
    try:
        problem = receive.recv() if receive.poll() else None
    except EOFError:  # closed without a message: no settings problem
        problem = None
    if problem is not None:
        raise CliError(problem)
    if child.exitcode != 0:
        raise CliError(
            f"preparing the database and index failed (exit code {child.exitcode}); "
            "see the log above"
        )


def _prepare_child(settings: Any, log_config: dict[str, Any], report: Any) -> None:
    """Child process of :func:`_prepare_in_child`: a settings problem is sent back as
    its message; any other failure ends the process with its traceback in the log."""
    from service.settings import SettingsError

    logging.config.dictConfig(log_config)
    try:
        _prepare_once(settings)
    except SettingsError as exc:
        report.send(str(exc))
    finally:
        report.close()


def _prepare_once(settings: Any) -> None:
    """Create/seed the database and bring the saved index up to date before starting
    workers, so the workers start by loading it instead of all building it at once; in
    demo mode also make the signing key, so the workers find it instead of racing to."""
    from service.bootstrap import prepare_database
    from service.db import Database
    from service.engine import MatchEngine

    settings.signing_key()
    database = Database(settings)
    try:
        prepare_database(database, settings)
        engine = MatchEngine(settings, database)
        engine.start(wait=True)
        engine.wait_idle()
        engine.save()
        engine.stop()
    finally:
        database.dispose()


def run_create_user(args: argparse.Namespace) -> int:
    """``isa-match create-user``."""
    from sqlalchemy import select

    from isa_match.cli import CliError
    from isa_match.reference import UnknownCityError, cities
    from service import audit
    from service.auth import hash_password, normalize_email
    from service.db import Database
    from service.models import Organization, User

    settings = _settings(_overrides(args))
    if args.role == "company" and args.organization_id is None:
        raise CliError("a company user needs --organization-id")
    if args.role == "staff" and not args.city:
        raise CliError("a staff user needs --city")
    city = None
    if args.city:
        try:
            city = cities().resolve(args.city).id
        except UnknownCityError as exc:
            raise CliError(str(exc)) from None
    password = sys.stdin.readline().rstrip("\n") if not sys.stdin.isatty() else getpass.getpass()
    if len(password) < 12:
        raise CliError("the password needs at least 12 characters")
    database = Database(settings)
    try:
        database.create_schema()
        with database.write_session() as db:
            email = normalize_email(args.email)
            if db.execute(select(User).where(User.email == email)).scalar() is not None:
                raise CliError(f"an account {email!r} exists already")
            if (
                args.organization_id is not None
                and db.get(Organization, args.organization_id) is None
            ):
                raise CliError(f"no organisation with id {args.organization_id}")
            user = User(
                email=email,
                password_hash=hash_password(password),
                role=args.role,
                organization_id=args.organization_id if args.role == "company" else None,
                city=city if args.role == "staff" else None,
            )
            db.add(user)
            db.flush()
            audit.record(db, None, "user.create", "user", str(user.id), {"role": args.role})
            db.commit()
    finally:
        database.dispose()
    print(f"created {args.role} account {email}")
    return EXIT_OK
