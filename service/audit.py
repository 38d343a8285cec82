"""The audit log: who did what to which object, when (never a copy of contact data).

Call :func:`record` inside the transaction that makes the change, so the entry
is committed with it or not at all.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from service.models import AuditEntry

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
