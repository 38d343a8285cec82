"""Request and response models of the API.

Requests forbid unknown fields (422, never silently dropped) and check text
lengths after NFKC normalisation (what is stored is what is counted). Responses
come in families so that fields cannot leak: :class:`ListingPublic` (what any
member may see; used in suggestions and search), :class:`ListingOut` (plus the
state, for lists) and :class:`ListingDetail` (plus the contact fields, which are
filled only for the listing's own organisation).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from isa_match.schema import Category, Kind, Language, OrgType
from isa_match.text import normalize_line, normalize_text
from service.settings import K_DEFAULT, K_LIMIT

Lang = Literal["de", "zh", "en"]


def _limited(normalize: Callable[[str], str], limit: int) -> Callable[[str], str]:
    def check(value: str) -> str:
        text = normalize(value)
        if len(text) > limit:
            raise ValueError(f"at most {limit} characters (after normalisation), got {len(text)}")
        return text

    return check


def _line(limit: int) -> Any:
    return AfterValidator(_limited(normalize_line, limit))


def _nonempty(value: str) -> str:
    if not value:
        raise ValueError("must not be empty (after removing control characters and spaces)")
    return value


Title = Annotated[str, _line(200)]
Description = Annotated[str, AfterValidator(_limited(normalize_text, 5000))]
Name = Annotated[str, _line(200)]
Place = Annotated[str, _line(100)]
Code = Annotated[str, _line(20)]
Keyword = Annotated[str, _line(100)]
Email = Annotated[str, _line(254)]
Phone = Annotated[str, _line(64)]
FilterValue = Annotated[str, _line(100)]
QueryText = Annotated[
    str, AfterValidator(_limited(normalize_text, 2000)), AfterValidator(_nonempty)
]


# -- errors ---------------------------------------------------------------------------


class ErrorItem(BaseModel):
    """One problem with the input: where (``loc``), what (``msg``), which kind (``type``).

    Some problems add ``ctx`` (limits), ``fix`` (what to do) or ``suggestions``
    (known values close to an unknown one); submitted values are never echoed.
    """

    model_config = ConfigDict(extra="allow")

    loc: list[str | int]
    msg: str
    type: str
    ctx: dict[str, int | float] | None = None
    fix: str | None = None
    suggestions: list[str] | None = None


class ErrorOut(BaseModel):
    """Every error answer: a message, or for invalid input a list of problems."""

    detail: str | list[ErrorItem]


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


# -- listings -------------------------------------------------------------------------


class ListingCreate(_Request):
    """A new listing. A company user's listings always belong to their organisation
    (``organization``/``city``/``org_type`` may be left out); staff and admins name the
    organisation and (staff: their own) city."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "kind": "offer",
                    "category": "technology",
                    "title": "Wasserstoff-Elektrolyseure für Industrieparks",
                    "description": "Wir liefern PEM-Elektrolyseure von 1 bis 20 MW.",
                    "language": "de",
                    "organization": "Beispiel Wasserstoff GmbH",
                    "org_type": "company",
                    "city": "Köln",
                    "sector": ["C28"],
                    "keywords": ["Wasserstoff", "Elektrolyse"],
                }
            ]
        },
    )

    kind: Kind
    category: Category
    title: Title
    description: Description = ""
    language: Language | None = None
    organization: Name | None = None
    org_type: OrgType | None = None
    city: Place | None = None
    sector: list[Code] = Field(min_length=1, max_length=20)
    keywords: list[Keyword] = Field(default_factory=list, max_length=30)
    created_at: date | None = None
    expires_at: date | None = None
    contact_name: Name | None = None
    contact_email: Email | None = None
    contact_phone: Phone | None = None


class ListingUpdate(_Request):
    """Fields to change (PATCH); absent fields stay, ``null`` clears an optional field.
    The owning organisation and city cannot be changed."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"title": "Elektrolyseure von 1 bis 50 MW"}]},
    )

    kind: Kind | None = None
    category: Category | None = None
    title: Title | None = None
    description: Description | None = None
    language: Language | None = None
    sector: list[Code] | None = Field(default=None, min_length=1, max_length=20)
    keywords: list[Keyword] | None = Field(default=None, max_length=30)
    created_at: date | None = None
    expires_at: date | None = None
    contact_name: Name | None = None
    contact_email: Email | None = None
    contact_phone: Phone | None = None


class ListingPublic(BaseModel):
    """What any member may see of a listing (never contact data)."""

    id: str
    kind: Kind
    category: Category
    title: str
    description: str
    language: Language
    organization: str
    org_type: OrgType
    city: str
    country: str
    region: str
    sector: list[str]
    keywords: list[str]
    created_at: date
    expires_at: date | None


class ListingOut(ListingPublic):
    """A listing in a list of the caller's scope: public fields and state."""

    organization_id: int
    status: Literal["active", "withdrawn"]
    version: int
    updated_at: datetime


class ContactOut(BaseModel):
    """Personal contact data of a listing."""

    contact_name: str | None
    contact_email: str | None
    contact_phone: str | None


class ListingDetail(ListingOut):
    """One listing; ``contact`` is filled only for the listing's own organisation."""

    contact: ContactOut | None = None


class Problem(BaseModel):
    """A problem with the input (``type`` "warning" for ones that did not stop the write)."""

    loc: list[str | int]
    msg: str
    type: str
    fix: str | None = None


class ListingWritten(ListingDetail):
    """A created or updated listing, with warnings about its content."""

    warnings: list[Problem] = Field(default_factory=list)


class ListingPage(BaseModel):
    """One page of listings."""

    items: list[ListingOut]
    total: int
    page: int
    per_page: int


class ImportIssue(BaseModel):
    """One problem found in an uploaded file (contact values are never echoed)."""

    file: str
    row: int | None
    id: str | None
    field: str | None
    column: str | None
    value: str | None
    problem: str
    fix: str
    severity: Literal["error", "warning"]


class ImportReport(BaseModel):
    """The outcome of a bulk import."""

    file: str
    mode: Literal["strict", "lenient"]
    rows_read: int
    imported: int
    created: int
    updated: int
    rejected: int
    issues: list[ImportIssue]


class ImportFailed(BaseModel):
    """A strict import that found errors: nothing was imported."""

    detail: str
    report: ImportReport


# -- suggestions ----------------------------------------------------------------------


class FiltersIn(_Request):
    """Hard filters in any spelling people use (``Köln``, ``Cologne``, ``科隆``; ``20.1``)."""

    country: list[FilterValue] | None = Field(default=None, max_length=50)
    city: list[FilterValue] | None = Field(default=None, max_length=50)
    region: list[FilterValue] | None = Field(default=None, max_length=50)
    sector: list[FilterValue] | None = Field(default=None, max_length=50)
    category: list[FilterValue] | None = Field(default=None, max_length=50)
    kind: list[FilterValue] | None = Field(default=None, max_length=50)
    org_type: list[FilterValue] | None = Field(default=None, max_length=50)
    language: list[FilterValue] | None = Field(default=None, max_length=50)


class SearchRequest(_Request):
    """A free-text search: the text, the kind of listing it describes, filters."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "text": "Partner für Batterierecycling gesucht",
                    "kind": "request",
                    "k": 5,
                    "filters": {"country": ["CN"]},
                    "lang": "de",
                }
            ]
        },
    )

    text: QueryText
    kind: Kind | None = None
    k: int = Field(default=K_DEFAULT, ge=1, le=K_LIMIT)
    filters: FiltersIn | None = None
    lang: Lang | None = None


class ReasonOut(BaseModel):
    """Why a partner was suggested; one language filled when ``lang`` was given."""

    code: str
    de: str | None = None
    zh: str | None = None
    en: str | None = None


class MatchOut(BaseModel):
    """One suggested partner listing (public fields only)."""

    id: str
    score: float
    components: dict[str, float]
    reasons: list[ReasonOut]
    listing: ListingPublic
    duplicates: list[str]


class SuggestionsOut(BaseModel):
    """Suggestions for a listing or a text."""

    listing_id: str | None = None
    k: int
    items: list[MatchOut]


# -- accounts -------------------------------------------------------------------------


class Token(BaseModel):
    """An OAuth2 bearer token."""

    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int


class OrganizationOut(BaseModel):
    """An organisation of a member city."""

    id: int
    name: str
    city: str
    org_type: OrgType


class UserOut(BaseModel):
    """The caller's account."""

    id: int
    email: str
    role: Literal["company", "staff", "admin"]
    organization: OrganizationOut | None
    city: str | None
