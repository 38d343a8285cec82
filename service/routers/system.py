"""``/health`` (no login) and the index status and rebuild (admins)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, status

from service import audit
from service.auth import Principal, require_roles
from service.deps import DatabaseDep, EngineDep

router = APIRouter(tags=["system"])

Admin = Annotated[Principal, Depends(require_roles("admin"))]


@router.get("/health")
def health(engine: EngineDep) -> dict[str, Any]:
    """``ok`` when the index is served, ``starting`` while it is first built."""
    return {"status": "ok" if engine.ready else "starting"}


@router.get("/system/index")
def index_status(_: Admin, engine: EngineDep) -> dict[str, Any]:
    """Listing count, watermarks, unsaved changes and rebuilds of the served index."""
    return engine.status()


@router.post("/system/index/rebuild", status_code=status.HTTP_202_ACCEPTED)
def rebuild_index(user: Admin, engine: EngineDep, database: DatabaseDep) -> dict[str, Any]:
    """Rebuild the index from the database in the background (searches keep running)."""
    with database.session() as db:
        audit.record(db, user.id, "index.rebuild", "index", None, {})
        db.commit()
    engine.rebuild(f"requested by user {user.id}")
    return {"status": "rebuilding"}
