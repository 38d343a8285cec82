"""``/listings``: create, read, update, withdraw, list and bulk-import listings."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Header, Path, Query, Response, UploadFile, status
from fastapi.responses import JSONResponse
from sqlalchemy import func, select

from isa_match.schema import Category, Kind
from service.access import detail_view, get_listing, list_view, listing_scope
from service.auth import CurrentUser
from service.deps import SessionDep, WriterDep
from service.errors import invalid
from service.importer import ImportRejected, import_file
from service.listing_data import FieldProblem
from service.listing_service import create_listing, update_listing, withdraw_listing
from service.models import ListingRow
from service.schemas import (
    ImportFailed,
    ImportReport,
    ListingCreate,
    ListingDetail,
    ListingPage,
    ListingUpdate,
    ListingWritten,
    Problem,
)

router = APIRouter(prefix="/listings", tags=["listings"])

LISTING_ID_MAX = 128
"""The longest listing id a path accepts."""

ListingId = Annotated[
    str,
    Path(
        min_length=1,
        max_length=LISTING_ID_MAX,
        pattern=r"^[^\x00-\x1f\x7f]+$",
        description="the listing's id",
    ),
]
IfMatch = Annotated[
    str | None,
    Header(
        max_length=40,
        description="the version the change is based on (as sent in ETag); 412 if it moved on",
    ),
]
_VERSION = re.compile(r'(?:W/)?"?(\d{1,9})"?')
_NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"description": "no such listing in the caller's scope"}
}


def _if_match(value: str | None) -> int | None:
    if value is None:
        return None
    found = _VERSION.fullmatch(value.strip())
    if found is None:
        raise invalid(["header", "if-match"], 'expected the listing version, e.g. "3"')
    return int(found[1])


def _written(row: ListingRow, user: CurrentUser, warnings: list[FieldProblem]) -> ListingWritten:
    detail = detail_view(row, user)
    return ListingWritten.model_validate(
        {
            **detail.model_dump(),
            "warnings": [Problem.model_validate(w.as_error()) for w in warnings],
        }
    )


@router.post("", status_code=status.HTTP_201_CREATED, response_model=ListingWritten)
def create(data: ListingCreate, writer: WriterDep, response: Response) -> ListingWritten:
    """Post a new listing; it is searchable when this call returns."""
    row, warnings = create_listing(writer, data)
    response.headers["ETag"] = f'"{row.version}"'
    response.headers["Location"] = f"/api/v1/listings/{row.id}"
    return _written(row, writer.user, warnings)


@router.get("", response_model=ListingPage)
def list_listings(
    user: CurrentUser,
    db: SessionDep,
    status_: Annotated[Literal["active", "withdrawn"] | None, Query(alias="status")] = "active",
    kind: Kind | None = None,
    category: Category | None = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=100)] = 20,
) -> ListingPage:
    """The listings in the caller's scope (company: own organisation; staff: city; admin:
    all), newest change first. Never contains contact data."""
    where = [listing_scope(user)]
    if status_ is not None:
        where.append(ListingRow.status == status_)
    if kind is not None:
        where.append(ListingRow.kind == kind.value)
    if category is not None:
        where.append(ListingRow.category == category.value)
    total = db.scalar(select(func.count()).select_from(ListingRow).where(*where)) or 0
    rows = db.execute(
        select(ListingRow)
        .where(*where)
        .order_by(ListingRow.updated_at.desc(), ListingRow.id)
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).scalars()
    return ListingPage(
        items=[list_view(r) for r in rows], total=total, page=page, per_page=per_page
    )


@router.post(
    "/import",
    response_model=ImportReport,
    responses={422: {"model": ImportFailed, "description": "strict import with errors"}},
)
def import_listings(
    writer: WriterDep,
    file: Annotated[UploadFile, File(description="CSV, TSV, XLSX, JSON or JSONL listings")],
    mode: Literal["strict", "lenient"] = "strict",
) -> ImportReport | JSONResponse:
    """Import a listing file. Strict (default): nothing is imported if any row has an
    error; lenient: the good rows are imported. The report names file, row, field,
    problem and fix of every problem. Ids already in the caller's scope are updated."""
    data = file.file.read()
    try:
        return import_file(writer, file.filename, data, mode)
    except ImportRejected as exc:
        body = ImportFailed(detail=str(exc), report=exc.report)
        return JSONResponse(body.model_dump(mode="json"), status_code=422)


@router.get("/{listing_id}", response_model=ListingDetail, responses=_NOT_FOUND)
def read(
    listing_id: ListingId, user: CurrentUser, db: SessionDep, response: Response
) -> ListingDetail:
    """One listing in the caller's scope; contact fields for its own organisation only."""
    row = get_listing(db, user, listing_id)
    response.headers["ETag"] = f'"{row.version}"'
    return detail_view(row, user)


@router.patch("/{listing_id}", response_model=ListingWritten, responses=_NOT_FOUND)
def update(
    listing_id: ListingId,
    data: ListingUpdate,
    writer: WriterDep,
    response: Response,
    if_match: IfMatch = None,
) -> ListingWritten:
    """Change fields of a listing; the index reflects the change when this call returns."""
    row, warnings = update_listing(writer, listing_id, data, _if_match(if_match))
    response.headers["ETag"] = f'"{row.version}"'
    return _written(row, writer.user, warnings)


@router.delete("/{listing_id}", response_model=ListingDetail, responses=_NOT_FOUND)
def withdraw(
    listing_id: ListingId, writer: WriterDep, response: Response, if_match: IfMatch = None
) -> ListingDetail:
    """Withdraw a listing: it stays on record (status ``withdrawn``) and leaves the index."""
    row = withdraw_listing(writer, listing_id, _if_match(if_match))
    response.headers["ETag"] = f'"{row.version}"'
    return detail_view(row, writer.user)
