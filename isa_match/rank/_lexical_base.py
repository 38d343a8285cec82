"""Storage and statistics of the lexical index: segments, document frequencies, lengths.

:class:`LexicalStore` keeps the documents of :class:`~isa_match.rank.lexical.LexicalIndex`
in immutable segments (:mod:`isa_match.rank._postings`) next to a metadata-only
:class:`~isa_match.index._store.Store` (ids, filter columns, filter plans), and the
live statistics BM25 needs: document frequency per term, length per document,
total length and document count per language. Adding writes a new segment;
replacing or removing marks the old entry stale; segments of one size level are
merged (``MERGE_FACTOR``), so an update never rebuilds the index.
"""

from __future__ import annotations

import threading
import zlib
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from isa_match.index._lru import PlanCache
from isa_match.index._store import Store
from isa_match.rank import _postings as post
from isa_match.schema import Filters

F32 = npt.NDArray[np.float32]
F64 = npt.NDArray[np.float64]
I32 = npt.NDArray[np.int32]
I64 = npt.NDArray[np.int64]
Mask = npt.NDArray[np.bool_]

#: Segments of one size level (powers of MERGE_FACTOR) are merged once there are this many.
MERGE_FACTOR = 8
#: With more segments than this, all but the largest are merged.
MAX_SEGMENTS = 16


def _grown(arr: npt.NDArray[Any], size: int, fill: int = 0) -> npt.NDArray[Any]:
    out = np.full(size, fill, dtype=arr.dtype)
    out[: len(arr)] = arr
    return out


class LexicalStore:
    """Segments plus BM25 statistics; the public API is :class:`LexicalIndex`."""

    def __init__(self, k1: float, b: float, avgdl_per_language: bool) -> None:
        self.k1 = float(k1)
        self.b = float(b)
        self.avgdl_per_language = bool(avgdl_per_language)
        self._store = Store(0)
        self._vocab: dict[str, int] = {}
        self._terms: list[str] = []
        self._term_key = np.zeros(0, dtype=np.int64)  # crc32 of the term: history-free ties
        self._df = np.zeros(0, dtype=np.int32)
        self._dl = np.zeros(0, dtype=np.int32)  # document length (tokens) per slot
        self._seg_of = np.zeros(0, dtype=np.int32)  # segment holding the current version
        self._lang = np.zeros(0, dtype=np.int16)  # language code per slot (the store's codes)
        self._lang_len = np.zeros(0, dtype=np.int64)  # total length per language code
        self._lang_docs = np.zeros(0, dtype=np.int64)  # live documents per language code
        self._total_len = 0
        self._segments: list[post.Segment] = []
        self._next_sid = 0
        self._norm = np.zeros(0, dtype=np.float32)
        self._norm_key: tuple[Any, ...] = ()
        self._masks: PlanCache[tuple[Mask | None, int, int]] = PlanCache(
            128, 64 * 2**20, lambda m: 0 if m[0] is None else m[0].nbytes
        )
        self._local = threading.local()

    # -- terms ---------------------------------------------------------------------

    def _term_ids(self, terms: Sequence[str]) -> list[int]:
        """Ids of ``terms``, adding new ones to the vocabulary."""
        out = []
        new: list[str] = []
        for term in terms:
            tid = self._vocab.get(term)
            if tid is None:
                tid = self._vocab[term] = len(self._terms)
                self._terms.append(term)
                new.append(term)
            out.append(tid)
        if new:
            keys = [zlib.crc32(t.encode("utf-8")) for t in new]
            self._term_key = np.concatenate([self._term_key, np.array(keys, dtype=np.int64)])
            self._df = _grown(self._df, len(self._terms))
        return out

    def _rarest_first(self, tid: I64) -> I64:
        """Order of ``tid`` by document frequency, ties by term (not by id: ids depend on
        the order documents came in, and an updated index must select like a rebuilt one)."""
        return np.lexsort((tid, self._term_key[tid], self._df[tid]))

    # -- mutation ------------------------------------------------------------------

    def _reserve(self, n_slots: int) -> None:
        if n_slots <= len(self._dl):
            return
        cap = max(n_slots, 2 * len(self._dl), 64)
        self._dl = _grown(self._dl, cap)
        self._seg_of = _grown(self._seg_of, cap, -1)
        self._lang = _grown(self._lang, cap)

    def _new_sid(self) -> int:
        self._next_sid += 1
        return self._next_sid - 1

    def _segment(self, sid: int) -> post.Segment:
        for seg in self._segments:
            if seg.sid == sid:
                return seg
        raise KeyError(f"no segment {sid}")  # pragma: no cover - internal invariant

    def _insert(self, slots: I64, bags: list[dict[int, int]], lengths: Sequence[int]) -> None:
        """Store documents (term id -> count) in slots just assigned by the store."""
        terms: list[int] = []
        tfs: list[int] = []
        sizes = np.zeros(len(bags), dtype=np.int64)
        for row, bag in enumerate(bags):
            for tid in sorted(bag):
                terms.append(tid)
                tfs.append(min(bag[tid], post.MAX_TF))
            sizes[row] = len(bag)
        term_arr = np.array(terms, dtype=np.int32)
        ptr = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        seg = post.Segment.build(
            self._new_sid(), slots.astype(np.int32), ptr, term_arr, np.array(tfs, np.uint8)
        )
        self._df += np.bincount(term_arr, minlength=len(self._df)).astype(np.int32)
        doc_len = np.array(lengths, dtype=np.int32)
        self._dl[slots] = doc_len
        self._total_len += int(doc_len.sum())
        self._lang[slots] = self._store.cols["language"][slots]
        self._count_lengths(slots, +1)
        self._seg_of[slots] = seg.sid
        self._segments.append(seg)
        self._maybe_merge()

    def _forget(self, slots: I64) -> None:
        """Drop the current version of ``slots`` from the statistics (its entry goes stale)."""
        owners = self._seg_of[slots]
        for sid in np.unique(owners).tolist():
            seg = self._segment(sid)
            group = slots[owners == sid]
            _, terms, _ = seg.forward(seg.rows(group))
            np.subtract.at(self._df, terms, 1)
            seg.stale += len(group)
        self._total_len -= int(self._dl[slots].sum())
        self._count_lengths(slots, -1)
        self._dl[slots] = 0
        self._seg_of[slots] = -1

    def _count_lengths(self, slots: I64, sign: int) -> None:
        """Add (``sign`` +1) or subtract (-1) documents to the per-language totals."""
        codes = len(self._store.vocab["language"].values)
        if len(self._lang_len) < codes:
            self._lang_len = _grown(self._lang_len, codes)
            self._lang_docs = _grown(self._lang_docs, codes)
        lang = self._lang[slots]
        lengths = np.bincount(lang, weights=self._dl[slots], minlength=codes)
        self._lang_len += sign * lengths.astype(np.int64)
        self._lang_docs += sign * np.bincount(lang, minlength=codes)

    def _merge(self, parts: list[post.Segment]) -> None:
        seg = post.merge(self._new_sid(), parts, self._seg_of)
        self._segments = [s for s in self._segments if all(s is not p for p in parts)]
        if seg.n_docs:
            self._seg_of[seg.doc_slots] = seg.sid
            self._segments.append(seg)

    def _maybe_merge(self) -> None:
        """Compact mostly stale segments; merge segments of one size level."""
        for seg in list(self._segments):
            if seg.stale and 2 * seg.stale >= seg.n_docs:
                self._merge([seg])
        while True:
            levels: dict[int, list[post.Segment]] = {}
            for seg in self._segments:
                level = int(np.log(max(seg.n_live, 1)) / np.log(MERGE_FACTOR))
                levels.setdefault(level, []).append(seg)
            full = [group for group in levels.values() if len(group) >= MERGE_FACTOR]
            if full:
                self._merge(full[0])
            elif len(self._segments) > MAX_SEGMENTS:
                largest = max(self._segments, key=lambda s: s.n_live)
                self._merge([s for s in self._segments if s is not largest])
            else:
                return

    def compact(self) -> None:
        """Merge everything into one segment without stale entries (done by ``save``)."""
        if len(self._segments) > 1 or any(s.stale for s in self._segments):
            self._merge(list(self._segments))

    # -- BM25 statistics -------------------------------------------------------------

    def _idf(self, tid: I64) -> F64:
        df = self._df[tid].astype(np.float64)
        out: F64 = np.log1p((len(self._store) - df + 0.5) / (df + 0.5))
        return out

    def _bm25(self) -> tuple[float, F64]:
        """(c0, c1 per language code) of the length norm ``k1 * (1 - b + b * dl / avgdl)``.

        The norm of a document is ``c0 + c1[language] * dl``. With
        ``avgdl_per_language`` the average length is taken per language:
        Chinese text yields about twice as many terms as German text of the
        same content (words plus bigrams), and one average would make every
        Chinese listing look long.
        """
        n = len(self._store)
        avgdl = self._total_len / n if n and self._total_len else 1.0
        c1 = np.full(max(len(self._lang_len), 1), self.k1 * self.b / avgdl, dtype=np.float64)
        if self.avgdl_per_language:
            docs = self._lang_docs
            has = (docs > 0) & (self._lang_len > 0)
            c1[: len(docs)][has] = self.k1 * self.b * docs[has] / self._lang_len[has]
        return self.k1 * (1 - self.b), c1

    def _c1_of(self, language: str | None, c1: F64) -> float:
        """``c1`` of a text of ``language`` (the global one when unknown or not per language)."""
        code = self._store.vocab["language"].codes.get(language or "")
        if self.avgdl_per_language and code is not None and code < len(c1):
            return float(c1[code])
        n = len(self._store)
        avgdl = self._total_len / n if n and self._total_len else 1.0
        return self.k1 * self.b / avgdl

    def _norms(self) -> F32:
        """Per-slot length norm (float32, for search; cached until the next change)."""
        key = (self._store.version, self.k1, self.b, self.avgdl_per_language)
        if self._norm_key != key:
            c0, c1 = self._bm25()
            n = self._store.n_slots
            norm = (c0 + c1[self._lang[:n]] * self._dl[:n]).astype(np.float32)
            self._norm, self._norm_key = norm, key
        return self._norm

    def _doc_norms(self, slots: I64) -> F64:
        """Length norms of the given documents (float64, for exact scores)."""
        c0, c1 = self._bm25()
        out: F64 = c0 + c1[self._lang[slots]] * self._dl[slots].astype(np.float64)
        return out

    # -- filters and buffers -----------------------------------------------------------

    def _mask(self, filters: Filters) -> tuple[Mask | None, int, int]:
        """(passing-slot mask or None for all, lowest slot, end slot), cached until a change.

        The slot span lets search skip the parts of each posting list outside
        it: a bulk load gives each kind and city consecutive slots, so a city filter
        reads only that city's stretch.
        """
        store = self._store
        found = self._masks.get(filters, store.version)
        if found is None:
            slots = store.plan_base(filters)
            if slots is None:
                return None, 0, store.n_slots
            # the mask covers the filter's span only: a city's mask is small
            lo, hi = (int(slots[0]), int(slots[-1]) + 1) if len(slots) else (0, 0)
            mask = np.zeros(hi - lo, dtype=bool)
            mask[slots - lo] = True
            found = self._masks.put(filters, (mask, lo, hi), store.version)
        return found

    def _buffers(self) -> F32:
        """This thread's score accumulator over slots (all zero between searches)."""
        n = self._store.n_slots
        acc: F32 | None = getattr(self._local, "acc", None)
        if acc is None or len(acc) < n:
            acc = np.zeros(max(n, 1024, 0 if acc is None else 2 * len(acc)), dtype=np.float32)
            self._local.acc = acc
        return acc

    def _scratch(self) -> I32:
        """This thread's per-slot int32 scratch array (any content; see
        :func:`isa_match.rank._accumulate._distinct`)."""
        n = self._store.n_slots
        scratch: I32 | None = getattr(self._local, "scratch", None)
        if scratch is None or len(scratch) < n:
            size = max(n, 1024, 0 if scratch is None else 2 * len(scratch))
            scratch = np.zeros(size, dtype=np.int32)
            self._local.scratch = scratch
        return scratch

    def _qmap(self) -> I32:
        """This thread's term id -> query position table (all -1 between uses)."""
        qmap: I32 | None = getattr(self._local, "qmap", None)
        if qmap is None or len(qmap) < len(self._terms):
            qmap = np.full(max(2 * len(self._terms), 1024), -1, dtype=np.int32)
            self._local.qmap = qmap
        return qmap

    # -- forward access ------------------------------------------------------------------

    def _forward(self, slots: I64, tid: I64 | None = None) -> tuple[I64, I64, post.U8]:
        """(position in ``slots``, term, tf) of the terms of the given documents.

        Each document's terms come in ascending term id. With ``tid``, only the
        terms in ``tid`` are returned, as their position in ``tid``; otherwise as
        term ids.
        """
        if not len(slots):
            return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.uint8)
        owners = self._seg_of[slots]
        qmap = None
        if tid is not None:
            qmap = self._qmap()
            qmap[tid] = np.arange(len(tid), dtype=np.int32)
        parts: list[tuple[I64, I64, post.U8]] = []
        try:
            one = bool((owners == owners[0]).all())
            for sid in [int(owners[0])] if one else np.unique(owners).tolist():
                sel = None if one else np.flatnonzero(owners == sid)
                seg = self._segment(sid)
                rows = seg.rows(slots if sel is None else slots[sel])
                st, en = seg.doc_ptr.take(rows), seg.doc_ptr.take(rows + 1)
                idx = post.ranges(st, en)
                pos = np.repeat(np.arange(len(rows)) if sel is None else sel, en - st)
                terms = seg.fwd_terms.take(idx).astype(np.int64)
                if qmap is not None:
                    terms = qmap.take(terms).astype(np.int64)
                    hit = terms >= 0
                    idx, pos, terms = (np.compress(hit, x) for x in (idx, pos, terms))
                parts.append((pos, terms, seg.fwd_tf.take(idx)))
        finally:
            if qmap is not None:
                qmap[tid] = -1
        if len(parts) == 1:
            return parts[0]
        pos_all, terms_all, tfs_all = (np.concatenate(p) for p in zip(*parts, strict=True))
        return pos_all, terms_all, tfs_all
