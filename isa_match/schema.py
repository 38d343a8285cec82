"""The listing model and the neutral filter form shared by every layer.

A :class:`Listing` is one offer or request posted by an organisation of an ISA
member city. Everything on it except :attr:`Listing.contact` may be shown to
other members; the contact fields are personal data and are kept in a
separate :class:`Contact` object that :meth:`Listing.public_dict` never emits.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any, Protocol


class Kind(StrEnum):
    """Whether a listing offers something or asks for it."""

    OFFER = "offer"
    REQUEST = "request"


class Category(StrEnum):
    """What a listing is about (the ISA database's categories)."""

    PRODUCT = "product"
    TECHNOLOGY = "technology"
    SPACE = "space"
    EVENT = "event"
    COOPERATION = "cooperation"
    INVESTMENT = "investment"
    SERVICE = "service"


class Language(StrEnum):
    """Language of a listing's text."""

    DE = "de"
    ZH = "zh"
    EN = "en"


class OrgType(StrEnum):
    """Kind of organisation that posted a listing."""

    COMPANY = "company"
    RESEARCH = "research"
    PUBLIC = "public"


class Country(StrEnum):
    """The two countries of the alliance."""

    DE = "DE"
    CN = "CN"


# Field names of the personal contact data, as they appear in input files.
CONTACT_FIELDS: tuple[str, ...] = ("contact_name", "contact_email", "contact_phone")


@dataclass(frozen=True, slots=True)
class Contact:
    """Personal contact data of a listing; never shown before mutual interest."""

    name: str | None = None
    email: str | None = None
    phone: str | None = None

    def is_empty(self) -> bool:
        """True when no contact field is set."""
        return not (self.name or self.email or self.phone)

    def as_dict(self) -> dict[str, str | None]:
        """The contact fields under their input-file names."""
        return {
            "contact_name": self.name,
            "contact_email": self.email,
            "contact_phone": self.phone,
        }


@dataclass(frozen=True, slots=True)
class Listing:
    """One validated offer or request.

    ``city`` is the canonical id of an ISA member (see
    :mod:`isa_match.reference`); ``country`` and ``region`` (an ISO 3166-2 code
    such as ``DE-NW`` or ``CN-GD``) are derived from it. ``sector`` holds
    normalised NACE Rev. 2 codes: a division such as ``"C20"`` or, where only
    the section is known, a section letter such as ``"M"``.
    """

    id: str
    kind: Kind
    category: Category
    title: str
    description: str
    language: Language
    organization: str
    org_type: OrgType
    city: str
    country: Country
    region: str
    sector: tuple[str, ...]
    created_at: date
    expires_at: date | None = None
    keywords: tuple[str, ...] = ()
    contact: Contact | None = field(default=None, repr=False, compare=False)

    @property
    def sections(self) -> tuple[str, ...]:
        """The NACE section letters of :attr:`sector`, in order, without repeats."""
        return tuple(dict.fromkeys(code[0] for code in self.sector))

    @property
    def text(self) -> str:
        """Title and description joined: the text that is embedded and searched."""
        return f"{self.title}\n{self.description}" if self.description else self.title

    def is_expired(self, on: date) -> bool:
        """True when the listing has expired before ``on``."""
        return self.expires_at is not None and self.expires_at < on

    def public_dict(self) -> dict[str, Any]:
        """JSON-ready fields that any member may see (no contact data)."""
        return {
            "id": self.id,
            "kind": self.kind.value,
            "category": self.category.value,
            "title": self.title,
            "description": self.description,
            "language": self.language.value,
            "organization": self.organization,
            "org_type": self.org_type.value,
            "city": self.city,
            "country": self.country.value,
            "region": self.region,
            "sector": list(self.sector),
            "keywords": list(self.keywords),
            "created_at": self.created_at.isoformat(),
            "expires_at": self.expires_at.isoformat() if self.expires_at else None,
        }

    def full_dict(self) -> dict[str, Any]:
        """All fields including contact data, in the input-file layout.

        Only for the owner's own exports and for round-tripping files; never
        for anything shown to another member.
        """
        out = self.public_dict()
        out.update((self.contact or Contact()).as_dict())
        return out


_ENUM_FIELDS: dict[str, frozenset[str]] = {
    "country": frozenset(c.value for c in Country),
    "category": frozenset(c.value for c in Category),
    "kind": frozenset(k.value for k in Kind),
    "org_type": frozenset(o.value for o in OrgType),
    "language": frozenset(lang.value for lang in Language),
}
_PATTERN_FIELDS: tuple[tuple[str, re.Pattern[str], str], ...] = (
    ("sector", re.compile(r"[A-U](?:\d\d)?"), "'C' or 'C20'"),
    ("region", re.compile(r"(?:DE|CN)-[A-Z]{2}"), "'DE-NW' or 'CN-GD'"),
    ("city", re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*"), "'koeln' or 'baoan'"),
)


def _frozen(values: Iterable[str] | str | None) -> frozenset[str] | None:
    if values is None:
        return None
    if isinstance(values, str):
        return frozenset({values})
    return frozenset(values)


@dataclass(frozen=True, slots=True)
class Filters:
    """Hard filters in a neutral form that every index backend translates.

    Each field is ``None`` (no constraint) or a set of accepted values (the
    listing passes when it has any of them). Values are canonical: city ids,
    ISO 3166-2 region codes, NACE codes, enum values. A ``sector`` value that is
    a section letter (``"C"``) accepts every division of that section; a
    division (``"C20"``) accepts that division only. ``active_on`` drops
    listings that expired before that day; ``exclude_ids`` drops those ids.
    Resolving user input (aliases, labels) into this form is the job of
    :func:`isa_match.reference` helpers, not of the backends.
    """

    country: frozenset[str] | None = None
    city: frozenset[str] | None = None
    region: frozenset[str] | None = None
    sector: frozenset[str] | None = None
    category: frozenset[str] | None = None
    kind: frozenset[str] | None = None
    org_type: frozenset[str] | None = None
    language: frozenset[str] | None = None
    active_on: date | None = None
    exclude_ids: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        # Canonical values only: a lower-case "de" or a label would silently match nothing.
        for name, allowed in _ENUM_FIELDS.items():
            values = getattr(self, name)
            if values is None:
                continue
            bad = sorted(v for v in values if v not in allowed)
            if bad:
                raise ValueError(
                    f"filter {name}: {', '.join(map(repr, bad))} not one of "
                    f"{', '.join(sorted(allowed))}"
                )
        for name, pattern, example in _PATTERN_FIELDS:
            values = getattr(self, name)
            if values is None:
                continue
            bad = sorted(v for v in values if not pattern.fullmatch(v))
            if bad:
                raise ValueError(
                    f"filter {name}: {', '.join(map(repr, bad))} not in canonical form "
                    f"(e.g. {example}); resolve user input with isa_match.reference first"
                )

    @classmethod
    def of(cls, **kwargs: Any) -> Filters:
        """Build filters from plain values: a string, an iterable of strings or None."""
        sets = {
            name: _frozen(kwargs.pop(name, None))
            for name in (
                "country",
                "city",
                "region",
                "sector",
                "category",
                "kind",
                "org_type",
                "language",
            )
        }
        active_on = kwargs.pop("active_on", None)
        exclude = kwargs.pop("exclude_ids", None)
        if kwargs:
            raise TypeError(f"unknown filter field(s): {', '.join(sorted(kwargs))}")
        return cls(**sets, active_on=active_on, exclude_ids=_frozen(exclude) or frozenset())

    def is_empty(self) -> bool:
        """True when the filters accept every listing."""
        return self == Filters()

    def matches(self, item: Filterable) -> bool:
        """The reference semantics of the filters for one item (the oracle).

        ``item`` is a :class:`Listing` or anything with the same filterable
        fields as strings (an index's stored metadata), so every backend is
        checked against this one definition.
        """
        if item.id in self.exclude_ids:
            return False
        if self.active_on is not None and item.expires_at is not None:
            if item.expires_at < self.active_on:
                return False
        # str(): enum members hash by name, so only their string value may meet a set
        scalar = (
            (self.country, item.country),
            (self.city, item.city),
            (self.region, item.region),
            (self.category, item.category),
            (self.kind, item.kind),
            (self.org_type, item.org_type),
            (self.language, item.language),
        )
        if any(accepted is not None and str(value) not in accepted for accepted, value in scalar):
            return False
        if self.sector is not None:
            return any(code in self.sector or code[:1] in self.sector for code in item.sector)
        return True


class Filterable(Protocol):
    """What :meth:`Filters.matches` reads: the filterable fields of a listing."""

    @property
    def id(self) -> str: ...
    @property
    def country(self) -> str: ...
    @property
    def city(self) -> str: ...
    @property
    def region(self) -> str: ...
    @property
    def sector(self) -> tuple[str, ...]: ...
    @property
    def category(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def org_type(self) -> str: ...
    @property
    def language(self) -> str: ...
    @property
    def expires_at(self) -> date | None: ...
