"""``python -m isa_match.generate --n 2000 --seed 7 --out data/sample``."""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date

from .api import stream_corpus
from .core import DEFAULT_TODAY


def main(argv: list[str] | None = None) -> int:
    """Generate a corpus into a folder; prints counts and speed to stderr."""
    parser = argparse.ArgumentParser(prog="python -m isa_match.generate", description=__doc__)
    parser.add_argument("--n", type=int, required=True, help="number of listings")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--pairs", type=int, default=None, help="number of labelled pairs")
    parser.add_argument(
        "--today",
        type=date.fromisoformat,
        default=DEFAULT_TODAY,
        help="reference date (ISO), default %(default)s",
    )
    parser.add_argument("--out", required=True, help="output folder")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    try:
        n, p = stream_corpus(args.n, args.out, seed=args.seed, n_pairs=args.pairs, today=args.today)
    except ValueError as exc:
        parser.error(str(exc))
    took = time.perf_counter() - start
    print(
        f"wrote {n} listings and {p} pairs to {args.out} in {took:.1f} s "
        f"({n / took:,.0f} listings/s)",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
