"""``/admin``: the audit log and account administration (alliance admins only).

The logic is in :mod:`service.audit` and :mod:`service.user_admin`.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query

from service import audit
from service.auth import Principal, require_roles
from service.deps import DatabaseDep, SessionDep
from service.models import as_utc
from service.review_schemas import (
    DB_INT_MAX,
    AdminUserOut,
    AuditOut,
    AuditPage,
    Role,
    UserPage,
    UserPatch,
)
from service.user_admin import list_users, update_user

router = APIRouter(prefix="/admin", tags=["admin"])

Admin = Annotated[Principal, Depends(require_roles("admin"))]
Page = Annotated[int, Query(ge=1, le=100_000)]
PageSize = Annotated[int, Query(ge=1, le=500)]
Text = Annotated[str | None, Query(max_length=128, pattern=r"^[^\x00-\x1f\x7f]*$")]


@router.get("/audit", response_model=AuditPage)
def audit_log(
    _: Admin,
    db: SessionDep,
    action: Text = None,
    user: Annotated[int | None, Query(ge=1, le=DB_INT_MAX, description="user id")] = None,
    object_type: Text = None,
    object_id: Text = None,
    page: Page = 1,
    page_size: PageSize = 50,
) -> AuditPage:
    """The audit log, newest first. ``action`` is exact (``contact.reveal``) or a prefix
    ending in ``.*`` (``interest.*``); ``user`` is the acting user's id."""
    found, total = audit.entries(
        db,
        action=action,
        user_id=user,
        object_type=object_type,
        object_id=object_id,
        page=page,
        page_size=page_size,
    )
    items = [
        AuditOut(
            id=v.entry.id,
            at=as_utc(v.entry.at),
            user_id=v.entry.user_id,
            user_email=v.user_email,
            action=v.entry.action,
            object_type=v.entry.object_type,
            object_id=v.entry.object_id,
            details=dict(v.entry.details or {}),
        )
        for v in found
    ]
    return AuditPage(items=items, total=total, page=page, page_size=page_size)


@router.get("/users", response_model=UserPage)
def users(
    _: Admin,
    db: SessionDep,
    role: Role | None = None,
    active: bool | None = None,
    page: Page = 1,
    page_size: PageSize = 50,
) -> UserPage:
    """Every account (company users with their organisation), by id."""
    return list_users(db, role=role, active=active, page=page, page_size=page_size)


_USER_404: dict[int | str, dict[str, Any]] = {404: {"description": "no such user"}}


@router.patch("/users/{user_id}", response_model=AdminUserOut, responses=_USER_404)
def change_user(
    user_id: Annotated[int, Path(ge=1, le=DB_INT_MAX)],
    body: UserPatch,
    admin: Admin,
    database: DatabaseDep,
) -> AdminUserOut:
    """Change an account's role, city (staff), organisation (company users) or active
    state; audited as ``user.update`` with the old and new values. A new role ends the
    user's current tokens; an admin cannot demote or deactivate themselves."""
    return update_user(database, admin, user_id, body)
