"""Tests of text normalisation and language detection."""

from __future__ import annotations

import pytest

from isa_match.schema import Language
from isa_match.text import detect_language, language_shares, normalize_line, normalize_text

DE, ZH, EN = Language.DE, Language.ZH, Language.EN

# (text, expected language): realistic titles and sentences, mixed ones included.
SENTENCES = [
    ("提供CNC加工服务，ISO 9001认证", ZH),
    ("Die Firma 深圳华为技术有限公司 sucht Partner für Kooperation in Deutschland", DE),
    ("Kooperation mit 华为技术有限公司", DE),
    ("We are looking for a partner for our Kindergarten project", EN),
    ("The Mittelstand company is looking for distributors in China", EN),
    ("CNC-Fräsen", DE),
    ("CNC machining", EN),
    ("Laser cutting services", EN),
    ("Laserschneiden", DE),
    ("Wasserstoff-Technologie", DE),
    ("Smart Factory Solutions", EN),
    ("寻找德国汽车零部件供应商", ZH),
    ("德国Fraunhofer研究所寻求合作", ZH),
    ("Industrie 4.0 Lösungen für 智能制造", DE),
    ("西门子PLC编程服务", ZH),
    ("Wir suchen Partner in Foshan (佛山)", DE),
    ("Lagerfläche 2.000 m² in Dortmund zu vermieten", DE),
    ("Warehouse space of 2,000 m² available in Dortmund", EN),
    ("Produktionsfläche gesucht", DE),
    ("Automatisierungstechnik für die Automobilindustrie", DE),
    ("Precision injection moulding for automotive parts", EN),
    ("Joint venture for battery recycling", EN),
    ("Investitionsmöglichkeit im Bereich erneuerbare Energien", DE),
    ("我们是一家位于佛山的陶瓷企业，寻找德国合作伙伴", ZH),
    ("出租标准厂房5000平方米", ZH),
    ("LED-Beleuchtung", DE),
    ("Elektromobilität", DE),
    ("Electric mobility", EN),
    ("Messe in Hannover: Gemeinschaftsstand", DE),
    ("Trade fair delegation to Guangzhou", EN),
    ("Beratung zur Markterschließung in China", DE),
    ("Market entry consulting for German SMEs", EN),
    ("新能源汽车电池技术转让", ZH),
    ("Technologietransfer Batteriezellen", DE),
    ("Software development for industrial IoT", EN),
    ("Softwareentwicklung für industrielles IoT", DE),
    ("Kunststoffspritzguss", DE),
    ("3D-Druck Prototypen", DE),
    ("3D printing prototypes", EN),
    ("Hochschule sucht Industriepartner für Forschungsprojekt", DE),
    ("University seeks industry partner for research project", EN),
    ("大学寻求企业合作开展研究项目", ZH),
    ("Wir bieten Know-how in der Oberflächentechnik", DE),
    ("Our company offers surface treatment know-how", EN),
    ("Lohnfertigung Drehteile", DE),
    ("Contract manufacturing of turned parts", EN),
    ("年产10万吨PVC生产线", ZH),
    ("Partnersuche: Maschinenbau", DE),
    ("Vertriebspartner gesucht", DE),
    ("Distribution partner wanted", EN),
    ("Photovoltaik-Anlagen", DE),
    ("photovoltaic systems installation", EN),
    ("与德国企业共建联合实验室", ZH),
    ("Gründung eines Joint Ventures in Liuzhou", DE),
    ("Wuppertal: Büroflächen im Technologiezentrum", DE),
    ("Office space in technology centre", EN),
    ("GmbH sucht Lieferanten", DE),
    ("Looking for suppliers of aluminium die castings", EN),
    ("Aluminium-Druckguss Lieferant gesucht", DE),
    ("工业4.0解决方案", ZH),
    ("Digitalisierung im Mittelstand", DE),
    ("Digitalization of SMEs", EN),
    ("汉堡港物流合作 (Hamburg Hafen)", ZH),
    ("Unser Partner 佛山市陶瓷研究所 bietet Prüfdienstleistungen an", DE),
]


def test_enough_sentences() -> None:
    assert len(SENTENCES) >= 40
    assert {lang for _, lang in SENTENCES} == {DE, ZH, EN}


@pytest.mark.parametrize(("text", "expected"), SENTENCES)
def test_detect_language(text: str, expected: Language) -> None:
    assert detect_language(text) is expected


@pytest.mark.parametrize(("text", "expected"), SENTENCES)
def test_detect_language_survives_normalisation(text: str, expected: Language) -> None:
    # NFKC turns "，" into ","; the answer must not depend on it.
    assert detect_language(normalize_text(text)) is expected


def test_shares_sum_to_one_and_rank_mixed_text() -> None:
    shares = language_shares("提供CNC加工服务，ISO 9001认证")
    assert sum(shares.values()) == pytest.approx(1.0)
    assert shares[ZH] > 0.8
    mixed = language_shares("Die Firma 深圳华为技术有限公司 sucht Partner für Kooperation")
    assert 0.0 < mixed[ZH] < mixed[DE]


def test_no_letters_gives_default() -> None:
    assert language_shares("12345 !!") == {DE: 0.0, ZH: 0.0, EN: 0.0}
    assert detect_language("12345") is DE
    assert detect_language("", default=EN) is EN
    assert detect_language("Solar Module", default=EN) is EN  # no cue either way: a tie


def test_detection_is_deterministic() -> None:
    text = "Kooperation mit 华为技术有限公司 for battery recycling"
    assert len({detect_language(text) for _ in range(5)}) == 1


def test_nfkc_full_width() -> None:
    assert normalize_line("ＡＢＣ１２３") == "ABC123"
    assert normalize_line("Ｃ２０　Chemie") == "C20 Chemie"  # ideographic space too


def test_bidi_zero_width_and_control_characters_removed() -> None:
    raw = "\u202eevil\u202c \u2066name\u2069 zero\u200bwidth\u200d\ufeff soft\u00adhyphen\x07"
    assert normalize_line(raw) == "evil name zerowidth softhyphen"
    for cp in (*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200B, 0x200C, 0x200E):
        assert normalize_line(f"a{chr(cp)}b") == "ab"


def test_whitespace_collapsed_and_stripped() -> None:
    assert normalize_line("  a \t b\n\nc\u00a0 d  ") == "a b c d"
    assert normalize_line("\u200b \t") == ""
    assert normalize_line("plain ascii") == "plain ascii"


def test_normalize_text_keeps_paragraphs_as_single_newlines() -> None:
    raw = "  Erster   Absatz.\r\n\r\n\n  Zweiter\tAbsatz \u2028Dritter\n \n"
    assert normalize_text(raw) == "Erster Absatz.\nZweiter Absatz\nDritter"
    assert normalize_text("一行\n\n二行") == "一行\n二行"


def test_normalisation_is_idempotent() -> None:
    for text, _ in SENTENCES:
        once = normalize_text(text)
        assert normalize_text(once) == once
        assert normalize_line(normalize_line(text)) == normalize_line(text)


def test_every_control_and_format_character_is_removed() -> None:
    import sys
    import unicodedata

    for cp in range(sys.maxunicode + 1):
        ch = chr(cp)
        if unicodedata.category(ch) in ("Cc", "Cf") and not ch.isspace():
            assert normalize_line(f"a{ch}b") == "ab", hex(cp)


def test_lone_surrogates_are_removed() -> None:
    assert normalize_line("a\ud800b\udfff") == "ab"
    assert normalize_text("x\udc00y\nz") == "xy\nz"
    normalize_line("a\ud800b").encode("utf-8")  # writable again
