"""Passwords, tokens and the current user.

* Passwords are hashed with Argon2id (``argon2-cffi``; memory-hard, salt and
  parameters inside the hash string, RFC 9106 low-memory profile) and rehashed
  on login when the parameters change.
* Login is the OAuth2 password flow: ``POST /api/v1/auth/token`` with form
  fields ``username`` and ``password`` returns a signed, expiring JWT (HS256,
  claims ``sub`` = user id, ``role``, ``iat``, ``exp``).
* Unknown user and wrong password give the same answer and take the same time
  (a dummy hash is verified for unknown users).
* Every request re-reads the user (one indexed query joining the organisation,
  :func:`load_principal`): a deactivated account or a changed role invalidates its
  tokens at once, in every worker process. Nothing about the user is cached.
* What is cached is the check of a token's signature (:func:`token_claims`): the
  claims of a token string whose signature and claims were verified once, per
  signing key. The time checks (expiry, issued-at, not-before) are made again on
  every request, and a token that fails them is decoded in full, so the answer is
  always the one a full decode gives.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Annotated, Any

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy import Connection, bindparam, select
from sqlalchemy.orm import Session

from isa_match.text import normalize_line
from service.db import Database
from service.errors import ApiError
from service.models import Organization, User

ALGORITHM = "HS256"
TOKEN_URL = "/api/v1/auth/token"

bearer = OAuth2PasswordBearer(tokenUrl=TOKEN_URL, auto_error=False)
"""The bearer token of a request, or None (a dependency: it documents the scheme)."""


@lru_cache(maxsize=1)
def _hasher() -> PasswordHasher:
    return PasswordHasher()


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return _hasher().hash("isa-match dummy password: never matches a login")


def normalize_email(text: str) -> str:
    """The login name as stored: NFKC, trimmed, case-folded."""
    return normalize_line(text).casefold()


def hash_password(password: str) -> str:
    """An Argon2id hash string (salt and parameters included)."""
    return _hasher().hash(password)


def verify_password(stored: str | None, password: str) -> bool:
    """True when ``password`` matches ``stored``; ``None`` (no such user) never matches.

    The dummy hash is checked for unknown users so both failures take as long.
    """
    try:
        ok = _hasher().verify(stored or _dummy_hash(), password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
    return ok and stored is not None


def needs_rehash(stored: str) -> bool:
    """True when ``stored`` was made with other parameters than today's."""
    return _hasher().check_needs_rehash(stored)


def authenticate(db: Session, username: str, password: str) -> User | None:
    """The active user with this login name and password, else None (same cost either way)."""
    user = db.execute(select(User).where(User.email == normalize_email(username))).scalar()
    stored = user.password_hash if user is not None else None
    if not verify_password(stored, password) or user is None or not user.active:
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
        db.commit()
    return user


def create_token(user: User, key: str, ttl_minutes: int, *, now: datetime | None = None) -> str:
    """A signed access token for ``user`` that expires after ``ttl_minutes``."""
    issued = now or datetime.now(UTC)
    claims = {
        "sub": str(user.id),
        "role": user.role,
        "iat": int(issued.timestamp()),
        "exp": int((issued + timedelta(minutes=ttl_minutes)).timestamp()),
    }
    return jwt.encode(claims, key, algorithm=ALGORITHM)


def _unauthorized(message: str) -> ApiError:
    return ApiError(401, message, headers={"WWW-Authenticate": "Bearer"})


def decode_token(token: str, key: str) -> dict[str, Any]:
    """The claims of a valid token; :class:`ApiError` 401 otherwise."""
    try:
        claims: dict[str, Any] = jwt.decode(
            token, key, algorithms=[ALGORITHM], options={"require": ["exp", "sub", "iat"]}
        )
    except jwt.ExpiredSignatureError:
        raise _unauthorized("the access token has expired; log in again") from None
    except jwt.PyJWTError:
        raise _unauthorized("the access token is not valid; log in again") from None
    return claims


@dataclass(frozen=True, slots=True)
class Principal:
    """The caller of a request: the user's id, role and scope (organisation or city)."""

    id: int
    email: str
    role: str
    organization_id: int | None
    organization: str | None
    city: str | None
    """Member city: the staff user's city, or a company user's organisation's city."""

    @property
    def is_admin(self) -> bool:
        """True for alliance administrators."""
        return self.role == "admin"


def principal_of(db: Session, user: User) -> Principal:
    """The :class:`Principal` of a user row."""
    org = db.get(Organization, user.organization_id) if user.organization_id else None
    return Principal(
        id=user.id,
        email=user.email,
        role=user.role,
        organization_id=user.organization_id,
        organization=org.name if org else None,
        city=org.city if org else user.city,
    )


_PRINCIPAL_QUERY = (
    select(
        User.role,
        User.active,
        User.email,
        User.organization_id,
        User.city,
        Organization.name,
        Organization.city,
    )
    .outerjoin(Organization, Organization.id == User.organization_id)
    .where(User.id == bindparam("user_id"))
)


def load_principal(database: Database, user_id: int, role: str) -> Principal:
    """The :class:`Principal` of an active user whose role is still ``role`` (the token's
    claim); :class:`ApiError` 401 otherwise. One query, no ORM objects."""
    with database.read() as conn:
        return principal_on(conn, user_id, role)


def principal_on(conn: Connection, user_id: int, role: str) -> Principal:
    """:func:`load_principal` on an open connection (a route's other reads share it)."""
    row = conn.execute(_PRINCIPAL_QUERY, {"user_id": user_id}).one_or_none()
    return principal_from_row(user_id, role, row)


PRINCIPAL_COLUMNS = _PRINCIPAL_QUERY.selected_columns
"""The columns :func:`principal_from_row` reads, in its order (for queries that read
the caller together with something else)."""


def principal_from_row(user_id: int, role: str, row: Sequence[Any] | None) -> Principal:
    """The :class:`Principal` of a row of :data:`PRINCIPAL_COLUMNS` (extra columns after
    them are ignored); :class:`ApiError` 401 for a missing or deactivated user or a role
    other than the token's ``role``."""
    if row is None or not row[1]:
        raise _unauthorized("the account no longer exists or is deactivated")
    user_role, _, email, organization_id, user_city, org_name, org_city = row[:7]
    if role != user_role:
        raise _unauthorized("the account's role changed; log in again")
    return Principal(
        id=user_id,
        email=email,
        role=user_role,
        organization_id=organization_id,
        organization=org_name,
        city=org_city if org_name is not None else user_city,
    )


@dataclass(frozen=True, slots=True)
class TokenClaims:
    """What a valid access token says: the user id and the role it was issued for."""

    user_id: int
    role: str


@dataclass(frozen=True, slots=True)
class _Verified:
    """A token whose signature and claims were checked: its claims and time limits."""

    claims: TokenClaims
    exp: int
    iat: int
    nbf: int | None


_VERIFIED_MAX = 4096
_verified: dict[tuple[str, str], _Verified] = {}
"""(signing key, token) -> :class:`_Verified` (at most :data:`_VERIFIED_MAX` entries,
about 2 MB; emptied when full, the tokens in use are verified again)."""


def token_claims(token: str | None, key: str) -> TokenClaims:
    """The claims of the bearer token (signature and expiry checked; no database);
    :class:`ApiError` 401 without a valid token.

    A token verified before with the same key is not decoded again while it is within
    its time limits (checked here, on every call, as PyJWT checks them without leeway).
    """
    if not token:
        raise _unauthorized("not authenticated: send 'Authorization: Bearer <token>'")
    seen = _verified.get((key, token))
    if seen is not None:
        now = time.time()
        if seen.iat <= now < seen.exp and (seen.nbf is None or seen.nbf <= now):
            return seen.claims
    claims = decode_token(token, key)
    try:
        result = TokenClaims(int(claims["sub"]), str(claims.get("role")))
        verified = _Verified(
            result,
            int(claims["exp"]),
            int(claims["iat"]),
            int(claims["nbf"]) if "nbf" in claims else None,
        )
    except (TypeError, ValueError):
        raise _unauthorized("the access token is not valid; log in again") from None
    if len(_verified) >= _VERIFIED_MAX:
        _verified.clear()
    _verified[(key, token)] = verified
    return result


def current_principal(request: Request, token: Annotated[str | None, Depends(bearer)]) -> Principal:
    """Dependency: the authenticated caller (401 without a valid token for an active user)."""
    state = request.app.state
    claims = token_claims(token, state.signing_key)
    return load_principal(state.database, claims.user_id, claims.role)


async def bearer_claims(
    request: Request, token: Annotated[str | None, Depends(bearer)]
) -> TokenClaims:
    """Dependency: the bearer token's claims, checked on the event loop (CPU only).

    For hot routes that look the user up themselves (:func:`load_principal`, or
    :func:`~service.access.caller_and_listing` with their other reads) instead of a
    thread hand-over for the user alone. The token is checked before the request's
    parameters, as with :data:`CurrentUser`, so a request without a valid token answers
    401 whatever else is wrong with it; the route looks the user up before anything
    else (only a deactivated user's request with invalid parameters gets the 422
    before the 401).
    """
    return token_claims(token, request.app.state.signing_key)


CurrentUser = Annotated[Principal, Depends(current_principal)]
BearerClaims = Annotated[TokenClaims, Depends(bearer_claims)]


def require_roles(*roles: str) -> Callable[[Principal], Awaitable[Principal]]:
    """Dependency factory: the caller, if their role is one of ``roles`` (else 403).

    Routes are public knowledge (the OpenAPI schema), so a role check says so
    plainly; objects outside the caller's scope answer 404 (see ``access``).
    """

    async def check(user: CurrentUser) -> Principal:  # CPU only: no thread hand-over
        if user.role not in roles:
            raise ApiError(403, f"this needs the role {' or '.join(roles)}")
        return user

    return check
