"""The page router and its installation into the app (router, static files, headers)."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI
from fastapi.staticfiles import StaticFiles

from service.web import admin_pages, auth_pages, company_pages, review_pages
from service.web.render import STATIC
from service.web.security import PageSecurityHeaders

STATIC_PATH = "/static"


def web_router() -> APIRouter:
    """Every page route (none of them in the OpenAPI document)."""
    root = APIRouter(include_in_schema=False)
    for module in (auth_pages, review_pages, company_pages, admin_pages):
        root.include_router(module.router)
    return root


def install_web(app: FastAPI) -> None:
    """Add the review pages to ``app``: the page routes, ``/static`` and the pages'
    security headers (Content-Security-Policy ...)."""
    app.include_router(web_router())
    app.mount(STATIC_PATH, StaticFiles(directory=STATIC), name="static")
    app.add_middleware(PageSecurityHeaders)
