"""Who writes what: the sides of every listing before any text is written."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from ._cities import CITIES_BY_COUNTRY, CITY_BY_ID, GenCity
from ._model import Topic
from ._render import Need

OTHER = {"DE": "CN", "CN": "DE"}
NATIVE = {"DE": "de", "CN": "zh"}

# Category shares of the background (listings without a labelled partner).
BACKGROUND_WEIGHTS: dict[str, float] = {
    "product": 0.27,
    "technology": 0.15,
    "service": 0.16,
    "cooperation": 0.12,
    "investment": 0.07,
    "event": 0.10,
    "space": 0.13,
}

# (org type, weight) by (category, kind).
ORG_TYPES: dict[tuple[str, str], tuple[tuple[str, float], ...]] = {
    ("product", "request"): (("company", 1.0),),
    ("product", "offer"): (("company", 0.95), ("research", 0.05)),
    ("technology", "request"): (("company", 0.85), ("research", 0.15)),
    ("technology", "offer"): (("company", 0.55), ("research", 0.45)),
    ("service", "request"): (("company", 0.95), ("public", 0.05)),
    ("service", "offer"): (("company", 0.95), ("public", 0.05)),
    ("cooperation", "request"): (("company", 0.6), ("research", 0.3), ("public", 0.1)),
    ("cooperation", "offer"): (("company", 0.55), ("research", 0.35), ("public", 0.1)),
    ("investment", "request"): (("company", 0.95), ("research", 0.05)),
    ("investment", "offer"): (("company", 0.9), ("public", 0.1)),
    ("event", "request"): (("company", 0.7), ("public", 0.2), ("research", 0.1)),
    ("event", "offer"): (("public", 0.5), ("company", 0.3), ("research", 0.2)),
    ("space", "request"): (("company", 1.0),),
    ("space", "offer"): (("public", 0.55), ("company", 0.45)),
}


@dataclass(slots=True)
class Side:
    """One listing to write: everything except its text and id."""

    topic: Topic
    kind: str
    city: GenCity
    lang: str
    target: str  # the country the text addresses
    expired: bool
    role: str  # "pair" | "near_miss" | "background"
    variant: str  # pair: "request"/"offer"; near miss: "sibling"/"expired"/"cross_category"
    anchor: str  # near miss: key of the labelled topic it imitates; else ""
    need: Need | None = None  # shared facts (pairs); None = draw own
    pair: int = -1  # index of the labelled pair


def pick_weighted(rng: random.Random, options: tuple[tuple[str, float], ...]) -> str:
    """One option drawn by weight."""
    return rng.choices([o for o, _ in options], [w for _, w in options])[0]


def language_for(country: str, rng: random.Random) -> str:
    """A listing language for a writer in ``country`` (mostly native, some English)."""
    r = rng.random()
    if r < 0.88:
        return NATIVE[country]
    if r < 0.98:
        return "en"
    return NATIVE[OTHER[country]]


def city_for(country: str, topic: Topic, rng: random.Random) -> GenCity:
    """A member city of ``country``, preferring cities known for the topic's field."""
    cities = CITIES_BY_COUNTRY[country]
    weights = [4.0 if topic.family in c.fields else 1.0 for c in cities]
    return rng.choices(cities, weights)[0]


def fixed_kind(seed: int, topic: Topic) -> str:
    """The single kind every active unlabelled listing of ``topic`` has.

    Keeping one kind per unlabelled topic means the corpus holds no unlabelled
    complementary pairs at all, so every fitting partner is a labelled one.
    """
    return "offer" if random.Random(f"{seed}|kind|{topic.key}").random() < 0.5 else "request"


def side_city(topic: Topic, kind: str, country: str, rng: random.Random) -> GenCity:
    """The writer's city: a space offer is where the space is."""
    if topic.category == "space" and kind == "offer":
        return CITY_BY_ID[topic.city]
    return city_for(country, topic, rng)


def space_request_country(topic: Topic, rng: random.Random, cross: float) -> str:
    """A space request comes mostly from the other country than the space."""
    here = CITY_BY_ID[topic.city].country
    return OTHER[here] if rng.random() < cross else here


def listing_dates(rng: random.Random, today: date, expired: bool) -> tuple[date, date | None]:
    """Created within two years before ``today``; expired ones end before ``today``."""
    oldest = today - timedelta(days=729)
    if expired:
        expires = today - timedelta(days=rng.randrange(1, 330))
        created = max(oldest, expires - timedelta(days=rng.randrange(60, 540)))
        return created, expires
    created = today - timedelta(days=rng.randrange(0, 730))
    if rng.random() < 0.12:
        return created, None
    return created, today + timedelta(days=rng.randrange(14, 540))


def org_family(topic: Topic, kind: str, org_type: str, city: GenCity, rng: random.Random) -> str:
    """The trade of the writing organisation (it names the organisation)."""
    if kind == "offer" and org_type == "company":
        special = {"investment": "finance", "space": "real_estate", "event": "events"}
        return special.get(topic.category, topic.family)
    if kind == "request" and topic.category in ("space", "service"):
        # whoever needs a site or a service works in one of the city's industries
        return rng.choice(city.fields)
    return topic.family


def sector_codes(topic: Topic, kind: str, org_type: str, rng: random.Random) -> list[str]:
    """The NACE codes staff enter for a listing: the topic's, adjusted by who writes."""
    codes = list(topic.sector)
    if topic.category == "investment" and kind == "offer":
        codes = ["K64", *codes[:1]]
    elif topic.category == "event" and kind == "offer" and org_type != "research":
        codes = [*codes[:1], "S94" if rng.random() < 0.25 else "N82"]
    if org_type == "research" and "M72" not in codes and rng.random() < 0.6:
        codes.append("M72")
    if org_type == "public" and rng.random() < 0.5:
        codes.append("O84")
    if rng.random() < 0.35:
        codes = codes[:1]
    if rng.random() < 0.03:
        codes[0] = codes[0][0]  # staff sometimes give only the section letter
    return list(dict.fromkeys(codes))


EN_DISPLAY: dict[str, str] = {
    "koeln": "Cologne",
    "nuernberg": "Nuremberg",
    "kreis-dueren": "Düren",
    "region-schwarzwald": "Freiburg",
    "drei-gewinnt": "Rüsselsheim",
    "rhein-kreis-neuss": "Neuss",
    "region-fulda": "Fulda",
    "ludwigshafen": "Ludwigshafen",
    "taizhou": "Taizhou (Zhejiang)",
    "baoan": "Shenzhen",
    "nansha": "Guangzhou Nansha",
    "maanshan": "Ma'anshan",
}


def display_city(city: GenCity, lang: str, rng: random.Random) -> str:
    """The city as staff type it: usually the canonical name, sometimes an alias."""
    if lang == NATIVE[city.country]:
        return city.display[0] if rng.random() < 0.75 else rng.choice(city.display)
    if lang == "zh":
        return city.zh
    return EN_DISPLAY.get(city.id, city.en)
