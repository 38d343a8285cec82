"""Helpers of the index test suite: backends, a synthetic corpus, the oracle.

A uniquely named module (not conftest) so test files can import it directly.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pytest
from sample_helpers import koeln_item

from isa_match.index import ExactIndex, FaissIndex, Hit, ItemMeta
from isa_match.index._common import StoreIndex
from isa_match.index.synthetic import clustered_unit_vectors, synthetic_items
from isa_match.schema import Filters

DIM = 32

# Every backend the contract suite runs against. The IVF variant probes all of
# its 16 lists, so with float32 re-scoring it must equal exact search.
BACKENDS: dict[str, Callable[[], StoreIndex]] = {
    "exact": lambda: ExactIndex(DIM),
    "faiss-flat": lambda: FaissIndex(DIM, index_type="Flat", exact_max=100),
    "faiss-ivf": lambda: FaissIndex(DIM, index_type="IVF16,SQ8", nprobe=16, exact_max=50),
}


@dataclass
class Corpus:
    items: list[ItemMeta]
    vectors: np.ndarray
    queries: np.ndarray


@pytest.fixture(scope="session")
def corpus() -> Corpus:
    rng = np.random.default_rng(7)
    vectors = clustered_unit_vectors(2020, DIM, rng, clusters=20, spread=1.0)
    return Corpus(synthetic_items(2000, rng), vectors[:2000], vectors[2000:])


@pytest.fixture(params=sorted(BACKENDS))
def make_index(request: pytest.FixtureRequest) -> Callable[[], StoreIndex]:
    factory: Callable[[], StoreIndex] = BACKENDS[request.param]
    return factory


@pytest.fixture
def filled(make_index: Callable[[], StoreIndex], corpus: Corpus) -> StoreIndex:
    index = make_index()
    index.add(corpus.items, corpus.vectors)
    return index


def oracle(
    items: list[ItemMeta],
    vectors: np.ndarray,
    queries: np.ndarray,
    k: int,
    filters: Filters | None = None,
) -> list[list[Hit]]:
    """The obvious slow answer: score every passing item, sort."""
    passing = [i for i, m in enumerate(items) if filters is None or m.passes(filters)]
    out = []
    for q in queries:
        scores = [(float(vectors[i] @ q), items[i].id) for i in passing]
        scores.sort(key=lambda t: -t[0])
        out.append([Hit(i, s) for s, i in scores[:k]])
    return out


def assert_same_hits(got: list[list[Hit]], want: list[list[Hit]]) -> None:
    assert len(got) == len(want)
    for g, w in zip(got, want, strict=True):
        assert [h.id for h in g] == [h.id for h in w]
        np.testing.assert_allclose([h.score for h in g], [h.score for h in w], atol=1e-5)


def basis_item(i: int) -> ItemMeta:
    """Item ``b{i}`` with fixed metadata (paired with the ``i``-th unit axis: a known
    answer for any backend)."""
    return koeln_item(f"b{i}")
