"""The API routers, one module per resource, all under ``/api/v1``.

A new router module adds itself to :data:`ROUTERS` (the order is the order in
the OpenAPI document).
"""

from __future__ import annotations

from fastapi import APIRouter

from service.routers import admin, auth, interests, listings, matchlists, suggestions, system

API_PREFIX = "/api/v1"

ROUTERS: list[APIRouter] = [
    auth.router,
    listings.router,
    suggestions.router,
    matchlists.router,
    interests.router,
    admin.router,
    system.router,
]


def api_router() -> APIRouter:
    """One router holding every resource router under :data:`API_PREFIX`."""
    root = APIRouter(prefix=API_PREFIX)
    for router in ROUTERS:
        root.include_router(router)
    return root
