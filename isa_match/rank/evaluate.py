"""Evaluation of a :class:`Matcher` on labelled request/offer pairs.

Every pair is scored in both directions (the request should find the offer and
the offer the request), with the whole corpus as candidates under the matcher's
hard filters. Metrics: recall@1/5/10, MRR (ranks cut at ``depth``) and nDCG@10
(one relevant item per query), for the full ranker and for each retriever
alone as baselines.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date
from typing import TYPE_CHECKING

from isa_match.index.base import UnknownIdError

if TYPE_CHECKING:
    from isa_match.rank.matcher import Matcher, Mode

MODES: tuple[Mode, ...] = ("full", "dense", "lexical")


@dataclass(frozen=True, slots=True)
class Metrics:
    """Ranking quality of one mode over all queries."""

    queries: int
    recall_at_1: float
    recall_at_5: float
    recall_at_10: float
    mrr: float
    ndcg_at_10: float

    @classmethod
    def from_ranks(cls, ranks: Sequence[int | None]) -> Metrics:
        """Metrics from the 1-based rank of the right partner per query (``None``: not found)."""
        n = len(ranks)
        if n == 0:
            return cls(0, 0.0, 0.0, 0.0, 0.0, 0.0)

        def recall(cut: int) -> float:
            return sum(1 for r in ranks if r is not None and r <= cut) / n

        mrr = sum(1.0 / r for r in ranks if r is not None) / n
        ndcg = sum(1.0 / math.log2(r + 1) for r in ranks if r is not None and r <= 10) / n
        return cls(n, recall(1), recall(5), recall(10), mrr, ndcg)


@dataclass(frozen=True, slots=True)
class Evaluation:
    """Metrics per mode (``full``, ``dense``, ``lexical``) and the failing queries of ``full``."""

    metrics: dict[str, Metrics]
    misses: tuple[tuple[str, str, int | None], ...] = ()

    def as_dict(self) -> dict[str, dict[str, float]]:
        """JSON-ready metrics per mode."""
        return {mode: asdict(m) for mode, m in self.metrics.items()}

    def table(self) -> str:
        """A plain-text table, one row per mode."""
        head = (
            f"{'ranker':<10} {'queries':>7} {'R@1':>6} {'R@5':>6} {'R@10':>6} "
            f"{'MRR':>6} {'nDCG@10':>8}"
        )
        lines = [head, "-" * len(head)]
        for mode, m in self.metrics.items():
            lines.append(
                f"{mode:<10} {m.queries:>7} {m.recall_at_1:>6.3f} {m.recall_at_5:>6.3f} "
                f"{m.recall_at_10:>6.3f} {m.mrr:>6.3f} {m.ndcg_at_10:>8.3f}"
            )
        return "\n".join(lines)


def evaluate(
    matcher: Matcher,
    pairs: Sequence[tuple[str, str]],
    *,
    modes: Sequence[Mode] = MODES,
    today: date | None = None,
    depth: int = 100,
) -> Evaluation:
    """Evaluate ``matcher`` on ``(request_id, offer_id)`` pairs, both directions.

    Raises:
        UnknownIdError: a pair names a listing the matcher does not hold.
        ValueError: no pairs, or an unknown mode.
    """
    if not pairs:
        raise ValueError("no labelled pairs to evaluate")
    bad = [m for m in modes if m not in MODES]
    if bad:
        raise ValueError(f"unknown mode(s) {bad}; use {', '.join(MODES)}")
    missing = [i for pair in pairs for i in pair if i not in matcher]
    if missing:
        raise UnknownIdError(list(dict.fromkeys(missing)))
    queries = [(a, b) for a, b in pairs] + [(b, a) for a, b in pairs]
    metrics: dict[str, Metrics] = {}
    misses: list[tuple[str, str, int | None]] = []
    for mode in modes:
        ranks: list[int | None] = []
        for query, target in queries:
            found = matcher.suggest(query, k=depth, today=today, mode=mode, explain=False)
            rank = next((i for i, m in enumerate(found, 1) if m.id == target), None)
            ranks.append(rank)
            if mode == "full" and (rank is None or rank > 1):
                misses.append((query, target, rank))
        metrics[mode] = Metrics.from_ranks(ranks)
    return Evaluation(metrics, tuple(misses))
