"""Corpus statistics as a Markdown report: ``python -m isa_match.generate.stats DIR``."""

from __future__ import annotations

import json
import sys
from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import date
from pathlib import Path

from ._cities import CITIES
from .core import DEFAULT_TODAY

_COUNTRY_BY_DISPLAY: dict[str, str] = {}


def _country_of(city: str) -> str:
    if not _COUNTRY_BY_DISPLAY:
        for c in CITIES:
            for name in (*c.display, c.de, c.zh, c.en):
                _COUNTRY_BY_DISPLAY[name] = c.country
        _COUNTRY_BY_DISPLAY.update(
            {
                "Cologne": "DE",
                "Nuremberg": "DE",
                "Düren": "DE",
                "Fulda": "DE",
                "Rüsselsheim": "DE",
                "Shenzhen": "CN",
                "Taizhou (Zhejiang)": "CN",
            }
        )
    return _COUNTRY_BY_DISPLAY.get(city, "?")


def _table(title: str, counts: Mapping[str, int], total: int) -> list[str]:
    lines = [f"**{title}**", "", "| value | listings | share |", "|---|---:|---:|"]
    for key, value in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        lines.append(f"| {key} | {value} | {value / total:.1%} |")
    return [*lines, ""]


def summarize(
    rows: list[Mapping[str, str | None]],
    pairs: Iterable[tuple[str, str]],
    today: date = DEFAULT_TODAY,
) -> str:
    """Markdown tables: listings per language, category, country, kind, NACE section,
    expired share, and pairs by category and language direction."""
    total = len(rows)
    by_id = {r["id"]: r for r in rows}
    expired = sum(1 for r in rows if r["expires_at"] and str(r["expires_at"]) < today.isoformat())
    sections: Counter[str] = Counter()
    for r in rows:
        for s in dict.fromkeys(code[0] for code in str(r["sector"]).split(";") if code):
            sections[s] += 1
    orgs = Counter(str(r["organization"]) for r in rows)
    out = [
        f"- listings: {total}",
        f"- organisations: {len(orgs)} "
        f"({sum(1 for v in orgs.values() if v > 1)} with several listings)",
        f"- expired on {today.isoformat()}: {expired} ({expired / total:.1%})",
        f"- without expiry date: {sum(1 for r in rows if not r['expires_at'])}",
        f"- cities: {len({r['city'] for r in rows})} distinct spellings",
        f"- NACE sections: {len(sections)}",
        "",
    ]
    for name in ("language", "category", "kind", "org_type"):
        out += _table(name, Counter(str(r[name]) for r in rows), total)
    out += _table("country", Counter(_country_of(str(r["city"])) for r in rows), total)
    out += _table("NACE section (listings naming it)", sections, total)
    pair_list = list(pairs)
    out.append(f"**labelled pairs: {len(pair_list)}**")
    out.append("")
    by_cat = Counter(str(by_id[r]["category"]) for r, _ in pair_list)
    direction = Counter(
        f"{by_id[r]['language']} request → {by_id[o]['language']} offer" for r, o in pair_list
    )
    out += _table("pairs by category", by_cat, len(pair_list))
    out += _table("pairs by language direction", direction, len(pair_list))
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    """Print the statistics of a corpus folder (listings.jsonl, pairs.jsonl)."""
    folder = Path((argv or sys.argv[1:])[0])
    with open(folder / "listings.jsonl", encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh]
    with open(folder / "pairs.jsonl", encoding="utf-8") as fh:
        pairs = [(p["request"], p["offer"]) for p in map(json.loads, fh)]
    print(summarize(rows, pairs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
