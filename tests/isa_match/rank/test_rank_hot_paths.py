"""The per-query shortcuts of the ranking give exactly what the plain forms give."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

from isa_match._arrays import in_sorted
from isa_match.rank import _rank


@pytest.mark.parametrize("seed", range(20))
def test_in_sorted_equals_isin(seed: int) -> None:
    rng = np.random.default_rng(seed)
    values = rng.integers(0, 50, int(rng.integers(0, 60))).astype(np.int64)
    ref = np.sort(rng.integers(0, 50, int(rng.integers(0, 30)))).astype(np.int64)
    assert in_sorted(values, ref).tolist() == np.isin(values, ref).tolist()


def test_in_sorted_on_empty_arrays() -> None:
    empty = np.zeros(0, dtype=np.int64)
    assert in_sorted(np.array([1, 2], dtype=np.int64), empty).tolist() == [False, False]
    assert in_sorted(empty, np.array([1], dtype=np.int64)).tolist() == []


def _fake(ids: list[str]) -> tuple[Any, Any]:
    items = [SimpleNamespace(id=i) for i in ids]
    m = SimpleNamespace(_listings=items)
    c = _rank.Candidates(
        rows=np.arange(len(ids), dtype=np.int64)[::-1].copy(),
        dense=np.zeros(len(ids)),
        lex=np.zeros(len(ids)),
    )
    return m, c


@pytest.mark.parametrize("seed", range(30))
def test_order_breaks_ties_by_id_like_a_full_lexsort(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 80))
    ids = [f"L{int(x):05d}" for x in rng.permutation(100_000)[:n]]
    m, c = _fake(ids)
    # few distinct values: many ties, in groups of all sizes
    scores = rng.integers(0, max(1, n // 3), n).astype(np.float64) / 7
    expected = np.lexsort((np.array([ids[r] for r in c.rows]), -scores))
    assert _rank._order(m, c, scores).tolist() == expected.tolist()


def test_order_without_ties_reads_no_ids() -> None:
    m, c = _fake(["b", "a", "c"])
    m._listings = None  # any id read would fail
    assert _rank._order(m, c, np.array([0.2, 0.9, 0.5])).tolist() == [1, 2, 0]


def test_descending_asks_names_only_for_tied_positions() -> None:
    from isa_match._arrays import descending

    names = ["d", "a", "c", "b", "e"]
    scores = np.array([0.5, 0.9, 0.5, 0.5, 0.1])
    asked: list[list[int]] = []

    def names_of(at: np.ndarray) -> list[str]:
        asked.append(sorted(at.tolist()))
        return [names[p] for p in at.tolist()]

    assert descending(scores, names_of).tolist() == [1, 3, 2, 0, 4]
    assert asked == [[0, 2, 3]]
    expected = np.lexsort((np.array(names), -scores)).tolist()
    assert descending(scores, names_of).tolist() == expected
