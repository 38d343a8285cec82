"""BM25 lexical index over listings, with the hard filters applied inside the search.

Keyed by listing id like the vector indexes and filtered with the same
:class:`~isa_match.schema.Filters` semantics: a metadata-only
:class:`~isa_match.index._store.Store` keeps ids and filter columns and compiles
filters to slot sets; only postings of passing listings are scored.

Scoring is Okapi BM25 with Lucene's (always positive) IDF::

    score(q, d) = sum over query terms t in d of
                  idf(t) * (k1 + 1) * tf(t, d) / (tf(t, d) + k1 * (1 - b + b * |d| / avgdl))
    idf(t)      = ln(1 + (N - df(t) + 0.5) / (df(t) + 0.5))

over the live listings; ``avgdl`` is taken per language (``avgdl_per_language``).
A term repeated in the query counts once, and a query keeps only its
``max_query_terms`` rarest terms (as Lucene's MoreLikeThis does): a listing used
as a query has 25 terms on average, most of them listing boilerplate
("Kooperation", "合作", "Partner") that every listing shares. On the sample
corpus keeping the 12 rarest raised BM25's MRR on the labelled pairs from 0.016
to 0.050 and on same-topic retrieval from 0.80 to 0.84, and made a search at
1M listings 4x faster (``benchmarks/bench_lexical.py``). Terms are also added
only while their postings stay within ``max_postings`` (a latency guard that
binds for queries made only of common terms in very large corpora).

Listings live in immutable segments (:mod:`isa_match.rank._lexical_base`): an
``add`` writes a segment, a replaced or removed listing becomes a stale entry
skipped by search, segments of one size level are merged; statistics (N, df,
lengths) are kept up to date, so an updated index scores like a rebuilt one.

Search reads the postings of the selected terms inside the filter's slot span,
skips listings that fail the filter, accumulates float32 scores in a per-thread
buffer, and rescores the best few exactly in float64 from the forward arrays;
returned scores are always exact BM25 and equal :meth:`LexicalIndex.score`.
Exact MaxScore pruning was measured and dropped: on the generated corpora
(many near-identical listings) rescoring its survivors cost more than reading
the remaining postings, and with 12 query terms there is little left to skip.
"""

from __future__ import annotations

from collections import Counter, OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from threading import Lock

import numpy as np
import numpy.typing as npt

from isa_match._arrays import descending
from isa_match.index._store import without_exclusion
from isa_match.index.base import Hit, ItemMeta
from isa_match.rank import _accumulate, _lexical_io
from isa_match.rank._lexical_base import F32, F64, I64, LexicalStore, Mask
from isa_match.rank._lexical_profile import _rarest_first, profile
from isa_match.rank.tokenize import Tokenizer, TokenizerOptions, learn_compound_parts
from isa_match.schema import Filters

__all__ = ["LexicalIndex", "LexicalQuery"]

_QUERY_CACHE = 256


@dataclass(frozen=True)
class LexicalQuery:
    """A tokenised query: distinct terms, how often each occurred, and its language.

    Make one with :meth:`LexicalIndex.query` (a text) or :meth:`LexicalIndex.query_for`
    (a stored listing, no re-tokenising) and pass it to :meth:`~LexicalIndex.search`,
    :meth:`~LexicalIndex.score` and :meth:`~LexicalIndex.reverse_scores` to
    tokenise only once.
    """

    terms: tuple[str, ...]
    counts: tuple[int, ...]
    language: str | None = None

    @classmethod
    def from_tokens(cls, tokens: Iterable[str], language: str | None = None) -> LexicalQuery:
        """Count a token sequence (order of first appearance kept)."""
        counts = Counter(tokens)
        return cls(tuple(counts), tuple(counts.values()), language)

    @property
    def length(self) -> int:
        """Number of tokens (its BM25 length when the query is scored as a document)."""
        return sum(self.counts)

    def __bool__(self) -> bool:
        return bool(self.terms)


class LexicalIndex(LexicalStore):
    """BM25 over listing texts, keyed by listing id, filtered inside the search.

    Args:
        k1: term-frequency saturation (>= 0).
        b: length normalisation (0..1).
        tokenizer: the :class:`~isa_match.rank.tokenize.Tokenizer`; by default one
            without learned compound parts (:meth:`build` learns them).
        avgdl_per_language: average document length per listing language
            rather than over all listings.
        max_query_terms: a query keeps only this many of its rarest terms
            (``None``: all).
        max_postings: and only as many of those as have at most this many
            postings together (the rarest is always kept; ``None``: no limit).
            A latency guard for very large corpora: it binds only for queries
            made of common terms (at 1M generated listings the 12 rarest
            terms of a listing have ~100k postings at the median). At 1M,
            100,000 instead of 250,000 cut the BM25 search's p99 from 4.2 to
            2.4 ms and raised BM25's recall@100 of the labelled partner from
            0.015 to 0.020 (rarer terms decide); below ~100k listings it never binds.

    Not thread-safe for writes; searches may run in several threads.
    """

    backend = "bm25"

    def __init__(
        self,
        *,
        k1: float = 1.2,
        b: float = 0.75,
        tokenizer: Tokenizer | None = None,
        avgdl_per_language: bool = True,
        max_query_terms: int | None = 12,
        max_postings: int | None = 100_000,
    ) -> None:
        if not k1 >= 0 or not 0 <= b <= 1:
            raise ValueError(f"BM25 needs k1 >= 0 and 0 <= b <= 1, got k1={k1!r}, b={b!r}")
        for name, value in (("max_query_terms", max_query_terms), ("max_postings", max_postings)):
            if value is not None and (
                isinstance(value, bool) or not isinstance(value, int) or value < 1
            ):
                raise ValueError(f"{name} must be a positive integer or None, got {value!r}")
        super().__init__(k1, b, avgdl_per_language)
        self.tokenizer = tokenizer if tokenizer is not None else Tokenizer()
        self.max_query_terms = max_query_terms
        self.max_postings = max_postings
        self._queries: OrderedDict[tuple[str, str | None], LexicalQuery] = OrderedDict()
        self._lock = Lock()

    @classmethod
    def build(
        cls,
        items: Sequence[ItemMeta],
        texts: Sequence[str],
        languages: Sequence[str | None] | None = None,
        *,
        options: TokenizerOptions | None = None,
        **params: float | int | bool | None,
    ) -> LexicalIndex:
        """An index of ``texts`` whose tokenizer learned its compound parts from them.

        The learned parts are fixed from then on (and saved with the index), so
        later updates tokenise exactly as the build did. ``params`` go to the
        constructor (``k1``, ``b``, ...).
        """
        tokenizer = Tokenizer(options, learn_compound_parts(texts))
        index = cls(tokenizer=tokenizer, **params)  # type: ignore[arg-type]
        index.add(items, texts, languages)
        return index

    # -- size and lookup ----------------------------------------------------------

    def __len__(self) -> int:
        return len(self._store)

    def __contains__(self, item_id: object) -> bool:
        return item_id in self._store.ids

    def __repr__(self) -> str:
        return (
            f"LexicalIndex(count={len(self)}, terms={len(self._terms)}, "
            f"segments={len(self._segments)}, k1={self.k1}, b={self.b})"
        )

    def ids(self) -> list[str]:
        """All listing ids (slot order)."""
        return list(self._store.ids)

    def meta(self, item_id: str) -> ItemMeta:
        """The stored metadata of one listing."""
        return self._store.meta(item_id)

    def idf(self, term: str) -> float:
        """BM25 IDF of a term over the live listings (an unknown term gets the maximum)."""
        tid = self._vocab.get(term)
        df = 0 if tid is None else int(self._df[tid])
        return float(np.log1p((len(self._store) - df + 0.5) / (df + 0.5)))

    def stats(self) -> dict[str, int]:
        """Sizes: listings, terms, segments, postings (stale ones included), bytes held."""
        held = sum(s.nbytes() for s in self._segments)
        held += sum(a.nbytes for a in (self._df, self._dl, self._seg_of, self._lang, self._norm))
        held += sum(len(t) for t in self._terms) + 120 * len(self._terms)  # str + dict entry
        return {
            "documents": len(self),
            "terms": len(self._terms),
            "segments": len(self._segments),
            "postings": sum(len(s.fwd_terms) for s in self._segments),
            "bytes": held,
        }

    # -- mutation -------------------------------------------------------------------

    def add(
        self,
        items: Sequence[ItemMeta],
        texts: Sequence[str],
        languages: Sequence[str | None] | None = None,
    ) -> None:
        """Index ``texts`` (one per item); an id already present is replaced.

        Args:
            items: metadata of each listing (:meth:`ItemMeta.from_listing`).
            texts: the text to index per listing (title, description, keywords).
            languages: language hint per text (``"de"``, ``"zh"``, ``"en"`` or ``None``).

        The batch is validated before anything changes (lengths, text types,
        item fields, duplicate ids). A text without any term is stored and
        filtered like the others but never matches.
        """
        items, texts = list(items), list(texts)
        langs = [None] * len(items) if languages is None else list(languages)
        if len(texts) != len(items) or len(langs) != len(items):
            raise ValueError(
                f"add: {len(items)} items, {len(texts)} texts and {len(langs)} languages"
            )
        for row, text in enumerate(texts):
            if not isinstance(text, str):
                raise TypeError(f"texts[{row}]: expected str, got {type(text).__name__}")
        if not items:
            return
        bags = [
            Counter(self.tokenizer.tokenize(t, lang)) for t, lang in zip(texts, langs, strict=True)
        ]
        slots, replaced = self._store.assign(items, np.zeros((len(items), 0), np.float32))
        self._reserve(self._store.n_slots)
        if len(replaced):
            self._forget(replaced)
        ids = [dict(zip(self._term_ids(list(bag)), bag.values(), strict=True)) for bag in bags]
        self._insert(slots, ids, [sum(bag.values()) for bag in bags])

    def remove(self, ids: Iterable[str], *, missing_ok: bool = False) -> int:
        """Remove listings by id; returns how many were removed.

        Raises:
            UnknownIdError: an id is absent and ``missing_ok`` is false (nothing removed).
        """
        slots = self._store.release(ids, missing_ok)
        if len(slots):
            self._forget(slots)
            self._maybe_merge()
        return len(slots)

    # -- queries ----------------------------------------------------------------------

    def query(self, text: str, language: str | None = None) -> LexicalQuery:
        """Tokenise a query text (the last few hundred texts are cached)."""
        if not isinstance(text, str):
            raise TypeError(f"query must be a str or LexicalQuery, got {type(text).__name__}")
        key = (text, language)
        with self._lock:
            found = self._queries.get(key)
            if found is not None:
                self._queries.move_to_end(key)
                return found
        found = LexicalQuery.from_tokens(self.tokenizer.tokenize(text, language), language)
        with self._lock:
            self._queries[key] = found
            while len(self._queries) > _QUERY_CACHE:
                self._queries.popitem(last=False)
        return found

    def query_for(self, item_id: str | int) -> LexicalQuery:
        """A stored listing (by id, or by its slot) as a query: its indexed terms, no
        re-tokenising."""
        if isinstance(item_id, str):
            slots = self._store.slots_of([item_id])
        else:
            slots = np.array([item_id], dtype=np.int64)
        _, terms, tfs = self._forward(slots)
        language = self._store.vocab["language"].values[int(self._lang[slots[0]])]
        return LexicalQuery(
            tuple(self._terms[t] for t in terms.tolist()), tuple(tfs.tolist()), language
        )

    def shared_terms(self, query: LexicalQuery, ids: Sequence[str]) -> list[list[str]]:
        """For each listing in ``ids``, the query's terms it also has, rarest first.

        One pass over the listings' stored terms (for the "shared terms" reason
        of a page of suggestions). Raises :class:`UnknownIdError` for unknown ids.
        """
        slots = self._store.slots_of(ids)
        known = [self._vocab.get(t, -1) for t in query.terms]
        tid = np.unique(np.array([t for t in known if t >= 0], dtype=np.int64))
        out: list[list[int]] = [[] for _ in range(len(slots))]
        if not len(tid):
            return [[] for _ in out]
        pos, which, _ = self._forward(slots, tid)
        for p, w in zip(pos.tolist(), which.tolist(), strict=True):
            out[p].append(w)
        return [_rarest_first(self, [int(tid[w]) for w in row]) for row in out]

    def doc_terms(self, item_id: str) -> dict[str, int]:
        """The indexed terms of one listing with their frequencies (capped at 255)."""
        q = self.query_for(item_id)
        return dict(zip(q.terms, q.counts, strict=True))

    def _as_query(self, query: str | LexicalQuery, language: str | None) -> LexicalQuery:
        return query if isinstance(query, LexicalQuery) else self.query(query, language)

    def _resolve(self, q: LexicalQuery) -> tuple[I64, I64]:
        """(term ids, counts) of the query terms that occur in live listings, rarest first.

        Remembered per thread for the last query object until the next change:
        ranking resolves one query for its search, scoring and explanations.
        """
        last = getattr(self._local, "resolved", None)
        if last is not None and last[0] is q and last[1] == self._store.version:
            return last[2]  # type: ignore[no-any-return]
        found = self._resolve_now(q)
        self._local.resolved = (q, self._store.version, found)
        return found

    def _resolve_now(self, q: LexicalQuery) -> tuple[I64, I64]:
        pairs = [(self._vocab.get(t, -1), c) for t, c in zip(q.terms, q.counts, strict=True)]
        tid = np.array([p[0] for p in pairs], dtype=np.int64)
        cnt = np.array([p[1] for p in pairs], dtype=np.int64)
        keep = tid >= 0
        keep[keep] = self._df[tid[keep]] > 0
        tid, cnt = tid[keep], cnt[keep]
        order = self._rarest_first(tid)
        return tid[order], cnt[order]

    def _selected(self, q: LexicalQuery) -> I64:
        """The query's scoring terms: its rarest known terms, at most ``max_query_terms``,
        and no more than fit into ``max_postings`` (the rarest always stays)."""
        tid, _ = self._resolve(q)
        if self.max_query_terms is not None:
            tid = tid[: self.max_query_terms]
        if self.max_postings is not None and len(tid) > 1:
            volume = np.cumsum(self._df[tid])
            tid = tid[: max(1, int(np.searchsorted(volume, self.max_postings, side="right")))]
        return tid

    def _selected_per_doc(self, pos: I64, terms: I64) -> Mask:
        """Which (document, term) entries are among each document's rarest terms."""
        keep = np.ones(len(pos), dtype=bool)
        m = self.max_query_terms
        if m is None or not len(pos):
            return keep
        if int(pos.max()) < 1 << 14:  # one int64 key (faster than lexsort):
            # position (14 bits) | df (21 bits, saturated) | 28 bits of the term's CRC
            key = (pos << 49) | (np.minimum(self._df[terms], (1 << 21) - 1).astype(np.int64) << 28)
            key |= self._term_key[terms] & ((1 << 28) - 1)
            order = np.argsort(key, kind="stable")
        else:
            order = np.lexsort((terms, self._term_key[terms], self._df[terms], pos))
        ranked = pos[order]
        n = len(order)
        new = np.empty(n, dtype=bool)  # where a document's entries start (no np.r_: slow)
        new[0] = True
        np.not_equal(ranked[1:], ranked[:-1], out=new[1:])
        starts = np.flatnonzero(new)
        lengths = np.empty_like(starts)
        lengths[:-1] = starts[1:] - starts[:-1]
        lengths[-1] = n - starts[-1]
        first = np.repeat(starts, lengths)
        keep[order[np.arange(n) - first >= m]] = False
        return keep

    # -- search ---------------------------------------------------------------------------

    def search(
        self,
        query: str | LexicalQuery,
        k: int,
        filters: Filters | None = None,
        *,
        language: str | None = None,
    ) -> list[Hit]:
        """The ``k`` best listings for ``query`` among those passing ``filters``.

        Args:
            query: a text or a :class:`LexicalQuery`.
            k: number of hits wanted (positive).
            filters: hard filters, applied inside the search (the semantics of
                :meth:`Filters.matches`); ``exclude_ids`` drops listings (the query).
            language: language hint of a text query.

        Returns:
            Hits with exact BM25 scores, best first, ties by id; only listings
            sharing at least one scoring term, so possibly fewer than ``k``. A
            query without terms (empty, only stop words or numbers) gives ``[]``.
        """
        slots, scores = self.search_slots(query, k, filters, language=language)
        names = self._store.ids.names(slots)
        return [Hit(i, v) for i, v in zip(names, scores.tolist(), strict=True)]

    def search_slots(
        self,
        query: str | LexicalQuery,
        k: int,
        filters: Filters | None = None,
        *,
        language: str | None = None,
        exclude_slots: npt.ArrayLike | None = None,
    ) -> tuple[I64, F64]:
        """:meth:`search` as (slots, exact scores) arrays, same order (no Hit objects);
        ``exclude_slots`` (live slots, as from :meth:`slots_of`) are never returned."""
        if isinstance(k, bool) or not isinstance(k, int) or k <= 0:
            raise ValueError(f"k must be a positive integer, got {k!r}")
        excl = self._store.excluded_slots(filters, exclude_slots)
        tid = self._selected(self._as_query(query, language))
        none = np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
        if not len(tid):
            return none
        mask, lo, hi = None, 0, self._store.n_slots
        if filters is not None:
            base = without_exclusion(filters)
            if not base.is_empty():
                mask, lo, hi = self._mask(base)
        if lo >= hi:
            return none
        idf = self._idf(tid)
        touched, partial = self._accumulate(tid, idf, mask, lo, hi, excl)
        if len(touched) > k:  # the float32 sums select; exact float64 scores decide
            kth = float(np.partition(partial, len(partial) - k)[-k])
            touched = touched[partial >= kth - 1e-4 * abs(kth) - 1e-6]
        return self._best(touched, self._exact(touched, tid, idf), k)

    def slots_of(self, ids: Sequence[str]) -> I64:
        """The internal slot of each listing (stable while it is present; see
        :meth:`profile`). Raises :class:`UnknownIdError` for absent ids."""
        return self._store.slots_of(ids)

    def search_tokens(
        self, tokens: Sequence[str], k: int, filters: Filters | None = None
    ) -> list[Hit]:
        """:meth:`search` for already tokenised terms."""
        return self.search(LexicalQuery.from_tokens(tokens), k, filters)

    def _accumulate(
        self, tid: I64, idf: F64, mask: Mask | None, lo: int, hi: int, excl: I64
    ) -> tuple[I64, F32]:
        """(listings sharing a term, their float32 BM25 sums) within the filter."""
        return _accumulate.accumulate(self, tid, idf, mask, lo, hi, excl)

    def _best(self, slots: I64, scores: F64, k: int) -> tuple[I64, F64]:
        """Top ``k`` by score, ties by listing id (ids decoded only for the few kept)."""
        if len(slots) > k:
            keep = scores >= np.partition(scores, len(scores) - k)[-k]
            slots, scores = slots[keep], scores[keep]
        order = descending(scores, lambda at: self._store.ids.names(slots[at]))[:k]
        return slots[order], scores[order]

    # -- scoring given listings -----------------------------------------------------------

    def _exact(self, slots: I64, tid: I64, idf: F64) -> F64:
        """BM25 of the given listings for query terms ``tid`` (float64)."""
        if not len(slots) or not len(tid):
            return np.zeros(len(slots), dtype=np.float64)
        pos, at, tfs = self._forward(slots, tid)
        tf = tfs.astype(np.float64)
        w = (idf * (self.k1 + 1))[at] * tf / (tf + self._doc_norms(slots)[pos])
        # bincount adds each listing's terms in ascending term id, whatever the segments
        out: F64 = np.bincount(pos, weights=w, minlength=len(slots)).astype(np.float64)
        return out

    def score(
        self, query: str | LexicalQuery, ids: Sequence[str], *, language: str | None = None
    ) -> F64:
        """BM25 score of each listing in ``ids`` for ``query`` (0.0 when nothing is shared).

        The scores :meth:`search` returns; for candidates found by another
        retriever. Raises :class:`UnknownIdError` for ids not in the index.
        """
        slots = self._store.slots_of(ids)
        tid = self._selected(self._as_query(query, language))
        return self._exact(slots, tid, self._idf(tid))

    def reverse_scores(
        self, query: str | LexicalQuery, ids: Sequence[str], *, language: str | None = None
    ) -> F64:
        """BM25 of the query *as a listing* for each listing's terms *as the query*.

        The other direction of :meth:`score`: how well the query text answers
        each listing, e.g. ``score(query_for(c), [q])`` for every candidate ``c``
        when ``q`` is stored. Statistics are the index's; the query's length is
        its token count, its average length that of ``LexicalQuery.language``.
        """
        slots = self._store.slots_of(ids)
        prof = profile(self, self._as_query(query, language), slots)
        return prof.reciprocal(np.arange(len(slots), dtype=np.int64))[1]

    def self_scores(self, ids: Sequence[str]) -> F64:
        """Each listing's score for itself as the query (a per-listing scale)."""
        slots = self._store.slots_of(ids)
        prof = profile(self, LexicalQuery((), ()), slots)
        return prof.reciprocal(np.arange(len(slots), dtype=np.int64))[0]

    # -- persistence --------------------------------------------------------------------

    def save(self, path: str | Path) -> None:
        """Write the index to folder ``path`` atomically (compacting it to one segment)."""
        _lexical_io.save(self, Path(path))

    @classmethod
    def load(cls, path: str | Path) -> LexicalIndex:
        """Read a folder written by :meth:`save`, checking manifest, checksums and consistency.

        Raises:
            IndexCorruptError: a missing, truncated, altered or inconsistent file.
            IndexMismatchError: another format version or backend.
        """
        index = cls()
        _lexical_io.load(index, Path(path))
        return index
