"""Account administration for alliance admins: list users, change role, city,
organisation and active state (every change audited as ``user.update``).

A changed role invalidates the user's tokens at once (the token's role claim no
longer matches); a deactivated account cannot log in or use its tokens. An
admin cannot demote or deactivate themselves, so the alliance never locks
itself out by accident.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service import audit
from service.auth import Principal
from service.db import Database
from service.errors import ApiError, invalid, not_found
from service.listing_service import resolve_city
from service.models import Organization, User, as_utc
from service.review_schemas import AdminUserOut, Role, UserPage, UserPatch
from service.schemas import OrganizationOut


def user_out(user: User, org: Organization | None) -> AdminUserOut:
    """The admin view of an account."""
    organization = None
    if org is not None:
        organization = OrganizationOut.model_validate(
            {"id": org.id, "name": org.name, "city": org.city, "org_type": org.org_type}
        )
    return AdminUserOut.model_validate(
        {
            "id": user.id,
            "email": user.email,
            "role": user.role,
            "organization": organization,
            "city": user.city if user.role == "staff" else (org.city if org else None),
            "active": user.active,
            "is_demo": user.is_demo,
            "created_at": as_utc(user.created_at),
        }
    )


def list_users(
    db: Session,
    *,
    role: Role | None = None,
    active: bool | None = None,
    page: int = 1,
    page_size: int = 50,
) -> UserPage:
    """One page of accounts, by id."""
    where = []
    if role is not None:
        where.append(User.role == role)
    if active is not None:
        where.append(User.active == active)
    total = db.scalar(select(func.count()).select_from(User).where(*where)) or 0
    rows = db.execute(
        select(User, Organization)
        .outerjoin(Organization, Organization.id == User.organization_id)
        .where(*where)
        .order_by(User.id)
        .offset((page - 1) * page_size)
        .limit(page_size)
    ).all()
    return UserPage(
        items=[user_out(u, o) for u, o in rows], total=total, page=page, page_size=page_size
    )


def update_user(
    database: Database, admin: Principal, user_id: int, patch: UserPatch
) -> AdminUserOut:
    """Apply ``patch`` to an account and audit the change (old and new values).

    Raises:
        ApiError: 404 (no such user), 409 (an admin demoting or deactivating
            themselves), 422 (a company user without organisation, staff without
            a valid city, an unknown organisation).
    """
    changes = patch.model_dump(exclude_unset=True)
    if not changes:
        raise invalid(["body"], "name at least one of role, city, organization_id, active")
    with database.write_session() as db:
        user = db.get(User, user_id)
        if user is None:
            raise not_found(f"user {user_id}")
        if user.id == admin.id and (
            changes.get("role") not in (None, "admin") or changes.get("active") is False
        ):
            raise ApiError(409, "an admin cannot demote or deactivate themselves")
        before = {
            "role": user.role,
            "city": user.city,
            "organization_id": user.organization_id,
            "active": user.active,
        }
        role = changes.get("role") or user.role
        city = user.city
        org_id = user.organization_id
        if "city" in changes:
            city = resolve_city(changes["city"], ["body", "city"]) if changes["city"] else None
        if "organization_id" in changes:
            org_id = changes["organization_id"]
            if org_id is not None and db.get(Organization, org_id) is None:
                raise invalid(["body", "organization_id"], f"no organisation {org_id}")
        # the field the role does not use is cleared, so a scope never lingers
        if role == "company":
            city = None
            if org_id is None:
                raise invalid(["body", "organization_id"], "a company user needs an organisation")
        elif role == "staff":
            org_id = None
            if city is None:
                raise invalid(["body", "city"], "a staff user needs a member city")
        else:
            city, org_id = None, None
        user.role, user.city, user.organization_id = role, city, org_id
        if changes.get("active") is not None:
            user.active = bool(changes["active"])
        after = {
            "role": user.role,
            "city": user.city,
            "organization_id": user.organization_id,
            "active": user.active,
        }
        diff: dict[str, Any] = {
            key: {"from": before[key], "to": after[key]}
            for key in before
            if before[key] != after[key]
        }
        audit.record(db, admin.id, "user.update", "user", str(user.id), {"changes": diff})
        db.commit()
        org = db.get(Organization, user.organization_id) if user.organization_id else None
        return user_out(user, org)
