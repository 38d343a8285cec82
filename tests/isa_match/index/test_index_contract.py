"""One contract suite, run against every index backend (see ``conftest.BACKENDS``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date

import numpy as np
import pytest
from index_helpers import DIM, Corpus, assert_same_hits, basis_item, oracle

from isa_match.index import UnknownIdError, VectorIndex
from isa_match.index._common import StoreIndex
from isa_match.schema import Filters


def test_satisfies_protocol(make_index: Callable[[], StoreIndex]) -> None:
    assert isinstance(make_index(), VectorIndex)


def test_known_answer(make_index: Callable[[], StoreIndex]) -> None:
    index = make_index()
    basis = np.eye(DIM, dtype=np.float32)[:20]
    index.add([basis_item(i) for i in range(20)], basis)
    query = np.zeros(DIM, dtype=np.float32)
    query[3], query[5] = 1.0, 0.5
    (hits,) = index.search(query, 2)
    assert [h.id for h in hits] == ["b3", "b5"]
    assert hits[0].score == pytest.approx(1.0, abs=1e-6)
    assert hits[1].score == pytest.approx(0.5, abs=1e-6)


def test_empty_index_returns_no_hits(make_index: Callable[[], StoreIndex]) -> None:
    index = make_index()
    assert len(index) == 0
    assert index.search(np.ones((2, DIM), dtype=np.float32), 5) == [[], []]


def test_equals_exact_unfiltered(filled: StoreIndex, corpus: Corpus) -> None:
    got = filled.search(corpus.queries, 10)
    assert_same_hits(got, oracle(corpus.items, corpus.vectors, corpus.queries, 10))


FILTERS = {
    "country": Filters.of(country="CN"),
    "city": Filters.of(city="hamburg"),
    "two cities": Filters.of(city=["foshan", "weihai"]),
    "region": Filters.of(region="DE-NW"),
    "section": Filters.of(sector="C"),
    "division": Filters.of(sector="M72"),
    "section and division": Filters.of(sector=["F", "J62"]),
    "category": Filters.of(category=["technology", "service"]),
    "kind": Filters.of(kind="request"),
    "org type": Filters.of(org_type="research"),
    "language": Filters.of(language="en"),
    "not expired": Filters.of(active_on=date(2026, 12, 1)),
    "combined": Filters.of(
        country="DE", kind="offer", category="product", active_on=date(2026, 12, 1)
    ),
    "tiny": Filters.of(city="aachen", org_type="public", kind="request"),
    "unknown value": Filters.of(city="atlantis"),
    "empty set": Filters(city=frozenset()),
    "no constraint": Filters(),
}


@pytest.mark.parametrize("name", sorted(FILTERS))
def test_filters_match_oracle(filled: StoreIndex, corpus: Corpus, name: str) -> None:
    filters = FILTERS[name]
    want = oracle(corpus.items, corpus.vectors, corpus.queries, 10, filters)
    got = filled.search(corpus.queries, 10, filters)
    assert_same_hits(got, want)
    for hits in got:
        for hit in hits:
            assert filled.meta(hit.id).passes(filters)


def test_exclude_ids(filled: StoreIndex, corpus: Corpus) -> None:
    (first,) = filled.search(corpus.queries[:1], 5)
    banned = frozenset(h.id for h in first[:3])
    (again,) = filled.search(corpus.queries[:1], 5, Filters.of(exclude_ids=banned))
    assert not banned & {h.id for h in again}
    assert [h.id for h in again[:2]] == [h.id for h in first[3:5]]


def test_k_larger_than_passing_count(filled: StoreIndex, corpus: Corpus) -> None:
    filters = FILTERS["tiny"]
    passing = {m.id for m in corpus.items if m.passes(filters)}
    assert 0 < len(passing) < 100
    for hits in filled.search(corpus.queries[:3], 100, filters):
        assert {h.id for h in hits} == passing


def test_k_larger_than_corpus(filled: StoreIndex, corpus: Corpus) -> None:
    (hits,) = filled.search(corpus.queries[:1], 5000)
    assert len(hits) == len(corpus.items)
    scores = [h.score for h in hits]
    assert scores == sorted(scores, reverse=True)


def test_add_update_remove(filled: StoreIndex, corpus: Corpus) -> None:
    target = corpus.items[5]
    assert target.id in filled and len(filled) == 2000
    # update: move the item onto a query vector and into another city
    moved = replace(target, city="weihai", country="CN", region="CN-SD")
    filled.add([moved], corpus.queries[0])
    assert len(filled) == 2000
    np.testing.assert_allclose(filled.vector(target.id), corpus.queries[0], atol=1e-7)
    assert filled.meta(target.id) == moved
    (hits,) = filled.search(corpus.queries[0], 1, Filters.of(city="weihai"))
    assert hits[0].id == target.id
    assert target.id not in {
        h.id for h in filled.search(corpus.queries[0], 2000, Filters.of(city=target.city))[0]
    }
    # remove
    gone = [m.id for m in corpus.items[:50]]
    assert filled.remove(gone) == 50
    assert len(filled) == 1950 and gone[0] not in filled
    for hits in filled.search(corpus.queries, 2000):
        assert not set(gone) & {h.id for h in hits}
    # re-add the removed items (their slots are reused)
    filled.add(corpus.items[:50], corpus.vectors[:50])
    assert len(filled) == 2000
    (hits,) = filled.search(corpus.vectors[7], 1)
    assert hits[0].id == corpus.items[7].id


def test_remove_unknown_changes_nothing(filled: StoreIndex) -> None:
    with pytest.raises(UnknownIdError, match="nope"):
        filled.remove(["L0000001", "nope"])
    assert "L0000001" in filled and len(filled) == 2000
    assert filled.remove(["L0000001", "nope"], missing_ok=True) == 1
    assert "L0000001" not in filled


def test_results_after_churn_equal_exact(filled: StoreIndex, corpus: Corpus) -> None:
    rng = np.random.default_rng(1)
    removed = [m.id for m in corpus.items[100:400]]
    filled.remove(removed)
    new_vecs = corpus.vectors[:300][rng.permutation(300)]
    filled.add(corpus.items[:300], new_vecs)  # 100 updates, 200 re-adds into free slots
    vectors = corpus.vectors.copy()
    vectors[:300] = new_vecs
    still_gone = set(removed[200:])
    assert len(filled) == 2000 - len(still_gone)
    live = [i for i, m in enumerate(corpus.items) if m.id not in still_gone]
    items = [corpus.items[i] for i in live]
    want = oracle(items, vectors[live], corpus.queries, 10, Filters.of(country="DE"))
    assert_same_hits(filled.search(corpus.queries, 10, Filters.of(country="DE")), want)


def test_vector_and_meta(filled: StoreIndex, corpus: Corpus) -> None:
    np.testing.assert_array_equal(filled.vector(corpus.items[3].id), corpus.vectors[3])
    got = filled.meta(corpus.items[3].id)
    assert replace(got, sector=tuple(sorted(got.sector))) == replace(
        corpus.items[3], sector=tuple(sorted(corpus.items[3].sector))
    )
    with pytest.raises(UnknownIdError):
        filled.vector("nope")


def test_bad_input_is_rejected_whole(make_index: Callable[[], StoreIndex], corpus: Corpus) -> None:
    index = make_index()
    with pytest.raises(ValueError, match="expected shape"):
        index.add(corpus.items[:2], np.zeros((2, DIM + 1), dtype=np.float32))
    bad = corpus.vectors[:3].copy()
    bad[2, 0] = np.nan
    with pytest.raises(ValueError, match="row 2 is not finite"):
        index.add(corpus.items[:3], bad)
    with pytest.raises(ValueError, match="duplicate id"):
        index.add([corpus.items[0], corpus.items[0]], corpus.vectors[:2])
    with pytest.raises(ValueError, match="3 vector rows for 2 items"):
        index.add(corpus.items[:2], corpus.vectors[:3])
    with pytest.raises(ValueError, match="field city"):
        index.add([replace(corpus.items[0], city=None)], corpus.vectors[:1])  # type: ignore[arg-type]
    assert len(index) == 0
    with pytest.raises(ValueError, match="k must be"):
        index.search(corpus.queries, 0)
    with pytest.raises(ValueError, match="search queries"):
        index.search(np.zeros((1, 3), dtype=np.float32), 1)


def test_exclude_ids_with_broad_filter(filled: StoreIndex, corpus: Corpus) -> None:
    f = Filters.of(country="DE")
    first = filled.search(corpus.queries, 5, f)
    banned = frozenset(h.id for hits in first for h in hits[:2])
    combined = Filters.of(country="DE", exclude_ids=banned)
    want = oracle(corpus.items, corpus.vectors, corpus.queries, 5, combined)
    assert_same_hits(filled.search(corpus.queries, 5, combined), want)
    # the cached plan of the base filter is not affected by the exclusion
    assert_same_hits(filled.search(corpus.queries, 5, f), first)


@pytest.mark.parametrize("name", ["no constraint", "country", "city", "tiny", "combined"])
def test_exclude_slots_equal_exclude_ids(filled: StoreIndex, corpus: Corpus, name: str) -> None:
    # slots a caller resolved once (the matcher, for both of its indexes) exclude
    # exactly what the same ids would, alone or together with exclude_ids
    base = FILTERS[name]
    first = filled.search(corpus.queries[:4], 6, base)
    banned = sorted({h.id for hits in first for h in hits[:3]})
    by_ids = replace(base, exclude_ids=frozenset(banned))
    slots = filled.slots_of(banned)
    half = replace(base, exclude_ids=frozenset(banned[::2]))
    for query in corpus.queries[:4]:
        want = filled.search_slots(query, 6, by_ids)
        twice = np.concatenate([slots[::-1], slots[:2]])  # any order, repeats allowed
        for filters, given in ((base, slots), (half, slots[1::2]), (base, twice)):
            got = filled.search_slots(query, 6, filters, exclude_slots=given)
            assert got[1].tolist() == want[1].tolist()
            assert got[0].tolist() == pytest.approx(want[0].tolist(), abs=1e-6)
    if name == "no constraint":  # the unfiltered path too
        want = oracle(corpus.items, corpus.vectors, corpus.queries[:4], 6, by_ids)
        got = [filled.search_slots(q, 6, None, exclude_slots=slots) for q in corpus.queries[:4]]
        assert [list(filled._store.ids.names(g[1])) for g in got] == [
            [h.id for h in w] for w in want
        ]


def test_exclude_slots_must_be_live_slots(filled: StoreIndex, corpus: Corpus) -> None:
    query = corpus.queries[0]
    gone = int(filled.slots_of([corpus.items[0].id])[0])
    filled.remove([corpus.items[0].id])
    for bad in ([-1], [10**9], [gone], [[1, 2]], [0.5]):
        with pytest.raises(ValueError, match="exclude_slots"):
            filled.search_slots(query, 5, exclude_slots=np.array(bad))
    scores, slots = filled.search_slots(query, 5, exclude_slots=np.zeros(0, dtype=np.int64))
    assert slots.tolist() == filled.search_slots(query, 5)[1].tolist()


def test_filter_cache_follows_changes(filled: StoreIndex, corpus: Corpus) -> None:
    f = Filters.of(city="weihai", active_on=date(2026, 12, 1))
    before = {h.id for h in filled.search(corpus.queries[0], 2000, f)[0]}
    newcomer = replace(corpus.items[0], id="new", city="weihai", expires_at=None)
    filled.add([newcomer], corpus.queries[0])
    (hits,) = filled.search(corpus.queries[0], 2000, f)
    assert hits[0].id == "new" and {h.id for h in hits} == before | {"new"}
    filled.remove(["new"])
    assert {h.id for h in filled.search(corpus.queries[0], 2000, f)[0]} == before


def test_search_slots_agrees_with_search(filled: StoreIndex, corpus: Corpus) -> None:
    filters = FILTERS["combined"]
    for query in corpus.queries[:5]:
        (hits,) = filled.search(query, 10, filters)
        scores, slots = filled.search_slots(query, 10, filters)
        assert slots.dtype == np.int64 and len(slots) == len(hits)
        assert list(filled.slots_of([h.id for h in hits])) == slots.tolist()
        assert scores.tolist() == pytest.approx([h.score for h in hits], abs=1e-6)
        vectors = filled.vectors_at(slots)
        assert np.array_equal(vectors, filled.vectors([h.id for h in hits]))
    with pytest.raises(UnknownIdError):
        filled.slots_of(["no-such-id"])
    with pytest.raises(ValueError, match="positive"):
        filled.search_slots(corpus.queries[0], 0)


def test_slots_stay_while_present(filled: StoreIndex, corpus: Corpus) -> None:
    keep, gone = corpus.items[10].id, corpus.items[11].id
    before = int(filled.slots_of([keep])[0])
    filled.remove([gone])
    filled.add([corpus.items[11]], corpus.vectors[11:12])
    assert int(filled.slots_of([keep])[0]) == before
