"""Corpus statistics as a Markdown report: ``python -m isa_match.generate.stats DIR``.

The counts come from the loaded listings (:func:`isa_match.io.load_listings`
and :func:`isa_match.stats.corpus_stats`), so countries and sections are the
ones the product derives, not a second reading of the raw file.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from pathlib import Path

from isa_match.io import load_listings, read_pairs
from isa_match.schema import Listing
from isa_match.stats import corpus_stats

from .core import DEFAULT_TODAY


def _table(title: str, counts: Mapping[str, int], total: int) -> list[str]:
    lines = [f"**{title}**", "", "| value | listings | share |", "|---|---:|---:|"]
    for key, value in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        lines.append(f"| {key} | {value} | {value / total:.1%} |")
    return [*lines, ""]


def summarize(
    listings: Sequence[Listing],
    pairs: Iterable[tuple[str, str]],
    *,
    spellings: int,
    today: date = DEFAULT_TODAY,
) -> str:
    """Markdown tables: listings per language, category, country, kind, NACE section,
    expired share, and pairs by category and language direction.

    Args:
        listings: The loaded corpus.
        pairs: (request id, offer id) pairs.
        spellings: Distinct ways the city column was written in the file.
        today: The day expiry is judged on.
    """
    stats = corpus_stats(listings, today=today)
    total = stats.total
    by_id = {item.id: item for item in listings}
    orgs = Counter(item.organization for item in listings)
    out = [
        f"- listings: {total}",
        f"- organisations: {len(orgs)} "
        f"({sum(1 for v in orgs.values() if v > 1)} with several listings)",
        f"- expired on {today.isoformat()}: {stats.expired} ({stats.expired / total:.1%})",
        f"- without expiry date: {sum(1 for item in listings if item.expires_at is None)}",
        f"- cities: {len(stats.by_city)} members, {spellings} distinct spellings",
        f"- NACE sections: {len(stats.by_section)}",
        "",
    ]
    out += _table("language", stats.by_language, total)
    out += _table("category", stats.by_category, total)
    out += _table("kind", stats.by_kind, total)
    out += _table("org_type", stats.by_org_type, total)
    out += _table("country", stats.by_country, total)
    out += _table("NACE section (listings naming it)", stats.by_section, total)
    pair_list = list(pairs)
    out.append(f"**labelled pairs: {len(pair_list)}**")
    out.append("")
    by_cat = Counter(by_id[r].category.value for r, _ in pair_list)
    direction = Counter(
        f"{by_id[r].language.value} request → {by_id[o].language.value} offer" for r, o in pair_list
    )
    out += _table("pairs by category", by_cat, len(pair_list))
    out += _table("pairs by language direction", direction, len(pair_list))
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    """Print the statistics of a corpus folder (listings.jsonl, pairs.jsonl)."""
    folder = Path((argv or sys.argv[1:])[0])
    result = load_listings(folder / "listings.jsonl", today=DEFAULT_TODAY)
    # the city column as written (load_listings keeps only the resolved member id)
    raw = load_raw_cities(folder / "listings.jsonl")
    print(summarize(result.listings, read_pairs(folder / "pairs.jsonl"), spellings=len(raw)))
    return 0


def load_raw_cities(path: Path) -> set[str]:
    """The distinct values of the ``city`` column of a JSONL corpus, as written."""

    with path.open(encoding="utf-8") as handle:
        return {str(json.loads(line).get("city")) for line in handle if line.strip()}


if __name__ == "__main__":
    sys.exit(main())
