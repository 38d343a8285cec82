"""FAISS and Milvus Lite side by side on one 100,000-listing corpus, in one run.

The same clustered 512-d unit vectors and synthetic metadata as
``bench_index.py`` (default: 1,000 points per centre, noise 1.0; held-out
queries; a Zipf-like city skew over the 41 ISA member cities) go into

* ``faiss``: :class:`FaissIndex` with its automatic choice (IVF-SQ8, nprobe and
  re-scoring calibrated at build time);
* ``milvus``: :class:`MilvusIndex` on a Milvus Lite data file in a temporary
  folder (``city`` partition key, ``Strong`` consistency), inserted once, then
  indexed with each ``--milvus-index`` in turn (``auto`` = IVF_SQ8 sized per
  segment; ``HNSW``; ``FLAT``), the re-index time measured separately.

For each: build time, single-query top-10 latency p50/p99 (wall clock, and
process CPU: Milvus Lite answers from server threads in this process)
unfiltered and with a single-city filter (the city drawn uniformly from the 41),
recall@10 against exact search (numpy) with the same filter, and the share of
city results identical to exact search. Milvus Lite 3 is a pure-Python engine on
faiss-cpu behind a local gRPC server: its latency says little about a Milvus
server (C++/Knowhere); recall and build behaviour are what carry over.

    python benchmarks/bench_milvus.py                       # 100k, 200 queries
    python benchmarks/bench_milvus.py --size 20000 --queries 100 --milvus-index auto HNSW FLAT
"""

from __future__ import annotations

import argparse
import gc
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from isa_match.index import ExactIndex, FaissIndex, Hit, MilvusIndex
from isa_match.index.synthetic import ISA_CITIES, clustered_unit_vectors, synthetic_items
from isa_match.schema import Filters

DIM = 512


@dataclass
class Row:
    backend: str
    index: str
    build: str
    lat: tuple[float, float, float]
    f_lat: tuple[float, float, float]
    recall: float
    f_recall: float
    f_identical: float


def _latencies(fn: Callable[[int], None], n: int) -> tuple[float, float, float]:
    """Wall-clock p50/p99 and process-CPU p50 in ms."""
    wall, cpu = [], []
    for i in range(n):
        t0, c0 = time.perf_counter(), time.process_time()
        fn(i)
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    w, c = np.array(wall) * 1e3, np.array(cpu) * 1e3
    return float(np.percentile(w, 50)), float(np.percentile(w, 99)), float(np.percentile(c, 50))


def _recall(got: list[list[Hit]], want: list[list[Hit]]) -> float:
    per = [
        len({h.id for h in g} & {h.id for h in w}) / max(1, len(w))
        for g, w in zip(got, want, strict=True)
    ]
    return float(np.mean(per))


def _measure(
    backend: str,
    index_label: str,
    build: str,
    search: Callable[[np.ndarray, Filters | None], list[Hit]],
    xq: np.ndarray,
    filters: list[Filters],
    truth: list[list[Hit]],
    f_truth: list[list[Hit]],
) -> Row:
    n = len(xq)
    for i in range(min(20, n)):  # warm-up (filter plans, caches, connections)
        search(xq[i], None)
        search(xq[i], filters[i])
    got: list[list[Hit]] = [[] for _ in range(n)]
    f_got: list[list[Hit]] = [[] for _ in range(n)]

    def unfiltered(i: int) -> None:
        got[i] = search(xq[i], None)

    def filtered(i: int) -> None:
        f_got[i] = search(xq[i], filters[i])

    lat = _latencies(unfiltered, n)
    f_lat = _latencies(filtered, n)
    identical = np.mean(
        [[h.id for h in g] == [h.id for h in w] for g, w in zip(f_got, f_truth, strict=True)]
    )
    return Row(
        backend,
        index_label,
        build,
        lat,
        f_lat,
        _recall(got, truth),
        _recall(f_got, f_truth),
        float(identical),
    )


def _faiss_row(
    items: list,  # type: ignore[type-arg]
    xb: np.ndarray,
    xq: np.ndarray,
    filters: list[Filters],
    truth: list[list[Hit]],
    f_truth: list[list[Hit]],
) -> Row:
    t0 = time.perf_counter()
    index = FaissIndex(DIM)
    index.add(items, xb)
    build = time.perf_counter() - t0
    label = index.ann_type
    if index.calibration:
        label += f", nprobe {index._nprobe()}, refine {index._refine()}"
    row = _measure(
        "FAISS",
        label,
        f"{build:.1f}",
        lambda q, f: index.search(q, 10, f)[0],
        xq,
        filters,
        truth,
        f_truth,
    )
    print(f"FAISS done ({build:.1f} s build)", flush=True)
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--per-cluster", type=int, default=1000)
    parser.add_argument("--spread", type=float, default=1.0)
    parser.add_argument(
        "--milvus-index",
        nargs="+",
        default=["auto", "HNSW"],
        help="Milvus index types to measure on the one collection: auto, IVF_SQ8, HNSW, FLAT",
    )
    parser.add_argument(
        "--nprobe", type=int, nargs="*", default=[], help="extra Milvus IVF nprobe values"
    )
    parser.add_argument(
        "--partition-key", default="city", help="Milvus partition key field, or 'none'"
    )
    args = parser.parse_args()
    load_before = os.getloadavg()
    rng = np.random.default_rng(args.seed)
    n, nq = args.size, args.queries
    vectors = clustered_unit_vectors(
        n + nq, DIM, rng, clusters=max(100, n // args.per_cluster), spread=args.spread
    )
    xb, xq = vectors[:n], vectors[n:]
    items = synthetic_items(n, rng)
    cities = [c for c, _ in ISA_CITIES]
    filters = [Filters.of(city=cities[int(i)]) for i in rng.integers(0, len(cities), nq)]

    exact = ExactIndex(DIM)
    exact.add(items, xb)
    truth = [exact.search(q, 10)[0] for q in xq]
    f_truth = [exact.search(q, 10, f)[0] for q, f in zip(xq, filters, strict=True)]
    del exact
    gc.collect()

    rows = [_faiss_row(items, xb, xq, filters, truth, f_truth)]
    gc.collect()

    folder = tempfile.mkdtemp(prefix="bench-milvus-")
    key = None if args.partition_key == "none" else args.partition_key
    try:
        milvus = MilvusIndex(
            DIM, uri=os.path.join(folder, "bench.db"), index_type="FLAT", partition_key=key
        )
        t0 = time.perf_counter()
        milvus.add(items, xb)  # ends with a flush (bulk add)
        insert_s = time.perf_counter() - t0
        print(f"Milvus Lite insert + flush: {insert_s:.1f} s", flush=True)
        for kind in args.milvus_index:
            milvus.index_type = kind
            t0 = time.perf_counter()
            chosen, params = milvus._choose(len(milvus))
            milvus.rebuild(chosen, params)
            milvus.search(xq[0], 10)  # Milvus Lite builds segment indexes on first load
            index_s = time.perf_counter() - t0
            probes: list[int | None] = [None]
            if chosen.startswith("IVF"):
                probes += [p for p in args.nprobe if p > 0]
            for nprobe in probes:
                milvus.nprobe = nprobe
                label = chosen + "".join(f", {k} {v}" for k, v in params.items())
                if chosen.startswith("IVF"):
                    used = milvus._search_params(10, 1.0, widest=False)["params"]["nprobe"]
                    label += f", nprobe {used}"
                elif chosen == "HNSW":
                    label += f", ef {milvus.ef}"
                rows.append(
                    _measure(
                        "Milvus Lite",
                        label,
                        f"{insert_s:.1f} + {index_s:.1f}",
                        lambda q, f: milvus.search(q, 10, f)[0],
                        xq,
                        filters,
                        truth,
                        f_truth,
                    )
                )
                print(f"Milvus {label} done", flush=True)
        milvus.drop()
        milvus.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)

    load_after = os.getloadavg()
    print()
    print(
        f"{n:,} listings, d={DIM}, {nq} single queries, top-10; load average "
        f"{load_before[0]:.2f} before, {load_after[0]:.2f} after"
    )
    print()
    print(
        "| backend | index | build s | p50 / p99 ms | CPU p50 ms | city p50 / p99 ms | "
        "city CPU p50 ms | recall@10 | city recall@10 | city = exact |"
    )
    print("| --- | --- | ---: | --- | ---: | --- | ---: | ---: | ---: | ---: |")
    for r in rows:
        print(
            f"| {r.backend} | {r.index} | {r.build} | {r.lat[0]:.2f} / {r.lat[1]:.2f} | "
            f"{r.lat[2]:.2f} | {r.f_lat[0]:.2f} / {r.f_lat[1]:.2f} | {r.f_lat[2]:.2f} | "
            f"{r.recall:.3f} | {r.f_recall:.3f} | {r.f_identical:.2f} |"
        )


if __name__ == "__main__":
    main()
