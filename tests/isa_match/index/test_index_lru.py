"""The filter-plan cache: least recently used out first, bounded by count and bytes."""

from __future__ import annotations

import numpy as np

from isa_match.index._lru import PlanCache


def test_least_recently_used_goes_first_and_a_change_empties_it() -> None:
    cache: PlanCache[str] = PlanCache(2, 10**9)
    cache.put("broad", "plan-a", 1)
    cache.put("city-1", "plan-b", 1)
    assert cache.get("broad", 1) == "plan-a"  # used: now the most recent
    cache.put("city-2", "plan-c", 1)
    assert cache.get("city-1", 1) is None  # the least recently used went
    assert cache.get("broad", 1) == "plan-a"
    assert cache.get("city-2", 1) == "plan-c"
    assert cache.get("broad", 2) is None  # another version: nothing cached
    assert len(cache) == 0


def test_bytes_are_bounded_but_one_entry_always_stays() -> None:
    cache: PlanCache[np.ndarray] = PlanCache(100, 1000, lambda a: a.nbytes)
    cache.put("a", np.zeros(100, dtype=np.int64), 0)  # 800 bytes
    cache.put("b", np.zeros(50, dtype=np.int64), 0)  # 400: over the bound, "a" goes
    assert cache.get("a", 0) is None and cache.get("b", 0) is not None
    cache.put("huge", np.zeros(1000, dtype=np.int64), 0)  # alone above the bound: kept
    assert cache.get("huge", 0) is not None and len(cache) == 1
