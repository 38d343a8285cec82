"""The listing model and the reference semantics of Filters."""

from __future__ import annotations

import json
from datetime import date

import pytest

from isa_match.schema import (
    Category,
    Contact,
    Country,
    Filters,
    Kind,
    Language,
    Listing,
    OrgType,
)


def make(id: str = "L1", **changes: object) -> Listing:
    base: dict[str, object] = dict(
        id=id,
        kind=Kind.REQUEST,
        category=Category.PRODUCT,
        title="Lithiumcarbonat gesucht",
        description="Batteriequalität, 20 t pro Monat.",
        language=Language.DE,
        organization="Rheinland Kathoden GmbH",
        org_type=OrgType.COMPANY,
        city="koeln",
        country=Country.DE,
        region="DE-NW",
        sector=("C20", "C27"),
        created_at=date(2026, 1, 5),
        expires_at=date(2026, 12, 31),
        contact=Contact("Anna Schmidt", "anna@example.com", "+49 30 5550123"),
    )
    base.update(changes)
    return Listing(**base)  # type: ignore[arg-type]


def test_public_dict_never_contains_contact_data() -> None:
    listing = make()
    public = json.dumps(listing.public_dict(), ensure_ascii=False)
    for secret in ("Anna Schmidt", "anna@example.com", "5550123"):
        assert secret not in public
    assert "contact" not in repr(listing)
    full = listing.full_dict()
    assert full["contact_email"] == "anna@example.com"


def test_sections_and_text() -> None:
    listing = make(sector=("C20", "C27", "M", "C28"))
    assert listing.sections == ("C", "M")
    assert listing.text == "Lithiumcarbonat gesucht\nBatteriequalität, 20 t pro Monat."
    assert make(description="").text == "Lithiumcarbonat gesucht"


def test_expiry_is_judged_on_a_day() -> None:
    listing = make(expires_at=date(2026, 6, 30))
    assert not listing.is_expired(date(2026, 6, 30))
    assert listing.is_expired(date(2026, 7, 1))
    assert not make(expires_at=None).is_expired(date(2100, 1, 1))


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (Filters(), True),
        (Filters.of(country="DE"), True),
        (Filters.of(country="CN"), False),
        (Filters.of(country=["CN", "DE"]), True),
        (Filters.of(city="koeln"), True),
        (Filters.of(city="foshan"), False),
        (Filters.of(region="DE-NW"), True),
        (Filters.of(region="DE-BY"), False),
        (Filters.of(sector="C"), True),
        (Filters.of(sector="C27"), True),
        (Filters.of(sector="C28"), False),
        (Filters.of(sector=["M", "C28"]), False),
        (Filters.of(category="product"), True),
        (Filters.of(category="space"), False),
        (Filters.of(kind="offer"), False),
        (Filters.of(org_type="research"), False),
        (Filters.of(language=["zh", "en"]), False),
        (Filters.of(active_on=date(2026, 12, 31)), True),
        (Filters.of(active_on=date(2027, 1, 1)), False),
        (Filters.of(exclude_ids=["L1"]), False),
        (Filters.of(exclude_ids="L2"), True),
        (Filters.of(country="DE", sector="C20", kind="request"), True),
        (Filters.of(country="DE", sector="C20", kind="offer"), False),
    ],
)
def test_filter_semantics(filters: Filters, expected: bool) -> None:
    assert filters.matches(make()) is expected


def test_filters_of_rejects_unknown_fields() -> None:
    with pytest.raises(TypeError, match="colour"):
        Filters.of(colour="red")
    assert Filters.of().is_empty()
    assert not Filters.of(city="koeln").is_empty()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("country", "de", "not one of CN, DE"),
        ("kind", "Angebot", "not one of offer, request"),
        ("category", "products", "not one of"),
        ("language", "DE", "not one of de, en, zh"),
        ("org_type", "firm", "not one of"),
        ("sector", "c20", "canonical form"),
        ("sector", "20", "canonical form"),
        ("region", "NRW", "canonical form"),
        ("city", "Köln", "canonical form"),
    ],
)
def test_filters_refuse_non_canonical_values(field: str, value: str, message: str) -> None:
    with pytest.raises(ValueError, match=message) as caught:
        Filters.of(**{field: value})
    assert field in str(caught.value) and repr(value) in str(caught.value)
