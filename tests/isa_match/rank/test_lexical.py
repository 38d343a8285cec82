"""The BM25 lexical index: known answers, filters, updates, pruning, persistence, errors."""

from __future__ import annotations

import math
import zlib
from collections import Counter
from dataclasses import replace
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from sample_helpers import koeln_item

from isa_match.index import IndexCorruptError, ItemMeta, UnknownIdError
from isa_match.index.synthetic import synthetic_items
from isa_match.rank import _postings as post
from isa_match.rank.lexical import LexicalIndex, LexicalQuery
from isa_match.rank.tokenize import Tokenizer
from isa_match.schema import Filters

TODAY = date(2026, 11, 1)


def meta(item_id: str, language: str = "en", **fields: object) -> ItemMeta:
    return koeln_item(item_id, language, **fields)


# -- a random corpus and the brute-force oracle ----------------------------------------------


def random_texts(n: int, rng: np.random.Generator, vocab: int = 300) -> list[str]:
    """Texts over words w0..w299 with Zipf-like frequencies (a few very common words)."""
    p = 1.0 / np.arange(1, vocab + 1) ** 1.1
    p /= p.sum()
    lengths = rng.integers(1, 40, n)
    return [" ".join(f"w{w}" for w in rng.choice(vocab, size=m, p=p)) for m in lengths]


class Oracle:
    """Plain BM25 over every document (average length per language), then filter and sort."""

    def __init__(
        self,
        docs: dict[str, tuple[ItemMeta, str]],
        k1: float = 1.2,
        b: float = 0.75,
        max_terms: int | None = 12,
        max_postings: int | None = 250_000,
    ):
        self.tok = Tokenizer()
        self.docs = docs
        self.bags = {i: Counter(self.tok.tokenize(t)) for i, (_, t) in docs.items()}
        self.df: Counter[str] = Counter(t for bag in self.bags.values() for t in bag)
        lengths: dict[str, list[int]] = {}
        for i, bag in self.bags.items():
            lengths.setdefault(docs[i][0].language, []).append(sum(bag.values()))
        self.avgdl = {lang: sum(v) / len(v) for lang, v in lengths.items()}
        self.k1, self.b, self.max_terms, self.max_postings = k1, b, max_terms, max_postings

    def rarest(self, terms: set[str]) -> set[str]:
        """The query's ``max_terms`` rarest terms (ties: CRC-32 of the term, as the index)."""
        known = sorted(
            (t for t in terms if self.df[t]),
            key=lambda t: (self.df[t], zlib.crc32(t.encode()), t),
        )
        if self.max_terms is not None:
            known = known[: self.max_terms]
        kept, volume = [], 0
        for t in known:
            volume += self.df[t]
            if kept and self.max_postings is not None and volume > self.max_postings:
                break
            kept.append(t)
        return set(kept)

    def search(self, query: str, k: int, filters: Filters | None) -> list[tuple[str, float]]:
        n, k1, b = len(self.docs), self.k1, self.b
        terms = self.rarest(set(self.tok.tokenize(query)))
        out = []
        for i, bag in self.bags.items():
            item = self.docs[i][0]
            shared = terms.intersection(bag)
            if not shared or (filters is not None and not filters.matches(item)):
                continue
            norm = k1 * (1 - b + b * sum(bag.values()) / self.avgdl[item.language])
            score = 0.0
            for t in sorted(shared):
                idf = math.log(1 + (n - self.df[t] + 0.5) / (self.df[t] + 0.5))
                score += idf * (k1 + 1) * bag[t] / (bag[t] + norm)
            out.append((i, score))
        out.sort(key=lambda x: (-x[1], x[0]))
        return out[:k]


def oracle(
    docs: dict[str, tuple[ItemMeta, str]], query: str, k: int, filters: Filters | None
) -> list[tuple[str, float]]:
    return Oracle(docs).search(query, k, filters)


def build(docs: dict[str, tuple[ItemMeta, str]], **options: object) -> LexicalIndex:
    index = LexicalIndex(**options)  # type: ignore[arg-type]
    index.add([m for m, _ in docs.values()], [t for _, t in docs.values()])
    return index


def as_pairs(hits: list) -> list[tuple[str, float]]:  # type: ignore[type-arg]
    return [(h.id, h.score) for h in hits]


def assert_same(got: list[tuple[str, float]], want: list[tuple[str, float]]) -> None:
    assert [i for i, _ in got] == [i for i, _ in want]
    np.testing.assert_allclose([s for _, s in got], [s for _, s in want], rtol=1e-12)


@pytest.fixture(scope="module")
def corpus() -> dict[str, tuple[ItemMeta, str]]:
    rng = np.random.default_rng(11)
    items = synthetic_items(1500, rng)
    return dict(
        zip((m.id for m in items), zip(items, random_texts(1500, rng), strict=True), strict=True)
    )


FILTERS = [
    None,
    Filters.of(country="CN"),
    Filters.of(city="koeln"),
    Filters.of(kind="offer", active_on=TODAY),
    Filters.of(sector="C", language="zh"),
    Filters.of(category=["space", "technology"], org_type="company", region="DE-BY"),
    Filters.of(country="DE", exclude_ids=["L0000001", "L0000002", "L0000003"]),
    Filters.of(city="no-such-city"),
]


# -- known answers ---------------------------------------------------------------------------


def test_known_answer_bm25() -> None:
    index = LexicalIndex()
    index.add([meta("d1"), meta("d2"), meta("d3")], ["alpha beta", "alpha gamma gamma", "delta"])
    # N = 3, avgdl = 2. gamma: df 1, idf = ln(1 + 2.5/1.5) = ln(8/3); in d2 tf 2, |d| 3:
    # norm = 1.2 * (0.25 + 0.75 * 3/2) = 1.65, weight = idf * 2.2 * 2 / 3.65.
    # alpha: df 2, idf = ln(1 + 1.5/2.5) = ln(1.6); d1: norm 1.2 -> idf * 2.2 / 2.2;
    # d2: idf * 2.2 / 2.65.
    gamma_d2 = math.log(8 / 3) * 2.2 * 2 / 3.65
    alpha_d1 = math.log(1.6)
    alpha_d2 = math.log(1.6) * 2.2 / 2.65
    hits = index.search("alpha gamma", 10)
    assert [h.id for h in hits] == ["d2", "d1"]
    assert hits[0].score == pytest.approx(gamma_d2 + alpha_d2, rel=1e-12)
    assert hits[1].score == pytest.approx(alpha_d1, rel=1e-12)
    assert index.score("alpha gamma", ["d3", "d1"]).tolist() == pytest.approx([0.0, alpha_d1])
    # a query term repeated counts once
    assert index.search("gamma gamma gamma", 1)[0].score == pytest.approx(gamma_d2, rel=1e-12)
    # reverse: the query "gamma gamma" as a document (length 2 = avgdl, tf 2), d2's terms as query
    reverse = math.log(8 / 3) * 2.2 * 2 / (2 + 1.2)
    assert index.reverse_scores("gamma gamma", ["d2", "d3"]).tolist() == pytest.approx(
        [reverse, 0.0]
    )


def test_average_length_is_taken_per_language() -> None:
    docs = {
        "a": (meta("a", "de"), "alpha beta"),
        "b": (meta("b", "zh"), "alpha w1 w2 w3 w4 w5"),
        "c": (meta("c", "zh"), "gamma w6 w7 w8 w9 w10"),
    }
    index = build(docs)
    assert_same(as_pairs(index.search("alpha", 5)), oracle(docs, "alpha", 5, None))
    # "b" is as long as the average Chinese listing: norm = k1, score = idf
    idf = math.log(1 + 1.5 / 2.5)
    assert index.score("alpha", ["b"])[0] == pytest.approx(idf, rel=1e-12)
    flat = build(docs, avgdl_per_language=False)  # avgdl = 14 / 3 over all three
    norm = 1.2 * (0.25 + 0.75 * 6 / (14 / 3))
    assert flat.score("alpha", ["b"])[0] == pytest.approx(idf * 2.2 / (1 + norm), rel=1e-12)


def test_empty_or_unknown_query_finds_nothing(corpus: dict[str, tuple[ItemMeta, str]]) -> None:
    index = build(corpus)
    assert index.search("", 5) == []
    assert index.search("und der die 1234", 5) == []
    assert index.search("nowhere-to-be-found", 5) == []
    assert index.search_tokens([], 5) == []
    assert LexicalIndex().search("w1", 5) == []
    assert index.score("", ["L0000001"]).tolist() == [0.0]


# -- filters, pruning --------------------------------------------------------------------------


@pytest.mark.parametrize("filters", FILTERS, ids=range(len(FILTERS)))
def test_filtered_search_equals_brute_force(
    corpus: dict[str, tuple[ItemMeta, str]], filters: Filters | None
) -> None:
    index = build(corpus)
    truth = Oracle(corpus)
    rng = np.random.default_rng(3)
    for text in random_texts(8, rng):
        for k in (1, 10, 200):
            assert_same(as_pairs(index.search(text, k, filters)), truth.search(text, k, filters))


@pytest.mark.parametrize("filters", FILTERS, ids=range(len(FILTERS)))
def test_exclude_slots_equal_exclude_ids(
    corpus: dict[str, tuple[ItemMeta, str]], filters: Filters | None
) -> None:
    index = build(corpus)
    base = filters or Filters()
    rng = np.random.default_rng(5)
    for text in random_texts(6, rng):
        first = index.search(text, 8, base)
        banned = sorted({h.id for h in first[:4]} | set(base.exclude_ids))
        want = index.search_slots(text, 8, replace(base, exclude_ids=frozenset(banned)))
        given = index.slots_of(banned)
        for f, slots in ((replace(base, exclude_ids=frozenset()), given), (base, given[::-1])):
            got = index.search_slots(text, 8, f, exclude_slots=slots)
            assert got[0].tolist() == want[0].tolist() and got[1].tolist() == want[1].tolist()
    with pytest.raises(ValueError, match="exclude_slots"):
        index.search_slots("Maschinenbau", 5, exclude_slots=np.array([index._store.n_slots]))


def test_queries_keep_their_rarest_terms(corpus: dict[str, tuple[ItemMeta, str]]) -> None:
    index = build(corpus, max_query_terms=3)
    truth = Oracle(corpus, max_terms=3)
    everything = build(corpus, max_query_terms=None)
    text = " ".join(f"w{i}" for i in (0, 1, 2, 3, 150, 200, 250))
    assert_same(as_pairs(index.search(text, 50)), truth.search(text, 50, None))
    assert_same(
        as_pairs(everything.search(text, 50)), Oracle(corpus, max_terms=None).search(text, 50, None)
    )
    kept = truth.rarest(set(text.split()))
    assert kept <= {"w150", "w200", "w250"} and "w0" not in kept
    # score() uses the same terms as search()
    hits = index.search(text, 20)
    assert index.score(text, [h.id for h in hits]).tolist() == [h.score for h in hits]
    with pytest.raises(ValueError, match="max_query_terms"):
        LexicalIndex(max_query_terms=0)
    with pytest.raises(ValueError, match="max_postings"):
        LexicalIndex(max_postings=2.5)  # type: ignore[arg-type]


def test_queries_stop_adding_terms_at_the_posting_limit(
    corpus: dict[str, tuple[ItemMeta, str]],
) -> None:
    index = build(corpus, max_postings=300)
    truth = Oracle(corpus, max_postings=300)
    text = " ".join(f"w{i}" for i in (0, 2, 5, 9, 14, 40, 90))
    kept = truth.rarest(set(text.split()))
    assert 1 < len(kept) < 7  # the limit binds, the rarest terms stay
    assert_same(as_pairs(index.search(text, 40)), truth.search(text, 40, None))
    hits = index.search(text, 40)
    assert index.score(text, [h.id for h in hits]).tolist() == [h.score for h in hits]
    # the rarest term is kept even when it alone exceeds the limit
    assert Oracle(corpus, max_postings=1).rarest({"w0", "w1"}) == {"w1"}
    assert {h.id for h in build(corpus, max_postings=1).search("w0 w1", 2000)} == {
        i for i, (_, t) in corpus.items() if "w1" in t.split()
    }


def test_score_reverse_and_self_scores_agree(corpus: dict[str, tuple[ItemMeta, str]]) -> None:
    index = build(corpus)
    q = index.query_for("L0000007")
    hits = index.search(q, 20)
    assert index.score(q, [h.id for h in hits]).tolist() == [h.score for h in hits]
    text = corpus["L0000007"][1]
    assert index.search(text, 20) == hits  # text and stored listing give the same query
    ids = [h.id for h in hits]
    # self score: the listing as its own query
    own = [index.score(index.query_for(i), [i])[0] for i in ids]
    np.testing.assert_allclose(index.self_scores(ids), own, rtol=1e-12)
    # reverse: each candidate as the query, the query listing as the document; its
    # rarest terms are selected from the candidate's own terms
    back = [index.score(index.query_for(i), ["L0000007"])[0] for i in ids]
    np.testing.assert_allclose(index.reverse_scores(q, ids), back, rtol=1e-12)


def test_profile_equals_the_separate_methods(corpus: dict[str, tuple[ItemMeta, str]]) -> None:
    from isa_match.rank._lexical_profile import profile

    index = build(corpus)
    # after churn too: several segments, stale entries
    some = list(corpus.items())[:40]
    index.add([m for _, (m, _) in some], [t[::-1] for _, (_, t) in some])
    for qid in ["L0000007", "L0000100", "L0001200"]:
        q = index.query_for(qid)
        slots, scores = index.search_slots(q, 60, Filters.of(exclude_ids=[qid]))
        ids = index._store.ids.names(slots)
        assert [h.id for h in index.search(q, 60, Filters.of(exclude_ids=[qid]))] == ids
        own = int(index.slots_of([qid])[0])
        prof = profile(index, q, slots, query_slot=own)
        assert prof.forward.tolist() == scores.tolist() == index.score(q, ids).tolist()
        assert prof.query_self == index.self_scores([qid])[0]
        some_pos = np.array([p for p in (3, 0, 41, 7) if p < len(ids)], dtype=np.int64)
        selfs, back = prof.reciprocal(some_pos)
        some = [ids[p] for p in some_pos]
        assert selfs.tolist() == index.self_scores(some).tolist()
        assert back.tolist() == index.reverse_scores(q, some).tolist()
        picked = [p for p in (0, 5, 17, 3) if p < len(ids)]
        assert prof.shared(picked) == index.shared_terms(q, [ids[p] for p in picked])
        text_q = index.query(corpus[qid][1][:80])
        tprof = profile(index, text_q, slots)
        assert tprof.query_self == 0.0
        assert tprof.forward.tolist() == index.score(text_q, ids).tolist()


# -- updates -----------------------------------------------------------------------------------


def test_add_update_remove_equals_rebuild(corpus: dict[str, tuple[ItemMeta, str]]) -> None:
    rng = np.random.default_rng(5)
    ids = list(corpus)
    index = LexicalIndex()
    live: dict[str, tuple[ItemMeta, str]] = {}
    pos = 0
    while pos < len(ids):  # many small batches: segments are written and merged
        batch = ids[pos : pos + int(rng.choice([1, 7, 40, 150]))]
        pos += len(batch)
        index.add([corpus[i][0] for i in batch], [corpus[i][1] for i in batch])
        live.update({i: corpus[i] for i in batch})
        if rng.random() < 0.4:
            gone = [str(i) for i in rng.choice(list(live), 6, replace=False)]
            assert index.remove(gone) == 6
            for i in gone:
                del live[i]
        if rng.random() < 0.4:
            changed = [str(i) for i in rng.choice(list(live), 5, replace=False)]
            texts = random_texts(5, rng)
            metas = [replace(live[i][0], kind="request", language="en") for i in changed]
            index.add(metas, texts)
            live.update({m.id: (m, t) for m, t in zip(metas, texts, strict=True)})
    assert index.stats()["segments"] > 1  # the update path, not one rebuilt segment
    fresh = build(live)
    truth = Oracle(live)
    assert len(index) == len(fresh) == len(live) and set(index.ids()) == set(live)
    for text in random_texts(12, rng):
        for filters in FILTERS[:4]:
            got = as_pairs(index.search(text, 25, filters))
            # same statistics; only the summation order of a score may differ (term ids)
            assert_same(got, as_pairs(fresh.search(text, 25, filters)))
            assert_same(got, truth.search(text, 25, filters))
    some = list(live)[:50]
    np.testing.assert_allclose(index.self_scores(some), fresh.self_scores(some), rtol=1e-12)
    index.compact()
    assert index.stats()["segments"] == 1
    assert_same(as_pairs(index.search("w3 w17 w60", 30)), as_pairs(fresh.search("w3 w17 w60", 30)))


def test_bad_batches_change_nothing() -> None:
    index = LexicalIndex()
    index.add([meta("a")], ["alpha"])
    with pytest.raises(ValueError, match="duplicate id"):
        index.add([meta("b"), meta("b")], ["beta", "beta"])
    with pytest.raises(ValueError, match="2 items, 1 texts"):
        index.add([meta("b"), meta("c")], ["beta"])
    with pytest.raises(TypeError, match=r"texts\[0\]"):
        index.add([meta("b")], [None])  # type: ignore[list-item]
    assert index.ids() == ["a"] and index.search("beta", 3) == []
    assert index.idf("alpha") == pytest.approx(math.log(1 + 0.5 / 1.5))


def test_unknown_ids_are_errors() -> None:
    index = LexicalIndex()
    index.add([meta("a"), meta("b")], ["alpha", "beta"])
    with pytest.raises(UnknownIdError, match="'zz'"):
        index.remove(["a", "zz"])
    assert len(index) == 2  # nothing removed
    assert index.remove(["a", "zz"], missing_ok=True) == 1
    for call in (
        lambda: index.score("beta", ["a"]),
        lambda: index.query_for("a"),
        lambda: index.reverse_scores("beta", ["zz"]),
        lambda: index.self_scores(["a"]),
    ):
        with pytest.raises(UnknownIdError):
            call()
    assert "a" not in index and "b" in index


def test_bad_arguments_are_refused() -> None:
    index = LexicalIndex()
    index.add([meta("a")], ["alpha"])
    for k in (0, -1, 2.5, True):
        with pytest.raises(ValueError, match="k must be a positive integer"):
            index.search("alpha", k)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="query must be a str or LexicalQuery"):
        index.search(["alpha"], 3)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="k1 >= 0"):
        LexicalIndex(b=1.5)


def test_query_objects_and_document_terms() -> None:
    index = LexicalIndex()
    index.add([meta("a", "de")], ["Pumpen Pumpen Ventile"])
    assert index.doc_terms("a") == {"pumpen": 2, "ventile": 1}
    q = index.query_for("a")
    assert q.language == "de" and q.length == 3
    assert LexicalQuery.from_tokens(["x", "y", "x"]) == LexicalQuery(("x", "y"), (2, 1))
    assert not LexicalQuery.from_tokens([])
    assert index.search_tokens(["ventile"], 1)[0].id == "a"


# -- persistence -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "slots",
    [[0, 1, 2, 3], [7, 8, 9], [5], [0, 2, 3, 9], [3, 1, 2], [4, 6, 5, 8]],
    ids=["run-from-0", "run-from-7", "one", "gaps", "run-unordered", "gaps-unordered"],
)
def test_segment_rows_find_each_slot(slots: list[int]) -> None:
    """A segment of consecutive slots answers rows by offset, any other by search:
    both give the row holding each slot (its terms are that document's)."""
    n = len(slots)
    terms = np.array([10 + s for s in slots], dtype=np.int32)  # one term per doc: its slot
    seg = post.Segment.build(
        0,
        np.array(slots, dtype=np.int32),
        np.arange(n + 1, dtype=np.int64),
        terms,
        np.ones(n, dtype=np.uint8),
    )
    asked = np.array(sorted(slots, reverse=True) + [slots[0]], dtype=np.int64)
    rows = seg.rows(asked)
    assert rows.dtype == np.int64
    assert (seg.doc_slots[rows] == asked).all()
    _, found, _ = seg.forward(rows)
    assert found.tolist() == [10 + s for s in asked.tolist()]
    assert seg._run_start == (min(slots) if max(slots) - min(slots) == n - 1 else -1)


def test_save_load_round_trip(corpus: dict[str, tuple[ItemMeta, str]], tmp_path: Path) -> None:
    index = LexicalIndex(
        k1=1.5,
        b=0.6,
        tokenizer=Tokenizer(compound_parts={"wasser": 3}),
        avgdl_per_language=False,
        max_query_terms=10,
        max_postings=5000,
    )
    ids = list(corpus)
    index.add([corpus[i][0] for i in ids[:1000]], [corpus[i][1] for i in ids[:1000]])
    index.add([corpus[i][0] for i in ids[1000:]], [corpus[i][1] for i in ids[1000:]])
    index.remove(ids[:20])
    index.save(tmp_path / "lex")
    loaded = LexicalIndex.load(tmp_path / "lex")
    assert (loaded.k1, loaded.b, loaded.avgdl_per_language) == (1.5, 0.6, False)
    assert (loaded.max_query_terms, loaded.max_postings) == (10, 5000)
    assert loaded.tokenizer.compound_parts == {"wasser": 3}
    assert sorted(loaded.ids()) == sorted(index.ids())
    assert loaded.meta(ids[30]) == index.meta(ids[30])
    rng = np.random.default_rng(8)
    for text in random_texts(10, rng):
        for filters in FILTERS:
            assert loaded.search(text, 20, filters) == index.search(text, 20, filters)
    # both keep working the same after further changes
    for target in (index, loaded):
        target.add([corpus[i][0] for i in ids[:20]], ["w1 w2 extra"] * 20)
        target.remove(ids[500:510])
    assert loaded.search("extra w1", 30) == index.search("extra w1", 30)


def test_empty_index_round_trip(tmp_path: Path) -> None:
    LexicalIndex().save(tmp_path / "empty")
    loaded = LexicalIndex.load(tmp_path / "empty")
    assert len(loaded) == 0 and loaded.search("alpha", 3) == []


def test_damaged_file_is_refused(tmp_path: Path) -> None:
    index = LexicalIndex()
    index.add([meta("a"), meta("b")], ["alpha beta", "beta gamma"])
    index.save(tmp_path / "lex")
    victim = tmp_path / "lex" / "seg_inv_slots.npy"
    data = bytearray(victim.read_bytes())
    data[-1] ^= 0xFF
    victim.write_bytes(bytes(data))
    with pytest.raises(IndexCorruptError, match="seg_inv_slots.npy: checksum mismatch"):
        LexicalIndex.load(tmp_path / "lex")
    with pytest.raises(IndexCorruptError, match="not an index folder"):
        LexicalIndex.load(tmp_path / "missing")


def test_per_listing_term_selection_paths_agree(corpus: dict[str, tuple[ItemMeta, str]]) -> None:
    # the packed-key sort (fewer than 16,384 listings) and the lexsort fallback
    index = build(corpus)
    slots = index._store.slots_of(list(corpus)[:300])
    pos, terms, _ = index._forward(slots)
    fast = index._selected_per_doc(pos, terms)
    slow = index._selected_per_doc(pos + 20_000, terms)
    assert (fast == slow).all() and 0 < fast.sum() < len(fast)
    assert np.bincount(pos[fast]).max() == 12


@pytest.mark.parametrize("churn", [False, True])
def test_vectorised_and_per_term_sums_agree(
    corpus: dict[str, tuple[ItemMeta, str]], churn: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    from isa_match.rank import _accumulate

    index = build(corpus)
    if churn:  # several segments with stale entries
        some = list(corpus.items())[:60]
        index.add([m for _, (m, _) in some], [t[::-1] for _, (_, t) in some])
    queries = [index.query_for(q) for q in ("L0000007", "L0000100", "L0001200")]
    queries.append(index.query("w0 w1 w2 w3 w150 w200"))  # common terms: many postings
    filters = [None, *FILTERS, Filters.of(kind="request", exclude_ids=["L0000003", "L0000100"])]
    seen: dict[str, list[object]] = {"vector": [], "loop": []}
    for path, limit in (("vector", 10**9), ("loop", 0)):
        monkeypatch.setattr(_accumulate, "VECTOR_MAX", limit)
        for q in queries:
            for f in filters:
                slots, scores = index.search_slots(q, 50, f)
                seen[path].append((slots.tolist(), scores.tolist()))
                tid = index._selected(q)
                mask, lo, hi = None, 0, index._store.n_slots
                excl = np.zeros(0, dtype=np.int64)
                if f is not None:
                    base = replace(f, exclude_ids=frozenset())
                    if not base.is_empty():
                        mask, lo, hi = index._mask(base)
                    excl = index._store.excluded_slots(f)
                touched, sums = index._accumulate(tid, index._idf(tid), mask, lo, hi, excl)
                order = np.argsort(touched)
                seen[path].append((touched[order].tolist(), sums[order].tolist()))
                assert not set(touched.tolist()) & set(excl.tolist())
    assert seen["vector"] == seen["loop"]
    assert any(len(s[0]) for s in seen["vector"])
