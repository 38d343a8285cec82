"""Reasons for a suggestion in German, Chinese and English (isa_match.rank.explain)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from isa_match import load_listings, read_pairs
from isa_match._paths import data_dir
from isa_match.rank.explain import MAX_CHARS, REASON_CODES, Reason, explain, explain_pair
from isa_match.rank.features import (
    ListingProfile,
    LocationFit,
    SectorFit,
    category_fit,
    cross_border,
    freshness,
    location_fit,
    profile_of,
    sector_fit,
)
from isa_match.schema import Category, Contact, Country, Kind, Language, Listing, OrgType

TODAY = date(2026, 11, 1)
SAMPLE = data_dir("sample")


def make(id: str = "L1", **changes: Any) -> Listing:
    base: dict[str, Any] = dict(
        id=id,
        kind=Kind.REQUEST,
        category=Category.PRODUCT,
        title="PA66-Granulat gesucht",
        description="Glasfaserverstärkt, 20 t pro Monat.",
        language=Language.DE,
        organization="Rheinland Kunststoff GmbH",
        org_type=OrgType.COMPANY,
        city="koeln",
        country=Country.DE,
        region="DE-NW",
        sector=("C20",),
        created_at=date(2026, 10, 20),
        expires_at=date(2027, 12, 31),
        contact=Contact("Anna Schmidt", "anna.schmidt@example.com", "+49 221 5550123"),
    )
    base.update(changes)
    return Listing(**base)


def cn_offer(**changes: Any) -> Listing:
    values: dict[str, Any] = dict(
        kind=Kind.OFFER,
        title="供应PA66改性颗粒",
        description="玻纤增强PA66颗粒，月产能500吨。",
        language=Language.ZH,
        organization="佛山塑料有限公司",
        city="foshan",
        country=Country.CN,
        region="CN-GD",
        contact=Contact("王芳", "fang.wang@foshan-plastics.example", "+86 757 55501234"),
    )
    values.update(changes)
    return make("O1", **values)


def reasons_for(
    a: Listing | ListingProfile | None, b: Listing | ListingProfile, **overrides: Any
) -> list[Reason]:
    values: dict[str, Any] = dict(
        sector=sector_fit(a, b) if a is not None else SectorFit(0.0, "none"),
        category=category_fit(a, b) if a is not None else 0.0,
        cross_border=cross_border(a, b) if a is not None else False,
        location=location_fit(a, b) if a is not None else LocationFit(),
        freshness=freshness(b, TODAY),
        dense=0.82,
        lexical=0.4,
        matched_terms=["PA66", "Granulat"],
    )
    values.update(overrides)
    return explain(a, b, **values)


def by_code(reasons: list[Reason]) -> dict[str, Reason]:
    return {r.code: r for r in reasons}


@pytest.fixture(scope="module")
def sample() -> dict[str, Listing]:
    return {x.id: x for x in load_listings(SAMPLE / "listings.jsonl", today=TODAY).listings}


def test_same_division_in_three_languages() -> None:
    reason = by_code(reasons_for(make(), cn_offer()))["sector.division"]
    assert reason.en == "same sector: C20 Manufacture of chemicals and chemical products"
    assert reason.de == "gleiche Branche: C20 Herstellung von chemischen Erzeugnissen"
    assert reason.zh == "同行业：C20 化学品和化学制品制造"
    assert reason.text("de") == reason.de and reason.text(Language.ZH) == reason.zh
    assert reason.text("EN") == reason.en
    with pytest.raises(ValueError, match="unknown language"):
        reason.text("fr")


def test_section_and_complement() -> None:
    section = by_code(reasons_for(make(sector=("C20",)), cn_offer(sector=("C31",))))
    assert section["sector.section"].en == "same sector: C Manufacturing"
    assert section["sector.section"].zh == "同行业：C 制造业"
    complement = by_code(reasons_for(make(sector=("C22",)), cn_offer(sector=("C20",))))
    reason = complement["sector.complement"]
    assert reason.en.startswith("complementary sectors C22 → C20: ")
    assert "rubber and plastics" in reason.en
    assert reason.zh.startswith("互补行业 C22 → C20：") and "塑料" in reason.zh
    assert reason.de.startswith("ergänzende Branchen C22 → C20: ")
    assert "sector.section" not in complement  # one sector reason per pair


def test_category_cross_border_terms_similarity_fresh() -> None:
    reasons = by_code(reasons_for(make(), cn_offer()))
    assert reasons["category.same"].en == "same category: product"
    assert reasons["category.same"].zh == "同类需求：产品"
    assert reasons["cross_border"].en == "cross-border DE↔CN"
    assert reasons["cross_border"].zh == "跨境 德国↔中国"
    assert reasons["terms"].en == "shared terms: PA66, Granulat"
    assert reasons["terms"].zh == "共同关键词：PA66, Granulat"
    assert reasons["similarity"].en == "high text similarity 0.82"
    assert reasons["fresh"].de == "kürzlich eingestellt"
    related = by_code(
        reasons_for(make(category=Category.TECHNOLOGY), cn_offer(category=Category.COOPERATION))
    )
    assert related["category.related"].en == "related categories: technology ↔ cooperation"
    assert related["category.related"].de == "verwandte Kategorien: Technologie ↔ Kooperation"


def test_thresholds_and_absent_reasons() -> None:
    old = cn_offer(created_at=date(2024, 1, 1), sector=("J62",), category=Category.EVENT)
    quiet = by_code(
        reasons_for(
            make(sector=("A01",)),
            old,
            dense=0.3,
            lexical=0.9,
            matched_terms=[],
        )
    )
    assert "similarity" not in quiet and "fresh" not in quiet and "terms" not in quiet
    assert "category.same" not in quiet and "sector.division" not in quiet
    assert quiet["similarity.lexical"].en == "strong keyword overlap 0.90"
    same_country = by_code(reasons_for(make(), make("O2", kind=Kind.OFFER, city="dortmund")))
    assert "cross_border" not in same_country


def test_reasons_are_ordered_by_importance(sample: dict[str, Listing]) -> None:
    request, offer = sample["L0000364"], sample["L0001237"]
    codes = [r.code for r in reasons_for(request, offer)]
    assert codes == sorted(codes, key=REASON_CODES.index)
    assert codes[0] == "location"


def test_location_reason_on_a_labelled_space_pair(sample: dict[str, Listing]) -> None:
    request, offer = sample["L0000364"], sample["L0001237"]  # 弗莱堡 -> Region Schwarzwald
    reason = by_code(reasons_for(request, offer))["location"]
    assert reason.en == "target place Freiburg = Black Forest Region (the offer's location)"
    assert reason.de == "Zielort Freiburg = Region Schwarzwald (Standort des Angebots)"
    assert reason.zh == "目标地点 弗莱堡 = 黑森林地区（供方所在地）"
    # the offer as the query: the request named the offer's city
    back = by_code(reasons_for(offer, request))["location"]
    assert back.en == reason.en


def test_region_and_mismatch_reasons() -> None:
    request = make(
        category=Category.SPACE,
        city="foshan",
        region="CN-GD",
        country=Country.CN,
        title="寻找德国多特蒙德(Dortmund)仓储物流用房",
        description="",
    )
    koeln = make("O2", kind=Kind.OFFER, category=Category.SPACE)
    region = by_code(reasons_for(request, koeln))["location.region"]
    assert region.en == "target region North Rhine-Westphalia: Cologne is there"
    assert "北莱茵-威斯特法伦州" in region.zh and "科隆" in region.zh
    mainz = make("O3", kind=Kind.OFFER, category=Category.SPACE, city="mainz", region="DE-RP")
    reasons = reasons_for(request, mainz)
    assert reasons[-1].code == "location.mismatch"
    assert reasons[-1].en == "note: wanted in Dortmund, partner is in Mainz"
    assert reasons[-1].zh == "注意：目标地点为多特蒙德，对方位于美因茨"
    backwards = reasons_for(mainz, request)
    assert backwards[-1].en == "note: wanted in Dortmund, partner is in Mainz"


def test_text_query_gets_only_candidate_reasons() -> None:
    reasons = by_code(reasons_for(None, cn_offer()))
    assert set(reasons) == {"terms", "similarity", "fresh"}


def test_contact_data_never_appears() -> None:
    a, b = make(), cn_offer()
    assert a.contact is not None and b.contact is not None
    leaky = [
        "PA66",
        "Anna Schmidt",
        "schmidt",
        "fang.wang@foshan-plastics.example",
        "王芳",
        "+86 757 55501234",
        "0221 5550123",
    ]
    reasons = reasons_for(a, b, matched_terms=leaky)
    assert by_code(reasons)["terms"].en == "shared terms: PA66"
    for reason in reasons:
        for text in (reason.de, reason.zh, reason.en):
            for value in ("Anna", "Schmidt", "王芳", "@", "5550123", "55501234"):
                assert value not in text


def test_a_term_inside_a_contact_word_is_still_shown() -> None:
    # "plast" is inside "foshan-plastics" of an e-mail address, but no word of it;
    # "wang" and "anna" are words of contact values
    a, b = make(), cn_offer()
    reasons = reasons_for(a, b, matched_terms=["Plast", "anna", "wang", "PA66"])
    assert by_code(reasons)["terms"].en == "shared terms: Plast, PA66"


def test_every_labelled_pair_gets_short_reasons_without_contact_data(
    sample: dict[str, Listing],
) -> None:
    pairs = read_pairs(SAMPLE / "pairs.jsonl")
    seen: set[str] = set()
    for request_id, offer_id in pairs:
        a, b = sample[request_id], sample[offer_id]
        pa, pb = profile_of(a), profile_of(b)
        terms = [w for w in a.keywords if w in b.text] + ["Ingenieur", "lithium-ion batteries"]
        contacts = [v for x in (a, b) if x.contact for v in x.contact.as_dict().values() if v]
        reasons = reasons_for(a, b, matched_terms=terms + contacts)
        assert reasons_for(pa, pb, matched_terms=terms) == reasons_for(a, b, matched_terms=terms)
        assert reasons, (request_id, offer_id)
        for reason in reasons:
            seen.add(reason.code)
            for text in (reason.de, reason.zh, reason.en):
                assert 0 < len(text) <= MAX_CHARS
                for value in contacts:
                    assert value not in text
    assert {"location", "sector.division", "sector.complement", "cross_border"} <= seen


def test_long_texts_are_clipped() -> None:
    long_terms = [f"Begriff{i:02d}" for i in range(30)]
    reasons = by_code(
        reasons_for(make(sector=("M71",)), cn_offer(sector=("M71",)), matched_terms=long_terms)
    )
    assert len(reasons["terms"].en) <= MAX_CHARS
    assert reasons["terms"].en.startswith("shared terms: Begriff00, Begriff01")
    de = reasons["sector.division"].de
    assert len(de) <= MAX_CHARS and de.endswith("…")


def test_explain_pair_computes_the_components(sample: dict[str, Listing]) -> None:
    request, offer = sample["L0000364"], sample["L0001237"]
    direct = explain_pair(
        request, offer, today=TODAY, dense=0.82, lexical=0.4, matched_terms=["m2"]
    )
    assert direct == reasons_for(request, offer, matched_terms=["m2"])
    text = explain_pair(
        None, offer, today=TODAY, dense=0.6, lexical=0.2, query_text="Büro in Freiburg gesucht"
    )
    codes = [r.code for r in text]
    assert codes[0] == "location" and "cross_border" not in codes
    assert text[0].en == "target place Freiburg = Black Forest Region (the offer's location)"
    plain = explain_pair(None, offer, today=TODAY, dense=0.6, lexical=0.2)
    assert "location" not in {r.code for r in plain}
