"""Public functions: generate a corpus in memory, stream it, write it to disk."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from datetime import date
from pathlib import Path

from .core import DEFAULT_TODAY, GeneratedCorpus, ListingInfo, Row, _Generator

LISTINGS_FILE = "listings.jsonl"
PAIRS_FILE = "pairs.jsonl"


def generate_corpus(
    n_listings: int,
    *,
    seed: int = 0,
    n_pairs: int | None = None,
    today: date = DEFAULT_TODAY,
) -> GeneratedCorpus:
    """Generate a synthetic bilingual ISA corpus with labelled request/offer pairs.

    Args:
        n_listings: Number of listings to generate.
        seed: Seed of every random choice; the same arguments give identical output.
        n_pairs: Number of labelled (request, offer) pairs; by default 15 % of the
            listings, capped by what the topic universe supports with clean labels.
        today: Reference date: listings are created in the two years before it and
            about 10 % have expired before it.

    Returns:
        The rows (input-file layout), the pairs as ``(request_id, offer_id)`` and
        per-listing provenance in ``info``.

    Raises:
        ValueError: If ``n_listings`` is not positive or ``n_pairs`` does not fit.
    """
    rows: list[Row] = []
    pairs: list[tuple[str, str]] = []
    info: dict[str, ListingInfo] = {}
    for block_rows, block_pairs, block_info in _Generator(
        n_listings, seed, n_pairs, today
    ).blocks():
        rows.extend(block_rows)
        pairs.extend(block_pairs)
        info.update(block_info)
    return GeneratedCorpus(rows=rows, pairs=pairs, info=info)


def iter_rows(
    n_listings: int,
    *,
    seed: int = 0,
    n_pairs: int | None = None,
    today: date = DEFAULT_TODAY,
) -> Iterator[Row]:
    """Stream the rows of :func:`generate_corpus` with memory bounded by one block.

    Yields exactly the rows ``generate_corpus`` returns for the same arguments.
    """
    for block_rows, _pairs, _info in _Generator(n_listings, seed, n_pairs, today).blocks():
        yield from block_rows


def _dump(row: Row | dict[str, str]) -> str:
    return json.dumps(row, ensure_ascii=False) + "\n"


def _atomic_write(path: Path, lines: Iterator[str]) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8", newline="\n") as fh:
        for line in lines:
            fh.write(line)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def write_corpus(corpus: GeneratedCorpus, out_dir: str | Path) -> tuple[Path, Path]:
    """Write ``listings.jsonl`` and ``pairs.jsonl`` (UTF-8, one JSON object a line).

    Returns:
        The paths of the listings file and the pairs file.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    listings, pairs = out / LISTINGS_FILE, out / PAIRS_FILE
    _atomic_write(listings, (_dump(r) for r in corpus.rows))
    _atomic_write(pairs, (_dump({"request": r, "offer": o}) for r, o in corpus.pairs))
    return listings, pairs


def stream_corpus(
    n_listings: int,
    out_dir: str | Path,
    *,
    seed: int = 0,
    n_pairs: int | None = None,
    today: date = DEFAULT_TODAY,
) -> tuple[int, int]:
    """Generate and write a corpus block by block (for millions of listings).

    The files are byte-identical to ``write_corpus(generate_corpus(...))``.

    Returns:
        The number of listings and of pairs written.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    pairs: list[tuple[str, str]] = []
    count = 0

    def lines() -> Iterator[str]:
        nonlocal count
        for rows, block_pairs, _info in _Generator(n_listings, seed, n_pairs, today).blocks():
            pairs.extend(block_pairs)
            count += len(rows)
            for r in rows:
                yield _dump(r)

    _atomic_write(out / LISTINGS_FILE, lines())
    _atomic_write(out / PAIRS_FILE, (_dump({"request": r, "offer": o}) for r, o in pairs))
    return count, len(pairs)
