"""The interface catalogue: complete in three languages, every key the templates and
page modules use exists, placeholders agree, labels come from the reference data."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from isa_match.reference import cities, sectors
from isa_match.schema import Category, Country, Kind
from service.web.i18n import CATALOGUE, LANGS, Translator, as_lang, from_accept_language

WEB = Path(__file__).parents[2] / "service" / "web"
# t("key"), t('key') and t("prefix." ~ value) in templates; t("key") and "key" constants in code
_LITERAL = re.compile(r"""\bt\(\s*["']([a-z_]+\.[A-Za-z0-9_.]+)["']""")
_PREFIX = re.compile(r"""\bt\(\s*["']([a-z_]+\.)["']\s*~""")


def _used_keys() -> tuple[set[str], set[str]]:
    keys: set[str] = set()
    prefixes: set[str] = set()
    files = [*WEB.glob("templates/*.html"), *WEB.glob("*.py")]
    for path in files:
        text = path.read_text(encoding="utf-8")
        keys.update(_LITERAL.findall(text))
        prefixes.update(_PREFIX.findall(text))
        if path.suffix == ".py":
            # keys handed over as data: ("/path", "nav.key"), (OWN, "field.key"), key constants
            keys.update(re.findall(r', "([a-z]+\.[a-z_]+)"\)', text))
            keys.update(re.findall(r'"((?:form|review)\.[a-z_]+)"(?:,|$)', text, re.M))
    keys -= {name.name for name in WEB.glob("templates/*.html")}
    return keys, prefixes


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_entry_has_three_languages_with_the_same_placeholders() -> None:
    assert len(CATALOGUE) > 150
    for key, texts in CATALOGUE.items():
        assert len(texts) == len(LANGS), key
        assert all(t.strip() for t in texts), key
        assert _fields(texts[0]) == _fields(texts[1]) == _fields(texts[2]), key
    # the Chinese column is Chinese (a copy of the English one would pass the checks above)
    han = [k for k, texts in CATALOGUE.items() if re.search(r"[\u4e00-\u9fff]", texts[1])]
    assert len(han) > 0.9 * len(CATALOGUE)


def test_every_key_the_pages_use_exists() -> None:
    keys, prefixes = _used_keys()
    assert len(keys) > 80
    missing = sorted(k for k in keys if k not in CATALOGUE)
    assert missing == []
    for prefix in prefixes:
        assert any(k.startswith(prefix) for k in CATALOGUE), prefix
    # the groups the templates build keys of are complete
    for group, values in {
        "kind": [k.value for k in Kind],
        "category": [c.value for c in Category],
        "country": [c.value for c in Country],
        "status": ["pending", "approved", "rejected", "all", "active", "withdrawn"],
        "role": ["company", "staff", "admin"],
    }.items():
        assert all(f"{group}.{v}" in CATALOGUE for v in values), group


@pytest.mark.parametrize("lang", LANGS)
def test_labels_come_from_the_reference_data(lang: str) -> None:
    t = Translator(lang)  # type: ignore[arg-type]
    assert t.city("koeln") == cities().display_name("koeln", lang)
    assert t.sector("C28") == sectors().label("C28", lang)
    assert t.sector_labels(["C28", "L"]) == [
        f"C28 {sectors().label('C28', lang)}",
        f"L {sectors().label('L', lang)}",
    ]
    assert t.city("nowhere") == "nowhere" and t.sector("Q99x") == "Q99x"
    assert t.label("category", "space") == t("category.space")
    assert t.label("unknown", "x") == "x"
    with pytest.raises(KeyError):
        t("no.such.key")


def test_accept_language() -> None:
    assert from_accept_language("zh-CN,zh;q=0.9,en;q=0.8") == "zh"
    assert from_accept_language("fr-FR,en;q=0.5,de;q=0.7") == "de"
    assert from_accept_language("en-US") == "en"
    assert from_accept_language("fr, it;q=bad") == "de"
    assert from_accept_language(None) == "de"
    assert as_lang("zh") == "zh" and as_lang("ZH") is None and as_lang(None) is None
