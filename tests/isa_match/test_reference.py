"""Tests of the ISA reference data (member cities, regions, NACE Rev. 2) and its loaders."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from isa_match._paths import data_dir
from isa_match.reference import (
    City,
    CityRegistry,
    ReferenceDataError,
    SectorTable,
    UnknownCityError,
    UnknownRegionError,
    UnknownSectorError,
    cities,
    load_cities,
    load_sectors,
    normalize_key,
    sectors,
)
from isa_match.reference._keys import LookupTable, has_cjk, key_variants
from isa_match.schema import Country, Language

# The canonical member ids and regions of the shared contract (helper_common.md).
MEMBERS = {
    "aachen": "DE-NW", "bad-homburg": "DE-HE", "bottrop": "DE-NW", "chemnitz": "DE-SN",
    "dortmund": "DE-NW", "goettingen": "DE-NI", "hamburg": "DE-HH", "hildesheim": "DE-NI",
    "ingolstadt": "DE-BY", "kaiserslautern": "DE-RP", "koeln": "DE-NW",
    "kreis-dueren": "DE-NW", "ludwigshafen": "DE-RP", "mainz": "DE-RP", "nuernberg": "DE-BY",
    "region-fulda": "DE-HE", "region-schwarzwald": "DE-BW", "drei-gewinnt": "DE-HE",
    "rhein-kreis-neuss": "DE-NW", "solingen": "DE-NW", "wuppertal": "DE-NW",
    "foshan": "CN-GD", "taizhou": "CN-ZJ", "baoan": "CN-GD", "liuzhou": "CN-GX",
    "maoming": "CN-GD", "nansha": "CN-GD", "deyang": "CN-SC", "nanning": "CN-GX",
    "jieyang": "CN-GD", "jiaozuo": "CN-HA", "nanchang": "CN-JX", "maanshan": "CN-AH",
    "zhuzhou": "CN-HN", "jiangmen": "CN-GD", "guiyang": "CN-GZ", "zhaoqing": "CN-GD",
    "panjin": "CN-LN", "shantou": "CN-GD", "yunfu": "CN-GD", "weihai": "CN-SD",
}  # fmt: skip

RESOLUTIONS = {
    "koeln": ["Köln", "Koeln", "Koln", "Cologne", "科隆", "KÖLN", "köln", "Stadt Köln"],
    "baoan": ["Shenzhen", "Bao'an", "Bao’an", "Baoʼan", "Bao`an", "Bao´an", "Baoan", "宝安",
              "宝安区", "深圳", "深圳市", "Bao'an (Shenzhen)", "深圳市宝安区", "baoan"],
    "nansha": ["Guangzhou", "Nansha", "南沙", "南沙区", "广州", "广州市", "Nansha (Guangzhou)"],
    "region-schwarzwald": ["Freiburg", "Freiburg im Breisgau", "Lahr", "Lahr/Schwarzwald",
                           "Region Schwarzwald", "Black Forest Region", "黑森林地区", "弗莱堡",
                           "拉尔", "region-schwarzwald"],
    "drei-gewinnt": ["Rüsselsheim", "Rüsselsheim am Main", "Ruesselsheim", "Russelsheim",
                     "Raunheim", "Kelsterbach", "Drei gewinnt", "„Drei gewinnt“",
                     "\"Drei gewinnt\"", "Städtenetzwerk „Drei gewinnt“", "吕瑟尔斯海姆",
                     "劳恩海姆", "凯尔斯特巴赫", "三赢"],
    "rhein-kreis-neuss": ["Neuss", "Rhein-Kreis Neuss", "rhein kreis neuss", "RheinKreisNeuss",
                          "莱茵-诺伊斯县", "Dormagen", "Grevenbroich"],
    "kreis-dueren": ["Düren", "Dueren", "Duren", "Kreis Düren", "Landkreis Düren", "迪伦县",
                     "迪伦", "Jülich"],
    "region-fulda": ["Fulda", "Region Fulda", "Fulda (Region)", "Landkreis Fulda", "富尔达地区",
                     "Hünfeld"],
    "zhuzhou": ["Zhuzhou", "Zhuzhuo", "株洲", "株洲市"],
    "zhaoqing": ["Zhaoqing", "Zhaoquing", "肇庆", "肇庆市"],
    "maanshan": ["Ma'anshan", "Ma’anshan", "Maanshan", "马鞍山", "马鞍山市", "MA'ANSHAN"],
    "nuernberg": ["Nürnberg", "Nuremberg", "Nuernberg", "Nurnberg", "纽伦堡", "NÜRNBERG"],
    "ludwigshafen": ["Ludwigshafen", "Ludwigshafen am Rhein", "路德维希港"],
    "foshan": ["Foshan", "佛山", "佛山市", "Foshan City", "ＦＯＳＨＡＮ"],
    "taizhou": ["Taizhou", "台州", "台州市"],
    "bad-homburg": ["Bad Homburg", "bad-homburg", "BadHomburg", "Bad Homburg vor der Höhe"],
    "goettingen": ["Göttingen", "Goettingen", "Gottingen", "GÖTTINGEN", "哥廷根"],
}  # fmt: skip

# Common Chinese exonyms of the German members.
GERMAN_IN_CHINESE = {
    "亚琛": "aachen", "巴特洪堡": "bad-homburg", "博特罗普": "bottrop", "开姆尼茨": "chemnitz",
    "多特蒙德": "dortmund", "哥廷根": "goettingen", "汉堡": "hamburg", "希尔德斯海姆": "hildesheim",
    "因戈尔施塔特": "ingolstadt", "凯泽斯劳滕": "kaiserslautern", "科隆": "koeln",
    "迪伦县": "kreis-dueren", "路德维希港": "ludwigshafen", "美因茨": "mainz",
    "纽伦堡": "nuernberg", "富尔达地区": "region-fulda", "黑森林地区": "region-schwarzwald",
    "莱茵-诺伊斯县": "rhein-kreis-neuss", "索林根": "solingen", "伍珀塔尔": "wuppertal",
}  # fmt: skip

MISSING_DIVISIONS = ["04", "34", "40", "44", "48", "54", "57", "67", "76", "83", "89"]


@pytest.fixture(scope="module")
def registry() -> CityRegistry:
    return cities()


@pytest.fixture(scope="module")
def table() -> SectorTable:
    return sectors()


def _cities_doc() -> dict[str, Any]:
    doc: dict[str, Any] = json.loads((data_dir("reference") / "cities.json").read_text("utf-8"))
    return doc


def _all_names(city: City) -> tuple[str, ...]:
    return (
        city.id,
        city.name_de,
        city.name_zh,
        city.name_en,
        *city.aliases,
        *city.members,
        *city.member_aliases,
        *city.parent_aliases,
    )


def _write(tmp_path: Path, doc: dict[str, Any], name: str = "data.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


# --- cities: content and counts -------------------------------------------------------


def test_member_counts(registry: CityRegistry) -> None:
    assert len(registry) == 41
    assert len(registry.by_country("DE")) == 21
    assert len(registry.by_country(Country.CN)) == 20


def test_members_are_exactly_the_canonical_ids_and_regions(registry: CityRegistry) -> None:
    assert {city.id: city.region for city in registry} == MEMBERS
    for city in registry:
        assert city.country.value == city.region[:2]
        assert registry.region(city.region).country is city.country


def test_every_member_has_three_names_and_chinese_name_is_chinese(
    registry: CityRegistry,
) -> None:
    for city in registry:
        assert city.name_de and city.name_en and city.note
        assert has_cjk(city.name_zh), city.id
        assert city.name("de") == city.name_de
        assert city.name(Language.ZH) == city.name_zh
        assert city.name("EN") == city.name_en


def test_networks_and_regions_list_their_towns(registry: CityRegistry) -> None:
    assert registry.get("drei-gewinnt").members == (
        "Rüsselsheim am Main",
        "Raunheim",
        "Kelsterbach",
    )
    assert set(registry.get("region-schwarzwald").members) == {
        "Lahr/Schwarzwald",
        "Freiburg im Breisgau",
    }
    assert len(registry.get("kreis-dueren").members) == 15
    assert len(registry.get("rhein-kreis-neuss").members) == 8
    assert registry.get("koeln").members == ()


# --- cities: resolution -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "city_id"), [(t, cid) for cid, texts in RESOLUTIONS.items() for t in texts]
)
def test_required_resolutions(registry: CityRegistry, text: str, city_id: str) -> None:
    assert registry.resolve(text).id == city_id


@pytest.mark.parametrize(("text", "city_id"), sorted(GERMAN_IN_CHINESE.items()))
def test_german_members_resolve_from_chinese_exonyms(
    registry: CityRegistry, text: str, city_id: str
) -> None:
    assert registry.resolve(text).id == city_id
    assert registry.resolve(text + "市").id == city_id


def test_every_name_alias_member_and_id_resolves_to_its_own_city(registry: CityRegistry) -> None:
    for city in registry:
        for name in _all_names(city):
            assert registry.resolve(name) is city, name
            assert registry.resolve(f"  {name.upper()}  ") is city, name


def test_chinese_names_with_city_suffix(registry: CityRegistry) -> None:
    for city in registry.by_country("CN"):
        if not city.name_zh.endswith("区"):  # districts: 宝安区 is covered above
            assert registry.resolve(city.name_zh + "市") is city


def test_unknown_city_suggests_nearest_member(registry: CityRegistry) -> None:
    with pytest.raises(UnknownCityError) as info:
        registry.resolve("Kolnn")
    err = info.value
    assert isinstance(err, ValueError)
    assert err.value == "Kolnn"
    assert err.suggestions[0] == "Köln"
    assert str(err).startswith("unknown ISA member city 'Kolnn'; did you mean: Köln")


def test_suggestions_follow_language_of_input(registry: CityRegistry) -> None:
    with pytest.raises(UnknownCityError) as english:
        registry.resolve("Colone")
    assert english.value.suggestions[0] == "Cologne"
    with pytest.raises(UnknownCityError) as chinese:
        registry.resolve("佛三")
    assert chinese.value.suggestions and all(has_cjk(s) for s in chinese.value.suggestions)
    assert chinese.value.suggestions[0] == "佛山"


def test_non_member_and_empty_input_are_errors(registry: CityRegistry) -> None:
    with pytest.raises(UnknownCityError, match="unknown ISA member city 'Berlin'"):
        registry.resolve("Berlin")
    with pytest.raises(UnknownCityError) as no_letters:
        registry.resolve("   ?")
    assert no_letters.value.suggestions == ()  # nothing to compare
    assert str(no_letters.value) == "unknown ISA member city '   ?' (no similar name is known)"
    with pytest.raises(UnknownCityError, match="empty ISA member city"):
        registry.resolve("  ")
    with pytest.raises(UnknownCityError, match="did you mean: koeln"):
        registry.get("koln")


# Regression (review): unknown cities must always name members in the fix.
@pytest.mark.parametrize(
    "text", ["Berlin", "Frankfurt", "atlantis", "Halle", "Lindenberg", "Shanghai", "上海", "北京市"]
)
def test_unknown_city_always_names_three_members(registry: CityRegistry, text: str) -> None:
    with pytest.raises(UnknownCityError) as info:
        registry.resolve(text)
    near = info.value.suggestions
    assert len(near) == 3 and len(set(near)) == 3, near
    assert len({registry.resolve(name).id for name in near}) == 3  # names of three members
    assert all(has_cjk(name) == has_cjk(text) for name in near), near  # input's script
    assert ", ".join(near) in str(info.value)
    with pytest.raises(UnknownCityError) as again:
        registry.resolve(text)
    assert again.value.suggestions == near  # deterministic


def test_far_suggestions_are_not_offered_as_typos(registry: CityRegistry) -> None:
    with pytest.raises(UnknownCityError) as far:
        registry.resolve("Berlin")
    assert "did you mean" not in str(far.value) and far.value.close is False
    assert "no known name is similar; the nearest are: " in str(far.value)
    with pytest.raises(UnknownCityError, match="did you mean: Köln, ") as typo:
        registry.resolve("Kolnn")
    assert typo.value.close is True
    with pytest.raises(UnknownCityError) as inside:
        registry.resolve("佛山市南海区")
    assert inside.value.close is True


@pytest.mark.parametrize(
    ("text", "first"),
    [
        ("佛山市南海区", "佛山"),  # a district of Foshan; before, 广州市南沙区 came first
        ("广东省佛山市顺德区", "佛山"),
        ("深圳市龙岗区", "深圳市宝安区"),  # another district of Shenzhen
        ("Köln-Ehrenfeld", "Köln"),
        ("Koeln Ehrenfeld", "Köln"),
        ("Freiburg im Breisgau Innenstadt", "Region Schwarzwald"),
        ("Nürnberger Land", "Nürnberg"),
        ("Shenzhen Longgang", "Bao'an (Shenzhen)"),
        ("Kreis Düren Köln Niederlassung", "Kreis Düren"),  # longest name first
    ],
)
def test_member_named_inside_unknown_input_is_suggested_first(
    registry: CityRegistry, text: str, first: str
) -> None:
    with pytest.raises(UnknownCityError) as info:  # still an error, not resolved silently
        registry.resolve(text)
    near = info.value.suggestions
    assert near[0] == first and len(near) == 3, near
    assert f"did you mean: {first}" in str(info.value)


def test_contained_names_start_at_a_word_and_longest_comes_first() -> None:
    table = LookupTable("city")
    table.add("Inden", "inden", "de")
    table.add("Köln", "koeln", "de")
    table.add("Kreis Düren", "kreis-dueren", "de")
    table.add("佛山", "foshan", "zh")
    assert table.contained("Lindenberg") == []  # "inden" inside a word is chance
    assert table.contained("Inden-Altdorf") == [("inden", "de")]
    assert table.contained("Kölner Dom") == [("koeln", "de")]
    assert table.contained("Kreis Düren, Köln") == [("kreis-dueren", "de"), ("koeln", "de")]
    assert table.contained("广东佛山南海") == [("foshan", "zh")]
    assert table.contained("") == []


def test_ranked_names_stay_in_the_script_of_the_input() -> None:
    table = LookupTable("city")
    table.add("Köln", "koeln", "de")
    table.add("科隆", "koeln", "zh")
    table.add("Düren", "kreis-dueren", "de", "member")  # not a "name": not ranked
    assert table.ranked("Berlin") == [("koeln", "de")]
    assert table.ranked("柏林") == [("koeln", "zh")]
    assert table.ranked("Berlin", kinds=("member",)) == [("kreis-dueren", "de")]
    assert table.ranked("!!") == []


# --- cities: notes on names that are not the member's own -------------------------------


@pytest.mark.parametrize(
    ("text", "city_id", "named"),
    [
        ("Shenzhen", "baoan", "Bao'an (Shenzhen)"),
        ("深圳", "baoan", "深圳市宝安区"),
        ("深圳市", "baoan", "深圳市宝安区"),
        (" guangzhou ", "nansha", "Nansha (Guangzhou)"),
        ("广州", "nansha", "广州市南沙区"),
    ],
)
def test_parent_city_resolves_with_a_note(
    registry: CityRegistry, text: str, city_id: str, named: str
) -> None:
    city, note = registry.resolve_with_note(text)
    assert city.id == city_id and registry.resolve(text) is city
    assert note == (
        f"{text.strip()!r} resolved to the ISA member {named} (id {city_id!r}), which lies "
        f"within it; {text.strip()} as a whole is not an ISA member"
    )


@pytest.mark.parametrize(
    ("text", "city_id"),
    [
        ("Freiburg", "region-schwarzwald"), ("Freiburg im Breisgau", "region-schwarzwald"),
        ("Lahr", "region-schwarzwald"), ("弗莱堡", "region-schwarzwald"),
        ("Neuss", "rhein-kreis-neuss"), ("Düren", "kreis-dueren"), ("Jülich", "kreis-dueren"),
        ("Fulda", "region-fulda"), ("Stadt Fulda", "region-fulda"), ("Hünfeld", "region-fulda"),
        ("Rüsselsheim", "drei-gewinnt"), ("Raunheim", "drei-gewinnt"), ("劳恩海姆", "drei-gewinnt"),
    ],
)  # fmt: skip
def test_component_town_resolves_with_a_note(
    registry: CityRegistry, text: str, city_id: str
) -> None:
    city, note = registry.resolve_with_note(text)
    assert city.id == city_id
    assert note is not None and note.startswith(f"{text!r} resolved to the ISA member ")
    assert note.endswith(f"(id {city_id!r}), of which it is a component town")
    assert city.name("zh" if has_cjk(text) else "de") in note


def test_towns_false_keeps_only_parent_city_notes(registry: CityRegistry) -> None:
    city, note = registry.resolve_with_note("Freiburg", towns=False)
    assert city.id == "region-schwarzwald" and note is None
    city, note = registry.resolve_with_note("深圳", towns=False)
    assert city.id == "baoan" and note is not None and "深圳 as a whole is not" in note


@pytest.mark.parametrize(
    "text",
    ["Köln", "Cologne", "科隆", "Bao'an", "宝安区", "深圳市宝安区", "Shenzhen Bao'an", "深圳宝安",
     "Nansha", "广州市南沙区", "Kreis Düren", "Landkreis Düren", "Region Fulda", "Landkreis Fulda",
     "Rhein-Kreis Neuss", "Region Schwarzwald", "Drei gewinnt", "Foshan City", "koeln"],
)  # fmt: skip
def test_own_names_resolve_without_a_note(registry: CityRegistry, text: str) -> None:
    city, note = registry.resolve_with_note(text)
    assert note is None and city is registry.resolve(text)


def test_resolve_with_note_agrees_with_resolve_and_raises_alike(registry: CityRegistry) -> None:
    notes = 0
    for city in registry:
        own = (city.id, city.name_de, city.name_zh, city.name_en, *city.aliases)
        for name in _all_names(city):
            found, note = registry.resolve_with_note(name)
            assert found is city, name
            assert (note is None) == (name in own), name
            notes += note is not None
    # 6 parent names; towns + their other spellings: Schwarzwald 2 + 5, Drei gewinnt 3 + 4,
    # Kreis Düren 15 + 2, Region Fulda 23 + 2, Rhein-Kreis Neuss 8 + 1
    assert notes == 6 + 7 + 7 + 17 + 25 + 9
    with pytest.raises(UnknownCityError) as info:
        registry.resolve_with_note("佛山市南海区")
    assert info.value.suggestions[0] == "佛山"


def test_parent_aliases_and_member_towns_are_marked_in_the_data(registry: CityRegistry) -> None:
    assert registry.get("baoan").parent_aliases == ("Shenzhen", "深圳", "深圳市")
    assert registry.get("nansha").parent_aliases == ("Guangzhou", "广州", "广州市")
    assert "Freiburg" in registry.get("region-schwarzwald").member_aliases
    assert all(not c.parent_aliases for c in registry if c.id not in ("baoan", "nansha"))
    for city in registry:  # a parent or town name is never also listed as an own alias
        marked = {*city.parent_aliases, *city.member_aliases, *city.members}
        assert not marked & set(city.aliases), city.id


def test_accessors(registry: CityRegistry) -> None:
    koeln = registry.get("koeln")
    assert isinstance(koeln, City)
    assert registry.display_name("koeln", "en") == "Cologne"
    assert registry.display_name("baoan", "zh") == "深圳市宝安区"
    with pytest.raises(ValueError, match="unknown language 'fr'"):
        koeln.name("fr")
    with pytest.raises(ValueError):
        registry.by_country("FR")


# --- regions ----------------------------------------------------------------------------


def test_region_counts(registry: CityRegistry) -> None:
    assert len(registry.regions("DE")) == 16
    assert len(registry.regions("CN")) == 31
    assert len(registry.regions()) == 47


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("NRW", "DE-NW"), ("Nordrhein-Westfalen", "DE-NW"), ("North Rhine-Westphalia", "DE-NW"),
        ("北莱茵-威斯特法伦州", "DE-NW"), ("北莱茵-威斯特法伦", "DE-NW"), ("de-nw", "DE-NW"),
        ("Bayern", "DE-BY"), ("Bavaria", "DE-BY"), ("巴伐利亚州", "DE-BY"),
        ("Hessen", "DE-HE"), ("Hesse", "DE-HE"), ("黑森州", "DE-HE"),
        ("Thüringen", "DE-TH"), ("Thueringen", "DE-TH"), ("Thuringia", "DE-TH"),
        ("Guangdong", "CN-GD"), ("广东", "CN-GD"), ("广东省", "CN-GD"), ("Kanton", "CN-GD"),
        ("Provinz Guangdong", "CN-GD"), ("Guangdong Province", "CN-GD"), ("CN-GD", "CN-GD"),
        ("Guangxi", "CN-GX"), ("广西壮族自治区", "CN-GX"), ("广西", "CN-GX"),
        ("Peking", "CN-BJ"), ("Beijing", "CN-BJ"), ("北京市", "CN-BJ"),
        ("Shanxi", "CN-SX"), ("Shaanxi", "CN-SN"), ("Innere Mongolei", "CN-NM"),
    ],
)  # fmt: skip
def test_resolve_region_in_three_languages(registry: CityRegistry, text: str, code: str) -> None:
    assert registry.resolve_region(text).code == code


def test_every_region_name_resolves_and_members_regions_exist(registry: CityRegistry) -> None:
    for region in registry.regions():
        for name in (region.code, region.name_de, region.name_zh, region.name_en, *region.aliases):
            assert registry.resolve_region(name) is region, name
        assert has_cjk(region.name_zh)
    assert registry.resolve_region("Hamburg").name("zh") == "汉堡州"


def test_unknown_region(registry: CityRegistry) -> None:
    with pytest.raises(UnknownRegionError) as info:
        registry.resolve_region("Bavria")
    assert info.value.suggestions == ("Bavaria",)
    with pytest.raises(UnknownRegionError, match="unknown region code 'DE-XX'"):
        registry.region("DE-XX")


# --- normalisation and ambiguity ----------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b"),
    [("Köln", "KOELN"), ("Bao'an", "Bao’an"), ("Bao'an", "bao an"), ("Rhein-Kreis Neuss",
     "rhein kreis  neuss"), ("Ma`anshan", "maanshan"), ("Fóshān", "foshan"), ("ß", "SS")],
)  # fmt: skip
def test_normalize_key_equivalences(a: str, b: str) -> None:
    assert normalize_key(a) == normalize_key(b)


def test_umlauts_fold_both_ways() -> None:
    assert normalize_key("Göttingen") == "goettingen"
    assert "gottingen" in key_variants("Göttingen")


def test_no_normalised_alias_belongs_to_two_cities(registry: CityRegistry) -> None:
    # Recomputed here from the records, independently of the registry's own table.
    owner: dict[str, str] = {}
    for city in registry:
        for key in (k for name in _all_names(city) for k in key_variants(name)):
            assert owner.setdefault(key, city.id) == city.id, (key, city.id, owner[key])
    assert len(owner) > 200


def test_an_ambiguous_alias_is_rejected_at_load(tmp_path: Path) -> None:
    doc = _cities_doc()
    bottrop = next(c for c in doc["cities"] if c["id"] == "bottrop")
    bottrop["aliases"].append("Koeln")
    with pytest.raises(ReferenceDataError, match="ambiguous city name") as info:
        load_cities(_write(tmp_path, doc))
    message = str(info.value)
    assert "'bottrop'" in message and "'koeln'" in message and "'Koeln'" in message


# --- broken cities.json ---------------------------------------------------------------------


def _drop_name_zh(doc: dict[str, Any]) -> None:
    del doc["cities"][2]["name_zh"]


def _duplicate_id(doc: dict[str, Any]) -> None:
    doc["cities"][1]["id"] = "aachen"


def _unknown_region(doc: dict[str, Any]) -> None:
    doc["cities"][0]["region"] = "DE-XX"


def _country_mismatch(doc: dict[str, Any]) -> None:
    doc["cities"][0]["country"] = "CN"


def _unknown_field(doc: dict[str, Any]) -> None:
    doc["cities"][0]["alias"] = ["x"]


def _bad_version(doc: dict[str, Any]) -> None:
    doc["format_version"] = 99


def _bad_region_prefix(doc: dict[str, Any]) -> None:
    doc["regions"][0]["country"] = "CN"


def _parent_alias_not_a_list(doc: dict[str, Any]) -> None:
    doc["cities"][0]["parent_aliases"] = "Aachen-Land"


def _parent_alias_of_two_members(doc: dict[str, Any]) -> None:
    nansha = next(c for c in doc["cities"] if c["id"] == "nansha")
    nansha["parent_aliases"].append("深圳")


@pytest.mark.parametrize(
    ("breakage", "message"),
    [
        (_drop_name_zh, r"cities\[2\] \(id 'bottrop'\): missing field 'name_zh'"),
        (_duplicate_id, r"cities\[1\] \(id 'aachen'\): duplicate city id 'aachen'"),
        (_unknown_region, r"region 'DE-XX' is not in the regions list"),
        (_country_mismatch, r"country 'CN' does not match its region DE-NW"),
        (_unknown_field, r"unknown field\(s\) 'alias'"),
        (_bad_version, r"format_version: is 99"),
        (_bad_region_prefix, r"regions\[0\] \(code 'DE-BW'\): country 'CN' does not match"),
        (_parent_alias_not_a_list, r"cities\[0\] \(id 'aachen'\): field 'parent_aliases' must"),
        (_parent_alias_of_two_members, r"ambiguous city name '深圳' of 'nansha'"),
    ],
)
def test_broken_cities_file_gives_clear_error(tmp_path: Path, breakage: Any, message: str) -> None:
    doc = _cities_doc()
    breakage(doc)
    path = _write(tmp_path, doc)
    with pytest.raises(ReferenceDataError, match=message) as info:
        cities(path)
    assert str(path) in str(info.value)


def test_unreadable_cities_files(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"format_version": 1,', encoding="utf-8")
    with pytest.raises(ReferenceDataError, match="invalid JSON at line 1"):
        load_cities(bad)
    with pytest.raises(ReferenceDataError, match="cannot read reference data"):
        load_cities(tmp_path / "missing.json")


def test_shipped_data_is_cached_and_explicit_paths_are_not(tmp_path: Path) -> None:
    assert cities() is cities()
    path = _write(tmp_path, _cities_doc())
    assert cities(path) is not cities(path)
    assert len(cities(path)) == 41


# --- NACE -------------------------------------------------------------------------------


def test_nace_counts_and_division_numbers(table: SectorTable) -> None:
    sections = list(table.sections())
    assert [s.letter for s in sections] == list("ABCDEFGHIJKLMNOPQRSTU")
    numbers = [d.number for d in table.divisions()]
    assert len(numbers) == 88
    expected = [f"{n:02d}" for n in range(1, 100) if f"{n:02d}" not in MISSING_DIVISIONS]
    assert numbers == expected
    assert sum(len(s.divisions) for s in sections) == 88
    assert len(table.divisions_of("C")) == 24
    assert [d.code for d in table.divisions_of("A")] == ["A01", "A02", "A03"]


def test_every_label_exists_in_three_languages(table: SectorTable) -> None:
    codes = [s.letter for s in table.sections()] + [d.code for d in table.divisions()]
    for code in codes:
        de, zh, en = (table.label(code, lang) for lang in ("de", "zh", "en"))
        assert de and en and zh, code
        assert has_cjk(zh) and not has_cjk(de) and not has_cjk(en), code
    assert table.label("C", Language.DE).startswith("Verarbeitendes Gewerbe")
    assert table.label("C20", "en") == "Manufacture of chemicals and chemical products"
    assert table.label("20.14", "zh") == "化学品和化学制品制造"
    assert table.label("62", "de") == "Erbringung von Dienstleistungen der Informationstechnologie"


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("C", "C"), ("c", "C"), (" M ", "M"), ("C20", "C20"), ("c20", "C20"), ("20", "C20"),
        ("20.1", "C20"), ("20.14", "C20"), ("C20.1", "C20"), ("C20.14", "C20"), ("C 20", "C20"),
        ("C.20", "C20"), ("01", "A01"), ("A01.11", "A01"), ("62", "J62"), ("99", "U99"),
    ],
)  # fmt: skip
def test_normalize_valid_codes(table: SectorTable, code: str, expected: str) -> None:
    assert table.normalize(code) == expected
    assert code in table


@pytest.mark.parametrize("number", MISSING_DIVISIONS + ["00"])
def test_divisions_that_nace_does_not_have_are_errors(table: SectorTable, number: str) -> None:
    for code in (number, f"C{number}", f"{number}.1"):
        with pytest.raises(UnknownSectorError, match=f"has no division {number}") as info:
            table.normalize(code)
        assert info.value.value == code
        assert info.value.suggestions  # the neighbouring divisions
        assert code not in table


def test_wrong_section_letter_names_the_right_section(table: SectorTable) -> None:
    with pytest.raises(UnknownSectorError, match="division 20 .* belongs to section C, not B") as e:
        table.normalize("B20")
    assert e.value.suggestions == ("C20",)


@pytest.mark.parametrize(
    "code",
    ["Z9", "Z", "V", "", "  ", "C2", "A1", "20.123", "2014", "C-", "1.111", "1.", "-1", ".5"],
)
def test_malformed_codes_are_errors(table: SectorTable, code: str) -> None:
    with pytest.raises(UnknownSectorError) as info:
        table.normalize(code)
    assert isinstance(info.value, ValueError)
    assert "expected a section letter A–U, a division 01–99" in str(info.value)


# Regression (review): Excel turns "01.11" into 1.11 and "05" into 5; JSON numbers likewise.
@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("1", "A01"), ("1.1", "A01"), ("1.11", "A01"), ("1.0", "A01"), (" 1 ", "A01"),
        ("１.１１", "A01"), ("2", "A02"), ("3.2", "A03"), ("5", "B05"), ("9", "B09"),
        ("9.9", "B09"),
        # two-digit codes are read as before, never as a padded one-digit division
        ("11", "C11"), ("11.1", "C11"), ("10.1", "C10"), ("20.10", "C20"), ("A01.1", "A01"),
    ],
)  # fmt: skip
def test_one_digit_divisions_are_zero_padded(table: SectorTable, code: str, expected: str) -> None:
    assert table.normalize(code) == expected
    assert table.section_of(code) == expected[0]


@pytest.mark.parametrize("code", ["4", "4.1", "4.11"])
def test_padded_division_that_nace_does_not_have_is_an_error(table: SectorTable, code: str) -> None:
    with pytest.raises(UnknownSectorError, match="has no division 04; did you mean: A03, B05") as e:
        table.normalize(code)
    assert e.value.value == code and e.value.suggestions == ("A03", "B05")


def test_zero_and_letter_with_one_digit_stay_errors(table: SectorTable) -> None:
    with pytest.raises(UnknownSectorError, match="has no division 00"):
        table.normalize("0")
    with pytest.raises(UnknownSectorError) as info:
        table.normalize("A1")  # nothing drops the zero of "A01": a typo, not padded
    assert info.value.suggestions[0] == "A01"
    with pytest.raises(UnknownSectorError):
        table.normalize("C1")  # would be padded to C01, the wrong section for 01


def test_unknown_sector_message(table: SectorTable) -> None:
    with pytest.raises(UnknownSectorError) as info:
        table.normalize("Z9")
    assert str(info.value) == (
        "unknown NACE code 'Z9'; expected a section letter A–U, a division 01–99 "
        "(e.g. C20 or 20) or a group such as 20.1"
    )


def test_section_accessors(table: SectorTable) -> None:
    assert table.section_of("C20") == "C"
    assert table.section_of("20.1") == "C"
    assert table.section("C").label_en == "Manufacturing"
    assert table.section("J62").letter == "J"
    assert table.division("20").code == "C20"
    with pytest.raises(UnknownSectorError, match="is a section, not a division"):
        table.division("C")
    assert sectors() is sectors()


def test_broken_nace_file(tmp_path: Path) -> None:
    doc = json.loads((data_dir("reference") / "nace.json").read_text("utf-8"))
    doc["sections"][1]["divisions"].append(doc["sections"][0]["divisions"][0])
    with pytest.raises(ReferenceDataError, match="duplicate division 01"):
        load_sectors(_write(tmp_path, doc))
    doc = json.loads((data_dir("reference") / "nace.json").read_text("utf-8"))
    del doc["sections"][2]["divisions"][0]["label_zh"]
    where = r"sections\[2\] \(letter 'C'\)\.divisions\[0\] \(number '10'\)"
    with pytest.raises(ReferenceDataError, match=where + ": missing field 'label_zh'"):
        load_sectors(_write(tmp_path, doc))


def test_check_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from isa_match.reference.__main__ import main

    assert main([]) == 0
    assert "41 members (21 DE, 20 CN), 47 regions" in capsys.readouterr().out
    doc = _cities_doc()
    _unknown_region(doc)
    assert main([str(_write(tmp_path, doc))]) == 1
    assert "region 'DE-XX' is not in the regions list" in capsys.readouterr().err
