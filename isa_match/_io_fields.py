"""Per-field parsers for :mod:`isa_match.io` (column names: :mod:`._io_columns`).

Every parser takes one raw cell (a string from CSV, or a native value from
JSON, Parquet or Excel) and returns the canonical value or raises
:class:`FieldError` with what is wrong and what would fix it. Lookups that
repeat across rows (cities, sectors, dates, synonyms) are cached on the
normalised string, so a million rows cost a million dict hits, not a million
fuzzy searches.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import TypeVar, cast

from isa_match._io_columns import HINTS, SYNONYMS
from isa_match._io_formats import BadCell
from isa_match.reference import City, cities, sectors
from isa_match.schema import Category, Country, Kind, Language, OrgType
from isa_match.text import normalize_line, normalize_text

E = TypeVar("E", Kind, Category, Language, OrgType, Country)

MAX_TITLE = 200
MAX_DESCRIPTION = 5000


class FieldError(ValueError):
    """One field of one row is invalid; ``problem`` and ``fix`` are for people."""

    def __init__(self, problem: str, fix: str) -> None:
        super().__init__(problem)
        self.problem = problem
        self.fix = fix


# --- raw cells ----------------------------------------------------------------------------


# Excel's error values in English and German; a cell showing one holds no data.
EXCEL_ERRORS = frozenset(
    "#N/A #NV #REF! #BEZUG! #VALUE! #WERT! #DIV/0! #NAME? #NUM! #ZAHL! #NULL! "
    "#SPILL! #ÜBERLAUF! #CALC! #GETTING_DATA".split()
)
_SURROGATE = re.compile("[\ud800-\udfff]")


def _checked(text: str) -> str:
    if "#" in text[:8] and (stripped := text.strip().upper()) in EXCEL_ERRORS:
        raise FieldError(
            f"an Excel error value ({stripped}), not data",
            "correct the formula in the spreadsheet (or paste values), or leave the cell empty",
        )
    if _SURROGATE.search(text):
        # Only broken JSON escapes ("\\ud800") make these; the text was damaged.
        raise FieldError(
            "contains an invalid character (a lone UTF-16 surrogate, e.g. from '\\ud800')",
            "export the text again; the character cannot be stored in any file",
        )
    return text


def as_text(value: object) -> str:
    """A scalar cell as text; numbers written without a spurious ``.0``.

    Raises:
        FieldError: for booleans, lists, objects, Excel error values
            (``#N/A``, ``#WERT!``, ...), damaged text (lone surrogates) and
            Excel formulas without a computed value.
    """
    if value is None:
        return ""
    if isinstance(value, str):
        return _checked(value)
    if isinstance(value, bool):
        raise FieldError("expected text, got a boolean", "give the value as text")
    if isinstance(value, BadCell):
        raise FieldError(f"{value.problem} ({value.value})", value.fix)
    if isinstance(value, int | Decimal):
        return str(value)
    if isinstance(value, float):
        # Excel and Parquet store ids and postcodes as floats: 123.0 means "123".
        if value != value:  # NaN: an empty numeric cell
            return ""
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        is_midnight = value.time() == datetime.min.time() and value.tzinfo is None
        return value.date().isoformat() if is_midnight else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        raise FieldError(
            f"expected a single value, got a list of {len(value)}",
            "give one value (lists are only allowed for sector and keywords)",
        )
    what = "an object" if isinstance(value, dict) else type(value).__name__
    raise FieldError(f"expected text, got {what}", "give the value as text or a number")


def line(value: object) -> str:
    """A single-line text cell, normalised."""
    return normalize_line(as_text(value))


def split_list(value: object, separators: str) -> list[str]:
    """A list cell: a real list, or text split at ``separators``; items normalised."""
    items = value if isinstance(value, list | tuple) else [value]
    out: list[str] = []
    for item in items:
        if isinstance(item, list | tuple):
            raise FieldError(
                "a list inside a list", 'give one flat list, e.g. ["C28", "C20"] or "C28; C20"'
            )
        for part in re.split(separators, as_text(item)):
            part = normalize_line(part)
            if part:
                out.append(part)
    return out


# --- enumerations -------------------------------------------------------------------------


@lru_cache(maxsize=1024)
def _enum_lookup(enum: type[E], text: str) -> E | None:
    key = re.sub(r"[\s\-]+", "_", text.casefold())
    for member in enum:
        if key == member.value.casefold():
            return member
    canonical = SYNONYMS[enum].get(key)
    if canonical is None and enum is Language:
        # BCP 47 tags (de-DE, en-US, zh-CN, zh-TW, zh-Hant): the primary subtag decides.
        if m := re.fullmatch(r"([a-z]{2})(?:_[a-z0-9]{2,4})+", key):
            canonical = m[1] if m[1] in ("de", "zh", "en") else None
    return enum(canonical) if canonical is not None else None


def parse_enum(enum: type[E], value: object) -> E:
    """A Kind/Category/Language/OrgType/Country from its value or a synonym."""
    text = line(value)
    found = cast(E | None, _enum_lookup(enum, text))
    if found is None:
        raise FieldError(f"not a known {enum.__name__} value", f"use {HINTS[enum]}")
    return found


# --- reference data -----------------------------------------------------------------------


# Results and failures alike are cached: bad values repeat in bad files. A failure
# is cached as its suggestions tuple, not as the exception (whose traceback would
# keep frames alive).
@dataclass(frozen=True, slots=True)
class _Unknown:
    suggestions: tuple[str, ...]
    close: bool = True  # False: only the least dissimilar names, not look-alikes


def _unknown(exc: ValueError) -> _Unknown:
    names = tuple(str(n) for n in getattr(exc, "suggestions", ()) or ())[:5]
    return _Unknown(names, bool(getattr(exc, "close", True)))


@lru_cache(maxsize=1 << 14)
def _city(text: str) -> tuple[City, str | None] | _Unknown:
    try:
        return cities().resolve_with_note(text, towns=False)
    except ValueError as exc:
        return _unknown(exc)


@lru_cache(maxsize=1 << 14)
def _region(text: str) -> str | _Unknown:
    try:
        return cities().resolve_region(text).code
    except ValueError as exc:
        return _unknown(exc)


@lru_cache(maxsize=1 << 14)
def _sector(text: str) -> str | _Unknown:
    try:
        return sectors().normalize(text)
    except ValueError as exc:
        return _unknown(exc)


@lru_cache(maxsize=256)
def _section_of(code: str) -> str:
    return sectors().section_of(code)


def _suggest(found: _Unknown) -> str:
    return ", ".join(repr(n) for n in found.suggestions)


def clear_caches() -> None:
    """Forget cached city/region/sector resolutions (after reference data changes)."""
    for fn in (_city, _region, _sector, _section_of, _enum_lookup, parse_date_text):
        fn.cache_clear()


def parse_city(value: object) -> tuple[str, Country, str]:
    """(city id, country, region code) of an ISA member city given by any alias."""
    found = _city(line(value))
    if isinstance(found, _Unknown):
        near = _suggest(found)
        how = "a member city id (e.g. 'koeln') or its German, Chinese or English name"
        if not near:
            fix = f"use {how}"
        elif found.close:
            fix = f"did you mean {near}? Otherwise use {how}"
        else:
            fix = f"no member has a similar name (nearest: {near}); use {how}"
        raise FieldError("not an ISA member city", fix)
    city = found[0]
    return city.id, Country(city.country), city.region


def city_note(value: object) -> str | None:
    """A warning text when a valid city value names the larger city a member lies in.

    ``"Shenzhen"`` is not itself a member: it resolves to the member Bao'an
    (Shenzhen) that lies within it; the note says so (None for a member's own
    names, and for unknown values, which :func:`parse_city` reports).
    """
    found = _city(line(value))
    return None if isinstance(found, _Unknown) else found[1]


def parse_region(value: object) -> str:
    """ISO 3166-2 code of a Bundesland/province given by code or name."""
    found = _region(line(value))
    if isinstance(found, _Unknown):
        raise FieldError(
            "not a known region",
            "use an ISO 3166-2 code such as 'DE-NW' or 'CN-GD', or leave empty",
        )
    return found


def parse_sectors(value: object) -> tuple[str, ...]:
    """NACE codes in canonical form.

    Text is split at ``;``, ``,``, ``|`` and ``/`` but not at spaces, so
    ``"C 20"`` is one code (``C20``). Each code is normalised (``"20"``,
    ``"c20"``, ``"C20.14"`` → ``"C20"``); a section letter is dropped when a
    division of that section is also given (it adds nothing); duplicates are
    collapsed and the codes sorted. So ``"C20, C"`` and ``"C; C20"`` are both
    ``("C20",)``.
    """
    codes: set[str] = set()
    bad: list[str] = []
    hints: list[str] = []
    for item in split_list(value, r"[;,|/]+"):
        found = _sector(item)
        if isinstance(found, _Unknown):
            bad.append(item)
            near = _suggest(found)
            if near:
                hints.append(f"for {item!r} did you mean {near}?")
        else:
            codes.add(found)
    if bad:
        raise FieldError(
            f"unknown NACE code(s): {', '.join(repr(b) for b in bad)}",
            " ".join([*hints, "Use NACE Rev. 2 sections ('C') or divisions ('C20', '20')"]),
        )
    covered = {_section_of(c) for c in codes if len(c) > 1}
    return tuple(sorted(c for c in codes if c not in covered))


def parse_keywords(value: object) -> tuple[str, ...]:
    """Keywords, split at ``;``, ``,``, ``、`` or ``|``; case-insensitive duplicates collapsed."""
    seen: dict[str, str] = {}
    for item in split_list(value, r"[;,、|]"):
        seen.setdefault(item.casefold(), item)
    return tuple(seen.values())


# --- dates --------------------------------------------------------------------------------

_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_DOTTED = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")
_SLASHED = re.compile(r"(\d{4})/(\d{1,2})/(\d{1,2})")
_ZH_DATE = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日")
_DATE_FIX = "write the date as YYYY-MM-DD (also accepted: DD.MM.YYYY, YYYY/MM/DD, 2025年3月1日)"


@lru_cache(maxsize=1 << 14)
def parse_date_text(text: str) -> date:
    """A date from ISO date/datetime, DD.MM.YYYY, YYYY/MM/DD or YYYY年M月D日 text."""
    ymd: tuple[str, str, str] | None = None
    if m := _ISO_DATE.fullmatch(text) or _SLASHED.fullmatch(text) or _ZH_DATE.fullmatch(text):
        ymd = (m[1], m[2], m[3])
    elif m := _DOTTED.fullmatch(text):
        ymd = (m[3], m[2], m[1])
    if ymd is not None:
        try:
            day = date(int(ymd[0]), int(ymd[1]), int(ymd[2]))
        except ValueError:
            raise FieldError("not a calendar date", _DATE_FIX) from None
    elif re.match(r"\d{4}-\d{2}-\d{2}[T ]", text):
        try:
            # The date as written; a time zone offset does not move the day.
            day = datetime.fromisoformat(text.replace(" ", "T", 1)).date()
        except ValueError:
            raise FieldError("not a valid ISO datetime", _DATE_FIX) from None
    elif re.fullmatch(r"\d+(\.0)?", text):
        raise FieldError(
            "a bare number, not a date (an Excel serial number?)",
            "format the cell as a date in Excel, or " + _DATE_FIX,
        )
    else:
        raise FieldError("not a date in a supported format", _DATE_FIX)
    if not 1990 <= day.year <= 2100:
        raise FieldError(f"year {day.year} is outside 1990-2100", "check the year for a typo")
    return day


def parse_date(value: object) -> date:
    """A date from a native date/datetime or from text (see :func:`parse_date_text`)."""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        if not 1990 <= value.year <= 2100:
            raise FieldError(f"year {value.year} is outside 1990-2100", "check the year for a typo")
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return parse_date_text(as_text(value))
    return parse_date_text(line(value))


def parse_title(value: object) -> str:
    """A title: one line, at most 200 characters after normalisation."""
    text = line(value)
    if len(text) > MAX_TITLE:
        raise FieldError(
            f"title has {len(text)} characters, more than {MAX_TITLE}",
            "shorten the title and move details to the description",
        )
    return text


def parse_description(value: object) -> str:
    """A description: paragraphs kept, at most 5,000 characters after normalisation."""
    text = normalize_text(as_text(value))
    if len(text) > MAX_DESCRIPTION:
        raise FieldError(
            f"description has {len(text)} characters, more than {MAX_DESCRIPTION}",
            "shorten the description",
        )
    return text


# --- contact ------------------------------------------------------------------------------

_EMAIL = re.compile(r"[^@\s<>()\[\],;:\"]+@[^@\s<>()\[\],;:\"]+\.[^@\s<>()\[\],;:\".]{2,}")
_PHONE = re.compile(r"[0-9 +\-/()]+")


def parse_email(value: object) -> str:
    """An e-mail address, checked with a pragmatic pattern (no DNS, no quoting rules)."""
    text = line(value)
    if not _EMAIL.fullmatch(text):
        raise FieldError("not an e-mail address", "write one address such as name@example.org")
    return text


def parse_phone(value: object) -> str:
    """A phone number: digits, spaces and + - / ( ) only, at least 6 digits."""
    text = line(value)
    if not _PHONE.fullmatch(text):
        raise FieldError(
            "a phone number may contain only digits, spaces and + - / ( )",
            "remove letters and other characters, e.g. '+49 221 1234567'",
        )
    if sum(map(str.isdigit, text)) < 6:
        raise FieldError("fewer than 6 digits", "give the full number with area code")
    return text
