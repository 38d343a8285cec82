"""The compact id <-> slot map against a plain dict oracle."""

from __future__ import annotations

import numpy as np
import pytest

from isa_match.index import FaissIndex, ItemMeta
from isa_match.index._ids import IdMap


def test_random_operations_match_a_dict() -> None:
    rng = np.random.default_rng(3)
    ids, free = IdMap(), list(range(5000))
    oracle: dict[str, int] = {}
    pool = [f"L{i}" for i in range(3000)] + ["名古屋-7", "Köln/ä", "x" * 40]
    for step in range(6000):
        item = pool[int(rng.integers(len(pool)))]
        if item in oracle and rng.random() < 0.5:
            slot = ids.pop(item)
            assert slot == oracle.pop(item)
            free.append(slot)
        elif item not in oracle:
            slot = free.pop()
            ids.add(item, slot)
            oracle[item] = slot
        ids.settle()
        if step % 997 == 0:
            ids.merge()
        if step % 500 == 0:
            probe = pool[:50] + ["missing", "L"]
            want = [oracle.get(p, -1) for p in probe]
            assert ids.lookup(probe).tolist() == want
    assert len(ids) == len(oracle)
    assert {i: ids.get(i) for i in oracle} == oracle
    assert all(ids.name(s) == i for i, s in oracle.items())
    slots = np.array(list(oracle.values()), dtype=np.int64)
    assert ids.names(slots) == list(oracle)  # multi-byte UTF-8 ids decoded too
    assert sorted(ids) == sorted(oracle)
    assert "missing" not in ids and 5 not in ids and ids.get("missing") is None
    with pytest.raises(KeyError):
        ids.pop("missing")
    again = IdMap.from_array(ids.to_array())
    assert {i: again.get(i) for i in oracle} == oracle and len(again) == len(oracle)


def test_duplicate_ids_in_saved_array_are_refused() -> None:
    with pytest.raises(ValueError, match="two slots"):
        IdMap.from_array(np.array(["a", "b", "a"]))


def test_nul_in_id_is_refused() -> None:
    item = ItemMeta("a\x00", "DE", "koeln", "DE-NW", (), "product", "offer", "company", "de")
    with pytest.raises(ValueError, match="item 0: id must be a non-empty string without NUL"):
        FaissIndex(4).add([item], np.ones((1, 4), dtype=np.float32))
