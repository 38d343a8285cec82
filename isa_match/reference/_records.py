"""The frozen records of the reference data and the lookup errors."""

from __future__ import annotations

from dataclasses import dataclass

from isa_match.reference._load import as_language
from isa_match.schema import Country, Language


def in_language(de: str, zh: str, en: str, lang: Language | str) -> str:
    """The one of ``de``, ``zh``, ``en`` that matches ``lang``."""
    return {Language.DE: de, Language.ZH: zh, Language.EN: en}[as_language(lang)]


@dataclass(frozen=True, slots=True)
class Region:
    """A German Land or a Chinese provincial-level division (ISO 3166-2 code)."""

    code: str
    country: Country
    name_de: str
    name_zh: str
    name_en: str
    aliases: tuple[str, ...] = ()

    def name(self, lang: Language | str) -> str:
        """The region's name in ``lang`` (``"de"``, ``"zh"`` or ``"en"``)."""
        return in_language(self.name_de, self.name_zh, self.name_en, lang)


@dataclass(frozen=True, slots=True)
class City:
    """One ISA member: a city, a district, a region or a network of towns.

    ``region`` is the ISO 3166-2 code of its Land or province. ``members``
    lists the component towns when the member is a district, region or network
    (they resolve to this member too); it is empty for a single city.
    ``member_aliases`` are other spellings of those towns (``"Freiburg"``,
    ``"弗莱堡"``). ``parent_aliases`` name the larger city that a district
    member lies in (``"Shenzhen"`` for Bao'an); they resolve to the member, and
    :meth:`CityRegistry.resolve_with_note` says so.
    """

    id: str
    country: Country
    region: str
    name_de: str
    name_zh: str
    name_en: str
    aliases: tuple[str, ...] = ()
    members: tuple[str, ...] = ()
    note: str = ""
    member_aliases: tuple[str, ...] = ()
    parent_aliases: tuple[str, ...] = ()

    def name(self, lang: Language | str) -> str:
        """The member's display name in ``lang`` (``"de"``, ``"zh"`` or ``"en"``)."""
        return in_language(self.name_de, self.name_zh, self.name_en, lang)


class ReferenceLookupError(ValueError):
    """Base of the reference lookup errors: ``value`` and ``suggestions``.

    ``close`` is False when the suggestions are only the least dissimilar names
    (offered so that a fix always names some), not likely corrections.
    """

    def __init__(
        self, message: str, value: str, suggestions: tuple[str, ...] = (), *, close: bool = True
    ) -> None:
        super().__init__(message)
        self.value = value
        self.suggestions = suggestions
        self.close = close


class UnknownCityError(ReferenceLookupError):
    """A name or id that is not an ISA member; ``suggestions`` holds near misses."""


class UnknownRegionError(ReferenceLookupError):
    """A name or code that is not a known region; ``suggestions`` holds near misses."""


class UnknownSectorError(ReferenceLookupError):
    """A code that is not a NACE Rev. 2 section or division; see ``suggestions``."""


def unknown_message(
    what: str, value: str, suggestions: tuple[str, ...], *, close: bool = True
) -> str:
    """``unknown <what> '<value>'; did you mean: a, b?`` (or the empty-input message).

    With ``close=False`` the suggestions are only the least dissimilar names,
    not likely typos, and the message says so instead of asking "did you mean".
    """
    if not value.strip():
        return f"empty {what}"
    if suggestions and close:
        return f"unknown {what} {value!r}; did you mean: {', '.join(suggestions)}?"
    if suggestions:
        return (
            f"unknown {what} {value!r}: no known name is similar; "
            f"the nearest are: {', '.join(suggestions)}"
        )
    return f"unknown {what} {value!r} (no similar name is known)"
