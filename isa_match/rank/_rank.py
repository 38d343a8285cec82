"""Retrieve, score and select: the body of :meth:`Matcher.suggest`."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from isa_match.rank import _score, features
from isa_match.rank.config import COMPONENTS
from isa_match.rank.explain import explain
from isa_match.rank.features import LocationFit, SectorFit
from isa_match.schema import Filters

if TYPE_CHECKING:
    from isa_match.rank.explain import Reason
    from isa_match.rank.matcher import Match, Matcher, Mode, _Query
    from isa_match.schema import Listing

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

FRESHNESS_FLOOR = 0.5


def _retrieve(
    m: Matcher, q: _Query, hard: Filters, mode: Mode
) -> tuple[list[str], FloatArray, FloatArray]:
    """Candidate ids with their dense cosine and raw BM25 scores (union of both retrievers)."""
    n = m.config.candidates
    dense_hits = [] if mode == "lexical" else m.dense.search(q.vector[None, :], n, hard)[0]
    lex_hits = [] if mode == "dense" else m.lexical.search(q.lexical, n, hard)
    ids = [h.id for h in dense_hits]
    dense = [h.score for h in dense_hits]
    pos = {i: p for p, i in enumerate(ids)}
    lex = np.zeros(len(ids) + len(lex_hits))
    extra = []
    for h in lex_hits:
        p = pos.get(h.id)
        if p is None:
            pos[h.id] = p = len(ids)
            ids.append(h.id)
            extra.append(h.id)
        lex[p] = h.score
    lex = lex[: len(ids)]
    dense_arr = np.zeros(len(ids))
    dense_arr[: len(dense)] = dense
    if extra and mode == "full":
        vecs = m.dense.vectors(extra)
        dense_arr[len(dense) :] = vecs @ q.vector
    if dense_hits and mode == "full":
        missing = [h.id for h in dense_hits]
        got = {h.id for h in lex_hits}
        need = [i for i in missing if i not in got]
        if need:
            scores = m.lexical.score(q.lexical, need)
            for i, s in zip(need, scores, strict=True):
                lex[pos[i]] = s
    return ids, dense_arr, lex


def _lexical_norm(m: Matcher, q: _Query, lex: FloatArray) -> FloatArray:
    """BM25 scaled to [0, 1] by the query's score against itself (or the best candidate)."""
    if q.listing is not None:
        top = float(m.lexical.self_scores([q.listing.id])[0])
    else:
        top = float(lex.max()) if len(lex) else 0.0
    if top <= 0:
        return np.zeros_like(lex)
    return np.clip(lex / top, 0.0, 1.0)


def _rrf(values: FloatArray, present: npt.NDArray[np.bool_], k: int) -> FloatArray:
    order = np.argsort(-values, kind="stable")
    ranks = np.empty(len(values))
    ranks[order] = np.arange(1, len(values) + 1)
    out: FloatArray = np.where(present, (k + 1) / (k + ranks), 0.0)
    return out


def components(
    m: Matcher,
    q: _Query,
    ids: list[str],
    rows: IntArray,
    dense: FloatArray,
    lex: FloatArray,
    today: date,
    *,
    reciprocity_for: int | None = None,
) -> dict[str, FloatArray]:
    """Every component for the candidate rows (each in [0, 1]).

    Reciprocity (the costliest component: BM25 in the reverse direction) is
    computed for every candidate, or with ``reciprocity_for=n`` only where it
    can change the top ``n``: its weight bounds what it adds, so a candidate
    whose other components leave it more than that weight below the ``n``-th
    best cannot enter the top ``n`` (exact pruning; the others get 0).
    """
    t = m.table
    cfg = m.config
    lex_n = q.extra["lex_n"] = _lexical_norm(m, q, lex)
    if cfg.fusion == "rrf":
        dense_c = _rrf(dense, np.ones(len(dense), dtype=bool), cfg.rrf_k)
        lex_c = _rrf(lex, lex > 0, cfg.rrf_k)
    else:
        dense_c = np.clip(dense, 0.0, 1.0)
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
    recip = np.zeros(len(ids))
    need = np.ones(len(ids), dtype=bool)
    w = m.config.weights.reciprocity
    if reciprocity_for is not None and len(ids) > reciprocity_for and w > 0:
        base = combine(m, {**out, "reciprocity": recip})
        nth = np.partition(base, len(base) - reciprocity_for)[len(base) - reciprocity_for]
        need = base >= nth - w
    elif w == 0 and reciprocity_for is not None:
        need[:] = False
    if need.any():
        chosen = np.flatnonzero(need)
        recip[chosen] = _reciprocity(m, q, [ids[i] for i in chosen], lex_n[chosen])
    out["reciprocity"] = recip
    return out


def _reciprocity(m: Matcher, q: _Query, ids: list[str], fwd: FloatArray) -> FloatArray:
    """How well each side fits the other: harmonic mean of the two directions.

    Dense similarity, sector and category fit are symmetric; BM25 and named
    places are not. Direction q→c is the lexical score of the candidate for the
    query's text; direction c→q the lexical score of the query for the
    candidate's text, each normalised by its own self-score.
    """
    if not ids:
        return fwd
    scale = m.lexical.self_scores(ids)
    back = np.clip(m.lexical.reverse_scores(q.lexical, ids) / np.maximum(scale, 1e-12), 0.0, 1.0)
    denom = fwd + back
    out: FloatArray = np.where(denom > 0, 2 * fwd * back / np.maximum(denom, 1e-12), 0.0)
    return out


def combine(m: Matcher, comps: dict[str, FloatArray]) -> FloatArray:
    """The weighted sum of the components (the mismatch weight is a penalty)."""
    w = m.config.weights
    total = np.zeros(len(comps["dense"]))
    for name in COMPONENTS:
        total += getattr(w, name) * comps[name]
    total -= w.location_mismatch * comps["location_mismatch"]
    return total


def _select(
    m: Matcher, ids: list[str], rows: IntArray, order: IntArray, k: int
) -> list[tuple[int, tuple[str, ...]]]:
    """Top ``k`` positions after collapsing near duplicates and capping per organisation."""
    cfg = m.config
    per_org: dict[int, int] = {}
    chosen: list[int] = []
    dups: dict[int, list[str]] = {}
    vecs: dict[int, npt.NDArray[np.float32]] = {}

    def vec(p: int) -> npt.NDArray[np.float32]:
        if p not in vecs:
            vecs[p] = m.dense.vector(ids[p])
        return vecs[p]

    for p in order:
        p = int(p)
        org = int(m.table.org[rows[p]])
        same_org = [c for c in chosen if int(m.table.org[rows[c]]) == org]
        if same_org:
            v = vec(p)
            twin = next((c for c in same_org if float(vec(c) @ v) >= cfg.duplicate_cosine), None)
            if twin is not None:
                dups.setdefault(twin, []).append(ids[p])
                continue
        if per_org.get(org, 0) >= cfg.max_per_org:
            continue
        per_org[org] = per_org.get(org, 0) + 1
        chosen.append(p)
        if len(chosen) == k:
            break
    return [(p, tuple(dups.get(p, ()))) for p in chosen]


def rank(
    m: Matcher, q: _Query, hard: Filters, *, k: int, today: date, mode: Mode, explain: bool
) -> list[Match]:
    """Retrieve, score, select and explain (see the :mod:`matcher` docstring)."""
    from isa_match.rank.matcher import Match

    ids, dense, lex = _retrieve(m, q, hard, mode)
    if not ids:
        return []
    rows = np.array([m._rows[i] for i in ids], dtype=np.int64)
    lex_n: FloatArray | None = None
    if mode == "dense":
        scores, comps = dense, {"dense": dense}
    elif mode == "lexical":
        scores, comps = lex, {"lexical": lex}
    else:
        # Diversity may skip some of the best: keep reciprocity exact for 3k.
        comps = components(m, q, ids, rows, dense, lex, today, reciprocity_for=3 * k)
        lex_n = q.extra["lex_n"]
        scores = combine(m, comps)
    order = np.lexsort((np.array(ids), -scores))
    if mode == "full":
        picked = _select(m, ids, rows, order, k)
    else:
        picked = [(int(p), ()) for p in order[:k]]
    result = []
    terms = shared_terms(m, q, [ids[p] for p, _ in picked]) if explain and mode == "full" else []
    for n, (p, dups) in enumerate(picked):
        item = m._listings[int(rows[p])]
        assert item is not None
        values = {name: float(arr[p]) for name, arr in comps.items()}
        reasons: tuple[Reason, ...] = ()
        if explain and mode == "full":
            lex_share = float(lex_n[p]) if lex_n is not None else 0.0
            reasons = _explain(m, q, item, values, float(dense[p]), lex_share, terms[n])
        result.append(Match(ids[p], float(scores[p]), values, reasons, item, dups))
    return result


def _query_surfaces(m: Matcher, q: _Query) -> list[tuple[str, str]]:
    """(term, surface) of the query's tokens, once per query (for the shared-terms reason)."""
    found: list[tuple[str, str]] | None = q.extra.get("surfaces")
    if found is None:
        tokens = m.lexical.tokenizer.analyze(q.text, q.language)
        found = q.extra["surfaces"] = list(dict((t.term, t.surface) for t in tokens).items())
    return found


def shared_terms(m: Matcher, q: _Query, item_ids: list[str], limit: int = 6) -> list[list[str]]:
    """Per candidate, the query's terms that its indexed text also has, rarest first.

    Uses the candidates' stored terms (no re-tokenising); a term that is part of
    a longer shared term is left out; shown in the query's own spelling.
    """
    surfaces = dict(_query_surfaces(m, q))
    out = []
    for terms in m.lexical.shared_terms(q.lexical, item_ids):
        shown = [t for t in terms if t in surfaces]
        picked = [surfaces[t] for t in shown if not any(t != o and t in o for o in shown)]
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
