"""Retrieve, score and select: the body of :meth:`Matcher.suggest`."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from isa_match._arrays import descending, in_sorted
from isa_match.index._store import without_exclusion
from isa_match.rank import _score, features
from isa_match.rank._lexical_profile import CandidateLexical, profile
from isa_match.rank.config import COMPONENTS
from isa_match.rank.explain import explain
from isa_match.rank.features import LocationFit, SectorFit
from isa_match.rank.tokenize import _HAN_RANGES
from isa_match.schema import Filters

if TYPE_CHECKING:
    from isa_match.rank.explain import Reason
    from isa_match.rank.matcher import Match, Matcher, Mode, _Query
    from isa_match.schema import Listing

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

FRESHNESS_FLOOR = 0.5
_HAN = re.compile(f"[{_HAN_RANGES}]")


@dataclass(slots=True)
class Candidates:
    """The candidate set of one query: matcher rows with their retrieval scores.

    ``dense`` is the cosine similarity, ``lex`` the raw BM25 score for the query;
    ``lexical`` (full ranking only) holds the other lexical quantities, read once.
    """

    rows: IntArray
    dense: FloatArray
    lex: FloatArray
    lexical: CandidateLexical | None = None

    def ids(self, m: Matcher, at: IntArray | None = None) -> list[str]:
        """The listing ids of the candidates (of those at positions ``at``)."""
        items = m._listings
        rows = self.rows if at is None else self.rows[at]
        return [items[r].id for r in rows.tolist()]


def _exclusion(m: Matcher, hard: Filters) -> tuple[Filters, IntArray]:
    """``hard`` without its ``exclude_ids``, and the matcher rows of those ids: resolved
    once through the matcher's id map, then handed to both indexes as their slots
    (an organisation's dozens of listings would otherwise be looked up in each)."""
    if not hard.exclude_ids:
        return hard, np.zeros(0, dtype=np.int64)
    found = [r for r in map(m._rows.get, hard.exclude_ids) if r is not None]
    return without_exclusion(hard), np.array(found, dtype=np.int64)


def _retrieve(m: Matcher, q: _Query, hard: Filters, mode: Mode) -> Candidates:
    """Candidates: the union of the dense and the BM25 top ``config.candidates``."""
    n = m.config.candidates
    maps = m._slot_maps
    none_i, none_f = np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
    d_rows, d_scores, l_rows, l_scores = none_i, none_f, none_i, none_f
    base, gone = _exclusion(m, hard)
    if mode != "lexical":
        scores, slots = m.dense.search_slots(q.vector, n, base, exclude_slots=maps.row_dense[gone])
        d_rows, d_scores = maps.dense_row[slots].astype(np.int64), scores.astype(np.float64)
    if mode != "dense":
        slots, l_scores = m.lexical.search_slots(
            q.lexical, n, base, exclude_slots=maps.row_lex[gone]
        )
        l_rows = maps.lex_row[slots].astype(np.int64)
    if mode == "full":
        new = l_rows[~in_sorted(l_rows, np.sort(d_rows))] if len(d_rows) else l_rows
        return with_rows(m, q, np.concatenate([d_rows, new]), d_scores)
    if mode == "dense":
        return Candidates(d_rows, d_scores, np.zeros(len(d_rows)))
    return Candidates(l_rows, np.zeros(len(l_rows)), l_scores)


def with_rows(m: Matcher, q: _Query, rows: IntArray, dense_known: FloatArray) -> Candidates:
    """Full-ranking candidates for ``rows``; the first ``len(dense_known)`` come with
    their cosine, the others' is computed; every lexical quantity from one read."""
    maps = m._slot_maps
    dense = np.empty(len(rows))
    dense[: len(dense_known)] = dense_known
    rest = rows[len(dense_known) :]
    if len(rest):
        dense[len(dense_known) :] = (
            m.dense.vectors_at(maps.row_dense[rest].astype(np.int64)) @ q.vector
        )
    own = None if q.row is None else int(maps.row_lex[q.row])
    prof = profile(m.lexical, q.lexical, maps.row_lex[rows].astype(np.int64), query_slot=own)
    return Candidates(rows, dense, prof.forward, prof)


def candidate_components(
    m: Matcher, q: _Query, hard: Filters, today: date, *, extra_rows: Sequence[int] = ()
) -> tuple[Candidates, dict[str, FloatArray]]:
    """The full-ranking candidates of a query (plus ``extra_rows`` that retrieval
    did not reach) and all their components: for tuning and learning to rank."""
    c = _retrieve(m, q, hard, "full")
    have = set(c.rows.tolist())
    more = np.array([r for r in dict.fromkeys(extra_rows) if r not in have])
    if len(more):
        c = with_rows(m, q, np.concatenate([c.rows, more.astype(np.int64)]), c.dense)
    return c, components(m, q, c, today)


def _lexical_norm(q: _Query, c: Candidates) -> FloatArray:
    """BM25 scaled to [0, 1] by the query's score against itself (or the best candidate)."""
    if q.listing is not None and c.lexical is not None:
        top = c.lexical.query_self
    else:
        top = float(c.lex.max()) if len(c.lex) else 0.0
    if top <= 0:
        return np.zeros_like(c.lex)
    return np.clip(c.lex / top, 0.0, 1.0)


def _rrf(values: FloatArray, present: npt.NDArray[np.bool_], k: int) -> FloatArray:
    order = np.argsort(-values, kind="stable")
    ranks = np.empty(len(values))
    ranks[order] = np.arange(1, len(values) + 1)
    out: FloatArray = np.where(present, (k + 1) / (k + ranks), 0.0)
    return out


def components(
    m: Matcher, q: _Query, c: Candidates, today: date, *, reciprocity_for: int | None = None
) -> dict[str, FloatArray]:
    """Every component for the candidates (each in [0, 1]; ``c`` from full retrieval).

    Reciprocity (the costliest component: BM25 in the reverse direction) is
    computed for every candidate, or with ``reciprocity_for=n`` only where it
    can change the top ``n``: its weight bounds what it adds, so a candidate
    whose other components leave it more than that weight below the ``n``-th
    best cannot enter the top ``n`` (exact pruning; the others get 0).
    """
    t = m.table
    cfg = m.config
    rows = c.rows
    lex_n = _lexical_norm(q, c)
    if cfg.fusion == "rrf":
        dense_c = _rrf(c.dense, np.ones(len(c.dense), dtype=bool), cfg.rrf_k)
        lex_c = _rrf(c.lex, c.lex > 0, cfg.rrf_k)
    else:
        dense_c = np.clip(c.dense, 0.0, 1.0)
        lex_c = lex_n
    loc, mismatch = _score.location(t, rows, q.attrs)
    out = {
        "dense": dense_c,
        "lexical": lex_c,
        "sector": _score.sector(t, rows, q.attrs),
        "category": _score.category(t, rows, q.attrs, m._category_compat),
        "cross_border": _score.cross_border(t, rows, q.attrs),
        "location": loc,
        "location_mismatch": mismatch.astype(np.float64),
        "freshness": _score.freshness(
            t, rows, today.toordinal(), cfg.half_life_days, FRESHNESS_FLOOR
        ),
    }
    recip = np.zeros(len(rows))
    need = np.ones(len(rows), dtype=bool)
    # what reciprocity can add or take away at most (its weight, or the learned
    # model's bound)
    w = cfg.weights.reciprocity if m.learned is None else m.learned.reciprocity_bound
    if reciprocity_for is not None and len(rows) > reciprocity_for and w > 0:
        base = combine(m, {**out, "reciprocity": recip})
        nth = np.partition(base, len(base) - reciprocity_for)[len(base) - reciprocity_for]
        need = base >= nth - w
    elif w == 0 and reciprocity_for is not None:
        need[:] = False
    if need.any() and c.lexical is not None:
        chosen = np.flatnonzero(need)
        recip[chosen] = _reciprocity(c.lexical, chosen, lex_n[chosen])
    out["reciprocity"] = recip
    return out


def _reciprocity(lexical: CandidateLexical, positions: IntArray, fwd: FloatArray) -> FloatArray:
    """How well each side fits the other: harmonic mean of the two directions.

    Dense similarity, sector and category fit are symmetric; BM25 and named
    places are not. Direction q→c is the lexical score of the candidate for the
    query's text (``fwd``, normalised); direction c→q the lexical score of the
    query for the candidate's text, normalised by the candidate's self-score.
    """
    selfs, reverse = lexical.reciprocal(positions)
    back = np.clip(reverse / np.maximum(selfs, 1e-12), 0.0, 1.0)
    denom = fwd + back
    out: FloatArray = np.where(denom > 0, 2 * fwd * back / np.maximum(denom, 1e-12), 0.0)
    return out


def combine(m: Matcher, comps: dict[str, FloatArray]) -> FloatArray:
    """The learned ranker's score when the matcher has one (``learned`` in the config),
    else the weighted sum of the components (the mismatch weight is a penalty)."""
    if m.learned is not None:
        return m.learned.score(comps)
    w = m.config.weights
    total = np.zeros(len(comps["dense"]))
    for name in COMPONENTS:
        total += getattr(w, name) * comps[name]
    total -= w.location_mismatch * comps["location_mismatch"]
    return total


def _select(
    m: Matcher, c: Candidates, order: IntArray, k: int
) -> list[tuple[int, tuple[str, ...]]]:
    """Top ``k`` positions after collapsing near duplicates and capping per organisation."""
    cfg = m.config
    rows = c.rows
    per_org: dict[int, int] = {}
    chosen: list[int] = []
    dups: dict[int, list[str]] = {}
    vecs: dict[int, npt.NDArray[np.float32]] = {}
    orgs = m.table.org[rows].tolist()
    row_dense = m._slot_maps.row_dense

    def vec(p: int) -> npt.NDArray[np.float32]:
        if p not in vecs:
            vecs[p] = m.dense.vectors_at(row_dense[rows[p : p + 1]].astype(np.int64))[0]
        return vecs[p]

    for p in order.tolist():
        org = orgs[p]
        same_org = [o for o in chosen if orgs[o] == org]
        if same_org:
            v = vec(p)
            twin = next((o for o in same_org if float(vec(o) @ v) >= cfg.duplicate_cosine), None)
            if twin is not None:
                dups.setdefault(twin, []).extend(c.ids(m, np.array([p])))
                continue
        if per_org.get(org, 0) >= cfg.max_per_org:
            continue
        per_org[org] = per_org.get(org, 0) + 1
        chosen.append(p)
        if len(chosen) == k:
            break
    return [(p, tuple(dups.get(p, ()))) for p in chosen]


def _order(m: Matcher, c: Candidates, scores: FloatArray) -> IntArray:
    """Candidate positions by falling score, ties by listing id (so the order does not
    depend on retrieval order). Ids are read only for the candidates that tie."""
    return descending(scores, lambda at: c.ids(m, at))


def rank(
    m: Matcher, q: _Query, hard: Filters, *, k: int, today: date, mode: Mode, explain: bool
) -> list[Match]:
    """Retrieve, score, select and explain (see the :mod:`matcher` docstring)."""
    from isa_match.rank.matcher import Match

    c = _retrieve(m, q, hard, mode)
    if not len(c.rows):
        return []
    rows = c.rows
    lex_n: FloatArray | None = None
    if mode == "dense":
        scores, comps = c.dense, {"dense": c.dense}
    elif mode == "lexical":
        scores, comps = c.lex, {"lexical": c.lex}
    else:
        # Diversity may skip some of the best: keep reciprocity exact for 3k.
        comps = components(m, q, c, today, reciprocity_for=3 * k)
        lex_n = _lexical_norm(q, c) if m.config.fusion == "rrf" else comps["lexical"]
        scores = combine(m, comps)
    order = _order(m, c, scores)
    if mode == "full":
        picked = _select(m, c, order, k)
    else:
        picked = [(int(p), ()) for p in order[:k]]
    result = []
    explaining = explain and mode == "full" and c.lexical is not None
    terms: list[list[str]] = []
    if explaining and c.lexical is not None:
        terms = shown_terms(m, q, c.lexical.shared([p for p, _ in picked]))
    for n, (p, dups) in enumerate(picked):
        item = m._listings[int(rows[p])]
        assert item is not None
        values = {name: float(arr[p]) for name, arr in comps.items()}
        reasons: tuple[Reason, ...] = ()
        if explaining:
            lex_share = float(lex_n[p]) if lex_n is not None else 0.0
            reasons = _explain(m, q, item, values, float(c.dense[p]), lex_share, terms[n])
        result.append(Match(item.id, float(scores[p]), values, reasons, item, dups))
    return result


def _query_surfaces(m: Matcher, q: _Query) -> dict[str, str]:
    """term -> surface of the query's Latin-script tokens, once per query (for the
    shared-terms reason; a Chinese term is its own surface, so no segmenting)."""
    found: dict[str, str] | None = q.extra.get("surfaces")
    if found is None:
        tokens = m.lexical.tokenizer.analyze(q.text, q.language, han=False)
        found = q.extra["surfaces"] = dict((t.term, t.surface) for t in tokens)
    return found


def shown_terms(m: Matcher, q: _Query, shared: list[list[str]], limit: int = 6) -> list[list[str]]:
    """Per candidate, its shared terms (rarest first) as shown in the query's spelling;
    a term that is part of a longer shared term is left out."""
    surfaces = _query_surfaces(m, q)
    out = []
    for terms in shared:
        shown = [t for t in terms if t in surfaces or _HAN.match(t)]
        picked = [surfaces.get(t, t) for t in shown if not any(t != o and t in o for o in shown)]
        out.append(picked[:limit])
    return out


def _explain(
    m: Matcher,
    q: _Query,
    item: Listing,
    values: dict[str, float],
    dense: float,
    lexical: float,
    terms: list[str],
) -> tuple[Reason, ...]:
    """Reasons for one shown pair, from its computed components (only for the ``k`` results).

    The structured fits (which sector codes, which place) are looked up only
    where the component says there is something to explain.
    """
    a = q.listing
    sector = features.sector_fit(a, item) if a is not None and values["sector"] > 0 else None
    if values["location"] > 0 or values["location_mismatch"] > 0:
        if a is not None:
            location = features.location_fit(a, item)
        else:
            location = features.text_location_fit(q.text, item)
    else:
        location = LocationFit()
    return tuple(
        explain(
            a,
            item,
            sector=sector or SectorFit(0.0, "none"),
            category=values["category"],
            cross_border=values["cross_border"] > 0,
            location=location,
            freshness=values["freshness"],
            dense=dense,
            lexical=lexical,
            matched_terms=terms,
        )
    )
