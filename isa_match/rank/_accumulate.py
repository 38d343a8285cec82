"""BM25 candidate selection: the float32 sums of every listing sharing a query term.

:meth:`LexicalIndex.search_slots` first sums, per listing inside the filter, the
BM25 weights of the query terms it has (float32, to select), then scores the
few best exactly (float64). This module does the summing.

A query has about a dozen scoring terms with a few thousand postings in all
(100,000 generated listings: median 12 terms, 2,040 postings inside the
counterpart kind's span; 90th percentile 8,500). Looping over the terms with
numpy costs ~25 us of call overhead per term, more than the arithmetic, so
:func:`accumulate` gathers every term's postings into one array and sums them
with one ``np.add.at`` into the thread's zeroed accumulator; the distinct
listings are found without sorting (see :func:`_distinct`). Past
:data:`VECTOR_MAX` postings (common terms; the ``max_postings`` guard allows
100,000) the per-term loop is cheaper per posting and is used instead. Both
give the same sums in the same order of addition (term by term).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from isa_match._arrays import in_sorted
from isa_match.rank import _postings as post
from isa_match.rank._lexical_base import F32, F64, I64, Mask

if TYPE_CHECKING:
    from isa_match.rank.lexical import LexicalIndex

VECTOR_MAX = 16_384
"""Postings per query up to which one vectorised pass replaces the loop over terms."""


def accumulate(
    index: LexicalIndex, tid: I64, idf: F64, mask: Mask | None, lo: int, hi: int, excl: I64
) -> tuple[I64, F32]:
    """(listings sharing a term, their float32 BM25 sums) within the filter: slots in
    ``[lo, hi)`` where ``mask`` (spanning ``[lo, hi)``) is true, ``excl`` left out."""
    weights = (idf * (index.k1 + 1)).astype(np.float32)
    narrow = lo > 0 or hi < index._store.n_slots
    cuts = []
    total = 0
    for seg in index._segments:
        starts, ends = seg.postings(tid)
        terms = np.flatnonzero(ends > starts)
        starts, ends = starts[terms], ends[terms]
        if narrow:  # postings are in slot order: cut each term's to the filter's span
            inv = seg.inv_slots
            for j, (a, e) in enumerate(zip(starts.tolist(), ends.tolist(), strict=True)):
                part = inv[a:e]
                starts[j], ends[j] = a + int(part.searchsorted(lo)), a + int(part.searchsorted(hi))
        cuts.append((seg, terms, starts, ends))
        total += int((ends - starts).sum())
    if total > VECTOR_MAX:
        return _per_term(index, weights, cuts, mask, lo, excl)
    return _vectorised(index, weights, cuts, mask, lo, excl)


def _passing(
    index: LexicalIndex, seg: post.Segment, slots: post.I32, mask: Mask | None, lo: int
) -> Mask | None:
    """Which of a segment's postings ``slots`` pass: inside the filter (``mask`` spans
    ``[lo, hi)``) and still current in this segment; None when all do."""
    keep = None if mask is None else mask.take(slots - lo)
    if seg.stale:
        live = index._seg_of.take(slots) == seg.sid
        keep = live if keep is None else keep & live
    return keep


def _vectorised(
    index: LexicalIndex,
    weights: F32,
    cuts: list[tuple[post.Segment, I64, I64, I64]],
    mask: Mask | None,
    lo: int,
    excl: I64,
) -> tuple[I64, F32]:
    norm = index._norms()
    slots_parts: list[I64] = []
    sums_parts: list[F32] = []
    for seg, terms, starts, ends in cuts:
        at = post.ranges(starts, ends)
        s = seg.inv_slots.take(at)
        tf = seg.inv_tf.take(at).astype(np.float32)
        w = np.repeat(weights[terms], ends - starts)
        keep = _passing(index, seg, s, mask, lo)
        if keep is not None:
            s, tf, w = np.compress(keep, s), np.compress(keep, tf), np.compress(keep, w)
        slots_parts.append(s.astype(np.int64))
        sums_parts.append(w * tf / (tf + norm.take(s)))
    if not slots_parts:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
    every = np.concatenate(slots_parts) if len(slots_parts) > 1 else slots_parts[0]
    add = np.concatenate(sums_parts) if len(sums_parts) > 1 else sums_parts[0]
    if len(excl):
        out = ~in_sorted(every, np.sort(excl))
        every, add = every[out], add[out]
    acc = index._buffers()
    np.add.at(acc, every, add)  # term by term, as the loop adds
    touched = _distinct(index, every)
    sums: F32 = acc.take(touched)
    acc[touched] = 0
    return touched, sums


def _distinct(index: LexicalIndex, slots: I64) -> I64:
    """The distinct values of ``slots``, without sorting: each position writes its
    index into a per-slot scratch array; the positions that read their own index
    back hold the last occurrence of their slot."""
    scratch = index._scratch()
    order = np.arange(len(slots), dtype=np.int32)
    scratch[slots] = order
    distinct: I64 = slots[scratch.take(slots) == order]
    return distinct


def _per_term(
    index: LexicalIndex,
    weights: F32,
    cuts: list[tuple[post.Segment, I64, I64, I64]],
    mask: Mask | None,
    lo: int,
    excl: I64,
) -> tuple[I64, F32]:
    norm = index._norms()
    acc = index._buffers()
    parts: list[I64] = []
    acc[excl] = -np.inf  # never "new": excluded listings never become candidates
    try:
        for seg, terms, starts, ends in cuts:
            for j, a, e in zip(terms.tolist(), starts.tolist(), ends.tolist(), strict=True):
                # take/compress: several times faster than [] indexing here
                s, tf = seg.inv_slots[a:e], seg.inv_tf[a:e]
                keep = _passing(index, seg, s, mask, lo)
                if keep is not None:
                    s, tf = np.compress(keep, s), np.compress(keep, tf)
                before = acc.take(s)
                parts.append(np.compress(before == 0, s).astype(np.int64))
                # a term's postings hold each slot once: a plain scatter is exact
                acc[s] = before + weights[j] * tf / (tf + norm.take(s))
        touched = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
        return touched, acc.take(touched)
    finally:
        for part in parts:
            acc[part] = 0
        acc[excl] = 0
