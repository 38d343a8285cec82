"""Build-time choice of the IVF ``nprobe`` from the indexed corpus itself.

Stored vectors serve as held-out queries (their own hit is dropped from both
the exact and the approximate answer), so the recall estimate follows the
data's real structure instead of an assumed one: real USE vectors reach
recall@10 0.99 at a small ``nprobe`` where isotropic synthetic clusters need
several times more (see ``benchmarks/bench_index.md``).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from isa_match.index._store import FloatArray, IntArray, Store

#: Multiples of the base ``nprobe`` tried in order (cheapest first).
LADDER = (0.5, 1.0, 1.5, 2.0, 3.0, 4.0)


def calibrate_nprobe(
    store: Store,
    search: Callable[[FloatArray, int, int], IntArray],
    *,
    nlist: int,
    base: int,
    target: float,
    k: int = 10,
    n_queries: int = 256,
) -> dict[str, Any] | None:
    """The smallest ``nprobe`` in ``base * LADDER`` (at least 8) reaching ``target`` recall@k.

    Args:
        store: the index's store (exact search over its live rows is the truth).
        search: ``search(queries, k, nprobe)`` -> candidate slots of the ANN index.
        nlist: IVF lists (upper bound of ``nprobe``).
        base: the default ``nprobe`` the ladder is scaled from.
        target: wanted recall@k, in (0, 1].
        k: result size the recall is measured at.
        n_queries: sampled stored vectors (at most an eighth of the corpus).

    Returns:
        ``{"nprobe", "recall_at_10", "target", "queries", "tried"}`` (the widest
        setting tried when none reaches ``target``), or ``None`` when the corpus
        is too small to sample 32 queries. Costs one exact search of the queries
        (about 3 s at 1M x 512) and a few batched ANN searches.
    """
    slots = np.flatnonzero(store.alive[: store.n_slots]).astype(np.int64)
    n_queries = min(n_queries, len(slots) // 8)
    if n_queries < 32:
        return None
    rng = np.random.default_rng(len(slots) + 1)
    picked = np.sort(rng.choice(slots, n_queries, replace=False))
    queries = np.ascontiguousarray(store.xb[picked])
    _, truth = store.exact(queries, k + 1, None)

    def recall(found: IntArray) -> float:
        hits = 0
        for q, want, got in zip(picked, truth, found, strict=True):
            # the query's own row stands in for a held-out point: drop it
            hits += len(set(want[want != q][:k]) & set(got[got != q][:k]))
        return hits / (k * n_queries)

    tried: list[tuple[int, float]] = []
    for factor in LADDER:
        nprobe = min(nlist, max(8, math.ceil(base * factor)))
        if tried and nprobe <= tried[-1][0]:
            if nprobe == nlist:
                break
            continue
        tried.append((nprobe, recall(search(queries, k + 1, nprobe))))
        if tried[-1][1] >= target:
            break
    return {
        "nprobe": tried[-1][0],
        "recall_at_10": round(tried[-1][1], 4),
        "target": target,
        "queries": n_queries,
        "tried": [[p, round(r, 4)] for p, r in tried],
    }
