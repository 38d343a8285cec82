"""Build-time fitting of an IVF index to the indexed corpus: its lists, then its search breadth.

Both steps measure the corpus actually indexed instead of assuming a shape:

* :func:`train_centroids` finds the IVF lists with k-means over *all* stored
  vectors (two-level, so it stays cheap at 1M), then one Lloyd step over all
  of them. Training on a sample of 48 points per list, as before, left 3-5 %
  of the true neighbours of a query in lists whose centroids lie far from it
  on clustered data (recall@10 0.95-0.97 at ``nprobe`` 32 and under 0.98 even
  at 128 on the anchor-like 1M set, varying from one k-means run to the
  next); with the lists fitted to every vector it is 0.99 at ``nprobe`` 8, and
  training costs less (``benchmarks/bench_index.md``).
* :func:`calibrate` then picks ``nprobe`` and the re-scoring breadth
  (``refine``) with held-out queries: stored vectors kept out of training, so
  the lists were not fitted to them, just as to a new query.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import numpy.typing as npt

from isa_match.index._store import FloatArray, IntArray, Store

#: Multiples of the base ``nprobe`` tried in order (cheapest first; at least 8).
LADDER = (0.25, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0)
#: Re-scoring breadths tried at each ``nprobe`` (candidates per result). Every
#: candidate costs a read of its float32 row (2 KB at d=512), which in a busy
#: server is a cache miss each: 2 halves that work against 4 where the
#: quantised order is already good enough (SQ8 usually is).
REFINES = (2, 4, 8, 16)
#: Vectors per block when streaming the corpus through a coarse quantiser.
_BLOCK = 65536


def _faiss() -> Any:
    import faiss

    return faiss


# -- training ---------------------------------------------------------------------


def _kmeans(x: FloatArray, k: int, niter: int, seed: int) -> FloatArray:
    """Spherical k-means centroids of the rows of ``x`` (at most 256 rows per centroid)."""
    faiss = _faiss()
    km = faiss.Kmeans(
        x.shape[1],
        k,
        niter=niter,
        spherical=True,
        seed=seed,
        max_points_per_centroid=256,
        min_points_per_centroid=1,  # small cells are expected: no warning on stderr
    )
    km.train(np.ascontiguousarray(x))
    return np.asarray(km.centroids, dtype=np.float32)


def split_lists(counts: npt.NDArray[np.int64], total: int) -> npt.NDArray[np.int64]:
    """Lists per first-level cell: proportional to its rows, at least 1, at most its rows.

    Raises:
        ValueError: fewer rows than lists, or more non-empty cells than lists.
    """
    if int(counts.sum()) < total or int((counts > 0).sum()) > total:
        raise ValueError(
            f"{int(counts.sum())} rows in {int((counts > 0).sum())} cells cannot fill {total} lists"
        )
    share = counts * total / max(int(counts.sum()), 1)
    alloc = np.minimum(np.maximum(np.floor(share), counts > 0), counts).astype(np.int64)
    while alloc.sum() < total:  # give the rest to the most crowded cells
        crowd = np.where(alloc < counts, counts / np.maximum(alloc, 1), -1.0)
        alloc[int(np.argmax(crowd))] += 1
    while alloc.sum() > total:  # take back from the least crowded
        crowd = np.where(alloc > 1, counts / np.maximum(alloc, 1), np.inf)
        alloc[int(np.argmin(crowd))] -= 1
    return alloc


def _nearest(x: FloatArray, centroids: FloatArray) -> IntArray:
    """The nearest centroid (inner product) of every row of ``x``, in blocks."""
    faiss = _faiss()
    quantizer = faiss.IndexFlatIP(centroids.shape[1])
    quantizer.add(centroids)
    out = np.empty(len(x), dtype=np.int64)
    for start in range(0, len(x), _BLOCK):
        out[start : start + _BLOCK] = quantizer.search(x[start : start + _BLOCK], 1)[1][:, 0]
    return out


def _lloyd_step(x: FloatArray, weights: npt.NDArray[np.float32], init: FloatArray) -> FloatArray:
    """One k-means iteration from ``init`` over the rows of ``x`` weighted by ``weights``.

    FAISS assigns every row and averages each list in one multi-threaded pass
    (no copy of ``x``); rows of weight 0 are assigned but move nothing.
    """
    faiss = _faiss()
    nlist, dim = init.shape
    clus = faiss.Clustering(dim, nlist)
    clus.niter = 1
    clus.spherical = True
    clus.max_points_per_centroid = 1 << 30  # all rows, no subsample
    clus.min_points_per_centroid = 1
    faiss.copy_array_to_vector(np.ascontiguousarray(init).ravel(), clus.centroids)
    clus.train(x, faiss.IndexFlatIP(dim), weights)
    return np.asarray(faiss.vector_to_array(clus.centroids), dtype=np.float32).reshape(nlist, dim)


def train_centroids(
    xb: FloatArray, slots: IntArray, nlist: int, *, held_out: IntArray, threads: int = 1
) -> FloatArray:
    """Unit-norm IVF centroids for the rows ``slots`` of ``xb`` (``held_out`` not used).

    Two-level spherical k-means over every training row (``sqrt(nlist)`` cells
    on a sample, then each cell split into lists in proportion to its rows, 10
    iterations on all of its rows), then one Lloyd step over every row: assign
    to the nearest centroid, move each centroid to its members' mean. At 1M x 512
    and 4,096 lists: about 55 CPU-seconds (20 for the two levels, 35 for the
    Lloyd step: one pass of the corpus through the coarse quantiser), against
    about 85 for the earlier 10 iterations on a 196k sample. Running the cells
    in parallel does not change the result.

    Args:
        xb: the store's vectors (rows addressed by slot).
        slots: live rows to index (sorted), at least ``nlist`` of them once the
            held-out rows are removed.
        nlist: number of lists.
        held_out: rows kept out of training (the calibration queries).
        threads: cells clustered in parallel (one OpenMP thread each); the two
            passes over the corpus use the calling thread's OpenMP setting.
    """
    faiss = _faiss()
    train = slots[~np.isin(slots, held_out)] if len(held_out) else slots
    n = len(train)
    if n < nlist:
        raise ValueError(f"{n} training vectors for {nlist} lists")
    rows_all = np.ascontiguousarray(xb[: int(slots[-1]) + 1])  # a view: slots are sorted
    rng = np.random.default_rng(n)
    n_cells = max(1, min(256, round(math.sqrt(nlist))))
    sample = np.sort(rng.choice(train, min(n, 256 * n_cells), replace=False))
    coarse = _kmeans(xb[sample], n_cells, 20, seed=1)
    cell = _nearest(rows_all, coarse)[train]
    counts = np.bincount(cell, minlength=n_cells).astype(np.int64)
    alloc = split_lists(counts, nlist)
    order = np.argsort(cell, kind="stable")
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])

    def fit_cell(c: int) -> FloatArray:
        faiss.omp_set_num_threads(1)  # per calling thread; the cells run in parallel
        rows = np.sort(train[order[starts[c] : starts[c] + counts[c]]])
        if alloc[c] == len(rows):
            return np.ascontiguousarray(xb[rows])
        return _kmeans(xb[rows], int(alloc[c]), 10, seed=c + 2)

    cells = [c for c in range(n_cells) if alloc[c] > 0]
    if threads > 1:
        with ThreadPoolExecutor(threads) as pool:
            parts = list(pool.map(fit_cell, cells))
    else:
        before = faiss.omp_get_max_threads()
        parts = [fit_cell(c) for c in cells]
        faiss.omp_set_num_threads(before)
    # One Lloyd step over every row: the two levels split some clusters at cell
    # borders; re-assigning all rows and re-centring joins them again.
    weights = np.zeros(len(rows_all), dtype=np.float32)
    weights[train] = 1.0  # held-out and removed rows are assigned but move nothing
    return _lloyd_step(rows_all, weights, np.vstack(parts))


# -- calibration ------------------------------------------------------------------


def held_out_queries(store: Store, slots: IntArray, n_queries: int = 512) -> IntArray:
    """Sorted random live slots to keep out of training (at most an eighth of the corpus)."""
    n_queries = min(n_queries, len(slots) // 8)
    if n_queries < 32:
        return np.zeros(0, dtype=np.int64)
    rng = np.random.default_rng(len(slots) + 1)
    return np.sort(rng.choice(slots, n_queries, replace=False)).astype(np.int64)


def _truth(store: Store, queries: FloatArray, k: int) -> IntArray:
    """Exact top-``k`` slots over all live items, best first.

    Scores blocks of rows with one matrix product each and keeps a running
    top-``k`` (``faiss.knn`` took 1.5x the CPU time for 512 queries at 1M).
    """
    nq, n = len(queries), store.n_slots
    best_s = np.full((nq, k), -np.inf, dtype=np.float32)
    best_i = np.full((nq, k), -1, dtype=np.int64)
    for start in range(0, n, 32768):
        scores = queries @ store.xb[start : min(n, start + 32768)].T
        scores[:, ~store.alive[start : start + scores.shape[1]]] = -np.inf
        kk = min(k, scores.shape[1])
        part = np.argpartition(-scores, kk - 1, axis=1)[:, :kk]
        all_s = np.hstack([best_s, np.take_along_axis(scores, part, axis=1)])
        all_i = np.hstack([best_i, part + start])
        keep = np.argpartition(-all_s, k - 1, axis=1)[:, :k]
        best_s = np.take_along_axis(all_s, keep, axis=1)
        best_i = np.take_along_axis(all_i, keep, axis=1)
    order = np.argsort(-best_s, axis=1, kind="stable")
    return np.where(
        np.take_along_axis(best_s, order, axis=1) > -np.inf,
        np.take_along_axis(best_i, order, axis=1),
        -1,
    )


def calibrate(
    store: Store,
    picked: IntArray,
    candidates: Callable[[FloatArray, int, int], IntArray],
    *,
    nlist: int,
    base: int,
    target: float,
    k: int = 10,
    refines: Sequence[int] = REFINES,
) -> dict[str, Any] | None:
    """The cheapest ``nprobe`` (then ``refine``) whose recall@k reaches ``target`` with headroom.

    The held-out stored vectors ``picked`` serve as queries (their own hit is
    dropped from both answers). A setting qualifies when the lower end of its
    recall's 95 % confidence interval (mean minus two standard errors over
    the queries) reaches ``target``. ``nprobe`` runs over ``base * LADDER``
    (at least 8); at each one the candidates of one search at the widest
    ``refine`` are cut to each narrower breadth (a quantised index ranks its
    candidates, so the first ``k * r`` are what ``refine = r`` would fetch)
    and re-scored exactly.

    Args:
        store: the index's store (exact search over its live rows is the truth).
        picked: held-out query slots (:func:`held_out_queries`).
        candidates: ``candidates(queries, n, nprobe)`` -> the first ``n``
            candidate slots of the ANN index per query, best first (``-1`` pads).
        nlist: IVF lists (upper bound of ``nprobe``).
        base: the default ``nprobe`` the ladder is scaled from.
        target: wanted recall@k, in (0, 1].
        k: result size the recall is measured at.
        refines: re-scoring breadths to try, ascending.

    Returns:
        ``{"nprobe", "refine", "recall_at_10", "recall_low", "target", "queries",
        "tried"}`` (``tried``: ``[nprobe, refine, recall]`` per setting; the
        setting with the best recall when none qualifies), or ``None`` with
        fewer than 32 queries. Costs one exact search of the queries (about 2 s for 512
        queries at 1M x 512) and one ANN search per ``nprobe`` tried.
    """
    if len(picked) < 32:
        return None
    queries = np.ascontiguousarray(store.xb[picked])
    truth = _truth(store, queries, k + 1)
    want = [set(row[row != q][:k].tolist()) for q, row in zip(picked, truth, strict=True)]

    def recall(cand: IntArray) -> tuple[float, float]:
        per_query = np.empty(len(picked))
        for i, (q, c) in enumerate(zip(picked, cand, strict=True)):
            c = c[(c >= 0) & (c != q)]
            scores = store.xb[c] @ queries[i]
            top = c[np.argsort(-scores, kind="stable")[:k]]
            per_query[i] = len(want[i].intersection(top.tolist())) / k
        mean = float(per_query.mean())
        return mean, mean - 2.0 * float(per_query.std()) / math.sqrt(len(per_query))

    tried: list[tuple[int, int, float, float]] = []
    chosen: tuple[int, int, float, float] | None = None
    for factor in LADDER:
        nprobe = min(nlist, max(8, math.ceil(base * factor)))
        if tried and nprobe <= tried[-1][0]:
            continue
        # one extra candidate per result: the query's own row is among them
        cand = candidates(queries, (k + 1) * max(refines), nprobe)
        for refine in refines:
            mean, low = recall(cand[:, : (k + 1) * refine])
            tried.append((nprobe, refine, mean, low))
            if low >= target:
                chosen = tried[-1]
                break
        if chosen is not None or nprobe == nlist:
            break
    if chosen is None:
        chosen = max(tried, key=lambda t: (t[2], -t[0], -t[1]))
    nprobe, refine, mean, low = chosen
    return {
        "nprobe": nprobe,
        "refine": refine,
        "recall_at_10": round(mean, 4),
        "recall_low": round(low, 4),
        "target": target,
        "queries": len(picked),
        "tried": [[p, r, round(m, 4)] for p, r, m, _ in tried],
    }
