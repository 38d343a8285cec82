"""Benchmark the FAISS index against exact search at 10k, 100k and 1M listings.

Corpus (default): clustered 512-d unit vectors, 1,000 points per centre and
noise 1.0 (see bench_index.md for why: its IVF recall sits between real USE
vectors, which are easier, and the issue's anchor); ``--tight`` gives the
earlier, harder set (100 points per centre, noise 1.5) and ``--vectors X.npy``
real embeddings. Queries are held-out points. Metadata: synthetic, over the
41 ISA member cities with a Zipf-like city skew (largest city ~23 %, smallest
~0.6 %). Prints a Markdown table: index type (and the build-time calibrated
``nprobe``), build time, memory, single-query latency p50/p99 for top-10
(unfiltered and with a single-city filter, the city drawn uniformly from the
41), recall@10 against exact search and the share of single-city results
identical to exact search over that city. ``--memory`` saves the index, loads
it in a fresh process (default load: vectors memory-mapped when large) and
prints its resident memory above the interpreter baseline. Last, it prints the
rows of the summary table in ``benchmarks/README.md``.

    python benchmarks/bench_index.py --sizes 10000 100000 1000000 --nprobe 0 32 --memory
    python benchmarks/bench_index.py --sizes 1000000 --per-cluster 200 --spread 1.5

``--nprobe`` / ``--refine`` values of 0 mean the build-time calibrated ones.
Single queries run with one OpenMP thread (the index sets this per search).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from isa_match.index import ExactIndex, FaissIndex, Hit, load_index
from isa_match.index.synthetic import ISA_CITIES, clustered_unit_vectors, synthetic_items
from isa_match.schema import Filters

DIM = 512
# Default corpus; see bench_index.md for why (measured against real USE vectors).
SPREAD = 1.0  # Gaussian noise around each centre (per dimension, centres ~N(0, 1))
PER_CLUSTER = 1000  # points per centre


@dataclass
class Row:
    size: int
    index_type: str
    note: str
    build_s: float
    build_cpu_s: float
    ann_gb: float
    meta_gb: float
    vectors_gb: float
    lat: tuple[float, float, float, float]
    f_lat: tuple[float, float, float, float]
    recall: float
    f_identical: float
    f_recall: float
    memory: dict[str, float]


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


def _status_mb() -> dict[str, float]:
    """VmRSS, RssAnon (private) and RssFile (mapped files, page cache) of this process in MB."""
    out = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "RssAnon", "RssFile"):
            out[key] = int(value.split()[0]) / 1024
    return out


def measure_memory(folder: str, queries: str, cities: str) -> None:
    """Child process: resident memory of a loaded index (default load: mmap when large)."""
    xq = np.load(queries)
    city = json.loads(Path(cities).read_text())
    import faiss  # noqa: F401  (its libraries count in the baseline, not the index)

    gc.collect()
    base = _status_mb()
    index = load_index(folder)
    gc.collect()
    loaded = _status_mb()
    for i in range(len(xq)):
        index.search(xq[i], 10)
    unfiltered = _status_mb()
    for i in range(len(xq)):
        index.search(xq[i], 10, Filters.of(city=city[i]))
    warm = _status_mb()
    mapped = isinstance(index._store.xb, np.memmap)
    result = {"mapped": float(mapped)}
    for name, snap in (("load", loaded), ("unfiltered", unfiltered), ("warm", warm)):
        for key in ("VmRSS", "RssAnon", "RssFile"):
            result[f"{name}_{key}"] = (snap[key] - base[key]) / 1e3  # GB above the baseline
    print(json.dumps(result))


def _memory(index: FaissIndex, xq: np.ndarray, query_city: list[str]) -> dict[str, float]:
    with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_TMP", "/tmp")) as tmp:
        index.save(Path(tmp) / "idx")
        np.save(Path(tmp) / "q.npy", xq)
        (Path(tmp) / "c.json").write_text(json.dumps(query_city))
        args = [str(Path(tmp) / name) for name in ("idx", "q.npy", "c.json")]
        out = subprocess.run(
            [sys.executable, __file__, "--measure-memory", *args],
            check=True,
            capture_output=True,
            text=True,
        )
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def _recall(got: list[list[Hit]], want: list[list[Hit]]) -> float:
    pairs = zip(got, want, strict=True)
    return float(np.mean([len({h.id for h in g} & {h.id for h in w}) / 10 for g, w in pairs]))


def run(
    size: int,
    n_queries: int,
    settings: list[tuple[int | None, int | None]],
    seed: int,
    spread: float,
    per_cluster: int,
    memory: bool,
    real: np.ndarray | None = None,
) -> list[Row]:
    rng = np.random.default_rng(seed)
    if real is not None:
        # held-out queries: a random subset of the file's rows, the rest is the corpus
        pick = rng.permutation(len(real))[: size + n_queries]
        vectors = np.ascontiguousarray(real[pick], dtype=np.float32)
    else:
        vectors = clustered_unit_vectors(
            size + n_queries, DIM, rng, clusters=max(100, size // per_cluster), spread=spread
        )
    xb, xq = vectors[:size], vectors[size:]
    del vectors
    items = synthetic_items(size, rng)
    cities = [c for c, _ in ISA_CITIES]
    query_city = [cities[i] for i in rng.integers(0, len(cities), n_queries)]

    t0, c0 = time.perf_counter(), time.process_time()
    index = FaissIndex(DIM)
    index.add(items, xb)
    build_s = time.perf_counter() - t0
    build_cpu_s = time.process_time() - c0  # all threads: robust to other jobs' load
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
    mem = _memory(index, xq, query_city) if memory else {}
    results: list[Row] = []
    calibrated = index.calibration
    for nprobe, refine in settings:
        if results and not index._nlist():
            break  # a flat index has neither nprobe nor refine: one row
        index.nprobe, index.refine = nprobe, refine
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
        kind, note = index.ann_type, ""
        if index._nlist():
            kind += f", nprobe {index._nprobe()}, refine {index._refine()}"
        if nprobe is None and refine is None and calibrated is not None:
            kind += " (calibrated)"
            note = (
                f" (build-time recall {calibrated['recall_at_10']:.3f},"
                f" lower bound {calibrated.get('recall_low', float('nan')):.3f})"
            )
        results.append(
            Row(
                size=size,
                index_type=kind,
                note=note,
                build_s=build_s,
                build_cpu_s=build_cpu_s,
                ann_gb=index.ann_bytes() / 1e9,
                meta_gb=meta_bytes / 1e9,
                vectors_gb=len(index) * DIM * 4 / 1e9,
                lat=lat,
                f_lat=f_lat,
                recall=_recall(got, truth),
                f_identical=float(identical),
                f_recall=_recall(f_got, f_truth),
                memory=mem,
            )
        )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument(
        "--nprobe",
        type=int,
        nargs="*",
        default=[],
        help="IVF nprobe values to measure (0 = the build-time calibrated one)",
    )
    parser.add_argument(
        "--refine",
        type=int,
        nargs="*",
        default=[],
        help="re-scored candidates per result (0 = the build-time calibrated one)",
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--spread", type=float, default=SPREAD, help="noise around each centre")
    parser.add_argument(
        "--per-cluster", type=int, default=PER_CLUSTER, help="points per cluster centre"
    )
    parser.add_argument(
        "--tight",
        action="store_true",
        help="the earlier, harder set: clusters of 100 points, spread 1.5",
    )
    parser.add_argument(
        "--vectors", help="a .npy of real embeddings (rows: listings) instead of synthetic ones"
    )
    parser.add_argument("--memory", action="store_true", help="measure RSS of a loaded index")
    parser.add_argument("--measure-memory", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure_memory:
        measure_memory(*args.measure_memory)
        return
    if args.tight:
        args.spread, args.per_cluster = 1.5, 100
    nprobes = [None if p == 0 else p for p in args.nprobe] or [None]
    refines = [None if r == 0 else r for r in args.refine] or [None]
    settings = [(p, r) for p in nprobes for r in refines]
    real = None if args.vectors is None else np.load(args.vectors, mmap_mode="r")
    if real is not None and real.shape[1] != DIM:
        parser.error(f"--vectors: expected {DIM} columns, got {real.shape}")
    source = (
        f"vectors from {args.vectors}"
        if real is not None
        else f"spread={args.spread}, {args.per_cluster} points per cluster"
    )
    print(
        f"OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', 'unset')}, d={DIM}, {source}, "
        f"load average {os.getloadavg()[0]:.1f}",
        flush=True,
    )
    header = (
        "| listings | index | build s (CPU s) | FAISS GB | meta GB | float32 GB | p50/p99 ms "
        "| CPU p50/p99 ms | city p50/p99 ms | city CPU p50/p99 ms | recall@10 "
        "| city identical | city recall@10 |"
    )
    print(header)
    print("|" + "---|" * 13)
    mem_rows = []
    summary: list[Row] = []
    for size in args.sizes:
        rows = run(
            size,
            args.queries,
            settings,
            args.seed,
            args.spread,
            args.per_cluster,
            args.memory,
            real,
        )
        for r in rows:
            print(
                f"| {r.size:,} | {r.index_type}{r.note} | {r.build_s:.1f} ({r.build_cpu_s:.0f}) | "
                f"{r.ann_gb:.3f} | "
                f"{r.meta_gb:.3f} | {r.vectors_gb:.2f} | {r.lat[0]:.2f} / {r.lat[1]:.2f} | "
                f"{r.lat[2]:.2f} / {r.lat[3]:.2f} | {r.f_lat[0]:.2f} / {r.f_lat[1]:.2f} | "
                f"{r.f_lat[2]:.2f} / {r.f_lat[3]:.2f} | {r.recall:.3f} | {r.f_identical:.3f} | "
                f"{r.f_recall:.3f} |",
                flush=True,
            )
        summary.extend(rows)
        if rows[0].memory:
            mem_rows.append((size, rows[0].ann_gb, rows[0].memory))
    if mem_rows:
        print("\nResident memory of the loaded index, GB above the interpreter baseline")
        print("(RssAnon = private memory; RssFile = mapped pages of the vectors file):\n")
        print(
            "| listings | FAISS GB | float32 mapped | RSS after load (anon / file) "
            "| after 1k queries | after 1k city queries |"
        )
        print("|" + "---|" * 6)
        for size, ann_gb, m in mem_rows:
            cells = [
                f"{m[f'{p}_VmRSS']:.3f} ({m[f'{p}_RssAnon']:.3f} / {m[f'{p}_RssFile']:.3f})"
                for p in ("load", "unfiltered", "warm")
            ]
            mapped = "yes" if m["mapped"] else "no"
            print(f"| {size:,} | {ann_gb:.3f} | {mapped} | " + " | ".join(cells) + " |")
    print(
        f"\nRows of the benchmarks/README.md summary (load average at the end "
        f"{os.getloadavg()[0]:.1f}):\n"
    )
    print("| data | listings | index | build s | p50 / p99 ms | city p50 / p99 ms | recall@10 |")
    print("| --- | ---: | --- | ---: | --- | --- | ---: |")
    label = _data_label(args)
    for r in summary:
        print(
            f"| {label} | {_size_label(r.size)} | {r.index_type} | {r.build_s:.1f} | "
            f"{r.lat[0]:.2f} / {r.lat[1]:.2f} | {r.f_lat[0]:.2f} / {r.f_lat[1]:.2f} | "
            f"{r.recall:.3f} |"
        )


def _data_label(args: argparse.Namespace) -> str:
    if args.vectors is not None:
        return f"real vectors (`--vectors {Path(args.vectors).name}`)"
    if args.tight:
        return "tight (`--tight`)"
    if (args.per_cluster, args.spread) == (PER_CLUSTER, SPREAD):
        return f"synthetic default ({PER_CLUSTER:,} per centre)"
    name = "anchor-like" if (args.per_cluster, args.spread) == (200, 1.5) else "synthetic"
    return f"{name} (`--per-cluster {args.per_cluster} --spread {args.spread:g}`)"


def _size_label(size: int) -> str:
    for unit, scale in (("M", 1_000_000), ("k", 1_000)):
        if size >= scale and size % scale == 0:
            return f"{size // scale}{unit}"
    return f"{size:,}"


if __name__ == "__main__":
    main()
