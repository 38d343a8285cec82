"""Column names, synonyms and per-field parsers for :mod:`isa_match.io`.

Every parser takes one raw cell (a string from CSV, or a native value from
JSON, Parquet or Excel) and returns the canonical value or raises
:class:`FieldError` with what is wrong and what would fix it. Lookups that
repeat across rows (cities, sectors, dates, synonyms) are cached on the
normalised string, so a million rows cost a million dict hits, not a million
fuzzy searches.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import TypeVar, cast

from isa_match.reference import City, cities, sectors
from isa_match.schema import Category, Country, Kind, Language, OrgType
from isa_match.text import normalize_line, normalize_text

E = TypeVar("E", Kind, Category, Language, OrgType, Country)

REQUIRED = (
    "id",
    "kind",
    "category",
    "title",
    "organization",
    "org_type",
    "city",
    "sector",
    "created_at",
)
OPTIONAL = (
    "description",
    "language",
    "keywords",
    "expires_at",
    "country",
    "region",
    "contact_name",
    "contact_email",
    "contact_phone",
)
KNOWN = REQUIRED + OPTIONAL
MAX_TITLE = 200
MAX_DESCRIPTION = 5000

_ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("listing_id", "nr", "nummer", "编号", "ref", "reference"),
    "kind": ("type", "art", "typ", "offer_request", "angebot_gesuch", "类型", "供需"),
    "category": ("kategorie", "categorie", "类别", "类目", "分类"),
    "title": ("titel", "überschrift", "标题", "名称", "subject"),
    "description": ("beschreibung", "text", "details", "描述", "说明", "内容"),
    "language": ("lang", "sprache", "语言"),
    "organization": (
        "org",
        "organisation",
        "company",
        "firma",
        "unternehmen",
        "institution",
        "组织",
        "机构",
        "公司",
        "单位",
        "企业名称",
    ),
    "org_type": (
        "organization_type",
        "organisation_type",
        "orgtype",
        "org_kind",
        "organisationstyp",
        "organisationsart",
        "机构类型",
    ),
    "city": ("stadt", "ort", "member", "member_city", "城市", "所在城市"),
    "sector": ("sectors", "nace", "nace_code", "nace_codes", "branche", "industry", "行业"),
    "keywords": ("keyword", "tags", "schlagworte", "schlagwörter", "stichworte", "关键词"),
    "created_at": ("created", "date", "datum", "erstellt", "erstellt_am", "创建日期", "日期"),
    "expires_at": (
        "expires",
        "expiry",
        "valid_until",
        "gültig_bis",
        "ablauf",
        "ablaufdatum",
        "截止日期",
        "有效期至",
    ),
    "country": ("land", "国家"),
    "region": ("bundesland", "province", "provinz", "state", "省", "省份"),
    "contact_name": ("contact", "contact_person", "ansprechpartner", "kontakt", "联系人"),
    "contact_email": ("email", "e_mail", "mail", "contact_mail", "邮箱", "电子邮件"),
    "contact_phone": ("phone", "telefon", "tel", "telephone", "contact_tel", "电话", "联系电话"),
}
_COLUMN = {alias: name for name, aliases in _ALIASES.items() for alias in aliases} | {
    name: name for name in KNOWN
}


class FieldError(ValueError):
    """One field of one row is invalid; ``problem`` and ``fix`` are for people."""

    def __init__(self, problem: str, fix: str) -> None:
        super().__init__(problem)
        self.problem = problem
        self.fix = fix


@lru_cache(maxsize=4096)
def normalize_header(name: str) -> str:
    """Header as compared: NFKC, stripped, lower-case, spaces and hyphens as ``_``."""
    return re.sub(r"[\s\-]+", "_", normalize_line(name).casefold()).strip("_")


def canonical_column(name: str) -> str | None:
    """The field a header names (aliases resolved), or None for an unknown column."""
    return _COLUMN.get(normalize_header(name))


def aliases_of(field: str) -> tuple[str, ...]:
    """Other accepted header names of a field, for error messages."""
    return _ALIASES.get(field, ())


# --- raw cells ----------------------------------------------------------------------------


def as_text(value: object) -> str:
    """A scalar cell as text; numbers written without a spurious ``.0``."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
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
    raise FieldError(
        f"expected text, got {type(value).__name__}", "give the value as text or a number"
    )


def line(value: object) -> str:
    """A single-line text cell, normalised."""
    return normalize_line(as_text(value))


def split_list(value: object, separators: str) -> list[str]:
    """A list cell: a real list, or text split at ``separators``; items normalised."""
    items = value if isinstance(value, list | tuple) else [value]
    out: list[str] = []
    for item in items:
        for part in re.split(separators, as_text(item)):
            part = normalize_line(part)
            if part:
                out.append(part)
    return out


# --- enumerations -------------------------------------------------------------------------

_SYNONYMS: dict[type, dict[str, str]] = {
    Kind: {
        "angebot": "offer",
        "angebote": "offer",
        "biete": "offer",
        "offers": "offer",
        "supply": "offer",
        "供应": "offer",
        "提供": "offer",
        "供给": "offer",
        "gesuch": "request",
        "gesuche": "request",
        "anfrage": "request",
        "nachfrage": "request",
        "suche": "request",
        "requests": "request",
        "demand": "request",
        "需求": "request",
        "求购": "request",
        "寻求": "request",
    },
    Category: {
        "produkt": "product",
        "produkte": "product",
        "products": "product",
        "产品": "product",
        "technologie": "technology",
        "technik": "technology",
        "technologies": "technology",
        "技术": "technology",
        "fläche": "space",
        "flächen": "space",
        "gewerbefläche": "space",
        "immobilie": "space",
        "场地": "space",
        "厂房": "space",
        "空间": "space",
        "veranstaltung": "event",
        "events": "event",
        "messe": "event",
        "活动": "event",
        "展会": "event",
        "kooperation": "cooperation",
        "zusammenarbeit": "cooperation",
        "co_operation": "cooperation",
        "合作": "cooperation",
        "investition": "investment",
        "investitionen": "investment",
        "investments": "investment",
        "投资": "investment",
        "dienstleistung": "service",
        "dienstleistungen": "service",
        "services": "service",
        "服务": "service",
    },
    Language: {
        "deutsch": "de",
        "german": "de",
        "ger": "de",
        "deu": "de",
        "德语": "de",
        "德文": "de",
        "chinesisch": "zh",
        "chinese": "zh",
        "中文": "zh",
        "汉语": "zh",
        "zh_cn": "zh",
        "zh_hans": "zh",
        "chi": "zh",
        "zho": "zh",
        "english": "en",
        "englisch": "en",
        "英文": "en",
        "英语": "en",
        "eng": "en",
    },
    OrgType: {
        "unternehmen": "company",
        "firma": "company",
        "business": "company",
        "enterprise": "company",
        "企业": "company",
        "公司": "company",
        "forschung": "research",
        "hochschule": "research",
        "universität": "research",
        "university": "research",
        "institut": "research",
        "forschungseinrichtung": "research",
        "科研机构": "research",
        "大学": "research",
        "研究所": "research",
        "研究院": "research",
        "öffentlich": "public",
        "behörde": "public",
        "verwaltung": "public",
        "kommune": "public",
        "government": "public",
        "政府": "public",
        "公共": "public",
        "公共机构": "public",
    },
    Country: {
        "de": "DE",
        "deu": "DE",
        "deutschland": "DE",
        "germany": "DE",
        "德国": "DE",
        "cn": "CN",
        "chn": "CN",
        "china": "CN",
        "vr_china": "CN",
        "中国": "CN",
        "中华人民共和国": "CN",
    },
}
_HINTS: dict[type, str] = {
    Kind: "offer or request (also Angebot/Gesuch/Anfrage, 供应/需求/提供/求购)",
    Category: (
        "product, technology, space, event, cooperation, investment or service "
        "(also Produkt/产品, Technologie/技术, Fläche/场地/厂房, Veranstaltung/活动, "
        "Kooperation/合作, Investition/投资, Dienstleistung/服务)"
    ),
    Language: "de, zh or en (also Deutsch/German, 中文/Chinesisch, English/英文)",
    OrgType: (
        "company, research or public (also Unternehmen/企业/公司, "
        "Forschung/Hochschule/科研机构/大学, öffentlich/Behörde/政府/公共)"
    ),
    Country: "DE or CN (also Deutschland/Germany/德国, China/中国)",
}


@lru_cache(maxsize=1024)
def _enum_lookup(enum: type[E], text: str) -> E | None:
    key = re.sub(r"[\s\-]+", "_", text.casefold())
    for member in enum:
        if key == member.value.casefold():
            return member
    canonical = _SYNONYMS[enum].get(key)
    return enum(canonical) if canonical is not None else None


def parse_enum(enum: type[E], value: object) -> E:
    """A Kind/Category/Language/OrgType/Country from its value or a synonym."""
    text = line(value)
    found = cast(E | None, _enum_lookup(enum, text))
    if found is None:
        raise FieldError(f"not a known {enum.__name__} value", f"use {_HINTS[enum]}")
    return found


# --- reference data -----------------------------------------------------------------------


# Results and ValueErrors alike are cached: bad values repeat in bad files.
@lru_cache(maxsize=1 << 14)
def _city(text: str) -> City | ValueError:
    try:
        return cities().resolve(text)
    except ValueError as exc:
        return exc


@lru_cache(maxsize=1 << 14)
def _region(text: str) -> str | ValueError:
    try:
        return cities().resolve_region(text).code
    except ValueError as exc:
        return exc


@lru_cache(maxsize=1 << 14)
def _sector(text: str) -> str | ValueError:
    try:
        return sectors().normalize(text)
    except ValueError as exc:
        return exc


def _suggest(exc: ValueError) -> str:
    names: Sequence[str] = getattr(exc, "suggestions", ()) or ()
    return ", ".join(repr(n) for n in names[:5])


def clear_caches() -> None:
    """Forget cached city/region/sector resolutions (after reference data changes)."""
    for fn in (_city, _region, _sector, _enum_lookup, parse_date_text):
        fn.cache_clear()


def parse_city(value: object) -> tuple[str, Country, str]:
    """(city id, country, region code) of an ISA member city given by any alias."""
    found = _city(line(value))
    if isinstance(found, ValueError):
        near = _suggest(found)
        how = "a member city id (e.g. 'koeln') or its German, Chinese or English name"
        fix = f"did you mean {near}? Otherwise use {how}" if near else f"use {how}"
        raise FieldError("not an ISA member city", fix)
    return found.id, Country(found.country), found.region


def parse_region(value: object) -> str:
    """ISO 3166-2 code of a Bundesland/province given by code or name."""
    found = _region(line(value))
    if isinstance(found, ValueError):
        raise FieldError(
            "not a known region",
            "use an ISO 3166-2 code such as 'DE-NW' or 'CN-GD', or leave empty",
        )
    return found


def parse_sectors(value: object) -> tuple[str, ...]:
    """Normalised NACE codes, duplicates collapsed, order kept."""
    codes: dict[str, None] = {}
    bad: list[str] = []
    hints: list[str] = []
    for item in split_list(value, r"[;,|/\s]+"):
        found = _sector(item)
        if isinstance(found, ValueError):
            bad.append(item)
            near = _suggest(found)
            if near:
                hints.append(f"for {item!r} did you mean {near}?")
        else:
            codes[found] = None
    if bad:
        raise FieldError(
            f"unknown NACE code(s): {', '.join(repr(b) for b in bad)}",
            " ".join([*hints, "Use NACE Rev. 2 sections ('C') or divisions ('C20', '20')"]),
        )
    return tuple(codes)


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
