"""Turning filter values typed by people into canonical :class:`~isa_match.schema.Filters`.

The command line, the service and notebooks all accept the same filter
vocabulary: a city by any German, Chinese or English name or alias
(``"Cologne"``, ``"科隆"`` -> ``koeln``), a region by ISO code or name
(``"NRW"``, ``"广东"``), a NACE code in any usual spelling (``"c20"``,
``"20.1"``), a country as ``DE``/``CN`` or by name, and the enum values of
category, kind, organisation type and language in any case. Every field takes
one string or several (a listing passes when it has any of them).

A value that cannot be resolved raises :class:`FilterValueError` (a
``ValueError``) naming the field, the value and, where there are any, the
nearest known values. Nothing is dropped silently.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable
from enum import StrEnum

from isa_match.reference import (
    UnknownCityError,
    UnknownRegionError,
    UnknownSectorError,
    cities,
    sectors,
)
from isa_match.schema import Category, Filters, Kind, Language, OrgType

__all__ = ["FILTER_FIELDS", "FilterValueError", "resolve_filters"]

FILTER_FIELDS = (
    "country",
    "city",
    "region",
    "sector",
    "category",
    "kind",
    "org_type",
    "language",
)
"""The filter fields :func:`resolve_filters` accepts, in the order they are checked."""

Values = str | Iterable[str] | None

# Country names people type, in the three languages; keys compared case-folded.
_COUNTRIES = {
    "de": "DE",
    "deu": "DE",
    "germany": "DE",
    "deutschland": "DE",
    "德国": "DE",
    "cn": "CN",
    "chn": "CN",
    "china": "CN",
    "中国": "CN",
}
# Language names besides the codes de/zh/en.
_LANGUAGES = {
    "german": "de",
    "deutsch": "de",
    "德语": "de",
    "chinese": "zh",
    "chinesisch": "zh",
    "中文": "zh",
    "汉语": "zh",
    "english": "en",
    "englisch": "en",
    "英语": "en",
}


class FilterValueError(ValueError):
    """A filter value that names nothing known.

    Attributes:
        field: the filter field (``"city"``, ``"sector"``, ...).
        value: the value as given.
        suggestions: the nearest known values (may be empty).
    """

    def __init__(
        self, field: str, value: str, message: str, suggestions: tuple[str, ...] = ()
    ) -> None:
        super().__init__(message)
        self.field = field
        self.value = value
        self.suggestions = suggestions


def _as_list(field: str, values: Values) -> list[str]:
    if values is None:
        return []
    items = [values] if isinstance(values, str) else list(values)
    for item in items:
        if not isinstance(item, str):
            raise FilterValueError(
                field, repr(item), f"{field} filter: expected text, got {type(item).__name__}"
            )
        if not item.strip():
            raise FilterValueError(field, item, f"empty {field.replace('_', ' ')} filter value")
    return items


def _country(text: str) -> str:
    found = _COUNTRIES.get(text.strip().casefold())
    if found is None:
        raise FilterValueError(
            "country", text, f"unknown country {text!r}; use DE (Germany) or CN (China)"
        )
    return found


def _enum(
    field: str, enum: type[StrEnum], names: dict[str, str] | None = None
) -> Callable[[str], str]:
    allowed = [member.value for member in enum]

    def resolve(text: str) -> str:
        key = "_".join(text.strip().casefold().replace("-", " ").split())
        if key in allowed:
            return key
        if names and key in names:
            return names[key]
        near = tuple(difflib.get_close_matches(key, allowed, n=1, cutoff=0.6))
        hint = f"did you mean {near[0]}? " if near else ""
        label = field.replace("_", " ")
        raise FilterValueError(
            field, text, f"unknown {label} {text!r}; {hint}use one of: {', '.join(allowed)}", near
        )

    return resolve


def _reference(field: str, lookup: Callable[[str], str]) -> Callable[[str], str]:
    def resolve(text: str) -> str:
        try:
            return lookup(text)
        except (UnknownCityError, UnknownRegionError, UnknownSectorError) as exc:
            raise FilterValueError(field, text, str(exc), exc.suggestions) from None

    return resolve


def _resolvers() -> dict[str, Callable[[str], str]]:
    # Built per call: the reference tables load lazily and are cached by their modules.
    registry = cities()
    table = sectors()
    return {
        "country": _country,
        "city": _reference("city", lambda t: registry.resolve(t).id),
        "region": _reference("region", lambda t: registry.resolve_region(t).code),
        "sector": _reference("sector", table.normalize),
        "category": _enum("category", Category),
        "kind": _enum("kind", Kind),
        "org_type": _enum("org_type", OrgType),
        "language": _enum("language", Language, _LANGUAGES),
    }


def resolve_filters(
    *,
    country: Values = None,
    city: Values = None,
    region: Values = None,
    sector: Values = None,
    category: Values = None,
    kind: Values = None,
    org_type: Values = None,
    language: Values = None,
) -> Filters:
    """Canonical :class:`Filters` from values as people type them.

    Each argument is ``None`` or an empty list (no constraint), one string, or
    several strings (any of them). Values are resolved as described in the
    module docstring; duplicates after resolution (``"Köln"`` and
    ``"Cologne"``) collapse.

    Args:
        country: ``DE``/``CN`` in any case, or Germany/Deutschland/德国, China/中国.
        city: ISA member city names, aliases or ids in German, Chinese or English.
        region: ISO 3166-2 codes (``DE-NW``) or region names (``NRW``, ``广东``).
        sector: NACE Rev. 2 sections or divisions (``C``, ``C20``, ``20``, ``20.14``).
        category: ``product``, ``technology``, ``space``, ``event``,
            ``cooperation``, ``investment``, ``service``.
        kind: ``offer`` or ``request``.
        org_type: ``company``, ``research`` or ``public``.
        language: ``de``, ``zh`` or ``en`` (or German, Chinese, English, 中文 ...).

    Raises:
        FilterValueError: a value that names nothing known; the message names
            the field and value and lists the nearest or the allowed values.
    """
    given = {
        "country": country,
        "city": city,
        "region": region,
        "sector": sector,
        "category": category,
        "kind": kind,
        "org_type": org_type,
        "language": language,
    }
    resolvers = _resolvers()
    resolved: dict[str, list[str]] = {}
    for field in FILTER_FIELDS:
        items = _as_list(field, given[field])
        if items:
            resolve = resolvers[field]
            resolved[field] = list(dict.fromkeys(resolve(item) for item in items))
    return Filters.of(**resolved)
