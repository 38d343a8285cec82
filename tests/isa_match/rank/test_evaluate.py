"""Evaluation metrics and the filter conjunction used by the ranker."""

from __future__ import annotations

import itertools
import math
from datetime import date

import pytest

from isa_match.rank._filters import merge_filters
from isa_match.rank.evaluate import Metrics, evaluate
from isa_match.rank.matcher import Matcher
from isa_match.schema import Filters, Listing


def test_metrics_known_answer() -> None:
    m = Metrics.from_ranks([1, 2, None, 11])
    assert m.queries == 4
    assert m.recall_at_1 == 0.25
    assert m.recall_at_5 == 0.5
    assert m.recall_at_10 == 0.5
    assert m.mrr == pytest.approx((1 + 1 / 2 + 1 / 11) / 4)
    assert m.ndcg_at_10 == pytest.approx((1 + 1 / math.log2(3)) / 4)
    assert Metrics.from_ranks([]).queries == 0


def test_evaluate_rejects_unknown_ids_and_empty_pairs(sample_matcher: Matcher) -> None:
    with pytest.raises(ValueError, match="no labelled pairs"):
        evaluate(sample_matcher, [])
    with pytest.raises(KeyError, match="NOPE"):
        evaluate(sample_matcher, [("NOPE", "L0000001")])
    with pytest.raises(ValueError, match="unknown mode"):
        evaluate(sample_matcher, [("L0000508", "L0000009")], modes=("magic",))  # type: ignore[arg-type]


def test_evaluate_table_lists_each_mode(
    sample_matcher: Matcher, sample_pairs: list[tuple[str, str]]
) -> None:
    result = evaluate(sample_matcher, sample_pairs[:10], modes=("full", "dense"))
    assert set(result.metrics) == {"full", "dense"}
    assert result.metrics["full"].queries == 20
    table = result.table()
    assert "full" in table and "dense" in table and "MRR" in table
    for values in result.as_dict().values():
        assert all(0.0 <= v <= 1.0 for k, v in values.items() if k != "queries")


FILTERS = [
    Filters(),
    Filters.of(country="DE"),
    Filters.of(country="CN", kind="offer"),
    Filters.of(sector="C"),
    Filters.of(sector=["C20", "M"]),
    Filters.of(category=["product", "space"], active_on=date(2026, 11, 1)),
    Filters.of(city="koeln", exclude_ids=["L0000001"]),
    Filters.of(language="zh", active_on=date(2027, 6, 1)),
]


def test_merge_is_the_conjunction(sample_listings: list[Listing]) -> None:
    for a, b in itertools.product(FILTERS, repeat=2):
        if a.sector is not None and b.sector is not None and a.sector != b.sector:
            with pytest.raises(ValueError, match="two different sector filters"):
                merge_filters(a, b)
            continue
        merged = merge_filters(a, b)
        for item in sample_listings[::9]:
            assert merged.matches(item) == (a.matches(item) and b.matches(item)), (a, b, item.id)
