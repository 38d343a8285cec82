"""Vectorised component scores of one query against an array of candidate rows.

Each function mirrors a per-pair function of :mod:`isa_match.rank.features`
(the reference semantics) over numpy columns of a :class:`FeatureTable`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from isa_match.rank._table import FeatureTable, codes

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

#: Sector-fit scores by kind of overlap (see ``features.sector_fit``).
SECTOR_DIVISION = 1.0
SECTOR_SECTION = 0.5
SECTOR_COMPLEMENT = 0.5


@dataclass(frozen=True, slots=True)
class QueryAttrs:
    """The attributes of a query used by the components; ``None`` = unknown (text query)."""

    country: int | None
    category: int | None
    city: int | None
    region: int | None
    sections: int
    divisions: tuple[int, ...]
    target_cities: int
    target_regions: int
    complement_sections: int
    complement_divisions: tuple[int, ...]


def _bit(
    mask: npt.NDArray[np.uint64], pos: npt.NDArray[np.int16] | IntArray
) -> npt.NDArray[np.bool_]:
    return ((mask >> pos.astype(np.uint64)) & np.uint64(1)).astype(bool)


def sector(table: FeatureTable, rows: IntArray, q: QueryAttrs) -> FloatArray:
    """Sector fit: shared division 1, shared section or complementary sectors 0.5, else 0."""
    out = np.zeros(len(rows))
    if not q.sections:
        return out
    divs = table.divisions[rows]
    qdiv = np.array(q.divisions, dtype=np.uint64)
    cdiv = np.array(q.complement_divisions, dtype=np.uint64)
    same_div = (divs & qdiv).any(axis=1)
    secs = table.sections[rows]
    same_sec = (secs & np.uint64(q.sections)) != 0
    comp = ((divs & cdiv).any(axis=1)) | ((secs & np.uint64(q.complement_sections)) != 0)
    out[comp] = SECTOR_COMPLEMENT
    out[same_sec] = np.maximum(out[same_sec], SECTOR_SECTION)
    out[same_div] = SECTOR_DIVISION
    return out


def category(
    table: FeatureTable, rows: IntArray, q: QueryAttrs, compat: npt.NDArray[np.float64]
) -> FloatArray:
    """Category fit from the category-compatibility matrix (1 on the diagonal)."""
    if q.category is None:
        return np.zeros(len(rows))
    out: FloatArray = compat[q.category, table.category[rows]]
    return out


def cross_border(table: FeatureTable, rows: IntArray, q: QueryAttrs) -> FloatArray:
    """1 where the candidate is in the other country."""
    if q.country is None:
        return np.zeros(len(rows))
    out: FloatArray = (table.country[rows] != q.country).astype(np.float64)
    return out


def location(
    table: FeatureTable, rows: IntArray, q: QueryAttrs
) -> tuple[FloatArray, npt.NDArray[np.bool_]]:
    """(location fit, mismatch flag).

    Fit is 1 when a place one side names is the other side's city, 0.5 when it
    is only in the other side's region; a mismatch is a side that names target
    places none of which fits the other side.
    """
    cand_city = table.city[rows]
    cand_region = table.region[rows]
    qc = np.uint64(q.target_cities)
    qr = np.uint64(q.target_regions)
    q_city_hit = _bit(np.full(len(rows), qc), cand_city)
    q_region_hit = _bit(np.full(len(rows), qr), cand_region)
    if q.city is not None and q.region is not None:
        c_city_hit = _bit(table.target_cities[rows], np.full(len(rows), q.city, dtype=np.int64))
        c_region_hit = _bit(
            table.target_regions[rows], np.full(len(rows), q.region, dtype=np.int64)
        )
    else:
        c_city_hit = c_region_hit = np.zeros(len(rows), dtype=bool)
    fit = np.where(q_city_hit | c_city_hit, 1.0, np.where(q_region_hit | c_region_hit, 0.5, 0.0))
    q_named = q.target_cities != 0
    c_named = table.target_cities[rows] != 0
    mismatch = (q_named & ~(q_city_hit | q_region_hit)) | (
        c_named & ~(c_city_hit | c_region_hit) & (q.city is not None)
    )
    return fit, mismatch


def freshness(
    table: FeatureTable, rows: IntArray, today: int, half_life_days: float, floor: float
) -> FloatArray:
    """Exponential decay in age with ``floor``; 0 for expired candidates."""
    age = np.maximum(today - table.created[rows].astype(np.int64), 0)
    fresh = np.maximum(np.power(0.5, age / half_life_days), floor)
    return np.where(table.expires[rows] < today, 0.0, fresh)


def query_attrs_of_row(table: FeatureTable, row: int, complements: ComplementMasks) -> QueryAttrs:
    """The :class:`QueryAttrs` of a stored listing."""
    divs = tuple(int(w) for w in table.divisions[row])
    secs = int(table.sections[row])
    csec, cdiv = complements.of(secs, divs)
    return QueryAttrs(
        country=int(table.country[row]),
        category=int(table.category[row]),
        city=int(table.city[row]),
        region=int(table.region[row]),
        sections=secs,
        divisions=divs,
        target_cities=int(table.target_cities[row]),
        target_regions=int(table.target_regions[row]),
        complement_sections=csec,
        complement_divisions=cdiv,
    )


def text_query_attrs(places: frozenset[str], regions: frozenset[str]) -> QueryAttrs:
    """The :class:`QueryAttrs` of a free-text query (only its named places are known)."""
    c = codes()
    return QueryAttrs(
        country=None,
        category=None,
        city=None,
        region=None,
        sections=0,
        divisions=(0,) * c.div_words,
        target_cities=c.city_bits(places),
        target_regions=c.region_bits(places, regions),
        complement_sections=0,
        complement_divisions=(0,) * c.div_words,
    )


class ComplementMasks:
    """Complementary-sector masks per section and per division, from the complement table."""

    def __init__(self, pairs: list[tuple[str, str]]) -> None:
        c = codes()
        self._by_section: dict[int, tuple[int, list[int]]] = {}
        self._by_division: dict[int, tuple[int, list[int]]] = {}
        for a, b in pairs:
            for x, y in ((a, b), (b, a)):
                ysec, ydiv = c.sector_bits([y]) if len(y) > 1 else (1 << c.section[y], None)
                if ydiv is None:
                    ydiv = [0] * c.div_words
                    ysec_only = ysec
                else:
                    ysec_only = 0
                key_map = self._by_division if len(x) > 1 else self._by_section
                key = c.division[x] if len(x) > 1 else c.section[x]
                sec, div = key_map.get(key, (0, [0] * c.div_words))
                key_map[key] = (sec | ysec_only, [d | e for d, e in zip(div, ydiv, strict=True)])

    def of(self, sections: int, divisions: tuple[int, ...]) -> tuple[int, tuple[int, ...]]:
        """(section mask, division mask words) complementary to the given sectors."""
        c = codes()
        sec = 0
        div = [0] * c.div_words
        for i, (s, d) in self._by_section.items():
            if sections >> i & 1:
                sec |= s
                div = [a | b for a, b in zip(div, d, strict=True)]
        for i, (s, d) in self._by_division.items():
            if divisions[i // 64] >> (i % 64) & 1:
                sec |= s
                div = [a | b for a, b in zip(div, d, strict=True)]
        return sec, tuple(div)
