"""Milvus backend: the vectors and filter fields in a Milvus collection, ids and slots here.

One collection per index, reached through ``pymilvus`` at a URI: a local path
ending in ``.db`` is Milvus Lite (embedded, in-process, no server; milvus-lite 3
keeps a data folder of that name), an
``http(s)://host:19530`` URI a Milvus server or cluster. Install with
``pip install "isa-match[scale]"``.

Layout (:func:`~isa_match.index.milvus_expr.milvus_row` plus the slot)::

    pk            INT64 primary key: the item's slot (see below)
    id            VARCHAR  the listing id
    vector        FLOAT_VECTOR(dim), metric IP
    country, city, region, category, kind, org_type, language   VARCHAR
                  (``city`` is the partition key unless ``partition_key=None``)
    sector, sector_section   ARRAY<VARCHAR>
    expires_day   INT64 (proleptic ordinal; 2**31 - 1 when open-ended)

The slot is the primary key: this process keeps the id <-> slot map and the
filter columns (a metadata-only :class:`~isa_match.index._store.Store`), so
``search_slots`` / ``slots_of`` mean the same as for FAISS and the ranker's
row <-> slot maps work unchanged; the store also counts how many items pass a
filter, which sets the search breadth. Filters run inside Milvus as boolean
expressions (:func:`~isa_match.index.milvus_expr.filters_to_milvus_expr`;
``exclude_ids`` as ``pk not in [...]``), never as a post-filter. Vectors live
only in Milvus: :meth:`MilvusIndex.vectors_at` fetches them by primary key.

Index type (``index_type="auto"``, chosen like FAISS's
:func:`~isa_match.index.faiss_index.choose_index_type`): ``FLAT`` (exact) below
``flat_max`` items, else ``IVF_SQ8`` with ``nlist`` the power of two nearest
``4 * sqrt(rows per segment)`` (Milvus trains one IVF per segment), re-chosen when
the corpus has grown 4x. ``HNSW`` is offered
(``index_type="HNSW"``) but not chosen: it loses recall under narrow filters.
Filtered IVF/HNSW searches widen ``nprobe``/``ef`` by ``1 / selectivity`` and
are retried at full breadth when fewer than ``k`` passing items come back. IVF_SQ8
candidates (``k * refine``) come back with their vectors and are re-scored exactly,
so scores are exact inner products, as with FAISS.

Persistence fits a server: :meth:`MilvusIndex.save` flushes the collection and
writes a folder with ``manifest.json`` (URI, collection, index type, the
absolute path of a Milvus Lite data file) and the id map and filter columns as
``.npy``; :meth:`MilvusIndex.load` reconnects and checks that the collection
exists with as many entities. The data stays in Milvus: the folder is a pointer
plus the id map, so writes after a save must be saved again.
"""

from __future__ import annotations

import math
import os
import threading
import uuid
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, ClassVar, Self

import numpy as np
import numpy.typing as npt

from isa_match.index import _persist
from isa_match.index._common import StoreIndex
from isa_match.index._milvus_util import (
    CHUNK,
    INDEX_TYPES,
    MAX_TOPK,
    NAME,
    SEGMENT_ROWS,
    URI_OVERRIDE,
    auto_nlist,
    check_lengths,
    collection_schema,
    is_lite_uri,
    milvus_uri_override,
    pymilvus_module,
    resolve_uri,
)
from isa_match.index._store import CATEGORICAL, FloatArray, IntArray, Store, check_vectors
from isa_match.index.base import (
    EncoderInfo,
    EncoderLike,
    FloatMatrix,
    IndexCorruptError,
    IndexMismatchError,
    ItemMeta,
)
from isa_match.index.faiss_index import choose_index_type
from isa_match.index.milvus_expr import filters_to_milvus_expr, milvus_row
from isa_match.schema import Filters

__all__ = [
    "MilvusIndex",
    "auto_nlist",
    "drop_collection",
    "is_lite_uri",
    "milvus_uri_override",
    "resolve_uri",
]


def drop_collection(uri: str | Path, collection: str, *, token: str | None = None) -> bool:
    """Drop ``collection`` at ``uri`` if it exists (e.g. the one a rebuilt index replaced)."""
    index = MilvusIndex(1, uri=uri, collection=collection, token=token)
    try:
        client = index._client()
        if not client.has_collection(collection):
            return False
        client.drop_collection(collection)
        return True
    finally:
        index.close()


class MilvusIndex(StoreIndex):
    """Vector index in a Milvus collection (Milvus Lite file or server) with the protocol's ids.

    ``__init__`` stores parameters only; the connection opens and the collection
    is created on first use. Searches may run from several threads;
    ``add``/``remove`` must not run concurrently with anything else (as for
    FAISS). With ``consistency_level="Strong"`` (default) a search sees every
    write made before it.

    Args:
        dim: vector dimension.
        encoder: the encoder the vectors come from (recorded in the manifest).
        uri: ``./isa.db`` (Milvus Lite: a local data folder, created on first use and
            opened by one process at a time) or ``http://host:19530`` (a server or cluster).
        collection: collection name (letters, digits, ``_``); default
            ``isa_<random>``. An existing collection of that name is an error
            unless ``overwrite`` (it is then dropped when the index first writes).
        token: credentials of a server (``user:password`` or an API key); never
            saved. Default: the ``MILVUS_TOKEN`` environment variable.
        index_type: ``"auto"`` (see the module docstring), ``"FLAT"``,
            ``"IVF_FLAT"``, ``"IVF_SQ8"`` or ``"HNSW"``.
        nlist: IVF lists (default: chosen from the size at build time).
        nprobe: IVF lists probed per unfiltered query (default ``max(16, nlist // 32)``).
        hnsw_m, ef_construction, ef: HNSW parameters (``ef`` at least ``k``).
        flat_max: ``"auto"`` keeps an exact FLAT index below this many items.
        partition_key: scalar field used as Milvus partition key (``"city"``:
            a city filter searches one partition on a server), or ``None``.
        num_partitions: partitions of the partition key.
        consistency_level: ``"Strong"``, ``"Bounded"``, ``"Session"`` or ``"Eventually"``.
        overwrite: drop an existing collection of the same name.
        refine: with ``IVF_SQ8`` (whose distances are 8-bit approximations), fetch
            ``k * refine`` candidates with their vectors and re-score them exactly, so
            scores are exact inner products as with FAISS; ``1`` returns Milvus's scores.
        flush_rows: an ``add`` of at least this many items ends with :meth:`flush`, so a
            bulk load is indexed at once (Milvus Lite searched 2,000 unflushed 512-d
            vectors in 120-250 ms, flushed in 4-20 ms); small updates are left to
            Milvus's own sealing.
    """

    backend: ClassVar[str] = "milvus"

    def __init__(
        self,
        dim: int,
        encoder: EncoderLike | None = None,
        *,
        uri: str | Path = "./isa.db",
        collection: str | None = None,
        token: str | None = None,
        index_type: str = "auto",
        nlist: int | None = None,
        nprobe: int | None = None,
        hnsw_m: int = 16,
        ef_construction: int = 200,
        ef: int = 128,
        flat_max: int = 20_000,
        partition_key: str | None = "city",
        num_partitions: int = 16,
        consistency_level: str = "Strong",
        overwrite: bool = False,
        flush_rows: int = 1024,
        refine: int = 4,
    ) -> None:
        super().__init__(0, encoder)  # metadata-only store: the vectors live in Milvus
        if dim <= 0:
            raise ValueError(f"dimension must be positive, got {dim}")
        if index_type not in INDEX_TYPES:
            raise ValueError(f"unknown index_type {index_type!r}; use one of {INDEX_TYPES}")
        name = collection if collection is not None else f"isa_{uuid.uuid4().hex[:12]}"
        if not NAME.match(name):
            raise ValueError(
                f"collection name {name!r}: use letters, digits and _ (not starting with a digit)"
            )
        if partition_key is not None and partition_key not in CATEGORICAL:
            raise ValueError(f"partition_key must be one of {CATEGORICAL} or None")
        for label, value in (("nlist", nlist), ("nprobe", nprobe)):
            if value is not None and value < 1:
                raise ValueError(f"{label} must be at least 1, got {value}")
        self._dim = dim
        self.uri = resolve_uri(uri)
        self.collection = name
        self.token = token
        self.index_type = index_type
        self.nlist = nlist
        self.nprobe = nprobe
        self.hnsw_m = hnsw_m
        self.ef_construction = ef_construction
        self.ef = ef
        self.flat_max = flat_max
        self.partition_key = partition_key
        self.num_partitions = num_partitions
        self.consistency_level = consistency_level
        self.overwrite = overwrite
        self.flush_rows = flush_rows
        self.refine = refine
        self._client_: Any = None
        self._lock = threading.Lock()
        self._created = False  # the collection exists and belongs to this index
        self._built: tuple[str, dict[str, Any]] = ("", {})  # Milvus index type and build params
        self._built_count = 0

    # -- connection and collection ------------------------------------------------

    @property
    def dim(self) -> int:
        """Vector dimension."""
        return self._dim

    @property
    def built_index(self) -> tuple[str, dict[str, Any]]:
        """The Milvus index type and build parameters in use (``("", {})`` before the first add)."""
        return self._built

    def _client(self) -> Any:
        with self._lock:
            if self._client_ is None:
                pymilvus = pymilvus_module()
                if is_lite_uri(self.uri):
                    Path(self.uri).parent.mkdir(parents=True, exist_ok=True)
                token = self.token if self.token is not None else os.environ.get("MILVUS_TOKEN")
                self._client_ = pymilvus.MilvusClient(uri=self.uri, token=token or "")
            return self._client_

    def close(self) -> None:
        """Close the connection (reopened on the next use)."""
        with self._lock:
            if self._client_ is not None:
                self._client_.close()
                self._client_ = None

    def flush(self) -> None:
        """Seal what was written so Milvus indexes it (and persists it, for Milvus Lite).

        Unflushed rows are searched by brute force (Milvus Lite's write buffer, a
        server's growing segments); call this after a bulk load, not per write.
        """
        if self._created:
            self._client().flush(self.collection)

    def drop(self) -> None:
        """Drop the collection in Milvus and empty this index (a saved folder then is stale)."""
        client = self._client()
        if client.has_collection(self.collection):
            client.drop_collection(self.collection)
        self._store = Store(0)
        self._created = False
        self._built = ("", {})

    def _schema(self) -> Any:
        return collection_schema(self.dim, self.partition_key)

    def _choose(self, count: int) -> tuple[str, dict[str, Any]]:
        kind = self.index_type
        if kind == "auto":
            kind = (
                "FLAT"
                if choose_index_type(count, self.dim, flat_max=self.flat_max) == "Flat"
                else "IVF_SQ8"
            )
        if kind.startswith("IVF"):
            # Milvus builds one IVF per segment: size the lists for a segment's rows
            # (the partition key spreads rows over partitions, each with its own
            # segments, sealed at SEGMENT_ROWS at most).
            per_segment = count / (self.num_partitions if self.partition_key else 1)
            return kind, {"nlist": self.nlist or auto_nlist(int(min(per_segment, SEGMENT_ROWS)))}
        if kind == "HNSW":
            return kind, {"M": self.hnsw_m, "efConstruction": self.ef_construction}
        return kind, {}

    def _index_params(self, kind: str, params: dict[str, Any]) -> Any:
        out = self._client().prepare_index_params()
        # Build parameters as one JSON "params" entry: the form every Milvus server
        # reads, and the only one Milvus Lite 3 reads (flattened keys are ignored).
        out.add_index("vector", index_type=kind, metric_type="IP", params={"params": params})
        return out

    def _ensure_collection(self, count: int) -> None:
        """Create the collection on first write, or re-index it when ``auto`` says so."""
        client = self._client()
        if not self._created:
            if client.has_collection(self.collection):
                if not self.overwrite:
                    raise ValueError(
                        f"Milvus collection {self.collection!r} already exists at {self.uri}; "
                        "choose another collection name, load its saved index folder, "
                        "or pass overwrite=True to replace it"
                    )
                client.drop_collection(self.collection)
            kind, params = self._choose(count)
            client.create_collection(
                self.collection,
                schema=self._schema(),
                consistency_level=self.consistency_level,
                **({"num_partitions": self.num_partitions} if self.partition_key else {}),
            )
            # sync=False: pymilvus would poll the build every 0.5 s; an empty
            # collection's index is ready at once, and later builds run in Milvus.
            client.create_index(self.collection, self._index_params(kind, params), sync=False)
            client.load_collection(self.collection)
            self._created, self._built, self._built_count = True, (kind, params), count
            return
        if self.index_type != "auto":
            return
        kind, params = self._choose(count)
        grown = kind != "FLAT" and count >= 4 * max(self._built_count, 1)
        if kind != self._built[0] or grown:
            self.rebuild(kind, params, count)

    def rebuild(
        self, kind: str | None = None, params: dict[str, Any] | None = None, count: int = 0
    ) -> None:
        """Re-create the collection's vector index (e.g. after the corpus grew a lot)."""
        if kind is None:
            kind, params = self._choose(len(self))
        client = self._client()
        client.release_collection(self.collection)
        client.drop_index(self.collection, "vector")
        client.create_index(self.collection, self._index_params(kind, params or {}), sync=False)
        client.load_collection(self.collection)
        self._built, self._built_count = (kind, params or {}), count or len(self)

    # -- writes -------------------------------------------------------------------

    def add(self, items: Sequence[ItemMeta], vectors: npt.ArrayLike) -> None:
        """Add items with their vectors (one row each); an existing id is replaced.

        The batch is validated first (shape, finite values, fields, duplicate ids,
        the collection's length limits); when Milvus refuses the write the local
        id map is rolled back and the error raised.
        """
        items = list(items)
        arr = check_vectors(vectors, len(items), self.dim, "add")
        if not items:
            return
        check_lengths(items)
        known = [item.id for item in items if item.id in self._store.ids]
        old_metas = [self._store.meta(i) for i in known]
        old_vectors = self.vectors(known) if known else arr[:0]
        slots, _ = self._store.assign(items, np.zeros((len(items), 0), dtype=np.float32))
        try:
            self._ensure_collection(len(self))
            self._upsert(items, arr, slots)
            if len(items) >= self.flush_rows:
                self.flush()
        except BaseException:
            fresh = [item.id for item in items if item.id not in set(known)]
            self._store.release(fresh, True)
            if old_metas:
                self._store.assign(old_metas, np.zeros((len(old_metas), 0), dtype=np.float32))
            try:  # best effort: leave Milvus as the local map says
                new_slots = [int(s) for s, it in zip(slots, items, strict=True) if it.id in fresh]
                if new_slots and self._created:
                    self._client().delete(self.collection, ids=new_slots)
                if old_metas:
                    self._upsert(old_metas, old_vectors, self._store.slots_of(known))
            except Exception:  # noqa: BLE001 - the original error is the one to raise
                pass
            raise

    def _upsert(self, items: Sequence[ItemMeta], vectors: FloatArray, slots: IntArray) -> None:
        client = self._client()
        for start in range(0, len(items), CHUNK):
            rows = []
            for item, vec, slot in zip(
                items[start : start + CHUNK],
                vectors[start : start + CHUNK],
                slots[start : start + CHUNK].tolist(),
                strict=True,
            ):
                row = milvus_row(item, vec.tolist())
                row["pk"] = slot
                rows.append(row)
            client.upsert(self.collection, rows)

    def remove(self, ids: Iterable[str], *, missing_ok: bool = False) -> int:
        """Remove items by id (from Milvus first, then here); returns how many were removed.

        Raises:
            UnknownIdError: an id is not present and ``missing_ok`` is false
                (nothing is removed then).
        """
        ids = list(dict.fromkeys(ids))
        if not missing_ok:
            self._store.slots_of(ids)  # raises before anything changes
        present = [i for i in ids if i in self._store.ids]
        if not present:
            return 0
        slots = self._store.slots_of(present)
        self._client().delete(self.collection, ids=slots.tolist())
        return len(self._store.release(present, True))

    # -- reads --------------------------------------------------------------------

    def vectors_at(self, slots: IntArray) -> FloatMatrix:
        """The stored vectors in the given slots, fetched from Milvus by primary key."""
        slots = np.asarray(slots, dtype=np.int64).reshape(-1)
        out = np.empty((len(slots), self.dim), dtype=np.float32)
        if not len(slots):
            return out
        if not self._created or (slots >= self._store.n_slots).any():
            raise ValueError(f"no item in slot(s) {slots.tolist()[:5]}")
        wanted = np.unique(slots)
        found: dict[int, Any] = {}
        client = self._client()
        for start in range(0, len(wanted), CHUNK):
            part = wanted[start : start + CHUNK].tolist()
            for row in client.query(self.collection, ids=part, output_fields=["vector"]):
                found[int(row["pk"])] = row["vector"]
        missing = [s for s in wanted.tolist() if s not in found]
        if missing:
            raise IndexCorruptError(
                f"Milvus collection {self.collection!r} at {self.uri} lacks the vectors of "
                f"slot(s) {missing[:5]} that the local id map holds"
            )
        for row, slot in enumerate(slots.tolist()):
            out[row] = np.asarray(found[slot], dtype=np.float32)
        return out

    def vector(self, item_id: str) -> FloatMatrix:
        """The stored vector of one item (fetched from Milvus)."""
        out: FloatMatrix = self.vectors_at(self._store.slots_of([item_id]))[0]
        return out

    def vectors(self, ids: Sequence[str]) -> FloatMatrix:
        """The stored vectors of several items, one row each in the order asked.

        Raises:
            UnknownIdError: an id is not present.
        """
        return self.vectors_at(self._store.slots_of(ids))

    # -- search ---------------------------------------------------------------------

    def _search(
        self, queries: FloatArray, k: int, filters: Filters | None, gone: IntArray
    ) -> tuple[FloatArray, IntArray]:
        nq = len(queries)
        out_s = np.full((nq, k), -np.inf, dtype=np.float32)
        out_i = np.full((nq, k), -1, dtype=np.int64)
        expr, n_pass = self._plan(filters, gone)
        limit = min(k, n_pass)
        if limit == 0:
            return out_s, out_i
        if limit > MAX_TOPK:
            raise ValueError(f"k={k}: Milvus returns at most {MAX_TOPK} hits per query")
        share = n_pass / max(len(self), 1)
        params = self._search_params(limit, share, widest=False)
        rows = self._milvus_search(queries, limit, expr, params)
        short = [r for r, hits in enumerate(rows) if len(hits) < limit]
        if short and self._built[0] != "FLAT":
            # An approximate index found fewer passing items than exist: search
            # those queries again at full breadth.
            wide = self._search_params(limit, share, widest=True)
            for r, hits in zip(
                short, self._milvus_search(queries[short], limit, expr, wide), strict=True
            ):
                rows[r] = hits
        alive = self._store.alive
        for r, hits in enumerate(rows):
            if not hits:
                continue
            slots = np.array([h[0] for h in hits], dtype=np.int64)
            bad = (slots >= self._store.n_slots) | ~alive[np.minimum(slots, len(alive) - 1)]
            if bad.any():
                raise IndexCorruptError(
                    f"Milvus collection {self.collection!r} returned pk {int(slots[bad][0])} "
                    "that the local id map does not hold (was it written by someone else?)"
                )
            out_i[r, : len(hits)] = slots
            out_s[r, : len(hits)] = [h[1] for h in hits]
        return out_s, out_i

    def _plan(self, filters: Filters | None, gone: IntArray) -> tuple[str, int]:
        """The Milvus filter expression and how many items pass (from the local columns)
        for ``filters`` (without ``exclude_ids``) and the excluded slots ``gone``."""
        if filters is None and not len(gone):
            return "", len(self)
        base_filters = filters or Filters()
        base = self._store.plan_base(base_filters)
        if base is None:
            n_pass = len(self) - len(gone)
        else:
            n_pass = len(base) - int(np.isin(gone, base).sum()) if len(gone) else len(base)
        terms = [filters_to_milvus_expr(base_filters)] if base is not None else []
        if len(gone):
            terms.append(f"pk not in [{', '.join(str(s) for s in sorted(gone.tolist()))}]")
        return " and ".join(t for t in terms if t), n_pass

    def _search_params(self, k: int, share: float, *, widest: bool) -> dict[str, Any]:
        kind, built = self._built
        if kind.startswith("IVF"):
            nlist = int(built["nlist"])
            base = self.nprobe or max(16, nlist // 32)
            boost = 1.0 if share >= 0.5 else 2.0
            nprobe = nlist if widest else math.ceil(boost * base / max(share, 1e-9))
            return {"metric_type": "IP", "params": {"nprobe": min(nlist, nprobe)}}
        if kind == "HNSW":
            ef = max(self.ef, k)
            ef = max(ef, min(4096, math.ceil(ef / max(share, 1e-9))))
            return {"metric_type": "IP", "params": {"ef": max(ef, 4096) if widest else ef}}
        return {"metric_type": "IP", "params": {}}

    def _milvus_search(
        self, queries: FloatArray, limit: int, expr: str, params: dict[str, Any]
    ) -> list[list[tuple[int, float]]]:
        client = self._client()
        refine = self._refine_factor()
        fetch = min(limit * refine, MAX_TOPK)
        fields = ["pk", "vector"] if refine > 1 else ["pk"]
        out: list[list[tuple[int, float]]] = []
        for start in range(0, len(queries), 256):
            block = queries[start : start + 256]
            found = client.search(
                self.collection,
                data=block.tolist(),
                limit=fetch,
                filter=expr,
                output_fields=fields,
                search_params=params,
            )
            if refine == 1:
                out.extend([(int(h["pk"]), float(h["distance"])) for h in hits] for hits in found)
                continue
            for query, hits in zip(block, found, strict=True):
                # SQ8 distances are approximate: re-score the candidates exactly
                # with their float32 vectors (as FAISS's refine does) and keep the top
                if not len(hits):
                    out.append([])
                    continue
                pks = [int(h["pk"]) for h in hits]
                vecs = np.asarray([h["entity"]["vector"] for h in hits], dtype=np.float32)
                scores = vecs @ query
                order = np.argsort(-scores, kind="stable")[:limit]
                out.append([(pks[i], float(scores[i])) for i in order.tolist()])
        return out

    def _refine_factor(self) -> int:
        """Candidates fetched per result: ``refine`` for IVF_SQ8 (approximate distances), else 1."""
        return max(1, self.refine) if self._built[0] == "IVF_SQ8" else 1

    # -- persistence --------------------------------------------------------------------

    def save(self, path: str | Path) -> None:
        """Flush the collection and write the pointer folder (manifest, id map, filter columns).

        The folder does not hold the vectors: they stay in the collection named
        in the manifest (for Milvus Lite, in the data file at its absolute path).
        """
        self.flush()
        arrays = self._store.arrays()
        del arrays["vectors"]  # (n, 0): the vectors live in Milvus
        files: dict[str, _persist.Writer] = {
            f"{name}.npy": _persist.npy_writer(arr) for name, arr in arrays.items()
        }
        files["vocab.json"] = _persist.json_writer(self._store.vocabularies())
        manifest = {
            "backend": self.backend,
            "encoder": None if self._encoder is None else self._encoder.as_dict(),
            "dim": self.dim,
            "count": len(self),
            "slots": self._store.n_slots,
            "uri": self.uri,
            "milvus_lite": is_lite_uri(self.uri),
            "collection": self.collection if self._created else None,
            "milvus_index": {"type": self._built[0], "params": self._built[1]},
            "built_count": self._built_count,
            "params": self._params(),
            "pymilvus_version": str(pymilvus_module().__version__),
        }
        _persist.write_folder(Path(path), manifest, files)

    def _params(self) -> dict[str, Any]:
        return {
            "index_type": self.index_type,
            "nlist": self.nlist,
            "nprobe": self.nprobe,
            "hnsw_m": self.hnsw_m,
            "ef_construction": self.ef_construction,
            "ef": self.ef,
            "flat_max": self.flat_max,
            "partition_key": self.partition_key,
            "num_partitions": self.num_partitions,
            "consistency_level": self.consistency_level,
            "flush_rows": self.flush_rows,
            "refine": self.refine,
        }

    @classmethod
    def load(
        cls,
        path: str | Path,
        *,
        expect_encoder: EncoderLike | None = None,
        mmap: bool | None = None,
        token: str | None = None,
    ) -> Self:
        """Read a folder written by :meth:`save` and reconnect to its collection.

        ``mmap`` is accepted for the common loader and ignored (no vectors here).

        Raises:
            IndexCorruptError: damaged files, a missing Milvus Lite file or
                collection, or a collection whose size or dimension disagrees.
            IndexMismatchError: another format version, backend or encoder.
        """
        path = Path(path)
        manifest = _persist.read_manifest(path, backend=cls.backend, expect_encoder=expect_encoder)
        try:
            dim, count = int(manifest["dim"]), int(manifest["count"])
            arrays = {
                name[:-4]: _persist.load_npy(path, name)
                for name in manifest["files"]
                if name.endswith(".npy")
            }
            n = len(arrays["alive"])
            arrays["vectors"] = np.zeros((n, 0), dtype=np.float32)
            store = Store.restore(0, arrays, _persist.read_json(path / "vocab.json"))
            index = cls(
                dim,
                EncoderInfo.from_dict(manifest.get("encoder")),
                uri=URI_OVERRIDE.get() or str(manifest["uri"]),
                collection=manifest["collection"] or None,
                token=token,
                **manifest["params"],
            )
            kind = str(manifest["milvus_index"]["type"])
            built = dict(manifest["milvus_index"]["params"])
            built_count = int(manifest.get("built_count", count))
        except (KeyError, TypeError, ValueError) as exc:
            if isinstance(exc, IndexCorruptError | IndexMismatchError):
                raise
            raise IndexCorruptError(f"{path}: inconsistent index files ({exc!r})") from exc
        if len(store) != count:
            raise IndexCorruptError(f"{path}: manifest says {count} items, files hold {len(store)}")
        index._store = store
        if manifest["collection"] is None:
            if count:
                raise IndexCorruptError(f"{path}: {count} items but no collection recorded")
            return index
        index._attach(path, kind, built, built_count)
        return index

    def _attach(self, path: Path, kind: str, built: dict[str, Any], built_count: int) -> None:
        """Reconnect to the saved collection and check it matches the id map."""
        where = f"Milvus collection {self.collection!r} at {self.uri}"
        if is_lite_uri(self.uri) and not Path(self.uri).exists():
            raise IndexCorruptError(
                f"{path}: the Milvus Lite data file {self.uri} named in the manifest is missing"
            )
        client = self._client()
        if not client.has_collection(self.collection):
            raise IndexCorruptError(f"{path}: {where} does not exist (dropped, or another URI?)")
        fields = client.describe_collection(self.collection).get("fields", [])
        dims = [f.get("params", {}).get("dim") for f in fields if f.get("name") == "vector"]
        if not dims or int(dims[0]) != self.dim:
            raise IndexCorruptError(f"{path}: {where} holds vectors of dimension {dims}")
        client.load_collection(self.collection)
        rows = client.query(self.collection, filter="", output_fields=["count(*)"])
        held = int(rows[0]["count(*)"])
        if held != len(self):
            raise IndexCorruptError(
                f"{path}: {where} holds {held} entities, the saved id map {len(self)}; the "
                "collection changed after the save: rebuild the index or save it again"
            )
        self._created, self._built, self._built_count = True, (kind, built), built_count
