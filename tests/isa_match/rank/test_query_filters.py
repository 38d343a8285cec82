"""resolve_filters: filter values as people type them (aliases, any case) to canonical Filters."""

from __future__ import annotations

from datetime import date

import pytest

from isa_match.rank.query_filters import FILTER_FIELDS, FilterValueError, resolve_filters
from isa_match.schema import Category, Country, Filters, Kind, Language, Listing, OrgType


def listing(city: str, region: str, country: Country, sector: tuple[str, ...]) -> Listing:
    return Listing(
        id="X-1",
        kind=Kind.OFFER,
        category=Category.SPACE,
        title="Reinraumflächen",
        description="",
        language=Language.DE,
        organization="Standortagentur",
        org_type=OrgType.PUBLIC,
        city=city,
        country=country,
        region=region,
        sector=sector,
        created_at=date(2026, 1, 1),
    )


def test_nothing_given_means_no_constraint() -> None:
    assert resolve_filters() == Filters()
    assert resolve_filters(city=[], sector=None).is_empty()


@pytest.mark.parametrize("name", ["Köln", "koeln", "Cologne", "KÖLN", "Koeln", "科隆", " cologne "])
def test_city_in_any_language_and_spelling(name: str) -> None:
    assert resolve_filters(city=name).city == frozenset({"koeln"})


def test_several_values_collapse_after_resolution() -> None:
    filters = resolve_filters(city=["Köln", "Cologne", "佛山"], sector=["c20", "20", "C 20", "M"])
    assert filters.city == frozenset({"koeln", "foshan"})
    assert filters.sector == frozenset({"C20", "M"})


@pytest.mark.parametrize(
    ("text", "code"),
    [("NRW", "DE-NW"), ("Nordrhein-Westfalen", "DE-NW"), ("de-nw", "DE-NW"), ("广东", "CN-GD")],
)
def test_region_by_code_or_name(text: str, code: str) -> None:
    assert resolve_filters(region=text).region == frozenset({code})


@pytest.mark.parametrize(
    ("text", "code"),
    [("DE", "DE"), ("de", "DE"), ("Germany", "DE"), ("德国", "DE"), ("cn", "CN"), ("中国", "CN")],
)
def test_country_names(text: str, code: str) -> None:
    assert resolve_filters(country=text).country == frozenset({code})


def test_enum_fields_ignore_case_and_separators() -> None:
    filters = resolve_filters(
        category=["Technology", "SPACE"],
        kind="Offer",
        org_type="Research",
        language=["ZH", "German", "中文"],
    )
    assert filters.category == frozenset({"technology", "space"})
    assert filters.kind == frozenset({"offer"})
    assert filters.org_type == frozenset({"research"})
    assert filters.language == frozenset({"zh", "de"})


def test_resolved_filters_select_the_right_listings() -> None:
    koeln = listing("koeln", "DE-NW", Country.DE, ("L68",))
    foshan = listing("foshan", "CN-GD", Country.CN, ("C20",))
    by_alias = resolve_filters(city="Cologne")
    assert by_alias.matches(koeln) and not by_alias.matches(foshan)
    by_section = resolve_filters(sector="c", region="广东")
    assert by_section.matches(foshan) and not by_section.matches(koeln)


@pytest.mark.parametrize(
    ("field", "value", "expected", "suggestion"),
    [
        ("city", "Kolne", "unknown ISA member city 'Kolne'; did you mean: Köln", "Köln"),
        ("region", "Bayrn", "unknown region 'Bayrn'; did you mean: Bayern", "Bayern"),
        ("sector", "Z9", "unknown NACE code 'Z9'", None),
        ("sector", "B20", "belongs to section C", "C20"),
        ("country", "FR", "unknown country 'FR'; use DE (Germany) or CN (China)", None),
        ("category", "prodcut", "did you mean product? use one of: product, technology", "product"),
        ("kind", "offers", "did you mean offer? use one of: offer, request", "offer"),
        ("org_type", "ngo", "unknown org type 'ngo'; use one of: company, research, public", None),
        ("language", "fr", "unknown language 'fr'; use one of: de, zh, en", None),
    ],
)
def test_unknown_values_name_field_value_and_fix(
    field: str, value: str, expected: str, suggestion: str | None
) -> None:
    with pytest.raises(FilterValueError) as info:
        resolve_filters(**{field: [value]})
    error = info.value
    assert isinstance(error, ValueError)
    assert error.field == field and error.value == value
    assert expected in str(error)
    if suggestion is not None:
        assert suggestion in error.suggestions


def test_one_bad_value_among_good_ones_is_not_dropped() -> None:
    with pytest.raises(FilterValueError, match="Kolne"):
        resolve_filters(city=["Köln", "Kolne"])


@pytest.mark.parametrize("field", FILTER_FIELDS)
def test_blank_values_are_errors(field: str) -> None:
    with pytest.raises(FilterValueError, match="empty") as info:
        resolve_filters(**{field: "  "})
    assert info.value.field == field


def test_non_text_values_are_errors() -> None:
    with pytest.raises(FilterValueError, match="expected text, got int"):
        resolve_filters(sector=[20])  # type: ignore[list-item]
