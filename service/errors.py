"""Errors as JSON: one shape for every failure, and no input that ends in a 500.

Every error body is ``{"detail": ...}``: a message, or for invalid input a list
of ``{"loc": [...], "msg": ..., "type": ...}`` items (FastAPI's shape) naming the
field (:class:`~service.schemas.ErrorOut`). Submitted values are never echoed
back, so contact data cannot leak into an error.

Besides the handlers this module documents the errors: :func:`document_errors`
adds the error responses every operation can give (401, 403, 404, 409, 412, 413,
415, 422, 503 by what the operation takes) with their model to the OpenAPI
document, so that clients and schema checkers see every status the API answers.
"""

from __future__ import annotations

import email.message
import json
import logging
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi import params as fastapi_params
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from isa_match.index.base import UnknownIdError
from isa_match.rank.matcher import QueryError
from isa_match.rank.query_filters import FilterValueError

log = logging.getLogger(__name__)

__all__ = [
    "ApiError",
    "FilterInputError",
    "document_errors",
    "install_error_handlers",
    "invalid",
    "not_found",
]

# FastAPI's message when a body cannot be decoded (bad UTF-8, broken multipart ...)
_FASTAPI_PARSE_ERROR = "There was an error parsing the body"


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


def clean_error(error: dict[str, Any]) -> dict[str, Any]:
    """One pydantic validation error as the API shows it: ``loc``, ``msg`` and ``type``,
    the message in plain words, numeric limits only (never the submitted value)."""
    out: dict[str, Any] = {
        "loc": [x if isinstance(x, int) else str(x) for x in error.get("loc", ())],
        "msg": str(error.get("msg", "invalid value")),
        "type": str(error.get("type", "value_error")),
    }
    ctx = error.get("ctx")
    if out["type"] == "value_error" and out["msg"].startswith("Value error, "):
        out["msg"] = out["msg"].removeprefix("Value error, ")  # pydantic's prefix says nothing
    elif out["loc"] == ["body"] and out["type"] in ("model_attributes_type", "dict_type"):
        out["msg"] = "the body must be a JSON object"
    if out["type"] == "json_invalid" and isinstance(ctx, dict):
        # the decoder's message names the problem and position, never the text itself
        out["msg"] = f"the body is not valid JSON: {ctx.get('error', 'decode error')}"
    elif isinstance(ctx, dict):
        # numbers and limits only: an 'error' entry may quote the submitted value
        numbers = {k: v for k, v in ctx.items() if isinstance(v, int | float) and k != "error"}
        if numbers:
            out["ctx"] = numbers
    return out


def _json(status: int, detail: Any, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"detail": detail}, status_code=status, headers=headers)


def _parse_error(exc: StarletteHTTPException) -> JSONResponse:
    """A 400 from reading the body (bad UTF-8, broken multipart ...) as a 422 naming the body."""
    cause = exc.__cause__
    if isinstance(cause, UnicodeDecodeError):
        reason = "it is not valid UTF-8"
    elif isinstance(cause, RecursionError):
        reason = "it is nested too deeply"
    elif exc.detail and exc.detail != _FASTAPI_PARSE_ERROR:
        reason = str(exc.detail).rstrip(".")  # Starlette's, e.g. "Invalid multipart data"
    else:
        reason = "it does not match its Content-Type"
    item = {"loc": ["body"], "msg": f"the body could not be read: {reason}", "type": "body_error"}
    return _json(422, [item])


async def _http_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 400 and not isinstance(exc, ApiError):
        # FastAPI and Starlette answer 400 only when the body cannot be parsed
        return _parse_error(exc)
    detail = exc.detail
    if not detail:
        detail = "error"
    return _json(exc.status_code, detail, dict(exc.headers) if exc.headers else None)


_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _accepted_media_types(request: Request) -> tuple[str, ...] | None:
    """The body media types the matched route reads, or None when it reads no body."""
    route = request.scope.get("route")
    body_field = getattr(route, "body_field", None)
    if body_field is None:
        return None
    info = getattr(body_field, "field_info", None)
    if isinstance(info, fastapi_params.File):
        return ("multipart/form-data",)
    if isinstance(info, fastapi_params.Form):
        return _FORM_TYPES
    return ("application/json",)


def _media_type(value: str) -> str:
    message = email.message.Message()
    message["content-type"] = value
    return message.get_content_type()


def _wrong_content_type(request: Request, errors: list[dict[str, Any]]) -> JSONResponse | None:
    """415 when the body failed validation because it was sent in another media type."""
    accepted = _accepted_media_types(request)
    if accepted is None or not any(e.get("loc", ())[:1] == ("body",) for e in errors):
        return None
    sent = request.headers.get("content-type")
    if sent is None:
        length = request.headers.get("content-length", "0").strip()
        if length in ("", "0") and "transfer-encoding" not in request.headers:
            return None  # no body at all: the 422 says which fields are missing
        return _json(415, f"the body needs a Content-Type header: send {' or '.join(accepted)}")
    media = _media_type(sent)
    if media in accepted or media.endswith("+json") and "application/json" in accepted:
        return None
    return _json(415, f"unsupported Content-Type {media!r}: send {' or '.join(accepted)}")


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [dict(e) for e in exc.errors()]
    wrong_type = _wrong_content_type(request, errors)
    if wrong_type is not None:
        return wrong_type
    return _json(422, [clean_error(e) for e in errors])


def _query_names(dependant: Any) -> frozenset[str]:
    """The query parameter names an operation reads (its own and its dependencies')."""
    names = {str(field.alias) for field in getattr(dependant, "query_params", ())}
    for sub in getattr(dependant, "dependencies", ()):
        names |= _query_names(sub)
    return frozenset(names)


_MAX_NAME_ECHO = 64


async def reject_unknown_query_params(request: Request) -> None:
    """Dependency of every operation: 422 for a query parameter the operation does not read.

    A misspelt filter (``?contry=CN``) would otherwise be ignored and the caller
    would get unfiltered results believing them filtered. ``async`` because it
    never blocks: FastAPI runs a plain ``def`` dependency in the thread pool, a
    hand-over that costs the event loop more than this check.
    """
    if not request.url.query:
        return
    dependant = getattr(request.scope.get("route"), "dependant", None)
    if dependant is None:
        return
    known = _query_names(dependant)
    unknown = sorted({name for name in request.query_params if name not in known})
    if not unknown:
        return
    takes = ", ".join(sorted(known)) or "no query parameters"
    raise ApiError(
        422,
        [
            {
                "loc": ["query", name[:_MAX_NAME_ECHO]],
                "msg": f"unknown query parameter; this operation takes: {takes}",
                "type": "extra_forbidden",
            }
            for name in unknown[:10]
        ],
    )


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
    """Register the JSON error handlers on ``app`` and document them in its OpenAPI schema."""
    from service.engine import IndexNotReady

    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(QueryError, _query_error)
    app.add_exception_handler(FilterInputError, _filter_error)
    app.add_exception_handler(UnknownIdError, _unknown_id)
    app.add_exception_handler(IndexNotReady, _not_ready)
    app.add_exception_handler(OperationalError, _database_busy)
    app.add_exception_handler(Exception, _unexpected)
    _document_openapi(app)


def _document_openapi(app: FastAPI) -> None:
    """Wrap ``app.openapi`` so the generated document lists the error responses."""
    generate: Callable[[], dict[str, Any]] = app.openapi
    documented: list[int] = []

    def openapi() -> dict[str, Any]:
        schema = generate()
        if id(schema) not in documented:  # FastAPI regenerates when routes change
            document_errors(schema)
            documented[:] = [id(schema)]
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def error_json(detail: Any) -> bytes:
    """The JSON body of an error (for answers sent below FastAPI, e.g. by middleware)."""
    return json.dumps({"detail": detail}, ensure_ascii=False).encode("utf-8")


# -- the errors in the OpenAPI document ---------------------------------------------

_ERROR_DESCRIPTIONS: dict[int, str] = {
    401: "not authenticated: the bearer token is missing, invalid or expired",
    403: "the caller's role may not use this operation",
    404: "no such object in the caller's scope",
    409: "the object's state does not allow this (withdrawn, changed meanwhile)",
    412: "If-Match names another version than the current one",
    413: "the request body is over the size limit",
    415: "the body was sent with an unsupported Content-Type",
    422: "invalid input: each item names the field (loc) and the problem (msg)",
    429: "too many requests; try again after Retry-After seconds",
    503: "the index is being built or the database is busy; try again after Retry-After",
}
_WRITES = frozenset({"post", "put", "patch", "delete"})
_ERROR_REF = "#/components/schemas/ErrorOut"
_FASTAPI_422_REF = "#/components/schemas/HTTPValidationError"


def _error_codes(method: str, operation: dict[str, Any]) -> set[int]:
    """The error statuses an operation can answer, from what it takes.

    Authenticated operations: 401, 403 (role), 503 (database busy or index not
    ready); an object in the path: 404 and 409 (its state); writes: 409; If-Match:
    412; a body: 413, 415 (and 503); every operation: 422 (unknown query parameters).
    """
    parameters = operation.get("parameters", [])
    has_body = "requestBody" in operation
    secured = bool(operation.get("security"))
    codes = {422}
    if secured:
        codes |= {401, 403, 503}
    if any(p.get("in") == "path" for p in parameters):
        codes |= {404, 409}
    if secured and method in _WRITES:
        codes.add(409)
    if any(p.get("in") == "header" and p.get("name", "").lower() == "if-match" for p in parameters):
        codes.add(412)
    if has_body:
        codes |= {413, 415, 503}
    return codes


def _with_error_model(response: dict[str, Any]) -> None:
    """Make the JSON content of an error response :class:`ErrorOut` (or one of it and the
    model the route declared, e.g. the strict import's report)."""
    content = response.setdefault("content", {})
    media = content.setdefault("application/json", {})
    schema = media.get("schema")
    if not schema or schema.get("$ref") in (_FASTAPI_422_REF, _ERROR_REF):
        media["schema"] = {"$ref": _ERROR_REF}
    elif {"$ref": _ERROR_REF} not in schema.get("anyOf", []):
        media["schema"] = {"anyOf": [schema, {"$ref": _ERROR_REF}]}
    for other in [m for m in content if m != "application/json"]:
        del content[other]  # errors are always JSON


def document_errors(schema: dict[str, Any]) -> None:
    """Add every error response with its model to an OpenAPI document (in place).

    Responses a route declares keep their description; their content becomes the
    error model. FastAPI's own 422 model is replaced by :class:`ErrorOut`, which
    describes what the handlers of this module answer.
    """
    from service.schemas import ErrorOut

    for path_item in schema.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in ("get", "put", "post", "delete", "patch", "head", "options"):
                continue
            responses: dict[str, Any] = operation.setdefault("responses", {})
            for status in sorted(_error_codes(method, operation)):
                responses.setdefault(str(status), {"description": _ERROR_DESCRIPTIONS[status]})
            for code, response in responses.items():
                if code.isdigit() and int(code) >= 400:
                    if response.get("description") == "Validation Error":
                        response["description"] = _ERROR_DESCRIPTIONS[422]
                    _with_error_model(response)
            operation["responses"] = dict(sorted(responses.items()))
    models = ErrorOut.model_json_schema(ref_template="#/components/schemas/{model}")
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for name, definition in models.pop("$defs", {}).items():
        components[name] = definition
    components["ErrorOut"] = models
    # FastAPI's validation models are no longer referenced by any operation
    if _FASTAPI_422_REF not in json.dumps(schema.get("paths", {})):
        components.pop("HTTPValidationError", None)
        components.pop("ValidationError", None)
