"""Per-listing ranking attributes as numpy columns, for vectorised pair scoring.

The pure functions of :mod:`isa_match.rank.features` define each component for
one pair (they are the oracle); :class:`FeatureTable` computes the same values
for one query against a whole candidate array at once, so that ranking a few
hundred candidates costs tens of microseconds instead of milliseconds. A test
checks that both agree on the sample corpus.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt

from isa_match.rank.features import PLACE_CATEGORIES
from isa_match.reference import cities, sectors
from isa_match.schema import Category, Country, Kind, Listing

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

_NO_EXPIRY = date.max.toordinal()
_CATEGORIES = list(Category)
_KINDS = list(Kind)
_COUNTRIES = list(Country)


def _grow(arr: npt.NDArray[Any], rows: int) -> npt.NDArray[Any]:
    if rows <= len(arr):
        return arr
    new = np.zeros((max(rows, 2 * len(arr), 64), *arr.shape[1:]), dtype=arr.dtype)
    new[: len(arr)] = arr
    return new


class Codes:
    """Stable small-integer codes of the reference vocabularies (cities, regions, sectors)."""

    def __init__(self) -> None:
        registry = cities()
        table = sectors()
        self.city = {c.id: i for i, c in enumerate(registry)}
        self.city_ids = [c.id for c in registry]
        self.city_region = [c.region for c in registry]
        self.region = {r.code: i for i, r in enumerate(registry.regions())}
        self.section = {s.letter: i for i, s in enumerate(table.sections())}
        self.division = {d.code: i for i, d in enumerate(table.divisions())}
        if len(self.city) > 64 or len(self.region) > 64 or len(self.section) > 64:
            raise ValueError("reference vocabularies outgrew the 64-bit masks")
        self.div_words = (len(self.division) + 63) // 64

    def city_bits(self, city_ids: Iterable[str]) -> int:
        """A bit mask over city codes."""
        bits = 0
        for cid in city_ids:
            bits |= 1 << self.city[cid]
        return bits

    def region_bits(self, city_ids: Iterable[str], regions: Iterable[str] = ()) -> int:
        """A bit mask over the regions of the given cities and the given region codes."""
        bits = 0
        for cid in city_ids:
            bits |= 1 << self.region[self.city_region[self.city[cid]]]
        for code in regions:
            bits |= 1 << self.region[code]
        return bits

    def sector_bits(self, codes: Iterable[str]) -> tuple[int, list[int]]:
        """(section mask, division mask words) of NACE codes."""
        sec = 0
        div = [0] * self.div_words
        for code in codes:
            sec |= 1 << self.section[code[0]]
            if len(code) > 1:
                i = self.division[code]
                div[i // 64] |= 1 << (i % 64)
        return sec, div


_CODES: Codes | None = None


def codes() -> Codes:
    """The shared :class:`Codes` (built once)."""
    global _CODES
    if _CODES is None:
        _CODES = Codes()
    return _CODES


class FeatureTable:
    """Ranking attributes of every listing, one row per listing (rows never move)."""

    def __init__(self) -> None:
        self.codes = codes()
        self.n = 0
        self.country = np.zeros(0, dtype=np.int8)
        self.category = np.zeros(0, dtype=np.int8)
        self.kind = np.zeros(0, dtype=np.int8)
        self.city = np.zeros(0, dtype=np.int16)
        self.region = np.zeros(0, dtype=np.int16)
        self.created = np.zeros(0, dtype=np.int32)
        self.expires = np.zeros(0, dtype=np.int32)
        self.org = np.zeros(0, dtype=np.int32)
        self.sections = np.zeros(0, dtype=np.uint64)
        self.divisions = np.zeros((0, self.codes.div_words), dtype=np.uint64)
        self.target_cities = np.zeros(0, dtype=np.uint64)  # places named, own city excluded
        self.target_regions = np.zeros(0, dtype=np.uint64)
        self._orgs: dict[str, int] = {}

    def _org_code(self, name: str) -> int:
        key = " ".join(name.casefold().split())
        return self._orgs.setdefault(key, len(self._orgs))

    def set_rows(
        self,
        rows: Sequence[int],
        listings: Sequence[Listing],
        places: Sequence[tuple[frozenset[str], frozenset[str]]],
    ) -> None:
        """Write the attributes of ``listings`` into ``rows``.

        ``places`` holds, per listing, the member cities and the regions its text
        names (:func:`isa_match.rank.places.mentioned_places` / ``mentioned_regions``).
        They become *targets* only for categories about a place (space,
        investment: ``features.PLACE_CATEGORIES``) and without the listing's own
        city and region; a product request naming its delivery port is no target.
        """
        if not rows:
            return
        top = max(rows) + 1
        for name in (
            "country category kind city region created expires org sections divisions "
            "target_cities target_regions"
        ).split():
            setattr(self, name, _grow(getattr(self, name), top))
        self.n = max(self.n, top)
        c = self.codes
        for row, item, (named, named_regions) in zip(rows, listings, places, strict=True):
            self.country[row] = _COUNTRIES.index(item.country)
            self.category[row] = _CATEGORIES.index(item.category)
            self.kind[row] = _KINDS.index(item.kind)
            self.city[row] = c.city[item.city]
            self.region[row] = c.region[item.region]
            self.created[row] = item.created_at.toordinal()
            self.expires[row] = item.expires_at.toordinal() if item.expires_at else _NO_EXPIRY
            self.org[row] = self._org_code(item.organization)
            sec, div = c.sector_bits(item.sector)
            self.sections[row] = sec
            self.divisions[row] = div
            if item.category.value in PLACE_CATEGORIES:
                targets = [p for p in named if p != item.city]
                regions = [r for r in named_regions if r != item.region]
            else:
                targets, regions = [], []
            self.target_cities[row] = c.city_bits(targets)
            self.target_regions[row] = c.region_bits(targets, regions)
