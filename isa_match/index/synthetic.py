"""Synthetic corpora for index tests and benchmarks: clustered unit vectors and metadata.

Metadata uses the 41 ISA member city ids with their country and region and a
skewed city distribution (a few large cities, a long tail), so a single-city
filter has a realistic range of selectivities.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np

from isa_match.index.base import ItemMeta

# (city id, ISO 3166-2 region); country is the region prefix.
ISA_CITIES: tuple[tuple[str, str], ...] = (
    ("aachen", "DE-NW"), ("bad-homburg", "DE-HE"), ("bottrop", "DE-NW"),
    ("chemnitz", "DE-SN"), ("dortmund", "DE-NW"), ("goettingen", "DE-NI"),
    ("hamburg", "DE-HH"), ("hildesheim", "DE-NI"), ("ingolstadt", "DE-BY"),
    ("kaiserslautern", "DE-RP"), ("koeln", "DE-NW"), ("kreis-dueren", "DE-NW"),
    ("ludwigshafen", "DE-RP"), ("mainz", "DE-RP"), ("nuernberg", "DE-BY"),
    ("region-fulda", "DE-HE"), ("region-schwarzwald", "DE-BW"), ("drei-gewinnt", "DE-HE"),
    ("rhein-kreis-neuss", "DE-NW"), ("solingen", "DE-NW"), ("wuppertal", "DE-NW"),
    ("foshan", "CN-GD"), ("taizhou", "CN-ZJ"), ("baoan", "CN-GD"), ("liuzhou", "CN-GX"),
    ("maoming", "CN-GD"), ("nansha", "CN-GD"), ("deyang", "CN-SC"), ("nanning", "CN-GX"),
    ("jieyang", "CN-GD"), ("jiaozuo", "CN-HA"), ("nanchang", "CN-JX"), ("maanshan", "CN-AH"),
    ("zhuzhou", "CN-HN"), ("jiangmen", "CN-GD"), ("guiyang", "CN-GZ"), ("zhaoqing", "CN-GD"),
    ("panjin", "CN-LN"), ("shantou", "CN-GD"), ("yunfu", "CN-GD"), ("weihai", "CN-SD"),
)  # fmt: skip

SECTIONS = "ABCDEFGHIJKLMNOPQRSTU"
_DIVISIONS = (
    "C10", "C20", "C22", "C25", "C26", "C27", "C28", "C29", "D35", "F41", "G46",
    "H49", "J62", "K64", "M71", "M72", "N82", "P85", "Q86",
)  # fmt: skip
CATEGORIES = ("product", "technology", "space", "event", "cooperation", "investment", "service")
KINDS = ("offer", "request")
ORG_TYPES = ("company", "research", "public")
LANGUAGES = ("de", "zh", "en")


def city_weights(n_cities: int = len(ISA_CITIES), skew: float = 1.0) -> np.ndarray:
    """Zipf-like city shares: the largest city has ~``n_cities`` times the smallest's share."""
    w = 1.0 / np.arange(1, n_cities + 1) ** skew
    return np.asarray(w / w.sum())


def clustered_unit_vectors(
    n: int, dim: int, rng: np.random.Generator, *, clusters: int = 200, spread: float = 1.2
) -> np.ndarray:
    """``n`` float32 unit vectors around ``clusters`` random centres (like embeddings).

    Draw corpus and queries in one call and split, so queries are held-out
    points of the same distribution.
    """
    centres = rng.standard_normal((clusters, dim), dtype=np.float32)
    out = np.empty((n, dim), dtype=np.float32)
    for start in range(0, n, 65536):
        m = min(65536, n - start)
        block = centres[rng.integers(0, clusters, m)]
        block += spread * rng.standard_normal((m, dim), dtype=np.float32)
        block /= np.linalg.norm(block, axis=1, keepdims=True)
        out[start : start + m] = block
    return out


def synthetic_items(
    n: int, rng: np.random.Generator, *, prefix: str = "L", skew: float = 1.0
) -> list[ItemMeta]:
    """``n`` items with random but plausible metadata over the 41 ISA member cities."""
    city_idx = rng.choice(len(ISA_CITIES), n, p=city_weights(skew=skew))
    cat = rng.integers(0, len(CATEGORIES), n)
    kind = rng.integers(0, 2, n)
    org = rng.choice(3, n, p=[0.8, 0.12, 0.08])
    n_sect = rng.choice(3, n, p=[0.1, 0.6, 0.3])
    base = date(2026, 11, 1)
    exp_days = rng.integers(-200, 400, n)
    open_ended = rng.random(n) < 0.3
    items = []
    for i in range(n):
        city, region = ISA_CITIES[city_idx[i]]
        country = region[:2]
        codes: list[str] = []
        for _ in range(int(n_sect[i])):
            if rng.random() < 0.25:
                codes.append(SECTIONS[int(rng.integers(0, len(SECTIONS)))])
            else:
                codes.append(_DIVISIONS[int(rng.integers(0, len(_DIVISIONS)))])
        lang = "de" if country == "DE" else "zh"
        if rng.random() < 0.1:
            lang = "en"
        items.append(
            ItemMeta(
                id=f"{prefix}{i:07d}",
                country=country,
                city=city,
                region=region,
                sector=tuple(dict.fromkeys(codes)),
                category=CATEGORIES[cat[i]],
                kind=KINDS[kind[i]],
                org_type=ORG_TYPES[org[i]],
                language=lang,
                expires_at=None if open_ended[i] else base + timedelta(days=int(exp_days[i])),
            )
        )
    return items
