"""The audit log: who did what to which object, when (never a copy of contact data).

Call :func:`record` inside the transaction that makes the change, so the entry
is committed with it or not at all. Audited actions (``object.verb``):

* listing changes: ``listing.create``, ``listing.update``, ``listing.withdraw``,
  ``listing.import``; ``index.rebuild``; ``sample.import``, ``user.create`` (CLI);
* review: ``decision.create`` (one entry per decision, bulk included);
* interest: ``interest.create``, ``interest.withdraw``, ``contact.reveal`` (whose
  contact was shown to whom; never the contact itself);
* accounts: ``user.update`` (role, city, organisation, active: old and new values);
* exports: ``<what>.export`` through :func:`record_export`. The decisions export
  uses it; a CSV/XLSX export of the web UI records itself the same way, inside
  the request that streams the file::

      with database.write_session() as db:
          audit.record_export(db, user.id, "listings", fmt="xlsx", rows=len(rows),
                              filters={"city": "koeln", "status": "active"})
          db.commit()

:func:`entries` reads the log for the admin API, newest first.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service.models import AuditEntry, User

# Keys that would copy personal data into the log; refused outright.
_FORBIDDEN = frozenset({"contact", "contact_name", "contact_email", "contact_phone"})


def _check(details: Any, path: str = "details") -> None:
    if isinstance(details, dict):
        for key, value in details.items():
            if str(key) in _FORBIDDEN:
                raise ValueError(f"{path}.{key}: contact data never goes into the audit log")
            _check(value, f"{path}.{key}")
    elif isinstance(details, list | tuple):
        for pos, value in enumerate(details):
            _check(value, f"{path}[{pos}]")


def record(
    db: Session,
    user_id: int | None,
    action: str,
    object_type: str,
    object_id: str | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEntry:
    """Add an audit entry to ``db``'s transaction.

    Args:
        db: the session making the change.
        user_id: who (None for the system, e.g. the first-start import).
        action: what, as ``object.verb`` (``listing.create``, ``contact.reveal``).
        object_type: the kind of object (``listing``, ``user``, ``decision``).
        object_id: its id.
        details: JSON-ready facts (ids, counts, changed field names; no contact data).

    Raises:
        ValueError: ``details`` holds a contact field.
    """
    _check(details or {})
    entry = AuditEntry(
        user_id=user_id,
        action=action,
        object_type=object_type,
        object_id=object_id,
        details=details or {},
    )
    db.add(entry)
    return entry


def record_export(
    db: Session,
    user_id: int,
    what: str,
    *,
    fmt: str,
    rows: int,
    filters: dict[str, Any] | None = None,
) -> AuditEntry:
    """Audit an export: action ``<what>.export``, object ``export``/``fmt``.

    Args:
        db: a session whose transaction is committed by the caller.
        user_id: who exported.
        what: what was exported (``decisions``, ``listings``, ``matchlist``).
        fmt: the file format (``json``, ``csv``, ``xlsx``).
        rows: how many records left the system.
        filters: the filters that chose them (JSON-ready; no contact data).
    """
    return record(
        db, user_id, f"{what}.export", "export", fmt, {"rows": rows, "filters": filters or {}}
    )


@dataclass(frozen=True, slots=True)
class EntryView:
    """One audit entry with the acting user's login name."""

    entry: AuditEntry
    user_email: str | None


def entries(
    db: Session,
    *,
    action: str | None = None,
    user_id: int | None = None,
    object_type: str | None = None,
    object_id: str | None = None,
    page: int = 1,
    page_size: int = 50,
) -> tuple[list[EntryView], int]:
    """One page of the log (newest first) and the number of matching entries.

    ``action`` matches exactly, or every action of an object type when it ends
    with ``.*`` (``contact.*``).
    """
    where = []
    if action is not None:
        if action.endswith(".*"):
            where.append(AuditEntry.action.startswith(action[:-1], autoescape=True))
        else:
            where.append(AuditEntry.action == action)
    if user_id is not None:
        where.append(AuditEntry.user_id == user_id)
    if object_type is not None:
        where.append(AuditEntry.object_type == object_type)
    if object_id is not None:
        where.append(AuditEntry.object_id == object_id)
    total = db.scalar(select(func.count()).select_from(AuditEntry).where(*where)) or 0
    rows = db.execute(
        select(AuditEntry, User.email)
        .outerjoin(User, User.id == AuditEntry.user_id)
        .where(*where)
        .order_by(AuditEntry.id.desc())
        .offset((page - 1) * page_size)
        .limit(page_size)
    ).all()
    return [EntryView(entry, email) for entry, email in rows], total
