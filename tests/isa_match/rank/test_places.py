"""Finding ISA member cities and regions in free text (isa_match.rank.places)."""

from __future__ import annotations

import pytest

from isa_match.rank.places import (
    PlaceMatcher,
    find_places,
    mentioned_places,
    mentioned_regions,
    place_matcher,
)
from isa_match.reference import cities


@pytest.mark.parametrize(
    ("text", "member"),
    [
        ("Wir suchen Büroflächen in Köln.", "koeln"),
        ("Standort Koeln-Ehrenfeld", "koeln"),
        ("Koln, Germany", "koeln"),
        ("Office space in Cologne", "koeln"),
        ("拟在德国科隆设立分支机构", "koeln"),
        ("Ein Kölner Familienunternehmen", "koeln"),
        ("寻找德国弗莱堡（Freiburg）洁净厂房", "region-schwarzwald"),
        ("Gewerbepark in Freiburg im Breisgau", "region-schwarzwald"),
        ("Lager in Dortmund", "dortmund"),
        ("德国多特蒙德(Dortmund)及周边", "dortmund"),
        ("a plant near Shenzhen", "baoan"),
        ("深圳市宝安区的企业", "baoan"),
        ("Suche Lager- und Logistikfläche in Guangzhou-Nansha", "nansha"),
        ("马鞍山(Ma'anshan)优质生产厂房", "maanshan"),
        ("Produktionshalle in Ma’anshan", "maanshan"),
        ("Cleanroom space in Rüsselsheim am Main", "drei-gewinnt"),
        ("Standort Bad Homburg v. d. Höhe", "bad-homburg"),
        ("Werk in Nuernberg", "nuernberg"),
        ("Halle in Großenlüder", "region-fulda"),
        ("Fläche in Grossenluder", "region-fulda"),
        ("（Ｆｒｅｉｂｕｒｇ）", "region-schwarzwald"),  # full-width letters
    ],
)
def test_members_are_found_in_german_chinese_and_english(text: str, member: str) -> None:
    assert mentioned_places(text) == frozenset({member})


def test_every_display_name_finds_its_member() -> None:
    for city in cities():
        for lang in ("de", "zh", "en"):
            name = city.name(lang)
            assert city.id in mentioned_places(f"Standort: {name}."), (city.id, name)


@pytest.mark.parametrize(
    "text",
    [
        "Lindenberg im Allgäu",  # "Inden" (a Düren town) inside a longer word
        "Hagenbach und Mainzelmännchen",
        "Dortmunderin",  # not a German ending we accept
        "Titzmann GmbH",
        "浙江门窗有限公司",  # 浙江 + 门窗, not Jiangmen (江门)
        "汉堡包和薯条",  # hamburger
        "拉尔夫先生",  # Ralph, not Lahr (拉尔)
        "实现三赢",  # a triple win, not the city network 三赢
        "three wins in a row",
        "made by us",  # "BY" (Bavaria) is too short to look for
    ],
)
def test_no_member_inside_longer_words_or_common_phrases(text: str) -> None:
    assert mentioned_places(text) == frozenset()


def test_longest_leftmost_name_wins() -> None:
    assert mentioned_regions("下萨克森州") == frozenset({"DE-NI"})
    assert mentioned_regions("Sachsen-Anhalt") == frozenset({"DE-ST"})
    assert mentioned_regions("Sachsen-Anhalt und Sachsen") == frozenset({"DE-ST", "DE-SN"})
    assert mentioned_regions("浙江门窗") == frozenset({"CN-ZJ"})


def test_regions_by_name_and_short_codes() -> None:
    assert mentioned_regions("广东省佛山市南海区") == frozenset({"CN-GD"})
    assert mentioned_places("广东省佛山市南海区") == frozenset({"foshan"})
    assert mentioned_regions("Standorte in NRW und Bavaria") == frozenset({"DE-NW", "DE-BY"})
    assert mentioned_regions("BY BW MV") == frozenset()


def test_several_places_and_their_spellings_in_order() -> None:
    found = find_places("公司位于汕头，拟在德国纽伦堡(Nürnberg)投资建厂，Nuernberg")
    assert [cid for cid, _ in found.cities] == ["shantou", "nuernberg"]
    assert found.spellings("nuernberg") == ("纽伦堡", "Nürnberg", "Nuernberg")
    assert found.spellings("koeln") == ()
    assert found.city_ids == frozenset({"shantou", "nuernberg"})


def test_german_endings_keep_the_name_only() -> None:
    found = find_places("Dortmunds Hafen und Hamburger Unternehmen")
    assert found.spellings("dortmund") == ("Dortmund",)
    assert found.spellings("hamburg") == ("Hamburg",)


def test_words_of_a_name_must_be_adjacent() -> None:
    assert mentioned_places("Bad Homburg") == frozenset({"bad-homburg"})
    assert mentioned_places("Bad in Homburg") == frozenset()


def test_empty_and_placeless_text() -> None:
    assert mentioned_places("") == frozenset()
    assert find_places("Lithiumcarbonat in Batteriequalität, 20 t/Monat").cities == ()


def test_matcher_is_cached_and_knows_regions() -> None:
    assert place_matcher() is place_matcher()
    own = PlaceMatcher(cities())
    assert own is not place_matcher()
    assert own.find("Köln").city_ids == frozenset({"koeln"})
    assert own.region_of("koeln") == "DE-NW"
