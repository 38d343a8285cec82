"""``/interests``: a company's interest in a partner listing, and the contact reveal.

The logic is in :mod:`service.mutual`.
"""

from __future__ import annotations

import math
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Response, status

from service.auth import Principal, require_roles
from service.deps import DatabaseDep, LimitersDep, SessionDep
from service.errors import ApiError
from service.mutual import create_interest, list_interests, reveal_contact, withdraw_interest
from service.review_schemas import DB_INT_MAX, ContactReveal, InterestIn, InterestOut, InterestsOut

router = APIRouter(prefix="/interests", tags=["interests"])

Company = Annotated[Principal, Depends(require_roles("company"))]
InterestId = Annotated[int, Path(ge=1, le=DB_INT_MAX, description="the interest's id")]
_NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"description": "no such interest (or listing) of the caller's organisation"}
}


@router.post(
    "",
    response_model=InterestOut,
    status_code=status.HTTP_201_CREATED,
    responses={
        **_NOT_FOUND,
        200: {"model": InterestOut, "description": "already declared"},
        429: {"description": "too many interest declarations"},
    },
)
def declare(
    body: InterestIn,
    user: Company,
    database: DatabaseDep,
    limiters: LimitersDep,
    response: Response,
) -> InterestOut:
    """Declare that one of the organisation's listings (``from_listing``) is interested in
    another organisation's active listing (``to_listing``, e.g. one of its suggestions).
    201 when new, 200 when it was declared before. Limited per user (429 with
    Retry-After)."""
    wait = limiters["interest"].hit(f"user:{user.id}")
    if wait is not None:
        seconds = max(1, math.ceil(wait))
        raise ApiError(
            429,
            f"too many interest declarations; try again in {seconds} s",
            headers={"Retry-After": str(seconds)},
        )
    interest, created = create_interest(database, user, body)
    if not created:
        response.status_code = status.HTTP_200_OK
    return interest


@router.get("", response_model=InterestsOut)
def interests(user: Company, db: SessionDep) -> InterestsOut:
    """The organisation's interests: outgoing, incoming (with the partner's public fields)
    and the mutual ones (whose contact route answers)."""
    return list_interests(db, user)


@router.delete("/{interest_id}", status_code=status.HTTP_204_NO_CONTENT, responses=_NOT_FOUND)
def withdraw(interest_id: InterestId, user: Company, database: DatabaseDep) -> Response:
    """Withdraw one of the organisation's own interests; a mutual pair stops being mutual
    and the contact fields are hidden again."""
    withdraw_interest(database, user, interest_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/{interest_id}/contact",
    response_model=ContactReveal,
    responses={**_NOT_FOUND, 409: {"description": "the interest is not mutual"}},
)
def contact(interest_id: InterestId, user: Company, database: DatabaseDep) -> ContactReveal:
    """The partner's contact fields, once both sides have expressed interest (either
    direction's id works). Every call is recorded in the audit log."""
    return reveal_contact(database, user, interest_id)
