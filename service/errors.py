"""Errors as JSON: one shape for every failure, and no input that ends in a 500.

Every error body is ``{"detail": ...}``: a message, or for invalid input a list
of ``{"loc": [...], "msg": ..., "type": ...}`` items (FastAPI's shape) naming the
field. Submitted values are never echoed back, so contact data cannot leak into
an error.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from isa_match.index.base import UnknownIdError
from isa_match.rank.matcher import QueryError
from isa_match.rank.query_filters import FilterValueError

log = logging.getLogger(__name__)


class ApiError(StarletteHTTPException):
    """An HTTP error with a message for people (``detail``) and optional headers."""

    def __init__(self, status: int, detail: Any, *, headers: dict[str, str] | None = None):
        super().__init__(status_code=status, detail=detail, headers=headers)


def not_found(what: str) -> ApiError:
    """404 for an object that does not exist or is outside the caller's scope (same answer)."""
    return ApiError(404, f"{what} not found")


def invalid(loc: list[str | int], message: str, **extra: Any) -> ApiError:
    """422 for one invalid input field, in FastAPI's error shape."""
    return ApiError(422, [{"loc": loc, "msg": message, "type": "value_error", **extra}])


class FilterInputError(ValueError):
    """A filter value that names nothing known, with where it came from (query or body)."""

    def __init__(self, where: str, exc: FilterValueError) -> None:
        super().__init__(str(exc))
        self.where = where
        self.error = exc


def _clean_error(error: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "loc": list(error.get("loc", ())),
        "msg": str(error.get("msg", "invalid value")),
        "type": str(error.get("type", "value_error")),
    }
    ctx = error.get("ctx")
    if isinstance(ctx, dict):
        # numbers and limits only: an 'error' entry may quote the submitted value
        out["ctx"] = {k: v for k, v in ctx.items() if isinstance(v, int | float) and k != "error"}
    return out


def _json(status: int, detail: Any, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"detail": detail}, status_code=status, headers=headers)


async def _http_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    detail = exc.detail
    if not detail:
        detail = "error"
    return _json(exc.status_code, detail, dict(exc.headers) if exc.headers else None)


async def _validation_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return _json(422, [_clean_error(dict(e)) for e in exc.errors()])


async def _query_error(_: Request, exc: Exception) -> JSONResponse:
    return _json(422, [{"loc": ["query"], "msg": str(exc), "type": "value_error"}])


async def _filter_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, FilterInputError)
    item: dict[str, Any] = {
        "loc": [exc.where, exc.error.field],
        "msg": str(exc.error),
        "type": "value_error",
    }
    if exc.error.suggestions:
        item["suggestions"] = list(exc.error.suggestions)
    return _json(422, [item])


async def _unknown_id(_: Request, exc: Exception) -> JSONResponse:
    return _json(404, "listing not found")


async def _not_ready(_: Request, exc: Exception) -> JSONResponse:
    return _json(503, str(exc), {"Retry-After": "30"})


async def _database_busy(_: Request, exc: Exception) -> JSONResponse:
    log.warning("database error: %s", exc)
    return _json(503, "the database is busy; try again", {"Retry-After": "2"})


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return _json(500, "internal error; it was logged")


def install_error_handlers(app: FastAPI) -> None:
    """Register the JSON error handlers on ``app``."""
    from service.engine import IndexNotReady

    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(QueryError, _query_error)
    app.add_exception_handler(FilterInputError, _filter_error)
    app.add_exception_handler(UnknownIdError, _unknown_id)
    app.add_exception_handler(IndexNotReady, _not_ready)
    app.add_exception_handler(OperationalError, _database_busy)
    app.add_exception_handler(Exception, _unexpected)
