"""Short reasons, in German, Chinese and English, for why a pair was suggested.

:func:`explain` turns the component values of one pair (query ``a``,
candidate ``b``) into a list of :class:`Reason` objects, most important first:

==================== ======================================================
code                 when
==================== ======================================================
``location``         a place one side names is the other side's city
``sector.division``  both share a NACE division
``sector.complement`` their sectors complement each other
``terms``            key terms found in both texts
``similarity``       high dense (cross-lingual) text similarity
``similarity.lexical`` high keyword (BM25) overlap, when no terms are given
``category.same``    the same category
``category.related`` compatible categories (technology ↔ cooperation ...)
``cross_border``     one side German, the other Chinese
``sector.section``   both share a NACE section only
``location.region``  the other side is in the named place's region
``fresh``            the candidate is recent
``location.mismatch`` a caution: the named place is not where the other side is
==================== ======================================================

Every text is at most :data:`MAX_CHARS` characters. Contact data never
appears: reasons are built from labels, member names, scores and the matched
terms, and terms that look like contact data (an e-mail address, a phone
number, a contact person's name) are dropped.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from isa_match.rank import features
from isa_match.rank.features import ListingProfile, LocationFit, SectorFit
from isa_match.reference import CityRegistry, SectorTable, cities, normalize_key, sectors
from isa_match.reference._keys import has_cjk
from isa_match.reference._records import in_language
from isa_match.schema import Language, Listing

__all__ = ["MAX_CHARS", "REASON_CODES", "Reason", "explain", "explain_pair"]

MAX_CHARS = 90
"""The longest reason text, in characters."""

REASON_CODES = (
    "location",
    "sector.division",
    "sector.complement",
    "terms",
    "similarity",
    "similarity.lexical",
    "category.same",
    "category.related",
    "cross_border",
    "sector.section",
    "location.region",
    "fresh",
    "location.mismatch",
)
"""Every reason code, in the order reasons are listed (most important first)."""

_ORDER = {code: i for i, code in enumerate(REASON_CODES)}

_CATEGORY = {
    "product": ("Produkt", "产品", "product"),
    "technology": ("Technologie", "技术", "technology"),
    "space": ("Flächen", "场地", "space"),
    "event": ("Veranstaltung", "活动", "event"),
    "cooperation": ("Kooperation", "合作", "cooperation"),
    "investment": ("Investition", "投资", "investment"),
    "service": ("Dienstleistung", "服务", "service"),
}
_COUNTRY = {"DE": ("DE", "德国", "DE"), "CN": ("CN", "中国", "CN")}
# (de, zh, en) of "of the offer" / "of the request"
_SIDE = {
    "offer": ("Standort des Angebots", "供方所在地", "the offer's location"),
    "request": ("Standort der Anfrage", "需方所在地", "the request's location"),
}
_EMAIL = re.compile(r"\S+@\S+")
_PHONE_DIGITS = 7  # a term with this many digits may be a phone number


@dataclass(frozen=True, slots=True)
class Reason:
    """One reason for a suggestion: a stable ``code`` and its text in three languages."""

    code: str
    de: str
    zh: str
    en: str

    def text(self, lang: Language | str) -> str:
        """The reason in ``lang`` (``"de"``, ``"zh"`` or ``"en"``)."""
        return in_language(self.de, self.zh, self.en, lang)


def _clip(text: str, limit: int = MAX_CHARS) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space >= limit - 20:  # end at a word when one ends near the limit
        cut = cut[:space]
    return cut.rstrip(" ,;:") + "…"


def _reason(code: str, de: str, zh: str, en: str) -> Reason:
    return Reason(code, _clip(de), _clip(zh), _clip(en))


_FRESH = _reason("fresh", "kürzlich eingestellt", "近期发布", "recently posted")


def _three(value: tuple[str, str, str], fmt: tuple[str, str, str]) -> tuple[str, str, str]:
    return (fmt[0].format(value[0]), fmt[1].format(value[1]), fmt[2].format(value[2]))


@functools.lru_cache(maxsize=4096)
def _sector_reason(fit: SectorFit, table: SectorTable) -> Reason | None:
    """The sector reason of a fit (cached: a page of suggestions repeats a few fits)."""
    if fit.kind in ("division", "section") and fit.a_code is not None:
        code = fit.a_code if fit.kind == "division" else fit.a_code[0]
        de, zh, en = (f"{code} {table.label(code, lang)}" for lang in ("de", "zh", "en"))
        return _reason(
            f"sector.{fit.kind}", f"gleiche Branche: {de}", f"同行业：{zh}", f"same sector: {en}"
        )
    if fit.kind == "complement" and fit.complement is not None:
        pair = f"{fit.a_code} → {fit.b_code}"
        entry = fit.complement
        return _reason(
            "sector.complement",
            f"ergänzende Branchen {pair}: {entry.reason_de}",
            f"互补行业 {pair}：{entry.reason_zh}",
            f"complementary sectors {pair}: {entry.reason_en}",
        )
    return None


def _spelling(spellings: Sequence[str], lang: str, fallback: str) -> str:
    """How the text named the place, in the script of ``lang`` when it did so."""
    wanted_cjk = lang == "zh"
    return next((s for s in spellings if has_cjk(s) == wanted_cjk), fallback)


def _location_reasons(
    fit: LocationFit,
    a: Listing | ListingProfile | None,
    b: Listing | ListingProfile,
    registry: CityRegistry,
) -> list[Reason]:
    out: list[Reason] = []
    located = b if fit.named_by == "a" else a
    side = _SIDE.get(str(located.kind) if located is not None else "", None)
    if fit.score >= 1.0 and fit.place is not None:
        texts = []
        for i, lang in enumerate(("de", "zh", "en")):
            name = registry.display_name(fit.place, lang)
            said = _spelling(fit.spellings, lang, name)
            place = name if normalize_key(said) == normalize_key(name) else f"{said} = {name}"
            where = f" ({side[i]})" if side else ""
            if lang == "zh":
                where = f"（{side[i]}）" if side else ""
            texts.append((place, where))
        out.append(
            _reason(
                "location",
                f"Zielort {texts[0][0]}{texts[0][1]}",
                f"目标地点 {texts[1][0]}{texts[1][1]}",
                f"target place {texts[2][0]}{texts[2][1]}",
            )
        )
    elif fit.score > 0 and fit.region is not None and located is not None:
        region = registry.region(fit.region)
        city = located.city
        out.append(
            _reason(
                "location.region",
                f"Zielregion {region.name('de')}: {registry.display_name(city, 'de')} liegt dort",
                f"目标地区 {region.name('zh')}：{registry.display_name(city, 'zh')}位于该地区",
                f"target region {region.name('en')}: {registry.display_name(city, 'en')} is there",
            )
        )
    other = b if fit.wanted_by == "a" else a  # the side that is not where the other wants
    if fit.mismatch and fit.wanted and other is not None:
        names = [
            (
                ", ".join(registry.display_name(c, lang) for c in fit.wanted),
                registry.display_name(other.city, lang),
            )
            for lang in ("de", "zh", "en")
        ]
        out.append(
            _reason(
                "location.mismatch",
                f"Achtung: gesucht in {names[0][0]}, Partner in {names[0][1]}",
                f"注意：目标地点为{names[1][0]}，对方位于{names[1][1]}",
                f"note: wanted in {names[2][0]}, partner is in {names[2][1]}",
            )
        )
    return out


def _contact_values(*items: Listing | ListingProfile | None) -> list[str]:
    values: list[str] = []
    for item in items:
        contact = getattr(item, "contact", None)
        if contact is None:
            continue
        values.extend(v.casefold() for v in (contact.name, contact.email, contact.phone) if v)
    return values


@functools.lru_cache(maxsize=4096)
def _words(value: str) -> frozenset[str]:
    """The words of a contact value (split at anything but letters and digits)."""
    return frozenset(w for w in re.split(r"[\W_]+", value) if w) | {value}


def _safe_terms(terms: Sequence[str], contacts: Sequence[str]) -> list[str]:
    out: list[str] = []
    for term in terms:
        folded = term.strip().casefold()
        if not folded or folded in (t.casefold() for t in out):
            continue
        if _EMAIL.search(folded) or sum(ch.isdigit() for ch in folded) >= _PHONE_DIGITS:
            continue
        # a term that is a word of a contact value ("schmidt" of "anna.schmidt@...")
        # or contains a whole one; not any substring: "ce" (the CE mark) stays
        # although some e-mail address contains "ce"
        if any(value in folded or folded in _words(value) for value in contacts):
            continue
        out.append(term.strip())
    return out


def _terms_reason(terms: Sequence[str]) -> Reason | None:
    if not terms:
        return None
    heads = ("gemeinsame Begriffe: ", "共同关键词：", "shared terms: ")
    texts = []
    for head in heads:
        shown = ""
        for term in terms:
            candidate = f"{shown}, {term}" if shown else term
            if len(head) + len(candidate) > MAX_CHARS:
                break
            shown = candidate
        texts.append(head + (shown or terms[0]))
    return _reason("terms", *texts)


def explain(
    a: Listing | ListingProfile | None,
    b: Listing | ListingProfile,
    *,
    sector: SectorFit,
    category: float,
    cross_border: bool,
    location: LocationFit,
    freshness: float,
    dense: float,
    lexical: float,
    matched_terms: Sequence[str] = (),
    similarity_min: float = 0.5,
    lexical_min: float = 0.5,
    fresh_min: float = 0.9,
    sector_table: SectorTable | None = None,
    registry: CityRegistry | None = None,
) -> list[Reason]:
    """Short reasons in German, Chinese and English for suggesting ``b`` for ``a``.

    Args:
        a: The query listing (or profile); ``None`` for a free-text query, in
            which case only reasons about ``b`` and the text are given.
        b: The suggested listing (or profile).
        sector: :func:`~isa_match.rank.features.sector_fit` of the pair.
        category: :func:`~isa_match.rank.features.category_fit` of the pair.
        cross_border: :func:`~isa_match.rank.features.cross_border` of the pair.
        location: :func:`~isa_match.rank.features.location_fit` of the pair.
        freshness: :func:`~isa_match.rank.features.freshness` of ``b``.
        dense: dense text similarity in [0, 1] (cosine).
        lexical: lexical similarity in [0, 1] (normalised BM25).
        matched_terms: key terms found in both texts, most telling first;
            terms that look like contact data are dropped.
        similarity_min: the least ``dense`` that is called high.
        lexical_min: the least ``lexical`` that is called high (used only when
            no terms are given).
        fresh_min: the least ``freshness`` that is called recent.
        sector_table: NACE labels (default: :func:`isa_match.reference.sectors`).
        registry: member names (default: :func:`isa_match.reference.cities`).

    Returns:
        Reasons ordered by :data:`REASON_CODES`, each text at most
        :data:`MAX_CHARS` characters; empty when nothing stands out.
    """
    table = sector_table or sectors()
    places = registry or cities()
    found: list[Reason | None] = []
    found.extend(_location_reasons(location, a, b, places))
    found.append(_sector_reason(sector, table) if a is not None else None)
    found.append(_terms_reason(_safe_terms(matched_terms, _contact_values(a, b))))
    if dense >= similarity_min:
        found.append(
            _reason(
                "similarity",
                f"hohe Textähnlichkeit {dense:.2f}",
                f"文本高度相似 {dense:.2f}",
                f"high text similarity {dense:.2f}",
            )
        )
    elif lexical >= lexical_min and not matched_terms:
        found.append(
            _reason(
                "similarity.lexical",
                f"starke Stichwortübereinstimmung {lexical:.2f}",
                f"关键词高度重合 {lexical:.2f}",
                f"strong keyword overlap {lexical:.2f}",
            )
        )
    if a is not None and category > 0:
        found.append(_category_reason(str(a.category), str(b.category), category >= 1.0))
    if a is not None and cross_border:
        found.append(_cross_border_reason(str(a.country), str(b.country)))
    if freshness >= fresh_min:
        found.append(_FRESH)
    return sorted((r for r in found if r is not None), key=lambda r: _ORDER[r.code])


@functools.lru_cache(maxsize=256)
def _category_reason(a: str, b: str, same: bool) -> Reason:
    """The category reason of a pair of categories (cached: there are few)."""
    ca, cb = _CATEGORY[a], _CATEGORY[b]
    if same:
        de, zh, en = _three(ca, ("gleiche Kategorie: {}", "同类需求：{}", "same category: {}"))
        return _reason("category.same", de, zh, en)
    return _reason(
        "category.related",
        f"verwandte Kategorien: {ca[0]} ↔ {cb[0]}",
        f"相关类别：{ca[1]} ↔ {cb[1]}",
        f"related categories: {ca[2]} ↔ {cb[2]}",
    )


@functools.lru_cache(maxsize=16)
def _cross_border_reason(a: str, b: str) -> Reason:
    """The cross-border reason of a pair of countries (cached)."""
    x, y = _COUNTRY[a], _COUNTRY[b]
    return _reason(
        "cross_border",
        f"grenzüberschreitend {x[0]}↔{y[0]}",
        f"跨境 {x[1]}↔{y[1]}",
        f"cross-border {x[2]}↔{y[2]}",
    )


def explain_pair(
    a: Listing | ListingProfile | None,
    b: Listing | ListingProfile,
    *,
    today: date,
    dense: float,
    lexical: float,
    matched_terms: Sequence[str] = (),
    query_text: str | None = None,
    half_life_days: float = 365.0,
    freshness_floor: float = 0.5,
    category_compatibility: Mapping[tuple[str, str], float] | None = None,
    place_categories: frozenset[str] = features.PLACE_CATEGORIES,
) -> list[Reason]:
    """:func:`explain` with the pair components computed here (for the few pairs shown).

    Args:
        a: The query listing (or profile); ``None`` for a free-text query.
        b: The suggested listing (or profile).
        today: The day freshness is judged on.
        dense: Dense text similarity in [0, 1].
        lexical: Lexical similarity in [0, 1].
        matched_terms: Key terms found in both texts.
        query_text: The text of a free-text query (its named places give the
            location reason); ignored when ``a`` is given.
        half_life_days: As :func:`~isa_match.rank.features.freshness`.
        freshness_floor: As ``floor`` of :func:`~isa_match.rank.features.freshness`.
        category_compatibility: As :func:`~isa_match.rank.features.category_fit`.
        place_categories: As :func:`~isa_match.rank.features.location_fit`.
    """
    fresh = features.freshness(b, today, half_life_days, freshness_floor)
    if a is None:
        location = (
            features.text_location_fit(query_text, b) if query_text is not None else LocationFit()
        )
        return explain(
            None,
            b,
            sector=SectorFit(0.0, "none"),
            category=0.0,
            cross_border=False,
            location=location,
            freshness=fresh,
            dense=dense,
            lexical=lexical,
            matched_terms=matched_terms,
        )
    return explain(
        a,
        b,
        sector=features.sector_fit(a, b),
        category=features.category_fit(a, b, category_compatibility),
        cross_border=features.cross_border(a, b),
        location=features.location_fit(a, b, place_categories=place_categories),
        freshness=fresh,
        dense=dense,
        lexical=lexical,
        matched_terms=matched_terms,
    )
