"""The listing form: form fields ↔ the API's request models, and errors per field.

A posted form is turned into the body the API would receive
(:class:`~service.schemas.ListingCreate` / :class:`~service.schemas.ListingUpdate`)
and written by the same service functions, so the page shows exactly the API's
validation messages (and fixes), each next to its field.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from isa_match.schema import Category, Kind
from service.errors import ApiError, clean_error
from service.schemas import ListingCreate, ListingDetail, ListingUpdate

FIELDS = (
    "kind",
    "category",
    "title",
    "description",
    "language",
    "sector",
    "keywords",
    "expires_at",
    "contact_name",
    "contact_email",
    "contact_phone",
)
LIST_FIELDS = frozenset({"sector", "keywords"})
KINDS = tuple(k.value for k in Kind)
CATEGORIES = tuple(c.value for c in Category)
FORM_ERROR = "_form"
"""Key of problems that belong to no single field."""
_SPLIT = re.compile(r"[,;，；、\n]+")


@dataclass
class FormState:
    """What the form shows: field values and problems per field."""

    values: dict[str, str]
    errors: dict[str, list[str]] = field(default_factory=dict)

    def add(self, name: str, message: str) -> None:
        """Attach ``message`` to field ``name`` (or to the form)."""
        key = name if name in FIELDS else FORM_ERROR
        self.errors.setdefault(key, []).append(message)


def empty_values() -> dict[str, str]:
    """A blank form."""
    return {name: "" for name in FIELDS}


def posted_values(fields: Mapping[str, str]) -> dict[str, str]:
    """The form's field values as posted (unknown fields ignored)."""
    return {name: fields.get(name, "") for name in FIELDS}


def values_of(detail: ListingDetail) -> dict[str, str]:
    """A stored listing as form values (contact fields: the owner's own view)."""
    contact = detail.contact
    return {
        "kind": detail.kind.value,
        "category": detail.category.value,
        "title": detail.title,
        "description": detail.description,
        "language": detail.language.value,
        "sector": ", ".join(detail.sector),
        "keywords": ", ".join(detail.keywords),
        "expires_at": detail.expires_at.isoformat() if detail.expires_at else "",
        "contact_name": (contact.contact_name or "") if contact else "",
        "contact_email": (contact.contact_email or "") if contact else "",
        "contact_phone": (contact.contact_phone or "") if contact else "",
    }


def _split(text: str) -> list[str]:
    return [part.strip() for part in _SPLIT.split(text) if part.strip()]


def body(values: Mapping[str, str], *, update: bool) -> dict[str, Any]:
    """The API body of the form: empty fields left out of a new listing (the API then
    says which are required), sent as ``null`` in an update (clearing them)."""
    out: dict[str, Any] = {}
    for name in FIELDS:
        raw = values.get(name, "")
        value: Any = _split(raw) if name in LIST_FIELDS else raw.strip()
        if name == "description":
            value = raw.strip()
        if value in ("", []):
            if not update:
                continue
            value = "" if name == "description" else ([] if name in LIST_FIELDS else None)
        out[name] = value
    return out


def _field_of(loc: list[Any]) -> str:
    parts = [str(x) for x in loc if x != "body"]
    return parts[0] if parts else FORM_ERROR


def add_validation_errors(state: FormState, exc: ValidationError) -> None:
    """The request model's errors, worded as the API words them."""
    for error in exc.errors():
        item = clean_error(dict(error))
        state.add(_field_of(list(item["loc"])), item["msg"])


def add_api_errors(state: FormState, exc: ApiError) -> None:
    """A 4xx of the listing service: per-field items (``msg`` and ``fix``) or a message."""
    if isinstance(exc.detail, list):
        for item in exc.detail:
            message = str(item.get("msg", ""))
            if item.get("fix"):
                message += f" – {item['fix']}"
            state.add(_field_of(list(item.get("loc", ()))), message)
    else:
        state.add(FORM_ERROR, str(exc.detail))


def parse_create(state: FormState) -> ListingCreate | None:
    """The new listing of the form, or None with the problems in ``state``."""
    try:
        return ListingCreate.model_validate(body(state.values, update=False))
    except ValidationError as exc:
        add_validation_errors(state, exc)
        return None


def parse_update(state: FormState) -> ListingUpdate | None:
    """The changes of the edit form, or None with the problems in ``state``."""
    try:
        return ListingUpdate.model_validate(body(state.values, update=True))
    except ValidationError as exc:
        add_validation_errors(state, exc)
        return None
