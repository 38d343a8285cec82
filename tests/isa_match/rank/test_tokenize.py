"""The BM25 tokenizer: scripts, folding, compounds, stop words, matched terms."""

from __future__ import annotations

import pytest

from isa_match.rank.tokenize import (
    Tokenizer,
    TokenizerOptions,
    learn_compound_parts,
    matched_terms,
    tokenize,
)

PARTS = {
    "lithium": 5,
    "carbonat": 3,
    "batterie": 9,
    "zelle": 4,
    "fertigung": 7,
    "kuehl": 2,
    "aggregate": 3,
    "arbeit": 3,
    "platz": 4,
    "ionen": 3,
}


def test_latin_words_are_lower_cased_and_umlauts_folded() -> None:
    assert tokenize("Kühlung KUEHLUNG kühlung") == ["kuehlung"] * 3
    assert tokenize("Größe Strasse Straße") == ["groesse", "strasse", "strasse"]
    assert tokenize("Café Résumé") == ["cafe", "resume"]


def test_full_width_text_is_normalised() -> None:
    assert tokenize("ＣＮＣ加工") == ["cnc", "加工"]


def test_chinese_is_segmented_with_jieba() -> None:
    terms = tokenize("提供数控加工服务", "zh")
    assert "加工" in terms and "服务" in terms
    assert "提供" not in terms  # listing boilerplate is a stop word


def test_long_chinese_words_add_character_bigrams() -> None:
    # jieba keeps 人才交流 as one word; its bigrams let "人才" and "交流" match elsewhere.
    terms = tokenize("人才交流")
    assert terms == ["人才交流", "人才", "才交", "交流"]
    assert Tokenizer(TokenizerOptions(zh_bigrams=False)).tokenize("人才交流") == ["人才交流"]


def test_latin_tokens_inside_chinese_text_are_kept() -> None:
    terms = tokenize("寻找德国弗莱堡（Freiburg）洁净厂房，提供PA66和LFP电芯、CNC加工", "zh")
    for term in ("freiburg", "pa66", "lfp", "cnc", "弗莱堡", "厂房"):
        assert term in terms, term


def test_pure_numbers_are_dropped_alphanumeric_codes_kept() -> None:
    terms = tokenize("Seit 2006, 1.800 m2, 3D-Kameras, PA66, ISO 9001, 1,7 Mio. EUR")
    assert "2006" not in terms and "800" not in terms and "9001" not in terms
    assert {"m2", "3d", "kameras", "pa66", "iso", "mio", "eur"} <= set(terms)
    kept = Tokenizer(TokenizerOptions(keep_numbers=True)).tokenize("Baujahr 2006")
    assert kept == ["baujahr", "2006"]


def test_stop_words_of_all_three_languages_are_dropped() -> None:
    assert tokenize("Wir suchen einen Partner für die Fertigung") == ["partner", "fertigung"]
    assert tokenize("We are looking for a partner in the field") == ["partner", "field"]
    assert tokenize("我们的合作伙伴") == ["合作伙伴", "合作", "作伙", "伙伴"]
    plain = Tokenizer(TokenizerOptions(stopwords=False)).tokenize("für die")
    assert plain == ["fuer", "die"]


def test_hyphenated_words_give_parts_and_joined_form() -> None:
    terms = tokenize("Lithium-Ionen-Batterie")
    assert terms == ["lithium", "ionen", "batterie", "lithiumionenbatterie"]
    assert tokenize("Bao'an") == ["baoan"]


def test_compounds_split_into_known_parts() -> None:
    tok = Tokenizer(compound_parts=PARTS)
    assert tok.tokenize("Lithiumcarbonat") == ["lithiumcarbonat", "lithium", "carbonat"]
    # a linking s and a dropped final e (Zell- for Zelle), three parts
    assert tok.split_compound("arbeitsplatz") == ("arbeit", "platz")
    assert tok.split_compound("batteriezellfertigung") == ("batterie", "zelle", "fertigung")
    assert tok.split_compound("lithiumionenbatterie") == ("lithium", "ionen", "batterie")
    assert tok.split_compound("carbonatfabrik") == ()  # "fabrik" is not known


def test_compounds_are_split_only_in_german_or_unknown_text() -> None:
    tok = Tokenizer(compound_parts=PARTS)
    assert "lithium" in tok.tokenize("Lithiumcarbonat", "de")
    assert tok.tokenize("Lithiumcarbonat", "en") == ["lithiumcarbonat"]
    assert tok.tokenize("Lithiumcarbonat 供应", "zh") == ["lithiumcarbonat", "供应"]
    off = Tokenizer(TokenizerOptions(decompound=False), PARTS)
    assert off.tokenize("Lithiumcarbonat") == ["lithiumcarbonat"]


def test_compound_parts_are_learned_from_standalone_words() -> None:
    texts = ["Lithium und Carbonat", "Lithium, Carbonat", "Lithiumcarbonat", "Kupfer"]
    parts = learn_compound_parts(texts)
    assert parts == {"lithium": 2, "carbonat": 2}
    assert learn_compound_parts(texts, min_df=1)["kupfer"] == 1


def test_analyze_keeps_the_original_spelling() -> None:
    tok = Tokenizer(compound_parts=PARTS)
    tokens = tok.analyze("Kühlaggregate")
    assert [t.term for t in tokens] == ["kuehlaggregate", "kuehl", "aggregate"]
    assert [t.surface for t in tokens] == ["Kühlaggregate", "Kühl", "aggregate"]
    zell = tok.analyze("Batteriezellfertigung")
    assert [t.surface for t in zell] == ["Batteriezellfertigung", "Batterie", "zell", "fertigung"]


def test_tokenizer_round_trips_through_its_dict() -> None:
    tok = Tokenizer(TokenizerOptions(zh_bigrams=False, min_part=3), PARTS)
    again = Tokenizer.from_dict(tok.to_dict())
    assert again.options == tok.options and again.compound_parts == tok.compound_parts


def test_non_string_text_is_refused() -> None:
    with pytest.raises(TypeError, match="text must be a string"):
        tokenize(None)  # type: ignore[arg-type]


def test_empty_and_stop_word_only_text_give_no_terms() -> None:
    assert tokenize("") == []
    assert tokenize("und die der, 的 了 1234") == []


def test_matched_terms_shows_shared_terms_in_query_spelling() -> None:
    tok = Tokenizer(compound_parts=PARTS)
    shown = matched_terms(
        "Kühlaggregate und PA66 für die Zellfertigung", "Kuehlaggregate aus pa66", tokenizer=tok
    )
    assert shown == ["Kühlaggregate", "PA66"]  # longer first; "Kühl" is covered by the compound
    assert matched_terms("Lithium", "Kupfer", tokenizer=tok) == []


def test_matched_terms_orders_by_idf_when_given_an_index() -> None:
    class Idf:
        def idf(self, term: str) -> float:
            return {"cnc": 5.0, "加工": 1.0, "freiburg": 3.0}.get(term, 0.0)

    shown = matched_terms("CNC加工 in Freiburg", "Freiburg 提供CNC加工", index=Idf())
    assert shown == ["CNC", "Freiburg", "加工"]
    assert matched_terms("CNC加工 in Freiburg", "Freiburg CNC加工", index=Idf(), limit=1) == ["CNC"]


def test_remembered_words_keep_language_and_surface_variants_apart() -> None:
    # the tokenizer remembers each word's tokens; decompounding (German only) and
    # surfaces (analyze only) must not leak from one call into another
    tok = Tokenizer(compound_parts=PARTS)
    assert tok.tokenize("Lithiumcarbonat", "en") == ["lithiumcarbonat"]
    assert tok.tokenize("Lithiumcarbonat", "de") == ["lithiumcarbonat", "lithium", "carbonat"]
    assert tok.tokenize("Lithiumcarbonat", "en") == ["lithiumcarbonat"]
    surfaces = [t.surface for t in tok.analyze("Kühlaggregate")]
    assert surfaces == ["Kühlaggregate", "Kühl", "aggregate"]
    assert tok.tokenize("Kühlaggregate") == ["kuehlaggregate", "kuehl", "aggregate"]
    text = "Wärmepumpen-Service für Lithiumcarbonat, Kühlaggregate und E-Mobilität 2026"
    fresh = Tokenizer(compound_parts=PARTS)
    for _ in range(2):  # the second round is answered from memory
        assert tok.analyze(text, "de") == fresh.analyze(text, "de")
        assert tok.tokenize(text, "zh") == fresh.tokenize(text, "zh")
    assert tok._words  # it did remember


def test_the_word_memory_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    import isa_match.rank.tokenize as tokenize_module

    monkeypatch.setattr(tokenize_module, "_WORD_MEMO", 5)
    tok = Tokenizer(compound_parts=PARTS)
    words = [f"wort{i:03d}x" for i in range(40)]
    assert tok.tokenize(" ".join(words)) == words
    assert len(tok._words) <= 6
