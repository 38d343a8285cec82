"""The pair scoring components other than dense and lexical similarity.

Each function scores one query listing ``a`` against one candidate ``b`` and is
the reference definition of its component (the ranker may compute the same
values vectorised). They accept a :class:`~isa_match.schema.Listing` or a
:class:`ListingProfile`: the profile holds what is worth computing once per
listing at index time (the places its text names), so that the pair functions
are a few dictionary and set look-ups.

- :func:`sector_fit`: a shared NACE division, a shared section, or sectors that
  complement each other (``data/reference/sector_complements.json``).
- :func:`category_fit`: the same category, or a compatible one.
- :func:`cross_border`: one side in Germany, the other in China.
- :func:`freshness`: 0 when expired, else decaying with age down to a floor.
- :func:`counterpart_kinds` / :func:`is_counterpart`: requests meet offers.
- :func:`location_fit`: a place one side names is where the other side is.
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from isa_match.rank._complements import (
    Complement,
    ComplementTable,
    complement_pairs,
    complements,
    load_complements,
)
from isa_match.rank.places import PlaceMentions, find_places
from isa_match.reference import cities
from isa_match.schema import Category, Kind, Listing

__all__ = [
    "CATEGORY_COMPATIBILITY",
    "PLACE_CATEGORIES",
    "SECTOR_SCORES",
    "Complement",
    "ComplementTable",
    "ListingProfile",
    "LocationFit",
    "SectorFit",
    "category_fit",
    "category_matrix",
    "category_table",
    "complement_pairs",
    "complements",
    "counterpart_kinds",
    "cross_border",
    "freshness",
    "is_counterpart",
    "load_complements",
    "location_fit",
    "profile_of",
    "sector_fit",
    "text_location_fit",
]

# -- sector fit -------------------------------------------------------------------

SectorKind = Literal["division", "section", "complement", "none"]

SECTOR_SCORES: Mapping[str, float] = {
    "division": 1.0,
    "complement": 0.5,
    "section": 0.5,
    "none": 0.0,
}
"""Default sector-fit score per kind of overlap."""

# When two kinds score the same, the more specific one names the fit.
_SECTOR_PRECEDENCE: tuple[SectorKind, ...] = ("division", "complement", "section")


@dataclass(frozen=True, slots=True)
class SectorFit:
    """How the sectors of two listings fit.

    Attributes:
        score: in [0, 1] (see :data:`SECTOR_SCORES`).
        kind: ``"division"`` (a shared division such as C20), ``"complement"``
            (complementary sectors), ``"section"`` (a shared section letter
            only) or ``"none"``.
        a_code: the code of ``a`` behind the fit (None for ``"none"``).
        b_code: the code of ``b`` behind the fit; for ``"section"`` both are
            codes of the shared section (``"C20"``, ``"C25"`` or the bare ``"C"``).
        complement: the table entry for ``"complement"``.
    """

    score: float
    kind: SectorKind
    a_code: str | None = None
    b_code: str | None = None
    complement: Complement | None = None


_NO_SECTOR_FIT = SectorFit(0.0, "none")


@dataclass(frozen=True, slots=True)
class _SectorOverlap:
    division: tuple[str, str] | None
    complement: tuple[str, str, Complement] | None
    section: tuple[str, str] | None


def _overlap(sa: tuple[str, ...], sb: tuple[str, ...], table: ComplementTable) -> _SectorOverlap:
    division = next(((x, x) for x in sa if len(x) > 1 and x in sb), None)
    complement = next(
        ((x, y, entry) for x in sa for y in sb if (entry := table.find(x, y)) is not None),
        None,
    )
    section = next(((x, y) for x in sa for y in sb if x[0] == y[0]), None)
    return _SectorOverlap(division, complement, section)


@functools.lru_cache(maxsize=65536)
def _shipped_overlap(sa: tuple[str, ...], sb: tuple[str, ...]) -> _SectorOverlap:
    # Few distinct sector tuples occur, so the pairs repeat and the cache answers.
    return _overlap(sa, sb, complements())


def sector_fit(
    a: Listing | ListingProfile,
    b: Listing | ListingProfile,
    *,
    table: ComplementTable | None = None,
    scores: Mapping[str, float] | None = None,
) -> SectorFit:
    """How well the sectors of ``a`` and ``b`` fit.

    Args:
        a: The query listing (or its profile).
        b: The candidate listing (or its profile).
        table: Complementary sectors (default: the shipped table).
        scores: Score per kind (default :data:`SECTOR_SCORES`); the best-scoring
            kind that applies wins, ties going to division, complement, section.

    Returns:
        A :class:`SectorFit`; e.g. C20 against C20 is ``division`` (1.0), C20
        against C22 ``complement`` (0.5), C20 against C25 ``section`` (0.5).
    """
    sa, sb = a.sector, b.sector
    if not sa or not sb:
        return _NO_SECTOR_FIT
    found = _shipped_overlap(sa, sb) if table is None else _overlap(sa, sb, table)
    scores = SECTOR_SCORES if scores is None else scores
    best: SectorFit = _NO_SECTOR_FIT
    for kind in _SECTOR_PRECEDENCE:
        hit = getattr(found, kind)
        if hit is None or scores[kind] <= best.score:
            continue
        entry = hit[2] if kind == "complement" else None
        best = SectorFit(scores[kind], kind, hit[0], hit[1], entry)
    return best


# -- category fit ------------------------------------------------------------------

CATEGORY_COMPATIBILITY: Mapping[tuple[str, str], float] = {
    ("technology", "cooperation"): 0.5,
    ("investment", "cooperation"): 0.4,
    ("space", "investment"): 0.4,
    ("product", "service"): 0.3,
    ("technology", "service"): 0.3,
    ("technology", "product"): 0.3,
    ("technology", "investment"): 0.3,
    ("event", "cooperation"): 0.3,
}
"""Default scores of plausible cross-category partners (symmetric); same category is 1."""


def category_table(
    compatibility: Mapping[tuple[str, str], float] | None = None,
) -> dict[tuple[str, str], float]:
    """A checked, symmetric category table with 1.0 for every same-category pair.

    Args:
        compatibility: ``{(category, category): score}``, one direction is
            enough (default :data:`CATEGORY_COMPATIBILITY`).

    Raises:
        ValueError: an unknown category, a score outside [0, 1], a same-category
            entry other than 1, or the two directions of a pair given different scores.
    """
    known = {c.value for c in Category}
    out = {(c, c): 1.0 for c in known}
    given = CATEGORY_COMPATIBILITY if compatibility is None else compatibility
    for (x, y), score in given.items():
        bad = [c for c in (x, y) if c not in known]
        if bad:
            raise ValueError(
                f"category table: {bad[0]!r} is not a category ({', '.join(sorted(known))})"
            )
        if not 0.0 <= score <= 1.0 or (x == y and score != 1.0):
            raise ValueError(f"category table: ({x}, {y}) = {score!r}: need 0..1, and 1 if equal")
        for key in ((x, y), (y, x)):
            if key in given and given[key] != score:
                raise ValueError(f"category table: ({x}, {y}) and ({y}, {x}) differ")
            out[key] = float(score)
    return out


@functools.cache
def _default_category_table() -> dict[tuple[str, str], float]:
    return category_table()


def category_fit(
    a: Listing | ListingProfile,
    b: Listing | ListingProfile,
    compatibility: Mapping[tuple[str, str], float] | None = None,
) -> float:
    """1.0 for the same category, a table score for compatible ones, else 0.

    Args:
        a: The query listing (or its profile).
        b: The candidate listing (or its profile).
        compatibility: ``{(category, category): score}`` read in both
            directions; build a checked one with :func:`category_table`.
            Default: :data:`CATEGORY_COMPATIBILITY`.
    """
    ca, cb = str(a.category), str(b.category)
    if ca == cb:
        return 1.0
    table = _default_category_table() if compatibility is None else compatibility
    score = table.get((ca, cb))
    return float(table.get((cb, ca), 0.0) if score is None else score)


def category_matrix(
    compatibility: Mapping[tuple[str, str], float] | None = None,
) -> npt.NDArray[np.float64]:
    """The category table as a square matrix in ``list(Category)`` order (for vectorised use)."""
    table = category_table(compatibility)
    order = [c.value for c in Category]
    return np.array([[table.get((x, y), 0.0) for y in order] for x in order], dtype=np.float64)


# -- cross-border, freshness, counterparts ---------------------------------------------


def cross_border(a: Listing | ListingProfile, b: Listing | ListingProfile) -> bool:
    """True when ``a`` and ``b`` are in different countries (one German, one Chinese)."""
    return str(a.country) != str(b.country)


def freshness(
    b: Listing | ListingProfile,
    today: date,
    half_life_days: float = 365.0,
    floor: float = 0.5,
) -> float:
    """How fresh candidate ``b`` is on ``today``, in [0, 1].

    0 when ``b`` expired before ``today`` (``expires_at < today``); otherwise
    ``max(floor, 0.5 ** (age / half_life_days))`` with ``age = today -
    created_at`` in days: 1.0 for a listing created today (or dated in the
    future), 0.5 at one half-life, and never below ``floor`` while active, so
    an old but still valid listing is discounted, never buried.

    Raises:
        ValueError: ``half_life_days`` is not positive or ``floor`` not in [0, 1].
    """
    if half_life_days <= 0:
        raise ValueError(f"half_life_days must be positive, got {half_life_days!r}")
    if not 0.0 <= floor <= 1.0:
        raise ValueError(f"floor must be in [0, 1], got {floor!r}")
    if b.expires_at is not None and b.expires_at < today:
        return 0.0
    age = (today - b.created_at).days
    if age <= 0:
        return 1.0
    return max(floor, float(0.5 ** (age / half_life_days)))


def counterpart_kinds(
    a: Listing | ListingProfile, allow_cooperation_peers: bool = True
) -> frozenset[str]:
    """The kinds (``"offer"``, ``"request"``) of the listings that may match ``a``.

    Requests get offers and offers get requests; a ``cooperation`` listing
    may also meet cooperation listings of its own kind when
    ``allow_cooperation_peers`` (two partners both looking for a joint project).
    """
    kind = str(a.kind)
    other = Kind.OFFER.value if kind == Kind.REQUEST.value else Kind.REQUEST.value
    if allow_cooperation_peers and str(a.category) == Category.COOPERATION.value:
        return frozenset({kind, other})
    return frozenset({other})


def is_counterpart(
    a: Listing | ListingProfile,
    b: Listing | ListingProfile,
    allow_cooperation_peers: bool = True,
) -> bool:
    """True when ``b`` may be suggested for ``a``: the other kind, or a cooperation peer.

    A peer of the same kind must be a cooperation listing too.
    """
    if str(b.kind) != str(a.kind):
        return True
    return (
        allow_cooperation_peers
        and str(a.category) == Category.COOPERATION.value
        and str(b.category) == Category.COOPERATION.value
    )


# -- profiles and location fit -------------------------------------------------------

PLACE_CATEGORIES: frozenset[str] = frozenset({Category.SPACE.value, Category.INVESTMENT.value})
"""Categories whose named places are targets: where the space or investment is wanted.

Other listings name places in passing (a delivery port "CIF 汉堡港", a
reference customer), which says nothing about where a partner should be.
"""


@dataclass(frozen=True, slots=True)
class ListingProfile:
    """What the pair functions read of a listing, computed once at index time.

    Build with :func:`profile_of`. JSON-friendly via :meth:`to_dict` /
    :meth:`from_dict` (some 30-60 µs to rebuild from a listing, mostly finding
    the places, so a large index should save profiles rather than
    recompute them). ``target_cities`` and ``target_regions`` are derived.

    Attributes:
        places: the members the text names, with their spellings
            (:attr:`PlaceMentions.cities`), own city included.
        regions: region codes the text names as such ("广东省").
        target_cities: members named other than the listing's own city.
        target_regions: the regions of the target cities, plus named regions
            other than the listing's own region.
    """

    id: str
    kind: str
    category: str
    country: str
    city: str
    region: str
    sector: tuple[str, ...]
    created_at: date
    expires_at: date | None = None
    places: tuple[tuple[str, tuple[str, ...]], ...] = ()
    regions: tuple[str, ...] = ()
    target_cities: frozenset[str] = field(init=False)
    target_regions: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        registry = cities()
        targets = frozenset(cid for cid, _ in self.places if cid != self.city)
        named = {code for code in self.regions if code != self.region}
        named.update(registry.get(cid).region for cid in targets)
        object.__setattr__(self, "target_cities", targets)
        object.__setattr__(self, "target_regions", frozenset(named))

    def spellings(self, city_id: str) -> tuple[str, ...]:
        """How the listing's text wrote member ``city_id`` (empty when not named)."""
        return PlaceMentions(self.places).spellings(city_id)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (dates as ISO strings); :meth:`from_dict` reads it back."""
        return {
            "id": self.id,
            "kind": self.kind,
            "category": self.category,
            "country": self.country,
            "city": self.city,
            "region": self.region,
            "sector": list(self.sector),
            "created_at": self.created_at.isoformat(),
            "expires_at": self.expires_at.isoformat() if self.expires_at else None,
            "places": {cid: list(spelt) for cid, spelt in self.places},
            "regions": list(self.regions),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ListingProfile:
        """Read a dict written by :meth:`to_dict`.

        Raises:
            ValueError: a field is missing or malformed (the message names it).
        """
        try:
            expires = data["expires_at"]
            return cls(
                id=str(data["id"]),
                kind=Kind(data["kind"]).value,
                category=Category(data["category"]).value,
                country=str(data["country"]),
                city=cities().get(data["city"]).id,
                region=str(data["region"]),
                sector=tuple(str(code) for code in data["sector"]),
                created_at=date.fromisoformat(data["created_at"]),
                expires_at=None if expires is None else date.fromisoformat(expires),
                places=tuple(
                    (cities().get(cid).id, tuple(str(s) for s in spelt))
                    for cid, spelt in dict(data["places"]).items()
                ),
                regions=tuple(str(code) for code in data["regions"]),
            )
        except KeyError as exc:
            raise ValueError(f"listing profile: missing field {exc}") from None
        except (TypeError, ValueError) as exc:
            raise ValueError(f"listing profile {data.get('id')!r}: {exc}") from None


def profile_of(listing: Listing | ListingProfile) -> ListingProfile:
    """The :class:`ListingProfile` of ``listing`` (a profile is returned as it is).

    The places are found in the listing's :attr:`~Listing.text` (title and
    description). The profiles of the last 4096 listings are cached (listings
    are immutable), so explaining a page of suggestions does not redo the work.
    """
    if isinstance(listing, ListingProfile):
        return listing
    return _cached_profile(listing)


@functools.lru_cache(maxsize=4096)
def _cached_profile(listing: Listing) -> ListingProfile:
    found = find_places(listing.text)
    return ListingProfile(
        id=listing.id,
        kind=listing.kind.value,
        category=listing.category.value,
        country=listing.country.value,
        city=listing.city,
        region=listing.region,
        sector=listing.sector,
        created_at=listing.created_at,
        expires_at=listing.expires_at,
        places=found.cities,
        regions=tuple(code for code, _ in found.regions),
    )


@dataclass(frozen=True, slots=True)
class LocationFit:
    """Whether the place one side wants is where the other side is.

    Attributes:
        score: 1.0 when a place named by one side is the other side's member
            city, 0.5 when it is only in the other side's region (or the side
            named that region), else 0.
        mismatch: a side names target cities and the other side is in none of
            them, nor in their regions ("the same space type in another city").
        named_by: ``"a"`` or ``"b"``: the side whose named place fits (None
            when nothing fits).
        place: for score 1.0, the member id that was named (the other side's city).
        region: for score 0.5, the region code that fits.
        spellings: how the naming side wrote ``place`` ("弗莱堡", "Freiburg").
        wanted: for a mismatch, the target cities of the side whose wish is not met.
        wanted_by: for a mismatch, that side (``"a"`` or ``"b"``).
    """

    score: float = 0.0
    mismatch: bool = False
    named_by: Literal["a", "b"] | None = None
    place: str | None = None
    region: str | None = None
    spellings: tuple[str, ...] = ()
    wanted: tuple[str, ...] = ()
    wanted_by: Literal["a", "b"] | None = None


def _targets(
    x: ListingProfile, place_categories: Collection[str]
) -> tuple[frozenset[str], frozenset[str]]:
    if x.category not in place_categories:
        return frozenset(), frozenset()
    return x.target_cities, x.target_regions


def location_fit(
    a: Listing | ListingProfile,
    b: Listing | ListingProfile,
    *,
    place_categories: Collection[str] = PLACE_CATEGORIES,
) -> LocationFit:
    """How well the places named by each side fit where the other side is.

    A side's targets are the member cities its text names other than its own
    city, and their regions plus any region it names other than its own;
    they count only for listings in ``place_categories`` (default
    :data:`PLACE_CATEGORIES`: space and investment). A Chinese request "寻找德国
    弗莱堡（Freiburg）洁净厂房" targets Region Schwarzwald; a space offer located
    there scores 1.0, one elsewhere in Baden-Württemberg 0.5, one in Dortmund
    0 with ``mismatch`` set.

    Pass profiles (:func:`profile_of`) in hot paths: a listing is profiled on
    every call.
    """
    pa, pb = profile_of(a), profile_of(b)
    ta, ra = _targets(pa, place_categories)
    tb, rb = _targets(pb, place_categories)
    if not (ta or ra or tb or rb):
        return _NO_LOCATION_FIT
    a_city, b_city = pb.city in ta, pa.city in tb
    a_region, b_region = pb.region in ra, pa.region in rb
    a_unmet = bool(ta) and not (a_city or a_region)
    b_unmet = bool(tb) and not (b_city or b_region)
    mismatch = a_unmet or b_unmet
    wanted_by: Literal["a", "b"] | None = "a" if a_unmet else "b" if b_unmet else None
    wanted = tuple(sorted(ta if a_unmet else tb)) if mismatch else ()
    if a_city or b_city:
        namer, place = (pa, pb.city) if a_city else (pb, pa.city)
        spelt = namer.spellings(place)
        side: Literal["a", "b"] = "a" if a_city else "b"
        return LocationFit(1.0, mismatch, side, place, None, spelt, wanted, wanted_by)
    if a_region or b_region:
        region = pb.region if a_region else pa.region
        side = "a" if a_region else "b"
        return LocationFit(0.5, mismatch, side, None, region, (), wanted, wanted_by)
    return LocationFit(0.0, mismatch, wanted=wanted, wanted_by=wanted_by)


def text_location_fit(text: str | PlaceMentions, b: Listing | ListingProfile) -> LocationFit:
    """:func:`location_fit` for a free-text query (no listing, so no category or city).

    Every member the text names is a target, with its region, as is every region
    it names; ``b``'s own named places are not considered (the query has no city).

    Args:
        text: The query text, or the :func:`~isa_match.rank.places.find_places`
            result for it (to find the places once per query).
        b: The candidate listing (or its profile).
    """
    found = find_places(text) if isinstance(text, str) else text
    targets = found.city_ids
    if not targets and not found.regions:
        return _NO_LOCATION_FIT
    pb = profile_of(b)
    registry = cities()
    regions = found.region_codes | {registry.get(cid).region for cid in targets}
    city_hit, region_hit = pb.city in targets, pb.region in regions
    mismatch = bool(targets) and not (city_hit or region_hit)
    wanted = tuple(sorted(targets)) if mismatch else ()
    wanted_by: Literal["a"] | None = "a" if mismatch else None
    if city_hit:
        spelt = found.spellings(pb.city)
        return LocationFit(1.0, False, "a", pb.city, None, spelt, wanted, wanted_by)
    if region_hit:
        return LocationFit(0.5, False, "a", None, pb.region, (), wanted, wanted_by)
    return LocationFit(0.0, mismatch, wanted=wanted, wanted_by=wanted_by)


_NO_LOCATION_FIT = LocationFit()
