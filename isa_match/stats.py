"""Corpus statistics: what a set of listings holds, for the CLI, notes and notebooks."""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from isa_match.schema import Listing


@dataclass(frozen=True)
class CorpusStats:
    """Counts of a corpus by the fields staff filter on.

    Each mapping is ordered by descending count, then by key, so printed tables
    and JSON are stable.
    """

    total: int
    expired: int
    by_language: dict[str, int] = field(default_factory=dict)
    by_kind: dict[str, int] = field(default_factory=dict)
    by_category: dict[str, int] = field(default_factory=dict)
    by_country: dict[str, int] = field(default_factory=dict)
    by_org_type: dict[str, int] = field(default_factory=dict)
    by_section: dict[str, int] = field(default_factory=dict)
    by_city: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return {
            "total": self.total,
            "expired": self.expired,
            "by_language": self.by_language,
            "by_kind": self.by_kind,
            "by_category": self.by_category,
            "by_country": self.by_country,
            "by_org_type": self.by_org_type,
            "by_section": self.by_section,
            "by_city": self.by_city,
        }


def _ordered(counter: Counter[str]) -> dict[str, int]:
    return dict(sorted(counter.items(), key=lambda kv: (-kv[1], kv[0])))


def corpus_stats(listings: Iterable[Listing], *, today: date | None = None) -> CorpusStats:
    """Count listings by language, kind, category, country, org type, section and city.

    A listing with several sectors counts once for each distinct NACE section it
    names, so ``by_section`` may add up to more than ``total``.

    Args:
        listings: The listings to count.
        today: The day against which expiry is judged (default: today).
    """
    today = today or date.today()
    counters: dict[str, Counter[str]] = {
        name: Counter()
        for name in ("language", "kind", "category", "country", "org_type", "section", "city")
    }
    total = expired = 0
    for item in listings:
        total += 1
        expired += item.is_expired(today)
        counters["language"][item.language.value] += 1
        counters["kind"][item.kind.value] += 1
        counters["category"][item.category.value] += 1
        counters["country"][item.country.value] += 1
        counters["org_type"][item.org_type.value] += 1
        counters["city"][item.city] += 1
        for section in item.sections:
            counters["section"][section] += 1
    return CorpusStats(
        total=total,
        expired=expired,
        by_language=_ordered(counters["language"]),
        by_kind=_ordered(counters["kind"]),
        by_category=_ordered(counters["category"]),
        by_country=_ordered(counters["country"]),
        by_org_type=_ordered(counters["org_type"]),
        by_section=_ordered(counters["section"]),
        by_city=_ordered(counters["city"]),
    )


def display_width(text: str) -> int:
    """Terminal columns of ``text``: East Asian wide characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def clip(text: str, width: int) -> str:
    """``text`` cut to at most ``width`` terminal columns, with an ellipsis when cut."""
    if display_width(text) <= width:
        return text
    out, used = [], 0
    for ch in text:
        used += display_width(ch)
        if used > width - 1:
            break
        out.append(ch)
    return "".join(out) + "…"


def format_counts(
    title: str,
    counts: dict[str, int],
    total: int,
    labels: Sequence[str] = (),
    *,
    limit: int | None = None,
    max_width: int = 48,
) -> str:
    """One block of a plain-text table: key, count and share of ``total``.

    Args:
        title: Heading of the block.
        counts: Key → count, already ordered.
        total: What shares are relative to.
        labels: Optional display labels, parallel to ``counts``' keys.
        limit: Show at most this many rows and say how many more there are.
        max_width: Longer labels are clipped to this many terminal columns.
    """
    names = [clip(n, max_width) for n in (labels or list(counts))]
    rows = list(zip(names, counts.values(), strict=True))
    shown = rows[:limit] if limit is not None else rows
    width = max((display_width(n) for n, _ in shown), default=0)
    lines = [title]
    for name, count in shown:
        share = 100.0 * count / total if total else 0.0
        pad = " " * (width - display_width(name))
        lines.append(f"  {name}{pad}  {count:>7}  {share:5.1f} %")
    if len(rows) > len(shown):
        lines.append(f"  … and {len(rows) - len(shown)} more")
    return "\n".join(lines)
