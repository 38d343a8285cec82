"""Backend registry: create an index by name, load a saved one whatever its backend."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from isa_match.index import _persist
from isa_match.index._common import StoreIndex
from isa_match.index.base import EncoderLike, IndexMismatchError
from isa_match.index.exact import ExactIndex
from isa_match.index.faiss_index import FaissIndex

# name -> class; an external engine (e.g. Milvus) registers here without
# changing callers, which only use the VectorIndex protocol.
BACKENDS: dict[str, type[StoreIndex]] = {"exact": ExactIndex, "faiss": FaissIndex}


def create_index(
    backend: str = "faiss", *, dim: int, encoder: EncoderLike | None = None, **options: Any
) -> StoreIndex:
    """A new, empty index.

    Args:
        backend: ``"faiss"`` (default) or ``"exact"``.
        dim: vector dimension.
        encoder: the encoder producing the vectors (recorded, checked on load).
        **options: backend options, e.g. ``index_type``, ``memory_budget``, ``nprobe``
            for FAISS (see :class:`FaissIndex`).
    """
    try:
        cls = BACKENDS[backend]
    except KeyError:
        raise ValueError(
            f"unknown index backend {backend!r}; available: {', '.join(sorted(BACKENDS))}"
        ) from None
    return cls(dim, encoder, **options)


def load_index(
    path: str | Path, *, expect_encoder: EncoderLike | None = None, mmap: bool | None = None
) -> StoreIndex:
    """Load a saved index folder with the backend recorded in its manifest.

    ``mmap``: see :meth:`StoreIndex.load` (default: memory-map large vector files).

    Raises:
        IndexCorruptError: missing, truncated or altered files.
        IndexMismatchError: another encoder (when ``expect_encoder`` is given),
            format version or an unknown backend.
    """
    manifest = _persist.read_manifest(Path(path), expect_encoder=expect_encoder, verify_files=False)
    backend = manifest.get("backend")
    cls = BACKENDS.get(str(backend))
    if cls is None:
        raise IndexMismatchError(f"{path}: unknown index backend {backend!r}")
    return cls.load(path, expect_encoder=expect_encoder, mmap=mmap)
