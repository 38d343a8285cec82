"""The seeded corpus generator: labelled pairs, hard near misses and background."""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

from ._cities import CITY_BY_ID, GenCity
from ._model import Topic
from ._orgs import make_org, make_person, make_phone
from ._plan import (
    BACKGROUND_WEIGHTS,
    NATIVE,
    ORG_TYPES,
    OTHER,
    Side,
    display_city,
    fixed_kind,
    language_for,
    listing_dates,
    org_family,
    pick_weighted,
    sector_codes,
    side_city,
    space_request_country,
)
from ._render import keywords, make_need, render
from .topics import CATEGORIES, sector_index, sibling_index, topics_by_category

BLOCK_SIZE = 4000  # listings planned and shuffled together; bounds memory when streaming
EXPIRED_SHARE = 0.10
PAIR_SHARE = 0.15  # default labelled pairs per listing
DEFAULT_TODAY = date(2026, 11, 1)

Row = dict[str, str | None]


@dataclass(frozen=True, slots=True)
class ListingInfo:
    """How a generated listing came about (for tests and analysis; never written out)."""

    role: str
    variant: str
    topic: str
    anchor: str
    expired: bool
    templates: tuple[str, ...]
    facets: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class GeneratedCorpus:
    """Rows in the input-file layout, labelled (request_id, offer_id) pairs and provenance."""

    rows: list[Row]
    pairs: list[tuple[str, str]]
    info: dict[str, ListingInfo] = field(default_factory=dict)


def max_pairs(seed: int = 0) -> int:
    """The most labelled pairs the topic universe supports with clean labels for ``seed``."""
    return len(_labelled_candidates(random.Random(f"{seed}|labelled")))


def _labelled_candidates(rng: random.Random) -> list[Topic]:
    # Goods, technologies and services: one labelled topic per sibling group (two for large
    # groups) so that every labelled topic keeps unlabelled siblings as hard negatives.
    out: list[Topic] = []
    for cat in CATEGORIES:
        topics = list(topics_by_category()[cat])
        if cat in ("product", "technology", "service"):
            groups: dict[str, list[Topic]] = {}
            for t in topics:
                groups.setdefault(t.groups[0], []).append(t)
            for members in groups.values():
                take = 2 if len(members) >= 4 else 1
                out.extend(rng.sample(members, take))
        else:
            out.extend(t for t in topics if rng.random() < 0.45)
    return out


def _choose_labelled(seed: int, n_pairs: int | None, n_listings: int) -> list[Topic]:
    rng = random.Random(f"{seed}|labelled")
    pool = _labelled_candidates(rng)
    if n_pairs is None:  # 15 % of the listings, leaving a tenth of the pool as siblings
        n_pairs = min(round(n_listings * PAIR_SHARE), int(len(pool) * 0.9))
    if n_pairs < 0 or 2 * n_pairs > n_listings // 2:
        raise ValueError(
            f"n_pairs={n_pairs} does not fit into {n_listings} listings "
            "(pairs may take at most half of the corpus)"
        )
    if n_pairs > len(pool):
        raise ValueError(f"n_pairs={n_pairs} exceeds the {len(pool)} needs that can be labelled")
    by_cat: dict[str, list[Topic]] = {c: [t for t in pool if t.category == c] for c in CATEGORIES}
    for lst in by_cat.values():
        rng.shuffle(lst)
    chosen: list[Topic] = []
    while len(chosen) < n_pairs:  # round-robin over categories keeps every category present
        for cat in CATEGORIES:
            if by_cat[cat] and len(chosen) < n_pairs:
                chosen.append(by_cat[cat].pop())
    rng.shuffle(chosen)
    return chosen


class _Generator:
    def __init__(self, n_listings: int, seed: int, n_pairs: int | None, today: date) -> None:
        if n_listings < 1:
            raise ValueError(f"n_listings must be positive, got {n_listings}")
        self.n = n_listings
        self.seed = seed
        self.today = today
        self.labelled = _choose_labelled(seed, n_pairs, n_listings)
        self.labelled_keys = frozenset(t.key for t in self.labelled)
        self.free = {
            c: [t for t in topics_by_category()[c] if t.key not in self.labelled_keys]
            for c in CATEGORIES
        }
        self.n_blocks = max(1, math.ceil(n_listings / BLOCK_SIZE))
        # bounded by cities x languages x org types x families x 3
        self._orgs: dict[tuple[str, str, str, str, int], tuple[str, str, str, str]] = {}
        self._kinds: dict[str, str] = {}

    # ---- planning -------------------------------------------------------------------
    def _kind(self, topic: Topic) -> str:
        kind = self._kinds.get(topic.key)
        if kind is None:
            kind = self._kinds[topic.key] = fixed_kind(self.seed, topic)
        return kind

    def _pair_sides(self, idx: int, topic: Topic, rng: random.Random) -> list[Side]:
        if topic.category == "space":
            offer_country = CITY_BY_ID[topic.city].country
            req_country = OTHER[offer_country]
        elif topic.offer_country:
            offer_country = topic.offer_country
            req_country = OTHER[offer_country]
        else:
            req_country = rng.choice(("DE", "CN"))
            offer_country = OTHER[req_country]
        langs = []
        for country in (req_country, offer_country):
            langs.append(NATIVE[country] if rng.random() < 0.86 else "en")
        if langs[0] == langs[1]:
            flip = rng.randrange(2)
            country = (req_country, offer_country)[flip]
            langs[flip] = "en" if langs[flip] == NATIVE[country] else NATIVE[country]
        req_city = side_city(topic, "request", req_country, rng)
        off_city = side_city(topic, "offer", offer_country, rng)
        need = make_need(topic, rng, self.today, off_city.id)
        return [
            Side(
                topic,
                "request",
                req_city,
                langs[0],
                offer_country,  # a pair's request addresses the offer's country
                False,
                "pair",
                "request",
                "",
                need,
                idx,
            ),
            Side(
                topic,
                "offer",
                off_city,
                langs[1],
                req_country,
                False,
                "pair",
                "offer",
                "",
                need,
                idx,
            ),
        ]

    def _free_side(
        self,
        topic: Topic,
        kind: str,
        country: str,
        rng: random.Random,
        *,
        expired: bool,
        role: str,
        variant: str,
        anchor: str,
    ) -> Side:
        if topic.category == "space" and kind == "request":
            country = space_request_country(topic, rng, 0.85)
        elif topic.offer_country and rng.random() < 0.9:
            country = topic.offer_country if kind == "offer" else OTHER[topic.offer_country]
        city = side_city(topic, kind, country, rng)
        target = OTHER[city.country]
        return Side(
            topic,
            kind,
            city,
            language_for(city.country, rng),
            target,
            expired,
            role,
            variant,
            anchor,
        )

    def _near_misses(self, pair: list[Side], rng: random.Random) -> list[Side]:
        topic = pair[0].topic
        out: list[Side] = []
        count = rng.choices((0, 1, 2, 3), (12, 28, 38, 22))[0]
        for _ in range(count):
            variant = rng.choices(("sibling", "expired", "cross_category"), (50, 22, 28))[0]
            if variant == "sibling":
                sibs = [s for s in sibling_index()[topic.key] if s.key not in self.labelled_keys]
                if sibs:
                    sib = rng.choice(sibs)
                    kind = self._kind(sib)
                    like = pair[0] if kind == "request" else pair[1]
                    out.append(
                        self._free_side(
                            sib,
                            kind,
                            like.city.country,
                            rng,
                            expired=False,
                            role="near_miss",
                            variant="sibling",
                            anchor=topic.key,
                        )
                    )
                    continue
                variant = "expired"
            if variant == "cross_category":
                others = [
                    t
                    for code in topic.sector
                    for t in sector_index().get(code, ())
                    if t.category != topic.category and t.key not in self.labelled_keys
                ]
                if others:
                    other = rng.choice(others)
                    kind = self._kind(other)
                    like = pair[0] if kind == "request" else pair[1]
                    out.append(
                        self._free_side(
                            other,
                            kind,
                            like.city.country,
                            rng,
                            expired=False,
                            role="near_miss",
                            variant="cross_category",
                            anchor=topic.key,
                        )
                    )
                    continue
            kind = rng.choice(("request", "offer"))
            like = pair[0] if kind == "request" else pair[1]
            out.append(
                self._free_side(
                    topic,
                    kind,
                    like.city.country,
                    rng,
                    expired=True,
                    role="near_miss",
                    variant="expired",
                    anchor=topic.key,
                )
            )
        return out

    def _plan_block(self, b: int, size: int) -> list[Side]:
        rng = random.Random(f"{self.seed}|block|{b}")
        sides: list[Side] = []
        mine = range(b, len(self.labelled), self.n_blocks)
        room = size - 2 * len(mine)  # what pairs leave for near misses and background
        for idx in mine:
            pair = self._pair_sides(idx, self.labelled[idx], rng)
            sides.extend(pair)
            near = self._near_misses(pair, rng)[: max(0, room)]
            room -= len(near)
            sides.extend(near)
        n_background = size - len(sides)
        expired_left = max(0, round(EXPIRED_SHARE * size) - sum(s.expired for s in sides))
        p_expired = min(1.0, expired_left / n_background) if n_background else 0.0
        cats = list(BACKGROUND_WEIGHTS)
        weights = [BACKGROUND_WEIGHTS[c] for c in cats]
        for _ in range(n_background):
            cat = rng.choices(cats, weights)[0]
            topic = rng.choice(self.free[cat])
            expired = rng.random() < p_expired
            kind = rng.choice(("request", "offer")) if expired else self._kind(topic)
            sides.append(
                self._free_side(
                    topic,
                    kind,
                    rng.choice(("DE", "CN")),
                    rng,
                    expired=expired,
                    role="background",
                    variant="",
                    anchor="",
                )
            )
        rng.shuffle(sides)
        return sides

    # ---- writing --------------------------------------------------------------------
    def _org(
        self, city: GenCity, lang: str, org_type: str, family: str, idx: int
    ) -> tuple[str, str, str, str]:
        """Name and contact of one organisation; the same arguments give the same one."""
        key = (city.id, lang, org_type, family, idx)
        hit = self._orgs.get(key)
        if hit is None:
            rng = random.Random(f"{self.seed}|org|{city.id}|{family}|{org_type}|{idx}")
            org, domain = make_org(city, lang, org_type, family, rng)
            person, email = make_person(city.country, lang, domain, rng)
            hit = (org, person, email, make_phone(city, rng))
            self._orgs[key] = hit
        return hit

    def _row(self, listing_id: str, side: Side, rng: random.Random) -> tuple[Row, ListingInfo]:
        topic = side.topic
        created, expires = listing_dates(rng, self.today, side.expired)
        need = side.need or make_need(
            topic, rng, created if side.expired else self.today, side.city.id
        )
        org_type = pick_weighted(rng, ORG_TYPES[(topic.category, side.kind)])
        family = org_family(topic, side.kind, org_type, side.city, rng)
        org_idx = rng.choices((0, 1, 2), (6, 3, 1))[0]
        org, person, email, phone = self._org(side.city, side.lang, org_type, family, org_idx)
        title, text, templates, facets = render(
            need, side.kind, side.lang, org_type, side.city, side.target, rng
        )
        row: Row = {
            "id": listing_id,
            "kind": side.kind,
            "category": topic.category,
            "title": title,
            "description": text,
            "language": side.lang,
            "organization": org,
            "org_type": org_type,
            "city": display_city(side.city, side.lang, rng),
            "sector": ";".join(sector_codes(topic, side.kind, org_type, rng)),
            "keywords": ";".join(keywords(topic, side.lang, rng)),
            "created_at": created.isoformat(),
            "expires_at": expires.isoformat() if expires else None,
            "contact_name": person if rng.random() > 0.03 else None,
            "contact_email": email if rng.random() > 0.03 else None,
            "contact_phone": phone if rng.random() > 0.12 else None,
        }
        info = ListingInfo(
            side.role, side.variant, topic.key, side.anchor, side.expired, templates, facets
        )
        return row, info

    def blocks(self) -> Iterator[tuple[list[Row], list[tuple[str, str]], dict[str, ListingInfo]]]:
        """Rows, pairs and provenance, one block at a time, in output order."""
        base, extra = divmod(self.n, self.n_blocks)
        next_id = 1
        for b in range(self.n_blocks):
            size = base + (1 if b < extra else 0)
            sides = self._plan_block(b, size)
            rng = random.Random(f"{self.seed}|text|{b}")
            rows: list[Row] = []
            infos: dict[str, ListingInfo] = {}
            pair_ids: dict[int, dict[str, str]] = {}
            for side in sides:
                listing_id = f"L{next_id:07d}"
                next_id += 1
                row, info = self._row(listing_id, side, rng)
                rows.append(row)
                infos[listing_id] = info
                if side.role == "pair":
                    pair_ids.setdefault(side.pair, {})[side.kind] = listing_id
            pairs = [(p["request"], p["offer"]) for _, p in sorted(pair_ids.items())]
            yield rows, pairs, infos
