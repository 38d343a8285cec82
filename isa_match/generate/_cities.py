"""The 41 ISA member cities as the generator needs them.

The generator keeps its own small table instead of reading
``data/reference/cities.json`` so that generating a corpus never depends on
file loading order; the tests check every display name against
:mod:`isa_match.reference`.
"""

from __future__ import annotations

from ._model import GenCity

__all__ = ["CITIES", "CITIES_BY_COUNTRY", "CITY_BY_ID", "GenCity", "city_name"]
from .banks.cities_cn import CITIES_CN as _CN
from .banks.cities_de import CITIES_DE as _DE

CITIES: tuple[GenCity, ...] = _DE + _CN
CITIES_BY_COUNTRY: dict[str, tuple[GenCity, ...]] = {"DE": _DE, "CN": _CN}
CITY_BY_ID: dict[str, GenCity] = {c.id: c for c in CITIES}


def city_name(city: GenCity, lang: str) -> str:
    """The city's name as written inside a text of language ``lang``."""
    return {"de": city.de, "zh": city.zh, "en": city.en}[lang]
