"""Turning a topic, a side (kind, language, writer) and shared facts into title and text."""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from ._cities import CITY_BY_ID, GenCity, city_name
from ._frames import (
    CERTS,
    CLOSERS,
    COUNTRY,
    INTROS,
    PORTS,
    UNIT_QTY,
    UNITS,
    day,
    money,
    num,
    period,
    quarter,
)
from ._model import Frames, Topic, pick
from .banks.kinds import SPACE_TYPES
from .banks.tpl_partner import COOPERATION, INVESTMENT
from .banks.tpl_place import EVENT, SPACE
from .banks.tpl_product import PRODUCT
from .banks.tpl_tech import SERVICE, TECHNOLOGY
from .banks.type_sentences import TYPE_SENTENCES

FRAMES: dict[str, dict[tuple[str, str], Frames]] = {
    "product": PRODUCT,
    "technology": TECHNOLOGY,
    "service": SERVICE,
    "cooperation": COOPERATION,
    "investment": INVESTMENT,
    "event": EVENT,
    "space": SPACE,
}

_SPACE_SIZE = {sid: (unit, rng) for sid, _s, _t, _a, unit, rng in SPACE_TYPES}

CATEGORY_WORD: dict[str, tuple[str, str, str]] = {
    "product": ("Lieferant", "供应", "supplier"),
    "technology": ("Technologietransfer", "技术合作", "technology transfer"),
    "service": ("Dienstleistung", "服务", "service"),
    "cooperation": ("Kooperation", "合作", "cooperation"),
    "investment": ("Investition", "投资", "investment"),
    "event": ("Veranstaltung", "活动", "event"),
    "space": ("Gewerbefläche", "厂房", "commercial space"),
}


@dataclass(frozen=True, slots=True)
class Need:
    """Facts shared by both sides of one need (so paired texts agree on meaning)."""

    topic: Topic
    qty: int  # monthly demand (product requests)
    cap: int  # monthly capacity (product offers)
    budget_eur: int
    amount_eur: int  # investment asked
    when: date  # timeline anchor (delivery start, event date, move-in)
    size_lo: int
    size_hi: int
    size: int  # space offered
    event_city: str  # city id where an event takes place ("" = online)


def _round_to(value: float, step: int) -> int:
    return max(step, int(round(value / step)) * step)


# Typical amounts (EUR) by investment stage; other topics use the default.
_STAGE_EUR: dict[str, tuple[float, float]] = {
    "seed": (300_000, 2_000_000),
    "series_a": (2_000_000, 10_000_000),
    "growth": (5_000_000, 30_000_000),
    "bridge": (1_000_000, 8_000_000),
    "project": (5_000_000, 50_000_000),
}
_ANY_EUR = (300_000, 20_000_000)


def make_need(topic: Topic, rng: random.Random, ref: date, host_city: str) -> Need:
    """Draw the shared facts of a need; ``host_city`` is where an event would take place."""
    lo, hi, step = UNIT_QTY.get(topic.unit, (10, 100, 5))
    qty = _round_to(rng.uniform(lo, hi), step)
    cap = _round_to(qty * rng.uniform(2, 8), step)
    unit, (s_lo, s_hi) = _SPACE_SIZE.get(
        topic.parts[1][0] if topic.category == "space" else "", ("m2", (100, 1000))
    )
    step_s = 1 if unit == "ha" else 100
    size = _round_to(rng.uniform(s_lo, s_hi), step_s)
    size_lo = max(step_s, _round_to(size * rng.uniform(0.5, 0.8), step_s))
    size_hi = max(size_lo + step_s, _round_to(size * rng.uniform(1.2, 2.0), step_s))
    online = topic.key.startswith("event:webinar")
    return Need(
        topic=topic,
        qty=qty,
        cap=cap,
        budget_eur=_round_to(rng.uniform(50_000, 2_000_000), 50_000),
        amount_eur=_round_to(
            rng.uniform(*_STAGE_EUR.get(topic.key.split(":")[1], _ANY_EUR)), 100_000
        ),
        when=ref + timedelta(days=rng.randrange(45, 330)),
        size_lo=size_lo,
        size_hi=size_hi,
        size=size,
        event_city="" if online else host_city,
    )


def _size(value: int, unit: str, lang: str) -> str:
    if unit == "ha":
        return {"de": f"{value} ha", "zh": f"{value * 15}亩", "en": f"{value} ha"}[lang]
    return {"de": f"{num(value, 'de')} m²", "zh": f"{value}平方米", "en": f"{value:,} m²"}[lang]


def _range(lo: int, hi: int, unit: str, lang: str) -> str:
    if unit == "ha":
        return {"de": f"{lo} bis {hi} ha", "zh": f"{lo * 15}至{hi * 15}亩", "en": f"{lo}–{hi} ha"}[
            lang
        ]
    return {
        "de": f"{num(lo, 'de')} bis {num(hi, 'de')} m²",
        "zh": f"{lo}至{hi}平方米",
        "en": f"{lo:,}–{hi:,} m²",
    }[lang]


class Slots(dict[str, str]):
    """Placeholder values of one listing, computed on first use.

    Only the slots the chosen templates mention are drawn, which keeps
    generation fast; the order of first use is fixed by the templates, so the
    random draws stay deterministic.
    """

    def __init__(
        self,
        need: Need,
        kind: str,
        lang: str,
        city: GenCity,
        target_country: str,
        rng: random.Random,
    ) -> None:
        super().__init__()
        self.need, self.kind, self.lang, self.city = need, kind, lang, city
        self.target, self.rng = target_country, rng

    def __missing__(self, key: str) -> str:
        value = _SLOT_FUNCS[key](self)
        self[key] = value
        return value


def _space_loc(s: Slots) -> str:
    loc_city = CITY_BY_ID[s.need.topic.city]
    loc = city_name(loc_city, s.lang)
    if s.lang == "zh":
        # Chinese texts aimed at foreign partners add the Latin name of a place
        latin = loc_city.de if loc_city.country == "DE" else loc_city.en
        if loc_city.country != s.city.country:
            loc = f"{pick(COUNTRY[loc_city.country], 'zh')}{loc}（{latin}）"
        elif s.rng.random() < 0.6:
            loc = f"{loc}（{latin}）"
    return loc


def _investor_side(s: Slots, phrase: str) -> str:
    """Chinese investors *invest* (投资) where companies *raise* (融资)."""
    if s.lang == "zh" and s.kind == "offer" and s.need.topic.category == "investment":
        return phrase.replace("轮融资", "轮投资").replace("股权融资", "股权投资")
    return phrase


def _place(s: Slots) -> str:
    host = CITY_BY_ID.get(s.need.event_city)
    if host:
        return city_name(host, s.lang)
    return {"de": "online", "zh": "腾讯会议", "en": "online"}[s.lang]


def _min_size(s: Slots) -> str:
    unit, size = s.need.topic.unit or "m2", s.need.size
    return _size(max(1, size // 4) if unit == "ha" else _round_to(size / 4, 50), unit, s.lang)


def _sig(value: int) -> int:
    """Round to two significant digits, as people state yearly volumes."""
    if value < 100:
        return value
    step = int(10 ** (len(str(value)) - 2))
    return int(round(value / step)) * step


_staff = (12, 25, 40, 60, 85, 120, 180, 250, 400, 650)
_small_staff = (4, 6, 8, 12, 15, 20)


def _r(lo: int, hi: int) -> Callable[[Slots], str]:
    return lambda s: str(s.rng.randrange(lo, hi))


def _c(*options: int) -> Callable[[Slots], str]:
    return lambda s: str(s.rng.choice(options))


def _amount(lo: float, hi: float) -> Callable[[Slots], str]:
    return lambda s: money(_round_to(s.need.amount_eur * s.rng.uniform(lo, hi), 100_000), s.lang)


_SLOT_FUNCS: dict[str, Callable[[Slots], str]] = {
    "x": lambda s: _investor_side(s, pick(s.need.topic.term, s.lang)),
    "X": lambda s: _cap(pick(s.need.topic.term, s.lang)),
    "xa": lambda s: _investor_side(
        s, pick(s.need.topic.parts[0] if s.need.topic.parts else s.need.topic.term, s.lang)
    ),
    "xd": lambda s: pick(
        s.need.topic.parts[1] if s.need.topic.category == "event" else s.need.topic.term, s.lang
    ),
    "short": lambda s: pick(s.need.topic.short, s.lang),
    "city": lambda s: city_name(s.city, s.lang),
    "home": lambda s: pick(COUNTRY[s.city.country], s.lang),
    "target": lambda s: pick(COUNTRY[s.target], s.lang),
    "quarter": lambda s: quarter(s.need.when, s.lang),
    "period": lambda s: period(s.need.when, s.lang),
    "date": lambda s: day(s.need.when, s.lang),
    "years": _r(8, 45),
    "n": _r(3, 25),
    "np": _r(2, 14),
    "nk": _r(2, 12),
    "n0": _c(50, 80, 120, 200, 300, 500),
    "m": _r(2, 5),
    "m2": _r(5, 9),
    "staff": lambda s: str(
        s.rng.choice(
            _small_staff
            if s.need.amount_eur < 2_500_000 and s.need.topic.category == "investment"
            else _staff
        )
    ),
    "founded": _r(1952, 2019),
    "days": _r(2, 8),
    "weeks": _r(2, 13),
    "trl": _r(5, 9),
    "unit": lambda s: pick(UNITS.get(s.need.topic.unit, UNITS["pcs"]), s.lang),
    "q": lambda s: num(s.need.qty, s.lang),
    "qy": lambda s: num(_sig(s.need.qty * 12), s.lang),
    "cap": lambda s: num(s.need.cap, s.lang),
    "capy": lambda s: num(_sig(s.need.cap * 12), s.lang),
    "moq": lambda s: num(_sig(max(1, s.need.qty // s.rng.choice((2, 4, 5, 10)))), s.lang),
    "cert": lambda s: pick(CERTS.get(s.need.topic.cert or "iso9001", CERTS["iso9001"]), s.lang),
    "port": lambda s: pick(s.rng.choice(PORTS[s.city.country]), s.lang),
    "budget": lambda s: money(s.need.budget_eur, s.lang),
    "amount": lambda s: money(s.need.amount_eur, s.lang),
    "amount_lo": _amount(0.2, 0.6),
    "amount_hi": _amount(1.5, 4.0),
    "revenue": _amount(0.5, 3.0),
    "fee": _c(150, 250, 390, 490, 750),
    "fee_rmb": _c(800, 1500, 2000, 3000, 5000),
    "price": lambda s: f"{s.rng.uniform(4.5, 14.0):.2f}".replace(
        ".", "," if s.lang == "de" else "."
    ),
    "price_rmb": _r(15, 60),
    "place": _place,
    "loc": _space_loc,
    "size": lambda s: _size(s.need.size, s.need.topic.unit or "m2", s.lang),
    "range": lambda s: _range(s.need.size_lo, s.need.size_hi, s.need.topic.unit or "m2", s.lang),
    "min_size": _min_size,
}


_SLOT = re.compile(r"\{(\w+)\}")
# Slots that carry a fact; a description states each at most once.
_FACTS = frozenset(
    {"range", "size", "q", "qy", "cap", "capy", "period", "quarter", "date", "amount", "budget"}
)


@lru_cache(maxsize=4096)
def _slots_of(template: str) -> frozenset[str]:
    return frozenset(_SLOT.findall(template))


def _cap(sentence: str) -> str:
    return sentence[:1].upper() + sentence[1:] if sentence[:1].islower() else sentence


def _fits(title: str, lang: str) -> bool:
    if lang == "zh":
        return 6 <= len(title) <= 34
    return 3 <= len(title.split()) <= 15


def render(
    need: Need,
    kind: str,
    lang: str,
    org_type: str,
    city: GenCity,
    target_country: str,
    rng: random.Random,
) -> tuple[str, str, tuple[str, ...], tuple[str, ...]]:
    """Title, description, template ids and facet names of one listing."""
    frames = FRAMES[need.topic.category][(kind, lang)]
    values = Slots(need, kind, lang, city, target_country, rng)
    ti = rng.randrange(len(frames.titles))
    for _ in range(6):
        if _fits(frames.titles[ti].format_map(values), lang):
            break
        ti = rng.randrange(len(frames.titles))
    title = _cap(frames.titles[ti].format_map(values))
    oi = rng.randrange(len(frames.openers))
    online = need.topic.key.startswith("event:webinar")  # no company visits in a webinar
    names = [
        n
        for n in frames.facets
        if (n != "cert" or need.topic.cert) and not (online and n == "program")
    ]
    long_text = rng.random() < 0.08
    k = min(len(names), 4 if long_text else rng.choices((0, 1, 2, 3), (15, 30, 35, 20))[0])
    chosen = sorted(rng.sample(range(len(names)), k))
    parts: list[str] = []
    if long_text or rng.random() < 0.22:
        parts.append(rng.choice(INTROS[(org_type, lang)]))
    parts.append(frames.openers[oi])
    by_type = TYPE_SENTENCES.get(need.topic.category)
    if by_type:  # state the cooperation type / stage / format in its own words
        parts.append(rng.choice(by_type[need.topic.key.split(":")[1]][(kind, lang)]))
    used = _FACTS & _slots_of(frames.openers[oi])
    facets_used: list[str] = []
    for i in chosen:
        sentence = rng.choice(frames.facets[names[i]])
        if used & _slots_of(sentence):
            continue  # the opener already states this fact
        used |= _FACTS & _slots_of(sentence)
        parts.append(sentence)
        facets_used.append(names[i])
    if long_text or rng.random() < 0.35:
        parts.append(rng.choice(CLOSERS[(kind, lang)]))
    sep = "" if lang == "zh" else " "
    description = sep.join(_cap(p.format_map(values)) for p in parts)
    template_ids = (
        f"{need.topic.category}/{kind}/{lang}/t{ti}",
        f"{need.topic.category}/{kind}/{lang}/o{oi}",
    )
    return title, description, template_ids, tuple(facets_used)


def keywords(topic: Topic, lang: str, rng: random.Random) -> list[str]:
    """Two to four keywords as staff would tag a listing (sometimes none)."""
    if rng.random() < 0.1:
        return []
    words = [pick(topic.short, lang), pick(CATEGORY_WORD[topic.category], lang)]
    term = pick(topic.term, lang)
    if (len(term) <= 12 if lang == "zh" else len(term.split()) <= 3) and term not in words:
        words.insert(1, term)
    if topic.cert and rng.random() < 0.4:
        label = CERTS[topic.cert][2].removeprefix("a valid ").split(" cert")[0].split(" test")[0]
        words.append(label)
    return words[: rng.randrange(2, 5)]
