"""Small value types shared by the phrase banks and the generator."""

from __future__ import annotations

from dataclasses import dataclass

# A phrase in the three languages, always in the order German, Chinese, English.
Tri = tuple[str, str, str]

LANG_INDEX: dict[str, int] = {"de": 0, "zh": 1, "en": 2}


def pick(tri: Tri, lang: str) -> str:
    """The phrase of ``tri`` in ``lang``."""
    return tri[LANG_INDEX[lang]]


@dataclass(frozen=True, slots=True)
class Topic:
    """One distinct need: what a request asks for and a fitting offer provides.

    Two listings of opposite kind fit each other exactly when they share the
    topic ``key``. Topics sharing a ``groups`` entry are siblings: they share
    most words but do not fit each other.
    """

    key: str
    category: str
    family: str
    sector: tuple[str, ...]
    term: Tri  # the main noun phrase, usable after "für"/"of" and as a title
    short: Tri  # a keyword-sized name
    groups: tuple[str, ...]
    unit: str = ""  # products: unit id (see _frames.UNITS)
    cert: str = ""  # products/services: certificate id (see _frames.CERTS)
    parts: tuple[Tri, ...] = ()  # composed topics: their parts (type, field) or (type, city)
    city: str = ""  # space topics: the city id where the space is
    offer_country: str = ""  # set when only one country plausibly offers it ("DE"/"CN")


@dataclass(frozen=True, slots=True)
class Frames:
    """The templates of one (category, kind, language): titles, opening sentences and
    optional facet sentences (each facet has alternative wordings)."""

    titles: tuple[str, ...]
    openers: tuple[str, ...]
    facets: dict[str, tuple[str, ...]]


@dataclass(frozen=True, slots=True)
class GenCity:
    """One member city: names used in texts, display names, phone area code."""

    id: str
    country: str
    de: str  # name inside German text
    zh: str  # name inside Chinese text
    en: str  # name inside English text
    display: tuple[str, ...]  # what staff type into the city field (first = most common)
    area: str  # telephone area code without trunk prefix
    adjective: str  # German city adjective or regional prefix for organisation names
    fields: tuple[str, ...]  # field ids the local economy is known for (weights the choice)
