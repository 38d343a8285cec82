"""Behaviour shared by the in-process backends (exact and FAISS)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, ClassVar, Self

import numpy as np
import numpy.typing as npt

from isa_match.index import _persist
from isa_match.index._store import (
    FloatArray,
    IntArray,
    Store,
    check_vectors,
    without_exclusion,
)
from isa_match.index.base import (
    EncoderInfo,
    EncoderLike,
    FloatMatrix,
    Hit,
    IndexCorruptError,
    IndexMismatchError,
    ItemMeta,
)
from isa_match.schema import Filters

#: ``load(..., mmap=None)`` memory-maps a vectors file at least this large (256 MB:
#: 131,072 vectors at d=512) instead of reading it into RAM, so a 1M index keeps
#: its 2 GB float32 store of record on disk (page cache) and only the FAISS codes,
#: ids and metadata resident.
MMAP_MIN_BYTES = 2**28


class StoreIndex:
    """Base of the in-process backends: a :class:`Store` plus a search strategy.

    Subclasses implement :meth:`_search` and the ``_on_*`` hooks that keep
    their native structure in step with the store.
    """

    backend: ClassVar[str] = ""

    def __init__(self, dim: int, encoder: EncoderLike | None = None) -> None:
        self._store = Store(dim)
        self._encoder = None if encoder is None else EncoderInfo.of(encoder)

    # -- protocol ----------------------------------------------------------------

    @property
    def dim(self) -> int:
        """Vector dimension."""
        return self._store.dim

    @property
    def encoder(self) -> EncoderInfo | None:
        """The encoder the vectors came from, if known."""
        return self._encoder

    def __len__(self) -> int:
        return len(self._store)

    def __contains__(self, item_id: object) -> bool:
        return item_id in self._store.ids

    def __repr__(self) -> str:
        return f"{type(self).__name__}(dim={self.dim}, count={len(self)})"

    def ids(self) -> list[str]:
        """All listing ids in the index (slot order)."""
        return list(self._store.ids)

    def add(self, items: Sequence[ItemMeta], vectors: npt.ArrayLike) -> None:
        """Add items with their vectors (one row each); an existing id is replaced.

        The whole batch is validated first (shape, finite values, item fields,
        duplicate ids); on error nothing is changed.
        """
        items = list(items)
        arr = check_vectors(vectors, len(items), self.dim, "add")
        if not items:
            return
        slots, replaced = self._store.assign(items, arr)
        self._on_add(slots, arr, replaced)

    def remove(self, ids: Iterable[str], *, missing_ok: bool = False) -> int:
        """Remove items by id and return how many were removed.

        Raises:
            UnknownIdError: an id is not present and ``missing_ok`` is false
                (nothing is removed then).
        """
        slots = self._store.release(ids, missing_ok)
        if len(slots):
            self._on_remove(slots)
        return len(slots)

    def search(
        self, queries: npt.ArrayLike, k: int, filters: Filters | None = None
    ) -> list[list[Hit]]:
        """Top-``k`` hits per query row (best first) among items passing ``filters``."""
        scores, found = self._search_rows(queries, k, filters)
        names = self._store.ids.names
        out = []
        for row_s, row_i in zip(scores, found, strict=True):
            keep = row_i >= 0  # -1 pads rows with fewer than k passing items
            ids = names(row_i[keep])
            out.append([Hit(i, v) for i, v in zip(ids, row_s[keep].tolist(), strict=True)])
        return out

    def search_slots(
        self,
        query: npt.ArrayLike,
        k: int,
        filters: Filters | None = None,
        *,
        exclude_slots: npt.ArrayLike | None = None,
    ) -> tuple[FloatArray, IntArray]:
        """:meth:`search` for one query vector as (scores, slots), best first.

        No ids are decoded: for callers that keep their own slot-indexed data
        (the matcher maps slots to its rows with :meth:`slots_of`).
        ``exclude_slots``: live slots never returned, in addition to
        ``filters.exclude_ids`` (for a caller that resolved the ids already).
        """
        scores, found = self._search_rows(query, k, filters, exclude_slots)
        if not len(found):
            return np.zeros(0, dtype=np.float32), np.zeros(0, dtype=np.int64)
        keep = found[0] >= 0
        return scores[0][keep], found[0][keep]

    def _search_rows(
        self,
        queries: npt.ArrayLike,
        k: int,
        filters: Filters | None,
        exclude_slots: npt.ArrayLike | None = None,
    ) -> tuple[FloatArray, IntArray]:
        if not isinstance(k, int) or isinstance(k, bool) or k <= 0:
            raise ValueError(f"k must be a positive integer, got {k!r}")
        q = np.ascontiguousarray(queries, dtype=np.float32)
        if q.ndim == 1:
            q = q.reshape(1, -1)
        q = check_vectors(q, len(q), self.dim, "search queries")
        if len(q) == 0 or len(self._store) == 0:
            return np.zeros((len(q), 0), dtype=np.float32), np.zeros((len(q), 0), dtype=np.int64)
        gone = self._store.excluded_slots(filters, exclude_slots)
        if filters is not None:
            filters = without_exclusion(filters)
            if filters.is_empty():
                filters = None
        return self._search(q, k, filters, gone)

    def slots_of(self, ids: Sequence[str]) -> IntArray:
        """The internal slot of each item (stable while the item is present).

        Raises:
            UnknownIdError: an id is not present.
        """
        return self._store.slots_of(ids)

    def vectors_at(self, slots: IntArray) -> FloatMatrix:
        """The stored vectors in the given slots (a copy), e.g. from :meth:`search_slots`."""
        return np.array(self._store.xb[slots], dtype=np.float32).reshape(len(slots), self.dim)

    def vector(self, item_id: str) -> FloatMatrix:
        """The stored vector of one item (a copy)."""
        slot = int(self._store.slots_of([item_id])[0])
        return np.array(self._store.xb[slot], dtype=np.float32)

    def vectors(self, ids: Sequence[str]) -> FloatMatrix:
        """The stored vectors of several items, one row each in the order asked (a copy).

        Raises:
            UnknownIdError: an id is not present.
        """
        slots = self._store.slots_of(ids)
        return np.array(self._store.xb[slots], dtype=np.float32).reshape(len(slots), self.dim)

    def meta(self, item_id: str) -> ItemMeta:
        """The stored metadata of one item (sector codes in first-seen order)."""
        return self._store.meta(item_id)

    def save(self, path: str | Path) -> None:
        """Write the index to folder ``path`` (atomically; replaces an existing folder)."""
        files: dict[str, _persist.Writer] = {
            f"{name}.npy": _persist.npy_writer(arr) for name, arr in self._store.arrays().items()
        }
        vocab = self._store.vocabularies()
        files["vocab.json"] = _persist.json_writer(vocab)
        native, params = self._native_files()
        files.update(native)
        manifest = {
            "backend": self.backend,
            "encoder": None if self._encoder is None else self._encoder.as_dict(),
            "dim": self.dim,
            "count": len(self),
            "slots": self._store.n_slots,
            **params,
        }
        _persist.write_folder(Path(path), manifest, files)

    @classmethod
    def load(
        cls,
        path: str | Path,
        *,
        expect_encoder: EncoderLike | None = None,
        mmap: bool | None = None,
    ) -> Self:
        """Read a folder written by :meth:`save`, checking manifest and checksums.

        Args:
            path: the index folder.
            expect_encoder: when given, refuse an index built by another encoder.
            mmap: memory-map the float32 vectors read-only instead of reading
                them into RAM (they are copied into RAM on the first ``add``);
                ``None`` (default) maps them when the file holds at least
                :data:`MMAP_MIN_BYTES`. Mapped rows are read on demand: re-scoring
                touches ``k * refine`` rows per query, a city filter its city's
                contiguous rows; the pages stay in the shared, reclaimable page
                cache rather than in the process's private memory.

        Raises:
            IndexCorruptError: a missing, truncated or altered file.
            IndexMismatchError: another format version, backend or encoder.
        """
        path = Path(path)
        manifest = _persist.read_manifest(path, backend=cls.backend, expect_encoder=expect_encoder)
        if mmap is None:
            entry = manifest["files"].get("vectors.npy")
            mmap = isinstance(entry, dict) and int(entry.get("bytes", 0)) >= MMAP_MIN_BYTES
        try:
            dim = int(manifest["dim"])
            vocab = _persist.read_json(path / "vocab.json")
            arrays = {
                name[:-4]: _persist.load_npy(path, name, mmap=mmap and name == "vectors.npy")
                for name in manifest["files"]
                if name.endswith(".npy")
            }
            store = Store.restore(dim, arrays, vocab)
            encoder = EncoderInfo.from_dict(manifest.get("encoder"))
            index = cls._from_manifest(dim, encoder, manifest)
        except (KeyError, TypeError, ValueError) as exc:
            if isinstance(exc, IndexCorruptError | IndexMismatchError):
                raise
            raise IndexCorruptError(f"{path}: inconsistent index files ({exc!r})") from exc
        if len(store) != manifest["count"]:
            raise IndexCorruptError(
                f"{path}: manifest says {manifest['count']} items, files hold {len(store)}"
            )
        index._store = store
        index._restore_native(path, manifest)
        return index

    # -- hooks -------------------------------------------------------------------

    @classmethod
    def _from_manifest(
        cls, dim: int, encoder: EncoderInfo | None, manifest: dict[str, Any]
    ) -> Self:
        return cls(dim, encoder)

    def _on_add(self, slots: IntArray, vectors: FloatArray, replaced: IntArray) -> None:
        """Keep the native structure in step after ``Store.assign``."""

    def _on_remove(self, slots: IntArray) -> None:
        """Keep the native structure in step after ``Store.release``."""

    def _search(
        self, queries: FloatArray, k: int, filters: Filters | None, gone: IntArray
    ) -> tuple[FloatArray, IntArray]:
        """Top-``k`` (scores, slots) per query, padded with ``-inf`` / ``-1``, among the
        items passing ``filters`` (without ``exclude_ids``; ``None``: all) except the
        distinct live slots ``gone``."""
        raise NotImplementedError

    def _native_files(self) -> tuple[dict[str, _persist.Writer], dict[str, Any]]:
        """Extra files and manifest entries of the backend."""
        return {}, {}

    def _restore_native(self, path: Path, manifest: dict[str, Any]) -> None:
        """Rebuild the native structure after the store was loaded."""
