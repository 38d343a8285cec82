"""Benchmark the FAISS index against exact search at 10k, 100k and 1M listings.

Corpus: clustered 512-d unit vectors (queries are held-out points of the same
distribution) and synthetic metadata over the 41 ISA member cities with a
Zipf-like city skew (largest city ~23 %, smallest ~0.6 %). Prints a Markdown
table: index type, build time, memory, single-query latency p50/p99 for top-10
(unfiltered and with a single-city filter, the city drawn uniformly from the
41), recall@10 against exact search and the share of single-city results
identical to exact search over that city.

    OMP_NUM_THREADS=2 python benchmarks/bench_index.py --sizes 10000 100000 1000000

Single queries run with one OpenMP thread (the index sets this per search).
"""

from __future__ import annotations

import argparse
import gc
import os
import time
from dataclasses import dataclass

import numpy as np

from isa_match.index import ExactIndex, FaissIndex, Hit
from isa_match.index.synthetic import ISA_CITIES, clustered_unit_vectors, synthetic_items
from isa_match.schema import Filters

DIM = 512
SPREAD = 1.5  # noise around each cluster centre of 100 points; see the README


@dataclass
class Row:
    size: int
    index_type: str
    build_s: float
    ann_gb: float
    meta_gb: float
    vectors_gb: float
    lat: tuple[float, float, float, float]
    f_lat: tuple[float, float, float, float]
    recall: float
    f_identical: float
    f_recall: float


def _latencies(fn: object, n: int) -> tuple[float, float, float, float]:
    """Wall-clock and thread-CPU p50/p99 in ms (CPU time is robust to other jobs' load)."""
    wall, cpu = [], []
    for i in range(n):
        t0, c0 = time.perf_counter(), time.thread_time()
        fn(i)  # type: ignore[operator]
        wall.append(time.perf_counter() - t0)
        cpu.append(time.thread_time() - c0)
    w, c = np.array(wall) * 1e3, np.array(cpu) * 1e3
    return (
        float(np.percentile(w, 50)),
        float(np.percentile(w, 99)),
        float(np.percentile(c, 50)),
        float(np.percentile(c, 99)),
    )


def _recall(got: list[list[Hit]], want: list[list[Hit]]) -> float:
    pairs = zip(got, want, strict=True)
    return float(np.mean([len({h.id for h in g} & {h.id for h in w}) / 10 for g, w in pairs]))


def run(
    size: int, n_queries: int, nprobes: list[int | None], seed: int, spread: float
) -> list[Row]:
    rng = np.random.default_rng(seed)
    vectors = clustered_unit_vectors(
        size + n_queries, DIM, rng, clusters=max(100, size // 100), spread=spread
    )
    xb, xq = vectors[:size], vectors[size:]
    del vectors
    items = synthetic_items(size, rng)
    cities = [c for c, _ in ISA_CITIES]
    query_city = [cities[i] for i in rng.integers(0, len(cities), n_queries)]

    t0 = time.perf_counter()
    index = FaissIndex(DIM)
    index.add(items, xb)
    build_s = time.perf_counter() - t0
    store = index._store
    meta_bytes = sum(a.nbytes for a in store.cols.values()) + store.sector_bits.nbytes
    meta_bytes += store.expires.nbytes + store.alive.nbytes

    exact = ExactIndex(DIM)
    exact.add(items, xb)
    del xb
    gc.collect()
    truth = exact.search(xq, 10)
    f_truth: list[list[Hit]] = [[] for _ in range(n_queries)]
    for city in set(query_city):
        rows = [i for i, c in enumerate(query_city) if c == city]
        for i, hits in zip(rows, exact.search(xq[rows], 10, Filters.of(city=city)), strict=True):
            f_truth[i] = hits
    del exact
    gc.collect()

    filters = [Filters.of(city=c) for c in query_city]
    results: list[Row] = []
    for nprobe in nprobes:
        index.nprobe = nprobe
        for i in range(min(50, n_queries)):  # warm-up
            index.search(xq[i], 10)
            index.search(xq[i], 10, filters[i])
        got: list[list[Hit]] = [[] for _ in range(n_queries)]
        f_got: list[list[Hit]] = [[] for _ in range(n_queries)]

        def unfiltered(i: int, got: list[list[Hit]] = got) -> None:
            got[i] = index.search(xq[i], 10)[0]

        def filtered(i: int, f_got: list[list[Hit]] = f_got) -> None:
            f_got[i] = index.search(xq[i], 10, filters[i])[0]

        lat = _latencies(unfiltered, n_queries)
        f_lat = _latencies(filtered, n_queries)
        pairs = zip(f_got, f_truth, strict=True)
        identical = np.mean([[h.id for h in g] == [h.id for h in w] for g, w in pairs])
        kind = index.ann_type + (f" nprobe={index._nprobe()}" if index._nlist() else "")
        results.append(
            Row(
                size=size,
                index_type=kind,
                build_s=build_s,
                ann_gb=index.ann_bytes() / 1e9,
                meta_gb=meta_bytes / 1e9,
                vectors_gb=len(index) * DIM * 4 / 1e9,
                lat=lat,
                f_lat=f_lat,
                recall=_recall(got, truth),
                f_identical=float(identical),
                f_recall=_recall(f_got, f_truth),
            )
        )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument(
        "--nprobe", type=int, nargs="*", default=[], help="IVF nprobe values to measure"
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--spread", type=float, default=SPREAD, help="cluster noise (harder: 2.0)")
    args = parser.parse_args()
    print(
        f"OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', 'unset')}, d={DIM}, "
        f"spread={args.spread}, load average {os.getloadavg()[0]:.1f}",
        flush=True,
    )
    header = (
        "| listings | index | build s | FAISS GB | meta GB | float32 GB | p50/p99 ms "
        "| CPU p50/p99 ms | city p50/p99 ms | city CPU p50/p99 ms | recall@10 "
        "| city identical | city recall@10 |"
    )
    print(header)
    print("|" + "---|" * 13)
    for size in args.sizes:
        for r in run(size, args.queries, args.nprobe or [None], args.seed, args.spread):
            print(
                f"| {r.size:,} | {r.index_type} | {r.build_s:.1f} | {r.ann_gb:.3f} | "
                f"{r.meta_gb:.3f} | {r.vectors_gb:.2f} | {r.lat[0]:.2f} / {r.lat[1]:.2f} | "
                f"{r.lat[2]:.2f} / {r.lat[3]:.2f} | {r.f_lat[0]:.2f} / {r.f_lat[1]:.2f} | "
                f"{r.f_lat[2]:.2f} / {r.f_lat[3]:.2f} | {r.recall:.3f} | {r.f_identical:.3f} | "
                f"{r.f_recall:.3f} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
