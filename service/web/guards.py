"""Dependencies of the page routes: the logged-in user by role, and checked form posts.

The same roles as the API: a page for another role answers 403 (routes are public
knowledge), objects outside the user's scope 404 (the shared service functions
raise it). Every form post must carry the CSRF token of the session
(:func:`service.web.session.check_csrf`), checked after the login and role.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from starlette.datastructures import UploadFile

from service.auth import Principal
from service.errors import ApiError
from service.web.session import CSRF_FIELD, check_csrf, require_user

_MAX_FIELDS = 1200


def _check_role(user: Principal, roles: tuple[str, ...]) -> Principal:
    if user.role not in roles:
        raise ApiError(403, f"this needs the role {' or '.join(roles)}")
    return user


def page_user(*roles: str) -> Callable[[Request], Principal]:
    """Dependency factory: the logged-in user if their role is one of ``roles``."""

    def dependency(request: Request) -> Principal:
        return _check_role(require_user(request), roles)

    return dependency


@dataclass(frozen=True, slots=True)
class Posted:
    """A form post that passed login, role and CSRF checks."""

    user: Principal
    fields: dict[str, str]
    """Each field's last value (text fields only)."""
    lists: dict[str, list[str]]
    """Every value of every field (checkbox groups)."""

    def get(self, name: str, default: str = "") -> str:
        """The field's value, stripped (``default`` when absent)."""
        return self.fields.get(name, default).strip()


async def read_form(request: Request) -> tuple[dict[str, str], dict[str, list[str]]]:
    """The posted fields (text values; uploads are refused)."""
    form = await request.form(max_fields=_MAX_FIELDS, max_files=0)
    fields: dict[str, str] = {}
    lists: dict[str, list[str]] = {}
    for name, value in form.multi_items():
        if isinstance(value, UploadFile):
            raise ApiError(422, "this form takes no files")
        fields[name] = value
        lists.setdefault(name, []).append(value)
    return fields, lists


def posted_form(*roles: str) -> Callable[[Request], Awaitable[Posted]]:
    """Dependency factory: the user (role one of ``roles``; no roles: any user or none)
    and the form, after the CSRF check."""

    async def dependency(request: Request) -> Posted:
        user = _check_role(require_user(request), roles) if roles else None
        fields, lists = await read_form(request)
        check_csrf(request, fields.get(CSRF_FIELD))
        return Posted(user, fields, lists) if user is not None else _anonymous(fields, lists)

    return dependency


def _anonymous(fields: dict[str, str], lists: dict[str, list[str]]) -> Posted:
    nobody = Principal(
        id=0, email="", role="anonymous", organization_id=None, organization=None, city=None
    )
    return Posted(nobody, fields, lists)


Staff = Annotated[Principal, Depends(page_user("staff", "admin"))]
Company = Annotated[Principal, Depends(page_user("company"))]
Admin = Annotated[Principal, Depends(page_user("admin"))]
AnyUser = Annotated[Principal, Depends(page_user("company", "staff", "admin"))]
StaffPost = Annotated[Posted, Depends(posted_form("staff", "admin"))]
CompanyPost = Annotated[Posted, Depends(posted_form("company"))]
OpenPost = Annotated[Posted, Depends(posted_form())]
"""A form anyone may post (login, language, logout), CSRF-checked."""
