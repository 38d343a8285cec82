"""``/auth``: log in (OAuth2 password flow) and who am I."""

from __future__ import annotations

import math
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.security import OAuth2PasswordRequestForm

from service.auth import CurrentUser, authenticate, create_token, normalize_email
from service.deps import DatabaseDep, LimitersDep, SettingsDep
from service.errors import ApiError
from service.models import Organization
from service.schemas import OrganizationOut, Token, UserOut

router = APIRouter(prefix="/auth", tags=["auth"])

_MAX_USERNAME = 320
_MAX_PASSWORD = 1024


@router.post(
    "/token",
    response_model=Token,
    responses={
        401: {"description": "wrong user name or password"},
        429: {"description": "too many attempts"},
    },
)
def login(
    request: Request,
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    settings: SettingsDep,
    database: DatabaseDep,
    limiters: LimitersDep,
) -> Token:
    """Exchange user name (e-mail) and password for a bearer token.

    Unknown user and wrong password get the same answer. Failed attempts are
    limited per user name and client address (429 with Retry-After).
    """
    if len(form.username) > _MAX_USERNAME or len(form.password) > _MAX_PASSWORD:
        raise ApiError(401, "wrong user name or password", headers={"WWW-Authenticate": "Bearer"})
    client = request.client.host if request.client else "-"
    key = f"{normalize_email(form.username)}|{client}"
    wait = limiters["login"].hit(key)
    if wait is not None:
        seconds = max(1, math.ceil(wait))
        raise ApiError(
            429,
            f"too many login attempts; try again in {seconds} s",
            headers={"Retry-After": str(seconds)},
        )
    with database.session() as db:
        user = authenticate(db, form.username, form.password)
        if user is None:
            raise ApiError(
                401, "wrong user name or password", headers={"WWW-Authenticate": "Bearer"}
            )
        token = create_token(user, request.app.state.signing_key, settings.token_ttl_minutes)
    limiters["login"].refund(key)  # only failed attempts count against the limit
    return Token(access_token=token, expires_in=settings.token_ttl_minutes * 60)


@router.get("/me", response_model=UserOut)
def me(user: CurrentUser, database: DatabaseDep) -> UserOut:
    """The caller's account: role, organisation (company users) and city."""
    organization = None
    if user.organization_id is not None:
        with database.session() as db:
            org = db.get(Organization, user.organization_id)
            if org is not None:
                organization = OrganizationOut.model_validate(
                    {"id": org.id, "name": org.name, "city": org.city, "org_type": org.org_type}
                )
    return UserOut.model_validate(
        {
            "id": user.id,
            "email": user.email,
            "role": user.role,
            "organization": organization,
            "city": user.city,
        }
    )
