"""The topic universe: every distinct need the generator can write about.

Topics are built from the phrase banks on first use (never at import time) and
cached; their order is fixed by the banks, so iteration is deterministic.
"""

from __future__ import annotations

from functools import lru_cache

from ._cities import CITIES
from ._model import Topic, Tri
from .banks.fields import FIELDS
from .banks.kinds import COOP_TYPES, EVENT_TYPES, INVEST_STAGES, SPACE_TYPES
from .banks.products import PRODUCT_GROUPS
from .banks.products_b import PRODUCT_GROUPS_B
from .banks.products_more import MORE_PRODUCT_GROUPS
from .banks.services import SERVICE_GROUPS
from .banks.services_more import (
    MORE_SERVICE_GROUPS,
    PRODUCT_PROVIDER_COUNTRY,
    SERVICE_PROVIDER_COUNTRY,
)
from .banks.technologies import TECH_GROUPS
from .banks.technologies_b import TECH_GROUPS_B
from .banks.technologies_more import MORE_TECH_GROUPS

CATEGORIES: tuple[str, ...] = (
    "product",
    "technology",
    "space",
    "event",
    "cooperation",
    "investment",
    "service",
)


def _en_article(phrase: str) -> str:
    """English phrase with an indefinite article, unless it is a mass noun."""
    if phrase.split(" ")[0] in _EN_MASS:
        return phrase
    return ("an " if phrase[0] in "aeiouAEIO" or phrase.startswith("R&D") else "a ") + phrase


_EN_MASS = frozenset(
    {
        "licensing",
        "seed",
        "Series",
        "growth",
        "project",
        "bridge",
        "warehouse",
        "office",
        "laboratory",
        "cleanroom",
    }
)


def _fill(template: Tri, field: Tri) -> Tri:
    return (
        template[0].format(f=field[0]),
        template[1].format(f=field[1]),
        template[2].format(f=field[2]),
    )


@lru_cache(maxsize=1)
def all_topics() -> tuple[Topic, ...]:
    """Every topic, in a fixed order (grouped by category)."""
    out: list[Topic] = []
    product_groups = PRODUCT_GROUPS + PRODUCT_GROUPS_B + MORE_PRODUCT_GROUPS
    for group, family, sector, unit, cert, short, variants in product_groups:
        for vid, de, zh, en in variants:
            out.append(
                Topic(
                    f"product:{vid}",
                    "product",
                    family,
                    sector,
                    (de, zh, en),
                    short,
                    (f"pg:{group}",),
                    unit=unit,
                    cert=cert,
                    offer_country=PRODUCT_PROVIDER_COUNTRY.get(vid, ""),
                )
            )
    for group, family, sector, short, variants in TECH_GROUPS + TECH_GROUPS_B + MORE_TECH_GROUPS:
        for vid, de, zh, en in variants:
            out.append(
                Topic(
                    f"technology:{vid}",
                    "technology",
                    family,
                    sector,
                    (de, zh, en),
                    short,
                    (f"tg:{group}",),
                )
            )
    for group, family, sector, cert, short, variants in SERVICE_GROUPS + MORE_SERVICE_GROUPS:
        for vid, de, zh, en in variants:
            out.append(
                Topic(
                    f"service:{vid}",
                    "service",
                    family,
                    sector,
                    (de, zh, en),
                    short,
                    (f"sg:{group}",),
                    cert=cert,
                    offer_country=SERVICE_PROVIDER_COUNTRY.get(vid, ""),
                )
            )
    for fid, family, sector, fgroup, fterm in FIELDS:
        for tid, de, zh, en, de_art in COOP_TYPES:
            out.append(
                Topic(
                    f"cooperation:{tid}:{fid}",
                    "cooperation",
                    family,
                    sector,
                    _fill((de, zh, en), fterm),
                    fterm,
                    (f"cf:{fid}", f"ct:{tid}:{fgroup}"),
                    parts=(_fill((de_art, zh, _en_article(en)), fterm), fterm),
                )
            )
        for sid, de, zh, en, de_art in INVEST_STAGES:
            out.append(
                Topic(
                    f"investment:{sid}:{fid}",
                    "investment",
                    family,
                    sector,
                    _fill((de, zh, en), fterm),
                    fterm,
                    (f"if:{fid}", f"it:{sid}:{fgroup}"),
                    parts=(_fill((de_art, zh, _en_article(en)), fterm), fterm),
                )
            )
        for eid, de, zh, en, de_acc, de_dat in EVENT_TYPES:
            out.append(
                Topic(
                    f"event:{eid}:{fid}",
                    "event",
                    family,
                    sector,
                    _fill((de, zh, en), fterm),
                    fterm,
                    (f"ef:{fid}", f"et:{eid}:{fgroup}"),
                    parts=(
                        _fill((de_acc, zh, _en_article(en)), fterm),
                        _fill((de_dat, zh, _en_article(en)), fterm),
                        (eid, eid, eid),
                    ),
                )
            )
    for sid, sector, term, de_art, unit, _size in SPACE_TYPES:
        for city in CITIES:
            out.append(
                Topic(
                    f"space:{sid}:{city.id}",
                    "space",
                    "real_estate",
                    sector,
                    term,
                    term,
                    (f"sc:{city.id}", f"st:{sid}:{city.country}"),
                    unit=unit,
                    parts=((de_art, term[1], _en_article(term[2])), (sid, sid, sid)),
                    city=city.id,
                )
            )
    keys = [t.key for t in out]
    if len(set(keys)) != len(keys):  # a bank typo would silently merge two needs
        raise RuntimeError("duplicate topic keys in the phrase banks")
    return tuple(out)


@lru_cache(maxsize=1)
def topics_by_category() -> dict[str, tuple[Topic, ...]]:
    """Topics grouped by category, each group in bank order."""
    return {c: tuple(t for t in all_topics() if t.category == c) for c in CATEGORIES}


@lru_cache(maxsize=1)
def sibling_index() -> dict[str, tuple[Topic, ...]]:
    """For each topic key, its siblings (same category, a shared group, other key)."""
    by_group: dict[str, list[Topic]] = {}
    for t in all_topics():
        for g in t.groups:
            by_group.setdefault(g, []).append(t)
    out: dict[str, tuple[Topic, ...]] = {}
    for t in all_topics():
        seen: dict[str, Topic] = {}
        for g in t.groups:
            for s in by_group[g]:
                if s.key != t.key:
                    seen.setdefault(s.key, s)
        out[t.key] = tuple(seen.values())
    return out


@lru_cache(maxsize=1)
def sector_index() -> dict[str, tuple[Topic, ...]]:
    """Topics by NACE division, in bank order."""
    out: dict[str, list[Topic]] = {}
    for t in all_topics():
        for code in t.sector:
            out.setdefault(code, []).append(t)
    return {k: tuple(v) for k, v in out.items()}
