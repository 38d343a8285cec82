"""Every lexical quantity the ranker needs for a candidate set, from one forward read.

Ranking a query's candidates needs, per candidate, the BM25 score for the query
(:meth:`LexicalIndex.score`), the candidate's score for itself (its scale,
:meth:`~LexicalIndex.self_scores`), the reverse direction
(:meth:`~LexicalIndex.reverse_scores`) and, for the shown few, the terms both
share (:meth:`~LexicalIndex.shared_terms`). Each of those reads the candidates'
forward postings; :func:`profile` reads them once and derives all four with the
same arithmetic, so the values are identical to the separate methods (a test
checks that).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from isa_match._arrays import in_sorted
from isa_match.rank._lexical_base import F64, I64
from isa_match.rank._postings import MAX_TF

if TYPE_CHECKING:
    from isa_match.rank.lexical import LexicalIndex, LexicalQuery


@dataclass(frozen=True, slots=True)
class CandidateLexical:
    """Lexical scores of a candidate set for one query (one entry per candidate slot).

    Attributes:
        forward: BM25 of each candidate for the query (as :meth:`LexicalIndex.score`).
        query_self: the query listing's score for itself (0.0 for a text query).

    :meth:`reciprocal` gives the two per-candidate quantities of the reverse
    direction for any subset, :meth:`shared` the shared terms, all from the
    entries read once.
    """

    forward: F64
    query_self: float
    _index: LexicalIndex
    _query: LexicalQuery
    _pos: I64
    _terms: I64
    _weights: F64

    def reciprocal(self, positions: I64) -> tuple[F64, F64]:
        """(self-scores, reverse scores) of the candidates at ``positions``
        (as :meth:`LexicalIndex.self_scores` and :meth:`LexicalIndex.reverse_scores`)."""
        index = self._index
        n = len(positions)
        where = np.full(len(self.forward) + 1, -1, dtype=np.int64)
        where[positions] = np.arange(n)
        at_pos = where.take(self._pos)
        take = np.flatnonzero(at_pos >= 0)
        pos, terms, w = at_pos[take], self._terms[take], self._weights[take]
        own = index._selected_per_doc(pos, terms)
        selfs = np.bincount(pos[own], weights=w[own], minlength=n).astype(np.float64)
        back = np.zeros(n, dtype=np.float64)
        tid, cnt = index._resolve(self._query)
        if len(tid) and n:
            q = self._query
            qtf = np.minimum(cnt, MAX_TF).astype(np.float64)
            c0, c1 = index._bm25()
            norm = c0 + index._c1_of(q.language, c1) * q.length
            weight = index._idf(tid) * (index.k1 + 1) * qtf / (qtf + norm)
            qmap = index._qmap()
            qmap[tid] = np.arange(len(tid), dtype=np.int32)
            try:
                at = qmap.take(terms)
            finally:
                qmap[tid] = -1
            use = own & (at >= 0)
            back = np.bincount(pos[use], weights=weight[at[use]], minlength=n).astype(np.float64)
        return selfs, back

    def shared(self, positions: list[int]) -> list[list[str]]:
        """For the candidates at ``positions``, the query's terms they also have,
        rarest first (as :meth:`LexicalIndex.shared_terms`)."""
        index = self._index
        # the query's terms that occur in live listings (a candidate's are among them)
        known = np.sort(index._resolve(self._query)[0])
        out: list[list[int]] = [[] for _ in positions]
        where = np.full(len(self.forward) + 1, -1, dtype=np.int64)
        where[positions] = np.arange(len(positions))
        at_pos = where.take(self._pos)
        mine = np.flatnonzero(at_pos >= 0)  # the entries of these few candidates only
        terms = self._terms[mine]
        hit = in_sorted(terms, known)
        for p, t in zip(at_pos[mine[hit]].tolist(), terms[hit].tolist(), strict=True):
            out[p].append(t)
        every = sorted({t for row in out for t in row})
        idf = dict(zip(every, index._idf(np.array(every, dtype=np.int64)).tolist(), strict=True))
        return [_rarest_first(index, row, idf) for row in out]


def _rarest_first(
    index: LexicalIndex, tids: list[int], idf: dict[int, float] | None = None
) -> list[str]:
    """Terms by falling IDF, ties by the term itself (not by term id: ids depend on the
    order listings came in, and a loaded index must explain like the one saved).
    ``idf``: the IDF of each term id, when already known."""
    if idf is None:
        values = index._idf(np.array(tids, dtype=np.int64)).tolist()
    else:
        values = [idf[t] for t in tids]
    terms = [index._terms[t] for t in tids]
    return [t for _, t in sorted(zip((-x for x in values), terms, strict=True))]


def profile(
    index: LexicalIndex, query: LexicalQuery, slots: I64, *, query_slot: int | None = None
) -> CandidateLexical:
    """The :class:`CandidateLexical` of the candidates in ``slots`` for ``query``.

    ``query_slot``: the query's own slot when it is a stored listing (its
    self-score comes from the same read).
    """
    every = slots if query_slot is None else np.append(slots, np.int64(query_slot))
    n = len(slots)
    pos, terms, tfs = index._forward(every)
    tf = tfs.astype(np.float64)
    idf = index._idf(terms)
    # the per-entry document-side BM25 weight, in the order of LexicalIndex._exact
    w = (idf * (index.k1 + 1)) * tf / (tf + index._doc_norms(every)[pos])
    qmap = index._qmap()
    sel = index._selected(query)
    qmap[sel] = 0
    try:
        hit = qmap.take(terms) >= 0
    finally:
        qmap[sel] = -1
    forward = np.bincount(pos[hit], weights=w[hit], minlength=len(every))[:n].astype(np.float64)
    query_self = 0.0
    if query_slot is not None:
        mine = np.flatnonzero(pos == n)
        own = index._selected_per_doc(pos[mine] - n, terms[mine])
        mine = mine[own]
        query_self = float(np.bincount(pos[mine] - n, weights=w[mine], minlength=1)[0])
    return CandidateLexical(forward, query_self, index, query, pos, terms, w)
