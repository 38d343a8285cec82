"""Helpers of the Milvus tests (a uniquely named module, importable by test files)."""

from __future__ import annotations

import importlib.util
from typing import Any

import numpy as np
import numpy.typing as npt
from index_helpers import DIM, basis_item

from isa_match.index import ItemMeta, MilvusIndex


class FlushingMilvusIndex(MilvusIndex):
    """Seals every write, so Milvus Lite searches with the built index, not its write buffer.

    (Milvus Lite searches unflushed rows by brute force; a server does the same
    with growing segments. Flushing after each add exercises IVF for real.)
    """

    def add(self, items: Any, vectors: npt.ArrayLike) -> None:
        super().add(items, vectors)
        if len(self):
            self.flush()


# name -> MilvusIndex options. IVF_FLAT probing all 16 lists computes exact
# inner products, so it must equal exact search like the FAISS IVF variant.
MILVUS: dict[str, dict[str, Any]] = {
    "milvus-flat": {"index_type": "FLAT"},
    "milvus-ivf": {"index_type": "IVF_FLAT", "nlist": 16, "nprobe": 16, "flushing": True},
}


def milvus_missing() -> str | None:
    """Why the Milvus backend cannot run here (``None`` when it can)."""
    for module, extra in (("pymilvus", "pymilvus"), ("milvus_lite", "milvus-lite")):
        if importlib.util.find_spec(module) is None:
            return f"{extra} is not installed (pip install 'isa-match[scale]')"
    return None


def basis(n: int) -> tuple[list[ItemMeta], npt.NDArray[np.float32]]:
    """``n`` items on the unit axes (a known answer for any backend)."""
    items = [basis_item(i) for i in range(n)]
    return items, np.eye(DIM, dtype=np.float32)[:n]
