"""Match lists and review decisions: the logic behind ``/matchlists``.

A *match list* is, for every active listing of a city (staff: their own city;
admins: any city or all), the engine's top ``k`` suggestions, each shown with
the latest decision on that pair. Suggestions are computed by the engine on
demand (a few milliseconds per listing) and cached per listing until the
index's watermark moves; a list covers at most :data:`MAX_MATCHLIST_LISTINGS`
listings, so an admin asking for every city names a city or a sector/category.

Decisions:

* are the work of the listing's city's staff (and admins); a listing outside
  the caller's scope answers 404, the suggested listing must be active;
* keep their history: every decision is a new row, the latest one of a pair wins;
* may concern a pair the engine did not suggest (staff found the partner
  themselves): it is stored with ``source="manual"`` and no score, so the
  export tells engine suggestions from manual finds;
* store the suggestion's rank, score and components as computed at decision
  time, so the export is a training set for learning the ranking weights.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

from sqlalchemy import func, select, tuple_
from sqlalchemy.orm import Session

from isa_match.rank.matcher import Match
from service import audit
from service.access import get_listing, list_view, listing_scope, visible_listing
from service.auth import Principal
from service.db import Database
from service.engine import MatchEngine
from service.errors import ApiError, invalid
from service.models import Decision, ListingRow, User, as_utc
from service.review_schemas import (
    DecisionIn,
    DecisionOut,
    DecisionPage,
    MatchListPage,
    MatchListRow,
)
from service.routers.suggestions import match_out
from service.schemas import Lang

DEFAULT_MATCHLIST_K = 10
"""Suggestions per listing in a match list (``Settings.matchlist_k`` when it exists)."""
MAX_MATCHLIST_LISTINGS = 500
"""Listings one match list may cover (about 7 ms each when not cached)."""

StatusFilter = Literal["pending", "approved", "rejected", "all"]
SortKey = Literal["score", "date"]
_STATUS_OF = {"approved": "approve", "rejected": "reject"}


class SuggestionCache:
    """The engine's suggestions per (listing, k), valid while the index watermark and the
    day stay.

    Thread-safe, least recently used entries dropped beyond ``max_entries``.
    """

    def __init__(self, max_entries: int = 20_000) -> None:
        self.max_entries = max_entries
        self._items: OrderedDict[tuple[str, int], tuple[tuple[int, date], list[Match]]] = (
            OrderedDict()
        )
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def suggest(
        self, engine: MatchEngine, listing_id: str, k: int, exclude: frozenset[str]
    ) -> tuple[list[Match], int]:
        """(suggestions, watermark they were computed at) for one listing."""
        watermark = engine.watermark
        # without a fixed reference date, expiry and freshness move with the day
        day = engine.settings.reference_date or date.today()
        key = (listing_id, k)
        with self._lock:
            hit = self._items.get(key)
            if hit is not None and hit[0] == (watermark, day):
                self._items.move_to_end(key)
                self.hits += 1
                return hit[1], watermark
        # computed outside the lock; the watermark read before keeps the entry conservative
        matches = engine.suggest(listing_id, k=k, exclude_ids=exclude)
        with self._lock:
            self.misses += 1
            self._items[key] = ((watermark, day), matches)
            self._items.move_to_end(key)
            while len(self._items) > self.max_entries:
                self._items.popitem(last=False)
        return matches, watermark


@dataclass(frozen=True, slots=True)
class MatchListQuery:
    """What a match list shows (values already canonical)."""

    city: str | None
    status: StatusFilter = "all"
    sectors: frozenset[str] | None = None
    categories: frozenset[str] | None = None
    countries: frozenset[str] | None = None
    min_score: float | None = None
    sort: SortKey = "score"
    page: int = 1
    page_size: int = 20
    lang: Lang | None = None
    k: int = DEFAULT_MATCHLIST_K


def _sector_ok(codes: Sequence[str], accepted: frozenset[str] | None) -> bool:
    """:meth:`Filters.matches`'s sector rule: a section letter accepts its divisions."""
    return accepted is None or any(c in accepted or c[:1] in accepted for c in codes)


def _own_listings(db: Session, org_ids: set[int]) -> dict[int, frozenset[str]]:
    """Active listing ids per organisation (an organisation is never suggested to itself)."""
    out: dict[int, set[str]] = {org: set() for org in org_ids}
    if org_ids:
        for listing_id, org in db.execute(
            select(ListingRow.id, ListingRow.organization_id).where(
                ListingRow.organization_id.in_(org_ids), ListingRow.status == "active"
            )
        ):
            out[org].add(listing_id)
    return {org: frozenset(ids) for org, ids in out.items()}


def _latest_decisions(
    db: Session, listing_ids: Sequence[str]
) -> dict[tuple[str, str], DecisionOut]:
    """The latest decision of every pair whose listing is one of ``listing_ids``."""
    out: dict[tuple[str, str], DecisionOut] = {}
    for start in range(0, len(listing_ids), 500):
        chunk = list(listing_ids[start : start + 500])
        latest = (
            select(func.max(Decision.id))
            .where(Decision.listing_id.in_(chunk))
            .group_by(Decision.listing_id, Decision.suggested_id)
        )
        rows = db.execute(
            select(Decision, User.email)
            .outerjoin(User, User.id == Decision.user_id)
            .where(Decision.id.in_(latest))
        ).all()
        for decision, email in rows:
            out[(decision.listing_id, decision.suggested_id)] = decision_out(decision, email)
    return out


def decision_out(row: Decision, email: str | None, *, latest: bool = True) -> DecisionOut:
    """The API view of a decision row."""
    return DecisionOut.model_validate(
        {
            "id": row.id,
            "listing_id": row.listing_id,
            "suggested_id": row.suggested_id,
            "status": row.status,
            "reason": row.reason,
            "note": row.note,
            "user_id": row.user_id,
            "user_email": email,
            "at": as_utc(row.at),
            "source": row.source,
            "rank": row.rank,
            "score": row.score,
            "components": row.components,
            "latest": latest,
        }
    )


def _scope_rows(db: Session, user: Principal, q: MatchListQuery) -> list[ListingRow]:
    where = [ListingRow.status == "active", listing_scope(user)]
    if q.city is not None:
        where.append(ListingRow.city == q.city)
    if q.categories is not None:
        where.append(ListingRow.category.in_(sorted(q.categories)))
    if q.sectors is None:  # refuse before loading the rows
        count = db.scalar(select(func.count()).select_from(ListingRow).where(*where)) or 0
        _check_size(count)
    rows = db.execute(select(ListingRow).where(*where).order_by(ListingRow.id)).scalars().all()
    picked = [r for r in rows if _sector_ok(r.sector, q.sectors)]
    _check_size(len(picked))
    return picked


def _check_size(count: int) -> None:
    if count > MAX_MATCHLIST_LISTINGS:
        raise invalid(
            ["query", "city"],
            f"the match list would cover {count} listings, more than "
            f"{MAX_MATCHLIST_LISTINGS}: name a city, a sector or a category",
        )


def _on_duplicate(
    decisions: dict[tuple[str, str], DecisionOut], row: ListingRow, match: Match
) -> DecisionOut | None:
    """The latest decision on a near-duplicate collapsed into ``match``, if any."""
    found = [decisions[(row.id, d)] for d in match.duplicates if (row.id, d) in decisions]
    return max(found, key=lambda d: d.id) if found else None


def match_list(
    db: Session,
    engine: MatchEngine,
    cache: SuggestionCache,
    user: Principal,
    q: MatchListQuery,
) -> MatchListPage:
    """One page of the match list ``q`` for a staff user or admin (see the module docstring)."""
    rows = _scope_rows(db, user, q)
    ids = [r.id for r in rows]
    own = _own_listings(db, {r.organization_id for r in rows})
    decisions = _latest_decisions(db, ids)
    db.close()  # no connection held while ranking
    if engine.settings.sync_on_read:
        engine.sync()
    watermark = engine.watermark
    wanted = _STATUS_OF.get(q.status)
    found: list[tuple[ListingRow, int, Match, DecisionOut | None]] = []
    for row in rows:
        matches, watermark = cache.suggest(engine, row.id, q.k, own[row.organization_id])
        for rank, match in enumerate(matches, start=1):
            if q.countries is not None and str(match.listing.country) not in q.countries:
                continue
            # compared as shown (rounded), so a score copied from a row selects that row
            if q.min_score is not None and round(match.score, 6) < q.min_score:
                continue
            decision = decisions.get((row.id, match.id)) or _on_duplicate(decisions, row, match)
            if q.status == "pending" and decision is not None:
                continue
            if wanted is not None and (decision is None or decision.status != wanted):
                continue
            found.append((row, rank, match, decision))
    if q.sort == "date":
        found.sort(key=lambda t: (-t[0].created_at.toordinal(), t[0].id, t[1]))
    else:
        found.sort(key=lambda t: (-t[2].score, t[0].id, t[1]))
    start = (q.page - 1) * q.page_size
    items = [
        MatchListRow(
            listing=list_view(row), rank=rank, suggestion=match_out(match, q.lang), decision=d
        )
        for row, rank, match, d in found[start : start + q.page_size]
    ]
    return MatchListPage(
        items=items,
        total=len(found),
        page=q.page,
        page_size=q.page_size,
        k=q.k,
        listings=len(rows),
        watermark=watermark,
    )


# -- decisions --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Checked:
    item: DecisionIn
    organization_id: int


def _check_items(
    db: Session, user: Principal, items: Sequence[DecisionIn], *, bulk: bool
) -> list[_Checked]:
    """Reasons, scope and partners of every decision; the first problem answers."""

    def loc(pos: int, field: str) -> list[str | int]:
        return ["body", "decisions", pos, field] if bulk else ["body", field]

    for pos, item in enumerate(items):
        if item.status == "reject" and not item.reason:
            raise invalid(loc(pos, "reason"), "a rejection needs a reason")
    checked: list[_Checked] = []
    for pos, item in enumerate(items):
        prefix = f"decisions[{pos}]: " if bulk else ""
        try:
            row = get_listing(db, user, item.listing_id)
            partner = visible_listing(db, item.suggested_id)
        except ApiError as exc:
            raise ApiError(exc.status_code, f"{prefix}{exc.detail}") from None
        if row.status != "active":
            raise ApiError(409, f"{prefix}listing {row.id!r} is withdrawn: nothing to review")
        if partner.organization_id == row.organization_id:
            raise invalid(
                loc(pos, "suggested_id"), "the suggested listing belongs to the same organisation"
            )
        checked.append(_Checked(item, row.organization_id))
    return checked


def record_decisions(
    database: Database,
    engine: MatchEngine,
    cache: SuggestionCache,
    user: Principal,
    items: Sequence[DecisionIn],
    *,
    k: int = DEFAULT_MATCHLIST_K,
    bulk: bool = False,
) -> list[DecisionOut]:
    """Check and store decisions (all or none), each with its suggestion's features.

    Args:
        database: where to store them.
        engine: computes the listing's suggestions at decision time.
        cache: the match lists' suggestion cache.
        user: a staff user or admin (the decider).
        items: the decisions.
        k: how many suggestions count as "suggested" (the match lists' ``k``).
        bulk: the items came as ``{"decisions": [...]}`` (error locations say which).

    Raises:
        ApiError: 422 (reject without reason, pair of one organisation), 404 (listing
            outside the caller's scope, suggested listing missing or withdrawn), 409
            (the listing is withdrawn).
    """
    with database.session() as db:
        checked = _check_items(db, user, items, bulk=bulk)
        own = _own_listings(db, {c.organization_id for c in checked})
    suggestions: dict[str, tuple[list[Match], int]] = {}
    for c in checked:
        if c.item.listing_id not in suggestions:
            suggestions[c.item.listing_id] = cache.suggest(
                engine, c.item.listing_id, k, own[c.organization_id]
            )
    stored: list[Decision] = []
    with database.write_session() as db:
        for c in checked:
            matches, watermark = suggestions[c.item.listing_id]
            row = Decision(
                listing_id=c.item.listing_id,
                suggested_id=c.item.suggested_id,
                status=c.item.status,
                reason=c.item.reason or None,
                note=c.item.note or None,
                user_id=user.id,
                watermark=watermark,
                **_features(matches, c.item.suggested_id),
            )
            db.add(row)
            stored.append(row)
        db.flush()
        for row in stored:
            audit.record(
                db,
                user.id,
                "decision.create",
                "decision",
                str(row.id),
                {
                    "listing_id": row.listing_id,
                    "suggested_id": row.suggested_id,
                    "status": row.status,
                    "source": row.source,
                    "bulk": bulk,
                },
            )
        db.commit()
    return [decision_out(row, user.email) for row in stored]


def _features(matches: Sequence[Match], suggested_id: str) -> dict[str, object]:
    """Source, rank, score and components of ``suggested_id`` among ``matches``."""
    for rank, match in enumerate(matches, start=1):
        if match.id == suggested_id or suggested_id in match.duplicates:
            return {
                "source": "suggested" if match.id == suggested_id else "duplicate",
                "rank": rank,
                "score": round(match.score, 6),
                "components": {k: round(v, 6) for k, v in match.components.items()},
            }
    return {"source": "manual", "rank": None, "score": None, "components": None}


def export_decisions(
    db: Session,
    user: Principal,
    *,
    city: str | None,
    status: Literal["approve", "reject"] | None = None,
    listing_id: str | None = None,
    latest_only: bool = False,
    page: int = 1,
    page_size: int = 1000,
) -> DecisionPage:
    """Decisions on listings in the caller's scope, oldest first, with their features."""
    where = [listing_scope(user)]
    if city is not None:
        where.append(ListingRow.city == city)
    if status is not None:
        where.append(Decision.status == status)
    if listing_id is not None:
        where.append(Decision.listing_id == listing_id)
    newest = select(func.max(Decision.id)).group_by(Decision.listing_id, Decision.suggested_id)
    if latest_only:
        where.append(Decision.id.in_(newest))
    base = select(Decision, User.email).join(ListingRow, ListingRow.id == Decision.listing_id)
    base = base.outerjoin(User, User.id == Decision.user_id).where(*where)
    total = db.scalar(select(func.count()).select_from(base.subquery())) or 0
    rows = db.execute(
        base.order_by(Decision.id).offset((page - 1) * page_size).limit(page_size)
    ).all()
    pairs = {(d.listing_id, d.suggested_id) for d, _ in rows}
    latest_ids: set[int] = set()
    if pairs and not latest_only:
        latest_ids = set(
            db.execute(
                select(func.max(Decision.id))
                .where(tuple_(Decision.listing_id, Decision.suggested_id).in_(sorted(pairs)))
                .group_by(Decision.listing_id, Decision.suggested_id)
            ).scalars()
        )
    items = [decision_out(d, email, latest=latest_only or d.id in latest_ids) for d, email in rows]
    return DecisionPage(items=items, total=total, page=page, page_size=page_size)
