"""Load speed of ``isa_match.io.load_listings`` on a generated corpus.

    python benchmarks/bench_io.py --n 200000 --formats parquet jsonl csv

Generates N listings with the sample corpus's generator (realistic texts, cities
given in every common spelling), writes them in each format with ``write_rows``
and loads them strictly. Prints write and load wall time, load CPU time and rows/s.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from isa_match.generate import stream_corpus
from isa_match.io import load_listings, write_rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=200_000, help="listings (default 200,000)")
    parser.add_argument(
        "--formats", nargs="+", default=["parquet", "jsonl", "csv"], help="file formats"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        stream_corpus(args.n, tmp, seed=1)
        lines = (Path(tmp) / "listings.jsonl").read_text("utf-8").splitlines()
        rows = [json.loads(line) for line in lines]
        header = ("format", "rows", "write s", "load s", "CPU s", "rows/s")
        print("{:8s} {:>9s} {:>8s} {:>7s} {:>6s} {:>8s}".format(*header))
        for fmt in args.formats:
            path = Path(tmp) / f"bench.{fmt}"
            t0 = time.perf_counter()
            write_rows(rows, path)
            t1, c1 = time.perf_counter(), time.process_time()
            result = load_listings(path, strict=False)
            t2, c2 = time.perf_counter(), time.process_time()
            assert len(result) == args.n, result.report(limit=5)
            print(
                f"{fmt:8s} {args.n:>9,} {t1 - t0:8.1f} {t2 - t1:7.1f} {c2 - c1:6.1f} "
                f"{args.n / (t2 - t1):8,.0f}"
            )


if __name__ == "__main__":
    main()
