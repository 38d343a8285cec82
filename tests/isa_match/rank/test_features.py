"""The pair scoring components of isa_match.rank.features."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from isa_match import load_listings, read_pairs
from isa_match._paths import data_dir
from isa_match.rank.features import (
    CATEGORY_COMPATIBILITY,
    SECTOR_SCORES,
    ListingProfile,
    category_fit,
    category_matrix,
    category_table,
    complement_pairs,
    complements,
    counterpart_kinds,
    cross_border,
    freshness,
    is_counterpart,
    load_complements,
    location_fit,
    profile_of,
    sector_fit,
    text_location_fit,
)
from isa_match.rank.places import find_places
from isa_match.reference import ReferenceDataError, sectors
from isa_match.schema import Category, Contact, Country, Kind, Language, Listing, OrgType

TODAY = date(2026, 11, 1)
SAMPLE = data_dir("sample")


def make(id: str = "L1", **changes: Any) -> Listing:
    base: dict[str, Any] = dict(
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
        sector=("C20",),
        created_at=date(2026, 1, 5),
        expires_at=date(2027, 12, 31),
        contact=Contact("Anna Schmidt", "anna@example.com", "+49 30 5550123"),
    )
    base.update(changes)
    return Listing(**base)


def offer_in(city: str, region: str, country: Country, **changes: Any) -> Listing:
    return make(
        changes.pop("id", "O1"),
        kind=Kind.OFFER,
        city=city,
        region=region,
        country=country,
        **changes,
    )


@pytest.fixture(scope="module")
def sample() -> dict[str, Listing]:
    return {x.id: x for x in load_listings(SAMPLE / "listings.jsonl", today=TODAY).listings}


@pytest.fixture(scope="module")
def pairs() -> list[tuple[str, str]]:
    return read_pairs(SAMPLE / "pairs.jsonl")


# -- sector fit -------------------------------------------------------------------


def test_sector_fit_kinds() -> None:
    a = make(sector=("C20", "M72"))
    division = sector_fit(a, make(sector=("C27", "C20")))
    assert (division.kind, division.score, division.a_code, division.b_code) == (
        "division",
        1.0,
        "C20",
        "C20",
    )
    complement = sector_fit(make(sector=("C20",)), make(sector=("C22",)))
    assert complement.kind == "complement" and complement.score == SECTOR_SCORES["complement"]
    assert complement.complement is not None
    assert {complement.complement.a, complement.complement.b} == {"C20", "C22"}
    section = sector_fit(make(sector=("C20",)), make(sector=("C31",)))
    assert (section.kind, section.score, section.a_code, section.b_code) == (
        "section",
        0.5,
        "C20",
        "C31",
    )
    none = sector_fit(make(sector=("A01",)), make(sector=("J62",)))
    assert (none.kind, none.score, none.complement) == ("none", 0.0, None)
    assert sector_fit(make(sector=()), make(sector=("C20",))).kind == "none"


def test_sector_fit_is_symmetric_in_kind_and_reports_each_sides_code() -> None:
    a, b = make(sector=("C22",)), make(sector=("C20",))
    forward, backward = sector_fit(a, b), sector_fit(b, a)
    assert forward.kind == backward.kind == "complement"
    assert (forward.a_code, forward.b_code) == ("C22", "C20")
    assert (backward.a_code, backward.b_code) == ("C20", "C22")


def test_section_entries_cover_every_division_and_bare_sections() -> None:
    # ("M72", "C"): research complements every manufacturing division and the bare "C".
    assert sector_fit(make(sector=("M72",)), make(sector=("C25",))).kind == "complement"
    assert sector_fit(make(sector=("C",)), make(sector=("M72",))).kind == "complement"
    # A bare section shares only the section with a division of it.
    assert sector_fit(make(sector=("C",)), make(sector=("C20",))).kind == "section"
    assert sector_fit(make(sector=("M",)), make(sector=("M",))).kind == "section"


def test_custom_scores_pick_the_best_kind() -> None:
    a, b = make(sector=("C20",)), make(sector=("C22",))  # complementary and same section
    scores = {"division": 1.0, "complement": 0.3, "section": 0.4, "none": 0.0}
    fit = sector_fit(a, b, scores=scores)
    assert (fit.kind, fit.score) == ("section", 0.4)


def test_sector_fit_with_another_table(tmp_path: Path) -> None:
    path = _write_table(tmp_path, [_entry("A01", "J62")])
    table = load_complements(path)
    assert sector_fit(make(sector=("A01",)), make(sector=("J62",)), table=table).kind == (
        "complement"
    )
    assert sector_fit(make(sector=("C20",)), make(sector=("C22",)), table=table).kind == "section"


# -- the complement table --------------------------------------------------------------


def test_every_code_in_the_shipped_table_is_a_canonical_nace_code() -> None:
    table = sectors()
    shipped = complements()
    assert 30 <= len(shipped) <= 60
    for entry in shipped:
        for code in (entry.a, entry.b):
            assert table.normalize(code) == code, (entry, code)
        for lang in ("de", "zh", "en"):
            assert 0 < len(entry.reason(lang)) <= 56


def test_shipped_table_is_symmetric_and_without_repeats() -> None:
    shipped = complements()
    keys = [frozenset((e.a, e.b)) for e in shipped]
    assert len(set(keys)) == len(keys)
    for entry in shipped:
        assert shipped.find(entry.a, entry.b) is entry
        assert shipped.find(entry.b, entry.a) is entry
    assert complement_pairs() == [(e.a, e.b) for e in shipped]
    assert complements() is complements()  # loaded once


def _entry(a: str, b: str, **changes: str) -> dict[str, str]:
    entry = {"a": a, "b": b, "reason_de": "Grund", "reason_zh": "原因", "reason_en": "reason"}
    entry.update(changes)
    return entry


def _write_table(tmp_path: Path, pairs: list[dict[str, str]]) -> Path:
    path = tmp_path / "complements.json"
    path.write_text(json.dumps({"format_version": 1, "pairs": pairs}), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("pairs", "message"),
    [
        ([_entry("C20", "C04")], r"pairs\[0\] \(a 'C20'\): b: .*no division 04"),
        ([_entry("C20", "X")], r"pairs\[0\].*unknown NACE code 'X'"),
        ([_entry("c20", "C22")], r"pairs\[0\].*canonical code 'C20'"),
        ([_entry("C20", "C20")], r"pairs\[0\].*overlap"),
        ([_entry("C20", "C")], r"pairs\[0\].*overlap"),
        ([_entry("C20", "C22"), _entry("C22", "C20")], r"pairs\[1\].*repeats pairs\[0\]"),
        ([_entry("C20", "C22", reason_en="x" * 57)], r"reason_en has 57 characters"),
        ([{"a": "C20", "b": "C22"}], r"pairs\[0\].*missing field 'reason_de'"),
    ],
)
def test_bad_complement_tables_name_the_entry(
    tmp_path: Path, pairs: list[dict[str, str]], message: str
) -> None:
    with pytest.raises(ReferenceDataError, match=message):
        load_complements(_write_table(tmp_path, pairs))


# -- category, cross-border, freshness, counterparts -----------------------------------


def test_category_fit_table() -> None:
    tech = make(category=Category.TECHNOLOGY)
    coop = make(category=Category.COOPERATION)
    assert category_fit(tech, make(category=Category.TECHNOLOGY)) == 1.0
    assert category_fit(tech, coop) == category_fit(coop, tech) == 0.5
    assert category_fit(make(category=Category.PRODUCT), make(category=Category.SERVICE)) == 0.3
    assert category_fit(make(category=Category.SPACE), make(category=Category.EVENT)) == 0.0
    custom = category_table({("space", "event"): 0.2})
    assert category_fit(make(category=Category.EVENT), make(category=Category.SPACE), custom) == 0.2
    assert category_fit(tech, coop, custom) == 0.0


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        ({("space", "rocket"): 0.5}, "'rocket' is not a category"),
        ({("space", "event"): 1.5}, r"need 0..1"),
        ({("space", "space"): 0.5}, r"1 if equal"),
        ({("space", "event"): 0.5, ("event", "space"): 0.4}, "differ"),
    ],
)
def test_category_table_checks_its_input(
    mapping: dict[tuple[str, str], float], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        category_table(mapping)


def test_category_matrix_agrees_with_category_fit() -> None:
    matrix = category_matrix()
    order = list(Category)
    assert matrix.shape == (len(order), len(order))
    assert np.allclose(matrix, matrix.T) and np.all(np.diag(matrix) == 1.0)
    for i, x in enumerate(order):
        for j, y in enumerate(order):
            assert matrix[i, j] == category_fit(make(category=x), make(category=y))
    assert len(CATEGORY_COMPATIBILITY) >= 5


def test_cross_border() -> None:
    de = make()
    cn = offer_in("foshan", "CN-GD", Country.CN)
    assert cross_border(de, cn) and cross_border(profile_of(cn), de)
    assert not cross_border(de, offer_in("dortmund", "DE-NW", Country.DE))


def test_freshness() -> None:
    created = date(2025, 11, 1)
    item = make(created_at=created, expires_at=date(2027, 1, 1))
    assert freshness(make(created_at=TODAY), TODAY) == 1.0
    assert freshness(make(created_at=date(2026, 12, 1)), TODAY) == 1.0  # dated in the future
    assert freshness(item, TODAY, half_life_days=365.0, floor=0.0) == pytest.approx(0.5)
    assert freshness(item, TODAY, half_life_days=730.0, floor=0.0) == pytest.approx(2**-0.5)
    assert freshness(item, TODAY, half_life_days=100.0) == 0.5  # the floor
    assert freshness(make(created_at=created, expires_at=None), TODAY, floor=0.0) > 0
    # expired before today -> 0; expiring today is still active
    assert freshness(make(expires_at=date(2026, 10, 31)), TODAY) == 0.0
    assert freshness(make(expires_at=TODAY), TODAY) > 0.5
    with pytest.raises(ValueError, match="half_life_days"):
        freshness(item, TODAY, half_life_days=0)
    with pytest.raises(ValueError, match="floor"):
        freshness(item, TODAY, floor=1.5)


def test_counterpart_kinds() -> None:
    assert counterpart_kinds(make(kind=Kind.REQUEST)) == frozenset({"offer"})
    assert counterpart_kinds(make(kind=Kind.OFFER)) == frozenset({"request"})
    coop = make(kind=Kind.REQUEST, category=Category.COOPERATION)
    assert counterpart_kinds(coop) == frozenset({"offer", "request"})
    assert counterpart_kinds(coop, allow_cooperation_peers=False) == frozenset({"offer"})
    assert counterpart_kinds(profile_of(coop)) == frozenset({"offer", "request"})


def test_is_counterpart() -> None:
    request, offer = make(kind=Kind.REQUEST), make(kind=Kind.OFFER)
    assert is_counterpart(request, offer) and is_counterpart(offer, request)
    assert not is_counterpart(request, make(kind=Kind.REQUEST))
    coop = make(kind=Kind.REQUEST, category=Category.COOPERATION)
    assert is_counterpart(coop, make(kind=Kind.REQUEST, category=Category.COOPERATION))
    assert not is_counterpart(coop, make(kind=Kind.REQUEST))  # a peer must cooperate too
    peer = make(kind=Kind.REQUEST, category=Category.COOPERATION)
    assert not is_counterpart(coop, peer, allow_cooperation_peers=False)


# -- location fit -------------------------------------------------------------------------


def test_location_fit_on_a_labelled_space_pair(
    sample: dict[str, Listing], pairs: list[tuple[str, str]]
) -> None:
    request, offer = sample["L0000364"], sample["L0001237"]  # Freiburg office space
    assert ("L0000364", "L0001237") in pairs
    fit = location_fit(request, offer)
    assert (fit.score, fit.mismatch, fit.named_by, fit.place) == (
        1.0,
        False,
        "a",
        "region-schwarzwald",
    )
    assert "弗莱堡" in fit.spellings and "Freiburg" in fit.spellings
    back = location_fit(offer, request)  # the offer as the query: the request names its city
    assert (back.score, back.named_by, back.place) == (1.0, "b", "region-schwarzwald")
    # the same space type in another city: a known hard negative
    elsewhere = [
        x
        for x in sample.values()
        if x.category is Category.SPACE
        and x.kind is Kind.OFFER
        and x.city not in ("region-schwarzwald",)
        and "Büro" in x.text
    ]
    assert elsewhere
    for other in elsewhere:
        miss = location_fit(request, other)
        assert miss.mismatch and miss.score < 1.0 and miss.wanted == ("region-schwarzwald",)
        assert miss.wanted_by == "a"


def test_location_fit_on_every_labelled_space_pair(
    sample: dict[str, Listing], pairs: list[tuple[str, str]]
) -> None:
    space = [(sample[r], sample[o]) for r, o in pairs if sample[r].category is Category.SPACE]
    assert len(space) == 50
    for request, offer in space:
        fit = location_fit(profile_of(request), profile_of(offer))
        assert fit.score == 1.0 and not fit.mismatch, (request.id, offer.id)


def test_location_fit_region_and_none() -> None:
    request = make(
        category=Category.SPACE,
        city="foshan",
        region="CN-GD",
        country=Country.CN,
        title="寻找德国多特蒙德(Dortmund)仓储物流用房",
        description="",
    )
    koeln = offer_in("koeln", "DE-NW", Country.DE, category=Category.SPACE)
    region = location_fit(request, koeln)  # Köln is in NRW like Dortmund
    assert (region.score, region.mismatch, region.region, region.place) == (
        0.5,
        False,
        "DE-NW",
        None,
    )
    mainz = offer_in("mainz", "DE-RP", Country.DE, category=Category.SPACE)
    assert location_fit(request, mainz).mismatch
    plain = make(category=Category.SPACE, title="Büroflächen gesucht", description="")
    assert location_fit(plain, mainz) == location_fit(mainz, plain)
    assert location_fit(plain, mainz).score == 0.0 and not location_fit(plain, mainz).mismatch


def test_named_regions_and_own_places() -> None:
    request = make(
        category=Category.INVESTMENT,
        title="Investition in Guangdong gesucht",
        description="Wir sind in Köln ansässig.",  # the own city is no target
    )
    assert profile_of(request).target_cities == frozenset()
    foshan = offer_in("foshan", "CN-GD", Country.CN, category=Category.INVESTMENT)
    fit = location_fit(request, foshan)
    assert (fit.score, fit.region, fit.mismatch) == (0.5, "CN-GD", False)
    dortmund = offer_in("dortmund", "DE-NW", Country.DE, category=Category.INVESTMENT)
    assert location_fit(request, dortmund).score == 0.0


def test_places_count_only_for_place_bound_categories() -> None:
    # A product request names its delivery port, not where its supplier must be.
    request = make(title="求购化工流程泵", description="交货地点为汉堡港。", city="liuzhou")
    supplier = offer_in("dortmund", "DE-NW", Country.DE)
    assert profile_of(request).target_cities == frozenset({"hamburg"})
    assert location_fit(request, supplier).mismatch is False
    every = {c.value for c in Category}
    assert location_fit(request, supplier, place_categories=every).mismatch is True


def test_profile_round_trip(sample: dict[str, Listing]) -> None:
    for item in list(sample.values())[:50]:
        prof = profile_of(item)
        again = ListingProfile.from_dict(json.loads(json.dumps(prof.to_dict())))
        assert again == prof
        assert again.target_cities == prof.target_cities
    prof = profile_of(sample["L0000364"])
    assert prof.target_cities == frozenset({"region-schwarzwald"})
    assert prof.target_regions == frozenset({"DE-BW"})
    assert profile_of(prof) is prof
    assert "contact" not in json.dumps(prof.to_dict())


def test_profile_from_bad_dict() -> None:
    good = profile_of(make()).to_dict()
    with pytest.raises(ValueError, match="missing field 'sector'"):
        ListingProfile.from_dict({k: v for k, v in good.items() if k != "sector"})
    with pytest.raises(ValueError, match="unknown ISA member city id 'atlantis'"):
        ListingProfile.from_dict({**good, "city": "atlantis"})
    with pytest.raises(ValueError, match="'L1'"):
        ListingProfile.from_dict({**good, "created_at": "yesterday"})


def test_pair_functions_accept_listings_and_profiles(sample: dict[str, Listing]) -> None:
    ids = list(sample)[:40]
    for x in ids[:8]:
        for y in ids:
            a, b = sample[x], sample[y]
            pa, pb = profile_of(a), profile_of(b)
            assert sector_fit(a, b) == sector_fit(pa, pb)
            assert category_fit(a, b) == category_fit(pa, pb)
            assert location_fit(a, b) == location_fit(pa, pb)
            assert freshness(b, TODAY) == freshness(pb, TODAY)


def test_text_location_fit() -> None:
    freiburg = offer_in("region-schwarzwald", "DE-BW", Country.DE, category=Category.SPACE)
    fit = text_location_fit("Reinraum in Freiburg gesucht", freiburg)
    assert (fit.score, fit.mismatch, fit.place, fit.spellings) == (
        1.0,
        False,
        "region-schwarzwald",
        ("Freiburg",),
    )
    dortmund = offer_in("dortmund", "DE-NW", Country.DE)
    miss = text_location_fit(find_places("Reinraum in Freiburg gesucht"), dortmund)
    assert (miss.score, miss.mismatch, miss.wanted, miss.wanted_by) == (
        0.0,
        True,
        ("region-schwarzwald",),
        "a",
    )
    koeln = offer_in("koeln", "DE-NW", Country.DE)
    assert text_location_fit("Halle in Dortmund", koeln).score == 0.5
    assert text_location_fit("Halle in NRW", koeln).score == 0.5
    assert text_location_fit("Halle gesucht", koeln) == location_fit(make(), make())
