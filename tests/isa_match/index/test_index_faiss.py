"""FAISS-specific behaviour: index choice, flat -> IVF growth, filtered identity vs exact."""

from __future__ import annotations

import numpy as np
import pytest
from index_helpers import DIM, Corpus, assert_same_hits, oracle

from isa_match.index import ExactIndex, FaissIndex, Hit, ItemMeta, choose_index_type
from isa_match.index._calibrate import _truth, held_out_queries, split_lists, train_centroids
from isa_match.index.synthetic import clustered_unit_vectors, synthetic_items
from isa_match.schema import Filters

CityCorpus = tuple[list[ItemMeta], np.ndarray, np.ndarray]


def _recall(got: list[list[Hit]], want: list[list[Hit]]) -> float:
    pairs = zip(got, want, strict=True)
    return float(np.mean([len({h.id for h in g} & {h.id for h in w}) / 10 for g, w in pairs]))


@pytest.mark.parametrize(
    ("count", "budget", "expected"),
    [
        (10_000, None, "Flat"),
        (100_000, None, "IVF1024,SQ8"),
        (1_000_000, None, "IVF4096,SQ8"),
        (1_000_000, 600_000_000, "IVF4096,SQ8"),
        (1_000_000, 300_000_000, "IVF4096,SQ4"),
        (1_000_000, 100_000_000, "IVF4096,PQ64"),
        (10_000, 10_000_000, "IVF512,SQ8"),
    ],
)
def test_choose_index_type(count: int, budget: int | None, expected: str) -> None:
    assert choose_index_type(count, 512, memory_budget=budget) == expected


def test_choose_index_type_refuses_impossible_budget() -> None:
    with pytest.raises(ValueError, match="too small"):
        choose_index_type(1_000_000, 512, memory_budget=10_000_000)


def test_unknown_index_type() -> None:
    with pytest.raises(ValueError, match="unknown index_type 'HNSW32'"):
        FaissIndex(8, index_type="HNSW32")


def test_auto_grows_from_flat_to_ivf(corpus: Corpus) -> None:
    index = FaissIndex(32, flat_max=500)
    for start in range(0, 2000, 400):
        index.add(corpus.items[start : start + 400], corpus.vectors[start : start + 400])
        if start == 0:
            assert index.ann_type == "Flat"
    assert index.ann_type == "IVF128,SQ8"  # chosen at 800 items, kept while growing
    assert len(index) == 2000
    want = oracle(corpus.items, corpus.vectors, corpus.queries, 10)
    got = index.search(corpus.queries, 10)
    recall = np.mean(
        [len({h.id for h in g} & {h.id for h in w}) / 10 for g, w in zip(got, want, strict=False)]
    )
    assert recall >= 0.8
    index.rebuild("Flat")
    assert index.ann_type == "Flat"
    assert_same_hits(index.search(corpus.queries, 10), want)


def test_auto_retrains_after_fourfold_growth(corpus: Corpus) -> None:
    index = FaissIndex(32, flat_max=100)
    index.add(corpus.items[:200], corpus.vectors[:200])
    assert index.ann_type == "IVF64,SQ8"
    index.add(corpus.items[200:700], corpus.vectors[200:700])
    assert index.ann_type == "IVF64,SQ8"  # 700 < 4 x 200: no retraining
    index.add(corpus.items[700:800], corpus.vectors[700:800])
    assert index.ann_type == "IVF128,SQ8"
    (hits,) = index.search(corpus.vectors[750], 1)
    assert hits[0].id == corpus.items[750].id


def test_explicit_ivf_waits_for_enough_vectors(corpus: Corpus) -> None:
    index = FaissIndex(32, index_type="IVF64,SQ8")
    index.add(corpus.items[:10], corpus.vectors[:10])
    assert index.ann_type == "Flat" and len(index) == 10
    index.add(corpus.items[10:200], corpus.vectors[10:200])
    assert index.ann_type == "IVF64,SQ8"
    assert index.ann_bytes() > 200 * 32


@pytest.fixture(scope="module")
def city_corpus() -> CityCorpus:
    rng = np.random.default_rng(3)
    vectors = clustered_unit_vectors(20_050, 64, rng, clusters=100, spread=1.0)
    return synthetic_items(20_000, rng), vectors[:20_000], vectors[20_000:]


def test_filtered_search_identical_to_exact_per_city(
    city_corpus: CityCorpus,
) -> None:
    items, vectors, queries = city_corpus
    exact = ExactIndex(64)
    exact.add(items, vectors)
    # limits of 1500: small cities take the exact path, large ones the IVF path
    # with nprobe scaled by 1/selectivity.
    index = FaissIndex(64, index_type="IVF64,SQ8", exact_max=1500, city_exact_max=1500)
    index.add(items, vectors)
    sizes = {c: sum(m.city == c for m in items) for c in {m.city for m in items}}
    assert len(sizes) == 41 and min(sizes.values()) < 1500 < max(sizes.values())
    for city in sorted(sizes):
        one = Filters.of(city=city)
        assert_same_hits(index.search(queries, 10, one), exact.search(queries, 10, one))
    # broad filters: ANN with a selector keeps recall high
    broad: list[Filters | None] = [Filters.of(country="CN"), Filters.of(sector="C"), None]
    for f in broad:
        want = exact.search(queries, 10, f)
        got = index.search(queries, 10, f)
        recall = np.mean(
            [
                len({h.id for h in g} & {h.id for h in w}) / 10
                for g, w in zip(got, want, strict=False)
            ]
        )
        assert recall >= 0.95, (f, recall)
        for hits in got:
            assert len(hits) == 10
            assert all(f is None or index.meta(h.id).passes(f) for h in hits)


def test_refined_scores_are_exact(city_corpus: CityCorpus) -> None:
    items, vectors, queries = city_corpus
    index = FaissIndex(64, index_type="IVF64,SQ8")
    index.add(items[:5000], vectors[:5000])
    for q, hits in zip(queries, index.search(queries, 5), strict=False):
        for h in hits:
            assert h.score == pytest.approx(float(index.vector(h.id) @ q), abs=1e-5)


def test_city_filter_is_exact_by_default(city_corpus: CityCorpus) -> None:
    items, vectors, queries = city_corpus
    # nprobe=1 would lose neighbours on the IVF path; a city filter must not use it
    index = FaissIndex(64, index_type="IVF64,SQ8", nprobe=1, exact_max=10)
    index.add(items, vectors)
    exact = ExactIndex(64)
    exact.add(items, vectors)
    largest = max({m.city for m in items}, key=lambda c: sum(m.city == c for m in items))
    f = Filters.of(city=largest)
    assert_same_hits(index.search(queries, 10, f), exact.search(queries, 10, f))


def test_concurrent_searches_agree(city_corpus: CityCorpus) -> None:
    from concurrent.futures import ThreadPoolExecutor

    items, vectors, queries = city_corpus
    index = FaissIndex(64, index_type="IVF64,SQ8", exact_max=500, city_exact_max=500)
    index.add(items[:8000], vectors[:8000])
    cities = sorted({m.city for m in items})
    jobs = [(i % len(queries), Filters.of(city=cities[i % len(cities)])) for i in range(200)]
    want = [index.search(queries[q], 10, f) for q, f in jobs]
    with ThreadPoolExecutor(4) as pool:
        got = list(pool.map(lambda job: index.search(queries[job[0]], 10, job[1]), jobs))
    assert got == want


def _ivf_corpus(n: int = 4000) -> tuple[list[ItemMeta], np.ndarray]:
    rng = np.random.default_rng(11)
    return synthetic_items(n, rng), clustered_unit_vectors(n, 32, rng, clusters=40, spread=1.0)


def test_calibration_picks_nprobe_reaching_target() -> None:
    items, vectors = _ivf_corpus()
    index = FaissIndex(32, index_type="IVF256,SQ8")
    index.add(items, vectors)
    cal = index.calibration
    assert cal is not None and cal["target"] == 0.97 and cal["queries"] == 500  # 4000 / 8
    tried = cal["tried"]
    probes = [p for p, _, _ in tried]
    assert probes == sorted(probes) and probes[0] == 8
    # stops at the first setting whose recall reaches the target with headroom
    assert cal["recall_low"] <= cal["recall_at_10"]
    assert cal["recall_low"] >= 0.97 or len(set(probes)) == 6
    assert [cal["nprobe"], cal["refine"], cal["recall_at_10"]] == tried[-1]
    assert index._nprobe() == cal["nprobe"] and index._refine() == cal["refine"]
    index.nprobe, index.refine = 7, 5  # explicit values win
    assert index._nprobe() == 7 and index._refine() == 5


def test_calibration_widens_refine_for_coarse_codes() -> None:
    # PQ4 at d=32 (4 bytes per vector) ranks candidates poorly: 2 or 4 x k candidates
    # miss neighbours that 16 x k re-scored in float32 find
    items, vectors = _ivf_corpus(4200)
    index = FaissIndex(32, index_type="IVF16,PQ4")
    index.add(items[:4000], vectors[:4000])
    cal = index.calibration
    assert cal is not None and cal["refine"] > 4 and cal["recall_low"] >= 0.97
    assert not index._ann.do_polysemous_training  # slow, and unused by our searches
    assert [r for _, r, _ in cal["tried"]][:3] == [2, 4, 8]
    want = oracle(items[:4000], vectors[:4000], vectors[4000:], 10)
    calibrated = _recall(index.search(vectors[4000:], 10), want)
    index.refine = 4
    assert calibrated >= 0.95 and _recall(index.search(vectors[4000:], 10), want) < calibrated


def test_calibration_queries_are_held_out_of_training() -> None:
    items, vectors = _ivf_corpus()
    index = FaissIndex(32, index_type="Flat")
    index.add(items, vectors)
    st = index._store
    slots = np.flatnonzero(st.alive[: st.n_slots]).astype(np.int64)
    held = held_out_queries(st, slots)
    assert len(held) == 500 and np.isin(held, slots).all()
    xb = np.array(st.xb)
    first = train_centroids(xb, slots, 64, held_out=held)
    xb[held] = -xb[held]  # the held-out rows must not move a single centroid
    np.testing.assert_array_equal(train_centroids(xb, slots, 64, held_out=held), first)
    assert first.shape == (64, 32)
    np.testing.assert_allclose(np.linalg.norm(first, axis=1), 1.0, rtol=1e-5)
    assert (train_centroids(xb, slots, 64, held_out=held[:0]) != first).any()
    # the cells run in parallel with threads > 1: same centroids
    np.testing.assert_array_equal(train_centroids(xb, slots, 64, held_out=held, threads=2), first)


def test_build_keeps_calibration_queries_out_of_training() -> None:
    import faiss

    items, vectors = _ivf_corpus()
    first = FaissIndex(32, index_type="IVF64,SQ8")
    first.add(items, vectors)
    st = first._store
    held = held_out_queries(st, np.flatnonzero(st.alive[: st.n_slots]).astype(np.int64))
    rows = [int(i[1:]) for i in st.ids.names(held)]  # ids are "L<row>"
    moved = vectors.copy()
    moved[rows] = -moved[rows]
    second = FaissIndex(32, index_type="IVF64,SQ8")
    second.add(items, moved)
    # same lists and SQ ranges: nothing was fitted to the calibration queries
    np.testing.assert_array_equal(
        first._ann.quantizer.reconstruct_n(0, 64), second._ann.quantizer.reconstruct_n(0, 64)
    )
    np.testing.assert_array_equal(
        faiss.vector_to_array(first._ann.sq.trained), faiss.vector_to_array(second._ann.sq.trained)
    )
    assert first.calibration is not None and first.calibration["queries"] == len(held) == 500


@pytest.mark.parametrize(
    ("counts", "total"),
    [([100, 50, 0, 3], 20), ([1, 1, 1, 97], 100), ([5, 5], 3), ([1000, 1], 2), ([7, 9, 11], 27)],
)
def test_split_lists(counts: list[int], total: int) -> None:
    rows = np.array(counts, dtype=np.int64)
    alloc = split_lists(rows, total)
    assert alloc.sum() == total and (alloc <= rows).all() and ((alloc >= 1) | (rows == 0)).all()
    assert (np.abs(alloc - rows * total / rows.sum()) <= 2).all()  # proportional


def test_split_lists_refuses_impossible_splits() -> None:
    with pytest.raises(ValueError, match="cannot fill"):
        split_lists(np.array([3, 4]), 8)
    with pytest.raises(ValueError, match="cannot fill"):
        split_lists(np.array([3, 4, 5]), 2)


def test_calibration_truth_is_exact_with_removed_items() -> None:
    items, vectors = _ivf_corpus()
    index = FaissIndex(32, index_type="Flat")
    index.add(items, vectors)
    index.remove([m.id for m in items[::7]])
    st = index._store
    queries = np.ascontiguousarray(vectors[:40])
    np.testing.assert_array_equal(_truth(st, queries, 11), st.exact(queries, 11, None)[1])


def test_calibrated_nprobe_holds_on_held_out_queries() -> None:
    items, vectors = _ivf_corpus(4200)
    index = FaissIndex(32, index_type="IVF256,SQ8")
    index.add(items[:4000], vectors[:4000])
    assert index.calibration is not None and index.calibration["recall_at_10"] >= 0.97
    want = oracle(items[:4000], vectors[:4000], vectors[4000:], 10)
    assert _recall(index.search(vectors[4000:], 10), want) >= 0.95


def test_calibration_off_and_flat() -> None:
    items, vectors = _ivf_corpus()
    index = FaissIndex(32, index_type="IVF256,SQ8", recall_target=None)
    index.add(items, vectors)
    assert index.calibration is None and index._nprobe() == 16 and index._refine() == 4
    flat = FaissIndex(32, index_type="Flat")
    flat.add(items, vectors)
    assert flat.calibration is None
    with pytest.raises(ValueError, match="recall_target"):
        FaissIndex(32, recall_target=1.5)
    with pytest.raises(ValueError, match="refine"):
        FaissIndex(32, refine=0)


def test_city_with_kind_filter_scans_the_city_in_place_and_equals_exact(corpus: Corpus) -> None:
    """Items added grouped by city: a city + kind filter passes a dense, broken run of slots."""
    order = sorted(range(len(corpus.items)), key=lambda i: corpus.items[i].city)
    items = [corpus.items[i] for i in order]
    vectors = corpus.vectors[order]
    index = FaissIndex(DIM, index_type="IVF16,SQ8", nprobe=1)
    index.add(items, vectors)
    city = max({x.city for x in items}, key=lambda c: sum(x.city == c for x in items))
    for kind in ("offer", "request"):
        filters = Filters.of(city=city, kind=kind)
        slots = index._store.plan(filters)
        assert slots is not None and len(slots) > 16
        assert int(slots[-1] - slots[0] + 1) <= 3 * len(slots), "the dense-span path is taken"
        got = index.search(corpus.queries[:20], 10, filters)
        want = oracle(items, vectors, corpus.queries[:20], 10, filters)
        assert_same_hits(got, want)


def test_a_city_of_both_kinds_is_two_far_clusters_searched_exactly() -> None:
    # slots go by kind, then city: one city's offers and its requests lie ~n/2 slots
    # apart, so a city filter without a kind (a cooperation listing meets both kinds)
    # is two clusters, each scanned in place; the merged top k equals exact search
    from isa_match.index import faiss_index

    rng = np.random.default_rng(5)
    n = 3 * faiss_index.CLUSTER_GAP
    items = synthetic_items(n, rng)
    vectors = clustered_unit_vectors(n, DIM, rng, clusters=40)
    index = FaissIndex(DIM, index_type="IVF64,SQ8")
    index.add(items, vectors)
    city = items[0].city
    filters = Filters.of(city=city, active_on=None)
    slots = index._store.plan(filters)
    assert slots is not None and int(np.diff(slots).max()) > faiss_index.CLUSTER_GAP
    queries = clustered_unit_vectors(5, DIM, rng, clusters=5)
    assert_same_hits(
        index.search(queries, 10, filters), oracle(items, vectors, queries, 10, filters)
    )
