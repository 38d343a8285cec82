"""Exact (brute-force numpy) backend: the oracle every other backend is tested against."""

from __future__ import annotations

from typing import ClassVar

from isa_match.index._common import StoreIndex
from isa_match.index._store import FloatArray, IntArray
from isa_match.schema import Filters


class ExactIndex(StoreIndex):
    """Exact inner-product search with numpy over all (or the filtered) vectors.

    Deliberately simple: filters select the passing rows first, then every
    passing row is scored. Cost grows linearly with the corpus (about 60 ms per
    query at 1M x 512 on one core), so use it for small corpora and as the
    reference in tests and benchmarks.

    Args:
        dim: vector dimension.
        encoder: the encoder the vectors come from (recorded in the manifest).
    """

    backend: ClassVar[str] = "exact"

    def _search(
        self, queries: FloatArray, k: int, filters: Filters | None, gone: IntArray
    ) -> tuple[FloatArray, IntArray]:
        return self._store.exact(queries, k, self._store.plan(filters, gone))
