"""Benchmark ``Matcher.suggest`` by listing id: the whole ranking, in-process, one thread.

Corpora are generated listings (``isa_match.generate.stream_corpus``, cached in
``--workdir``) with synthetic clustered unit vectors (512-d; encoding 1M texts
twice would take hours and the ranking cost does not depend on where the
vectors come from). Every query is a random listing; timed is one
``suggest(id, k=10)`` with its hard filters (counterpart kind, active on the
reference date, not itself), dense and BM25 retrieval, all components,
diversity and the explanations of the 10 results; also with a country filter
and with a single-city filter.

    python benchmarks/bench_match.py --sizes 100000 1000000
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import resource
import statistics
import time
from datetime import date
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402

from isa_match import Filters, Matcher, load_listings  # noqa: E402
from isa_match.embed import get_encoder  # noqa: E402
from isa_match.generate import stream_corpus  # noqa: E402
from isa_match.index.synthetic import clustered_unit_vectors  # noqa: E402

TODAY = date(2026, 11, 1)


def _rss_gb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 2**20
    return float("nan")


def _percentiles(values: list[float]) -> tuple[float, float]:
    values = sorted(values)
    return statistics.median(values), values[min(len(values) - 1, int(0.99 * len(values)))]


def run(n: int, workdir: Path, queries: int, seed: int, reuse: bool = False) -> None:
    """Build a matcher of ``n`` listings and time single suggestions."""
    folder = workdir / f"corpus-{n}"
    if not (folder / "listings.jsonl").exists():
        t = time.perf_counter()
        stream_corpus(n, folder, seed=seed)
        print(f"[{n}] generated in {time.perf_counter() - t:.0f} s")
    t = time.perf_counter()
    listings = load_listings(folder / "listings.jsonl", today=TODAY).listings
    print(f"[{n}] loaded {len(listings)} listings in {time.perf_counter() - t:.0f} s")
    saved = workdir / f"matcher-{n}"
    rss0 = _rss_gb()
    if reuse and (saved / "manifest.json").exists():
        t = time.perf_counter()
        matcher = Matcher.load(saved, mmap=False)
        print(
            f"[{n}] loaded the matcher saved by an earlier run in {time.perf_counter() - t:.0f} s"
        )
    else:
        rng = np.random.default_rng(seed)
        vectors = clustered_unit_vectors(n, 512, rng, clusters=max(50, n // 200))
        t = time.perf_counter()
        matcher = Matcher.build(
            listings, encoder=get_encoder("hashing:512"), vectors=vectors, reference_date=TODAY
        )
        build = time.perf_counter() - t
        del vectors
        gc.collect()
        print(f"[{n}] built in {build:.0f} s; RSS {_rss_gb():.2f} GB (+{_rss_gb() - rss0:.2f})")
        if reuse:
            matcher.save(saved)
    pick = random.Random(seed)
    ids = [listings[pick.randrange(n)].id for _ in range(queries)]
    by_id = {x.id: x for x in listings}
    variants: dict[str, list[float]] = {"hard filters only": [], "+ country": [], "+ one city": []}
    for qid in ids[:50]:  # warm caches (filter plans, pages)
        matcher.suggest(qid, k=10)
    for qid in ids:
        q = by_id[qid]
        other = "CN" if q.country.value == "DE" else "DE"
        city = listings[pick.randrange(n)].city
        for name, filters in (
            ("hard filters only", None),
            ("+ country", Filters.of(country=other)),
            ("+ one city", Filters.of(city=city)),
        ):
            t = time.perf_counter()
            matcher.suggest(qid, k=10, filters=filters)
            variants[name].append((time.perf_counter() - t) * 1000)
    print("\n| listings | suggest by id | p50 ms | p99 ms |\n| ---: | --- | ---: | ---: |")
    for name, values in variants.items():
        p50, p99 = _percentiles(values)
        print(f"| {n:,} | {name} | {p50:.2f} | {p99:.2f} |")
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    print(f"\npeak RSS {maxrss:.2f} GB; {queries} queries per row; load {os.getloadavg()[0]:.1f}\n")


def main() -> None:
    """Parse arguments and run each size."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000])
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/isa_bench_match"))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="save the built matcher in --workdir and load it on later runs (same code only)",
    )
    args = parser.parse_args()
    print(f"load average at start: {os.getloadavg()[0]:.1f}")
    for n in args.sizes:
        run(n, args.workdir, args.queries, args.seed, args.reuse)


if __name__ == "__main__":
    main()
