"""Immutable posting segments of the lexical index (Lucene-style).

A :class:`Segment` holds a set of documents twice:

* *forward* (document-major): per document its term ids (ascending) and term
  frequencies, for exact scoring of given documents, documents as queries and
  removal;
* *inverted* (term-major, CSR): per term the slots (ascending) and term
  frequencies of the documents that contain it, for search.

Segments never change after they are built. New documents form a new segment;
a replaced or removed document stays in its old segment as a *stale* entry
(the index's ``seg_of[slot]`` no longer names that segment) until a merge
rewrites the segment without it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

I32 = npt.NDArray[np.int32]
I64 = npt.NDArray[np.int64]
U8 = npt.NDArray[np.uint8]

#: Term frequencies are stored as ``uint8``; a term repeated more often in one
#: listing counts 255 times (BM25 saturates long before: tf/(tf+k1) at 255 is 0.995).
MAX_TF = 255

ARRAYS = (
    "doc_slots",
    "doc_ptr",
    "fwd_terms",
    "fwd_tf",
    "term_ids",
    "term_ptr",
    "inv_slots",
    "inv_tf",
)


def ranges(starts: I64, ends: I64) -> I64:
    """Concatenated ``arange(s, e)`` for every pair: a vectorised multi-slice index."""
    lengths = ends - starts
    total = int(lengths.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    offsets = np.cumsum(lengths) - lengths
    out: I64 = np.repeat(starts - offsets, lengths) + np.arange(total, dtype=np.int64)
    return out


@dataclass(eq=False)
class Segment:
    """One immutable set of documents, forward and inverted (see the module docstring)."""

    sid: int
    doc_slots: I32
    doc_ptr: I64
    fwd_terms: I32
    fwd_tf: U8
    term_ids: I32
    term_ptr: I64
    inv_slots: I32
    inv_tf: U8
    stale: int = 0  # documents of this segment that were replaced or removed since

    def __post_init__(self) -> None:
        # A bulk-built or merged segment usually holds one run of consecutive slots:
        # then a slot's row is an offset, no search.
        slots, n = self.doc_slots, len(self.doc_slots)
        run = (
            n > 0
            and int(slots[-1]) - int(slots[0]) == n - 1
            and bool((slots[1:] > slots[:-1]).all())
        )
        self._run_start = int(slots[0]) if run else -1

    @classmethod
    def build(cls, sid: int, slots: I32, doc_ptr: I64, terms: I32, tfs: U8) -> Segment:
        """A segment from document-major arrays (documents in any slot order).

        Each document's terms must be unique and ascending.
        """
        order = np.argsort(slots, kind="stable")
        if len(order) and (order != np.arange(len(order))).any():
            idx = ranges(doc_ptr[:-1][order], doc_ptr[1:][order])
            lengths = np.diff(doc_ptr)[order]
            slots, terms, tfs = slots[order], terms[idx], tfs[idx]
            doc_ptr = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
        lengths = np.diff(doc_ptr)
        inv = np.argsort(terms, kind="stable")  # stable: slots ascending within a term
        sorted_terms = terms[inv]
        term_ids, first = np.unique(sorted_terms, return_index=True)
        return cls(
            sid=sid,
            doc_slots=np.ascontiguousarray(slots, dtype=np.int32),
            doc_ptr=np.ascontiguousarray(doc_ptr, dtype=np.int64),
            fwd_terms=np.ascontiguousarray(terms, dtype=np.int32),
            fwd_tf=np.ascontiguousarray(tfs, dtype=np.uint8),
            term_ids=term_ids.astype(np.int32),
            term_ptr=np.append(first, len(terms)).astype(np.int64),
            inv_slots=np.repeat(slots.astype(np.int32), lengths)[inv],
            inv_tf=np.ascontiguousarray(tfs[inv], dtype=np.uint8),
        )

    @property
    def n_docs(self) -> int:
        """Documents stored, stale ones included."""
        return len(self.doc_slots)

    @property
    def n_live(self) -> int:
        """Documents stored that are still current."""
        return len(self.doc_slots) - self.stale

    def postings(self, term_ids: I64) -> tuple[I64, I64]:
        """(start, end) in the inverted arrays for each term id (empty when absent)."""
        if not len(self.term_ids):
            zero = np.zeros(len(term_ids), dtype=np.int64)
            return zero, zero
        # needles in the haystack's dtype: otherwise numpy converts the whole haystack
        needles = term_ids.astype(self.term_ids.dtype)
        pos = np.minimum(np.searchsorted(self.term_ids, needles), len(self.term_ids) - 1)
        found = self.term_ids[pos] == term_ids
        starts = np.where(found, self.term_ptr[pos], 0)
        ends = np.where(found, self.term_ptr[pos + 1], 0)
        return starts, ends

    def rows(self, slots: I64) -> I64:
        """Document rows of ``slots`` (all must be stored here)."""
        if self._run_start >= 0:
            out: I64 = slots.astype(np.int64) - self._run_start
            return out
        return np.searchsorted(self.doc_slots, slots.astype(self.doc_slots.dtype)).astype(np.int64)

    def forward(self, rows: I64) -> tuple[I64, I32, U8]:
        """(row number per entry, term ids, tfs) of the given document rows, concatenated."""
        starts, ends = self.doc_ptr[rows], self.doc_ptr[rows + 1]
        idx = ranges(starts, ends)
        owner = np.repeat(np.arange(len(rows), dtype=np.int64), ends - starts)
        return owner, self.fwd_terms[idx], self.fwd_tf[idx]

    def live_part(self, seg_of: I32) -> tuple[I32, I64, I32, U8]:
        """Document-major arrays of the documents still current (for a merge)."""
        keep = seg_of[self.doc_slots] == self.sid
        rows = np.flatnonzero(keep).astype(np.int64)
        _, terms, tfs = self.forward(rows)
        lengths = self.doc_ptr[rows + 1] - self.doc_ptr[rows]
        ptr = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
        return self.doc_slots[rows], ptr, terms, tfs

    def arrays(self) -> dict[str, npt.NDArray[Any]]:
        """The arrays to save, by name."""
        return {name: getattr(self, name) for name in ARRAYS}

    def nbytes(self) -> int:
        """Memory held by the arrays."""
        return sum(int(getattr(self, name).nbytes) for name in ARRAYS)


def merge(sid: int, parts: list[Segment], seg_of: I32) -> Segment:
    """One segment holding the current documents of ``parts``."""
    slots, ptrs, terms, tfs = [], [], [], []
    offset = 0
    for seg in parts:
        s, p, t, f = seg.live_part(seg_of)
        slots.append(s)
        ptrs.append(p[:-1] + offset)
        terms.append(t)
        tfs.append(f)
        offset += int(p[-1])
    ptr = np.concatenate([*ptrs, np.array([offset], dtype=np.int64)]).astype(np.int64)
    return Segment.build(
        sid,
        np.concatenate(slots).astype(np.int32),
        ptr,
        np.concatenate(terms).astype(np.int32),
        np.concatenate(tfs).astype(np.uint8),
    )


def check_segment(seg: Segment, n_terms: int, n_slots: int) -> None:
    """Raise ValueError when a loaded segment's arrays are inconsistent."""
    n_docs, n_post = len(seg.doc_slots), len(seg.fwd_terms)
    if len(seg.doc_ptr) != n_docs + 1 or seg.doc_ptr[0] != 0 or seg.doc_ptr[-1] != n_post:
        raise ValueError("doc_ptr does not match the forward arrays")
    if (np.diff(seg.doc_ptr) < 0).any() or (np.diff(seg.doc_slots) <= 0).any():
        raise ValueError("documents are not in ascending slot order")
    if len(seg.fwd_tf) != n_post or len(seg.inv_slots) != n_post or len(seg.inv_tf) != n_post:
        raise ValueError("forward and inverted arrays differ in length")
    if len(seg.term_ptr) != len(seg.term_ids) + 1 or (
        len(seg.term_ptr) and seg.term_ptr[-1] != n_post
    ):
        raise ValueError("term_ptr does not match the inverted arrays")
    if n_post and (seg.fwd_terms.min() < 0 or seg.fwd_terms.max() >= n_terms):
        raise ValueError("a term id is outside the vocabulary")
    if n_docs and (seg.doc_slots.min() < 0 or seg.doc_slots.max() >= n_slots):
        raise ValueError("a document slot is outside the store")
    if n_post and seg.fwd_tf.min() == 0:
        raise ValueError("a term frequency is zero")
