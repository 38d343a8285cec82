"""Column names, header aliases and value synonyms for :mod:`isa_match.io`.

Plain tables and two tiny lookups; the parsers live in :mod:`isa_match._io_fields`.
"""

from __future__ import annotations

import re
from functools import lru_cache

from isa_match.schema import Category, Country, Kind, Language, OrgType
from isa_match.text import normalize_line

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
ALL_NAMES = tuple(_COLUMN)  # field names and aliases, for did-you-mean


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


SYNONYMS: dict[type, dict[str, str]] = {
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
HINTS: dict[type, str] = {
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
