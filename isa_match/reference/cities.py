"""ISA member cities and the regions they lie in, with multilingual lookup.

:func:`cities` returns the registry loaded from ``data/reference/cities.json``.
Adding a member is a data change: a new record in that file, nothing here.
"""

from __future__ import annotations

import difflib
import functools
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from isa_match._paths import data_dir
from isa_match.reference._cities_load import parse_cities
from isa_match.reference._keys import LookupTable, has_cjk
from isa_match.reference._load import ReferenceDataError
from isa_match.reference._records import (
    City,
    Region,
    UnknownCityError,
    UnknownRegionError,
    unknown_message,
)
from isa_match.schema import Country, Language

__all__ = [
    "City",
    "CityRegistry",
    "Region",
    "UnknownCityError",
    "UnknownRegionError",
    "cities",
    "load_cities",
]

_MAX_SUGGESTIONS = 3
# (target id or code, language) -> display name
_Namer = Callable[[str, str], str]


def _lang_of(text: str) -> str:
    return Language.ZH.value if has_cjk(text) else Language.DE.value


# Kinds of city names: the member's own names, the larger city it lies in, its towns.
_OWN, _PARENT, _MEMBER = "name", "parent", "member"


def _city_table(cities: tuple[City, ...]) -> LookupTable:
    table = LookupTable("city")
    for c in cities:
        # Display names first: a key keeps the language and kind of the first name
        # that produced it (the language suggestions are shown in), so a town whose
        # key equals an affix-free form of the member's name ("Düren" from "Kreis
        # Düren") counts as the member's own name.
        for lang in Language:
            table.add(c.name(lang), c.id, lang.value)
        table.add(c.id, c.id, Language.DE.value)
        for kind, texts in (
            (_OWN, c.aliases),
            (_MEMBER, (*c.members, *c.member_aliases)),
            (_PARENT, c.parent_aliases),
        ):
            for text in texts:
                table.add(text, c.id, _lang_of(text), kind)
    return table


def _region_table(regions: tuple[Region, ...]) -> LookupTable:
    table = LookupTable("region")
    for r in regions:
        for lang in Language:
            table.add(r.name(lang), r.code, lang.value)
        table.add(r.code, r.code, Language.DE.value)
        for text in r.aliases:
            table.add(text, r.code, _lang_of(text))
    return table


class CityRegistry:
    """The ISA members and regions, resolvable by any of their names.

    Build it with :func:`cities` (the shipped data) or :func:`load_cities`.
    """

    def __init__(self, cities: tuple[City, ...], regions: tuple[Region, ...]) -> None:
        """Index ``cities`` and ``regions``.

        Raises:
            ValueError: two members (or two regions) share a normalised name.
        """
        self._cities = {city.id: city for city in cities}
        self._regions = {region.code: region for region in regions}
        self._city_keys = _city_table(cities)
        self._region_keys = _region_table(regions)

    def __iter__(self) -> Iterator[City]:
        return iter(self._cities.values())

    def __len__(self) -> int:
        return len(self._cities)

    def __repr__(self) -> str:
        return f"CityRegistry({len(self._cities)} cities, {len(self._regions)} regions)"

    def get(self, city_id: str) -> City:
        """The member with canonical id ``city_id`` (exact, e.g. ``"koeln"``).

        Raises:
            UnknownCityError: no member has that id.
        """
        try:
            return self._cities[city_id]
        except KeyError:
            near = tuple(difflib.get_close_matches(city_id, list(self._cities), n=3))
            message = unknown_message("ISA member city id", city_id, near)
            raise UnknownCityError(message, city_id, near) from None

    def resolve(self, text: str) -> City:
        """The member named ``text`` in German, Chinese or English, or by its id.

        Case, diacritics (``ü`` as ``u`` or ``ue``), apostrophes, spaces and
        hyphens do not matter, nor do affixes such as ``市``/``区`` or ``Stadt``.
        Component towns of a district or network resolve to that member, and
        so does the larger city a district member lies in ("Shenzhen" -> Bao'an);
        :meth:`resolve_with_note` tells these cases apart.

        Raises:
            UnknownCityError: ``text`` names no member; ``suggestions`` lists up
                to three member names, in Chinese for Chinese input: first a
                member named inside ``text`` ("佛山" in "佛山市南海区"), then
                close spellings, then the least dissimilar names.
        """
        return self.resolve_with_note(text)[0]

    def resolve_with_note(self, text: str, *, towns: bool = True) -> tuple[City, str | None]:
        """Like :meth:`resolve`, plus a note when ``text`` is not the member's own name.

        The note (English, naming the member in the script of ``text``) says that
        ``text`` is the larger city the member lies in (``"Shenzhen"`` -> Bao'an,
        ``"广州"`` -> Nansha) or one of the member's component towns
        (``"Freiburg"`` -> Region Schwarzwald). It is None for the member's own
        names and aliases, and with ``towns=False`` also for component towns
        (naming Freiburg for Region Schwarzwald is exact; naming Shenzhen for
        Bao'an is a guess worth a warning). Callers may show it as a warning.

        Raises:
            UnknownCityError: as :meth:`resolve`.
        """
        entry = self._city_keys.find_entry(text)
        if entry is None:
            raise self._unknown_city(text)
        city = self._cities[entry.target]
        if entry.kind == _OWN or (not towns and entry.kind != _PARENT):
            return city, None
        said = " ".join(text.split())
        name = city.name(Language.ZH if has_cjk(text) else entry.lang)
        if entry.kind == _PARENT:
            return city, (
                f"{said!r} resolved to the ISA member {name} (id {city.id!r}), which lies "
                f"within it; {said} as a whole is not an ISA member"
            )
        return city, (
            f"{said!r} resolved to the ISA member {name} (id {city.id!r}), "
            f"of which it is a component town"
        )

    def by_country(self, country: Country | str) -> tuple[City, ...]:
        """The members in ``country`` (``"DE"`` or ``"CN"``), in file order."""
        wanted = Country(str(country).strip().upper())
        return tuple(city for city in self._cities.values() if city.country is wanted)

    def display_name(self, city_id: str, lang: Language | str) -> str:
        """The name of member ``city_id`` in ``lang`` (``"de"``, ``"zh"``, ``"en"``)."""
        return self.get(city_id).name(lang)

    def regions(self, country: Country | str | None = None) -> tuple[Region, ...]:
        """All regions, or those of ``country``, in file order."""
        if country is None:
            return tuple(self._regions.values())
        wanted = Country(str(country).strip().upper())
        return tuple(r for r in self._regions.values() if r.country is wanted)

    def region(self, code: str) -> Region:
        """The region with ISO 3166-2 ``code`` such as ``"DE-NW"`` (any case).

        Raises:
            UnknownRegionError: no region has that code.
        """
        found = self._regions.get(code.strip().upper())
        if found is None:
            near = tuple(difflib.get_close_matches(code.upper(), list(self._regions), n=3))
            raise UnknownRegionError(unknown_message("region code", code, near), code, near)
        return found

    def resolve_region(self, text: str) -> Region:
        """The region named ``text``: its ISO code or any German/Chinese/English name.

        Raises:
            UnknownRegionError: ``text`` names no region; ``suggestions`` lists
                the nearest region names.
        """
        found = self._region_keys.find(text)
        if found is not None:
            return self._regions[found]
        near = self._suggest(
            text, self._region_keys.near(text), lambda c, lang: self._regions[c].name(lang)
        )
        raise UnknownRegionError(unknown_message("region", text, near), text, near)

    def _unknown_city(self, text: str) -> UnknownCityError:
        # A member named inside the input comes first ("佛山" in "佛山市南海区"):
        # likely meant, yet not resolved silently, since a part of a member city
        # is not necessarily the member. Then close spellings, then, so that the
        # fix always names members, the most similar names without a cutoff.
        table = self._city_keys
        inside, close = table.contained(text), table.near(text)
        near = self._suggest(
            text,
            (*inside, *close, *table.ranked(text)),
            lambda i, lang: self._cities[i].name(lang),
        )
        similar = bool(inside or close)
        message = unknown_message("ISA member city", text, near, close=similar)
        return UnknownCityError(message, text, near, close=similar)

    @staticmethod
    def _suggest(text: str, pairs: Iterable[tuple[str, str]], name: _Namer) -> tuple[str, ...]:
        # Chinese input gets Chinese names; otherwise each suggestion is shown in
        # the language of the name that came closest (German unless it was English).
        cjk = has_cjk(text)
        out: dict[str, str] = {}  # target -> display name of its closest name
        for target, lang in pairs:
            out.setdefault(target, name(target, Language.ZH if cjk else lang))
            if len(out) == _MAX_SUGGESTIONS:
                break
        return tuple(out.values())


def load_cities(path: str | Path) -> CityRegistry:
    """Load and check a cities file (the format of ``data/reference/cities.json``).

    Raises:
        ReferenceDataError: the file is missing, malformed or inconsistent:
            a missing field, a duplicate id, an alias shared by two members,
            an unknown region code, or a country that differs from its region's.
    """
    src, cities_, regions = parse_cities(path)
    try:
        return CityRegistry(cities_, regions)
    except ValueError as exc:
        raise ReferenceDataError(f"{src.path}: {exc}") from exc


@functools.cache
def _shipped_cities() -> CityRegistry:
    return load_cities(data_dir("reference") / "cities.json")


def cities(path: str | Path | None = None) -> CityRegistry:
    """The ISA member registry; the shipped data is loaded on first use and cached.

    Args:
        path: Another cities file to load (read every call, not cached);
            ``None`` for the shipped ``data/reference/cities.json``.
    """
    return _shipped_cities() if path is None else load_cities(path)
