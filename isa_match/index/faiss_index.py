"""FAISS backend: flat for small corpora, IVF with scalar/product quantisation for large ones.

The float32 vectors stay in the shared store (RAM, or memory-mapped: ``load``
maps vector files of 256 MB and more by default); the FAISS structure holds
the compressed copy used to find candidates. Candidates from a quantised
index are re-scored with the float32 vectors, so reported scores are exact
inner products.

Filtered search (:meth:`FaissIndex._search_filtered`):

* the filter compiles to the sorted slots of the passing items (per-city slot
  lists make a city filter cost nothing at 1M);
* few passing items (``<= exact_max``, 65536 at d=512; 262144 when the filter
  names cities, whose results must equal exact search): exact search over those
  float32 rows; bulk adds give each city consecutive slots, so a city is read
  as a few contiguous runs, not gathered (a full IVF scan with a selector was
  measured ~5x slower at 1M: it still walks every id);
* a broad filter: the ANN search with an ``IDSelectorBitmap`` and ``nprobe``
  scaled by ``1 / selectivity``; if fewer than ``k`` come back, exact search
  over the subset.

Nothing is fetched and thrown away: the selector is applied inside FAISS.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ClassVar, Self

import numpy as np
import numpy.typing as npt

from isa_match._arrays import in_sorted
from isa_match.index import _persist
from isa_match.index._calibrate import calibrate, held_out_queries, train_centroids
from isa_match.index._common import StoreIndex
from isa_match.index._lru import PlanCache
from isa_match.index._store import FloatArray, IntArray
from isa_match.index.base import EncoderInfo, EncoderLike, IndexCorruptError
from isa_match.schema import Filters


def _faiss() -> Any:
    try:
        import faiss
    except ImportError as exc:  # pragma: no cover - faiss-cpu is a core dependency
        raise ImportError("the FAISS backend needs faiss-cpu: pip install faiss-cpu") from exc
    return faiss


_IVF = re.compile(r"^IVF(\d+),(SQ8|SQ4|SQfp16|Flat|PQ\d+)$")


def choose_index_type(
    count: int, dim: int, *, memory_budget: int | None = None, flat_max: int = 20_000
) -> str:
    """The FAISS index type for ``count`` vectors of ``dim`` within ``memory_budget`` bytes.

    Flat (exact) below ``flat_max`` when it fits; otherwise IVF with
    ``nlist`` the power of two nearest ``4 * sqrt(count)`` and the richest code
    that fits the budget: SQ8 (``dim`` bytes per vector), SQ4, then PQ. The
    budget covers the FAISS structure (codes plus 8-byte ids), not the float32
    vectors kept for re-scoring (``load`` memory-maps those when large).
    """
    count = max(count, 1)
    per_vector = math.inf if memory_budget is None else memory_budget / count
    if count < flat_max and per_vector >= 4 * dim + 8:
        return "Flat"
    nlist = 2 ** round(math.log2(max(16.0, 4 * math.sqrt(count))))
    nlist = min(nlist, 65536)
    if per_vector >= dim + 8:
        return f"IVF{nlist},SQ8"
    if per_vector >= dim / 2 + 8:
        return f"IVF{nlist},SQ4"
    m = max((m for m in range(1, dim + 1) if dim % m == 0 and m + 8 <= per_vector), default=0)
    if m < 8:
        raise ValueError(
            f"memory budget {memory_budget} bytes is too small for {count} vectors "
            f"(needs at least {16 * count} bytes for PQ8 codes and ids)"
        )
    return f"IVF{nlist},PQ{m}"


@contextmanager
def _omp_threads(n: int) -> Iterator[None]:
    # The OpenMP thread count is per calling thread; a single query is ~2x slower
    # with two threads on this machine kind (see PERFORMANCE.md).
    faiss = _faiss()
    before = faiss.omp_get_max_threads()
    if n != before:
        faiss.omp_set_num_threads(n)
    try:
        yield
    finally:
        if n != before:
            faiss.omp_set_num_threads(before)


#: Scattered passing rows are searched exactly (gathered) only up to this many
#: bytes of vectors (8192 rows at d=512, ~4 ms to gather); beyond it the
#: selector search wins.
SCATTERED_EXACT_BYTES = 2**24


#: Passing slots further apart than this are scanned as separate clusters by exact search.
CLUSTER_GAP = 4096


def _count_in(sorted_slots: IntArray, some: IntArray) -> int:
    """How many of ``some`` occur in ``sorted_slots``."""
    return int(np.count_nonzero(in_sorted(some, sorted_slots)))


def _runs(slots: IntArray) -> int:
    """How many contiguous runs the sorted ``slots`` form."""
    return int(np.count_nonzero(np.diff(slots) != 1)) + 1 if len(slots) else 0


class FaissIndex(StoreIndex):
    """Vector index on FAISS with stable listing ids, add/update/remove and filters.

    Searches may run from several threads at once (each sets its own OpenMP
    thread count); ``add``, ``remove`` and ``rebuild`` must not run concurrently
    with anything else (guard them with a lock or swap in a new index). HNSW is
    deliberately not offered: it cannot remove ids and loses recall under
    narrow filters (see ``shared/PERFORMANCE.md``).

    Args:
        dim: vector dimension.
        encoder: the encoder the vectors come from (recorded in the manifest).
        index_type: ``"auto"`` (chosen from the corpus size and ``memory_budget``;
            re-chosen and re-trained when a flat index outgrows ``flat_max`` and
            whenever the corpus has grown 4x since the last training, which
            doubles ``nlist``; amortised, adds stay cheap), ``"Flat"``, or
            ``"IVF<nlist>,<SQ8|SQ4|SQfp16|Flat|PQ<m>>"``. An IVF index is trained
            once enough vectors are present (``nlist`` of them; k-means over all
            of them, see :func:`._calibrate.train_centroids`); until then the
            vectors sit in a flat index.
        memory_budget: bytes allowed for the FAISS structure (``None``: no limit).
        flat_max: below this many vectors ``"auto"`` keeps an exact flat index.
        nprobe: IVF lists probed per query. Default: calibrated at each IVF
            (re)build (see ``recall_target``), else ``max(16, nlist // 128)``.
        recall_target: at each IVF (re)build, 512 stored vectors (at most an
            eighth of the corpus) kept out of training are searched as held-out
            queries (their own hit dropped) against exact search (about 5 s at
            1M x 512), and the cheapest ``nprobe`` in
            ``base * (0.25, 0.5, 1, 1.5, 2, 3, 4)`` (at least 8), then the
            smallest ``refine`` in ``(2, 4, 8, 16)``, whose recall@10 reaches this
            with headroom (the lower end of its 95 % confidence interval) is
            kept (``base = max(16, nlist // 128)``; the best-measured setting
            when none does): easy data gets the cheaper search, hard data a
            wider one. The result is saved in the manifest
            (:attr:`calibration`) and used after ``load``. ``None`` skips
            calibration.
        refine: candidates per result fetched from a quantised index and
            re-scored with the float32 vectors (``k * refine`` candidates).
            Default: calibrated (see ``recall_target``), else 4.
        exact_max: filtered searches with at most this many passing items run
            exactly over those rows (default ``2**25 // dim``: 65536 rows, 128 MB,
            about 4 ms at d=512).
        city_exact_max: the same limit for filters that name cities (default
            ``2**27 // dim``: 262144 rows, about 16 ms at d=512), because a
            single-city result must equal exact search over that city.
    """

    backend: ClassVar[str] = "faiss"

    def __init__(
        self,
        dim: int,
        encoder: EncoderLike | None = None,
        *,
        index_type: str = "auto",
        memory_budget: int | None = None,
        flat_max: int = 20_000,
        nprobe: int | None = None,
        refine: int | None = None,
        exact_max: int | None = None,
        city_exact_max: int | None = None,
        recall_target: float | None = 0.97,
    ) -> None:
        super().__init__(dim, encoder)
        if index_type != "auto" and index_type != "Flat" and not _IVF.match(index_type):
            raise ValueError(
                f"unknown index_type {index_type!r}: use 'auto', 'Flat' or e.g. 'IVF4096,SQ8'"
            )
        if recall_target is not None and not 0.0 < recall_target <= 1.0:
            raise ValueError(f"recall_target must be in (0, 1], got {recall_target}")
        if (refine is not None and refine < 1) or (exact_max is not None and exact_max < 0):
            raise ValueError(f"refine must be >= 1 and exact_max >= 0: {refine}, {exact_max}")
        self.index_type = index_type
        self.memory_budget = memory_budget
        self.flat_max = flat_max
        self.nprobe = nprobe
        self.refine = refine
        self.exact_max = exact_max
        self.city_exact_max = city_exact_max
        self.recall_target = recall_target
        self.calibration: dict[str, Any] | None = None  # set by each IVF (re)build
        self._ann: Any = self._new_flat()
        self._ann_type = "Flat"
        self._trained_count = 0  # items present at the last (re)build
        # per filter (without exclude_ids), until the next change: requests alternate
        # between a few filters (offers active today, requests active today, ...)
        self._bitmap_cache: PlanCache[npt.NDArray[np.uint8]] = PlanCache(
            64, 32 * 2**20, lambda b: b.nbytes
        )
        self._runs_cache: PlanCache[int] = PlanCache(256, 2**20)
        self._params: dict[int, Any] = {}  # nprobe -> SearchParametersIVF (no selector)

    # -- structure ---------------------------------------------------------------

    @property
    def ann_type(self) -> str:
        """The FAISS index type currently in use (``"Flat"`` or ``"IVF...,..."``)."""
        return self._ann_type

    def ann_bytes(self) -> int:
        """Size of the serialised FAISS structure (about its memory footprint)."""
        return int(_faiss().serialize_index(self._ann).nbytes)

    def _new_flat(self) -> Any:
        faiss = _faiss()
        return faiss.IndexIDMap2(faiss.IndexFlatIP(self.dim))

    def _target_type(self) -> str:
        if self.index_type != "auto":
            return self.index_type
        if self._ann_type != "Flat" and len(self) < 4 * self._trained_count:
            return self._ann_type
        return choose_index_type(
            len(self), self.dim, memory_budget=self.memory_budget, flat_max=self.flat_max
        )

    def _nlist(self) -> int:
        match = _IVF.match(self._ann_type)
        return int(match.group(1)) if match else 0

    def _base_nprobe(self) -> int:
        return max(16, self._nlist() // 128)

    def _nprobe(self) -> int:
        nlist = self._nlist()
        calibrated = None if self.calibration is None else int(self.calibration["nprobe"])
        return min(nlist, self.nprobe or calibrated or self._base_nprobe())

    def _refine(self) -> int:
        if self.refine is not None:
            return self.refine
        calibrated = None if self.calibration is None else self.calibration.get("refine")
        return int(calibrated) if calibrated else 4

    def _calibrate(self, held_out: IntArray) -> None:
        """Choose ``nprobe`` and ``refine`` for ``recall_target`` (see :mod:`._calibrate`)."""
        self.calibration = None
        if self.recall_target is None or not self._nlist():
            return

        def candidates(queries: FloatArray, n: int, nprobe: int) -> IntArray:
            params = _faiss().SearchParametersIVF(nprobe=nprobe)
            found: IntArray = self._ann.search(queries, n, params=params)[1]
            return found

        self.calibration = calibrate(
            self._store,
            held_out,
            candidates,
            nlist=self._nlist(),
            base=self._base_nprobe(),
            target=self.recall_target,
        )

    def rebuild(self, index_type: str | None = None) -> None:
        """Rebuild the FAISS structure from the stored vectors (re-training an IVF).

        Only needed after the corpus grew or drifted a lot (``"auto"`` then
        re-chooses the type and ``nlist``); add, update and remove never require
        it. ``index_type`` replaces the configured type.
        """
        if index_type is not None:
            if index_type not in ("auto", "Flat") and not _IVF.match(index_type):
                raise ValueError(f"unknown index_type {index_type!r}")
            self.index_type = index_type
        if self.index_type != "auto":
            self._build(self.index_type)
        else:
            self._build(
                choose_index_type(
                    len(self), self.dim, memory_budget=self.memory_budget, flat_max=self.flat_max
                )
            )

    def _build(self, target: str) -> None:
        faiss = _faiss()
        store = self._store
        slots = np.flatnonzero(store.alive[: store.n_slots]).astype(np.int64)
        match = _IVF.match(target)
        held_out = np.zeros(0, dtype=np.int64)
        if match is None:
            ann = self._new_flat()
        else:
            nlist = int(match.group(1))
            if len(slots) < nlist:
                return  # not enough vectors to train yet; stay as we are
            if self.recall_target is not None:
                held_out = held_out_queries(store, slots)
            # Lists from k-means over every stored vector but the calibration
            # queries (unless that leaves fewer than nlist); unit-norm centroids
            # suit inner-product assignment. The code (SQ ranges, PQ codebooks)
            # then trains on a sample of residuals, the quantiser being complete.
            spare = held_out if len(slots) - len(held_out) >= nlist else held_out[:0]
            centroids = train_centroids(
                store.xb, slots, nlist, held_out=spare, threads=faiss.omp_get_max_threads()
            )
            ann = faiss.index_factory(self.dim, target, faiss.METRIC_INNER_PRODUCT)
            if hasattr(ann, "do_polysemous_training"):
                # on by default for PQ, unused here (no polysemous search) and slow:
                # 7 s for 4,000 vectors of d=32 with PQ4
                ann.do_polysemous_training = False
            ann.quantizer.add(centroids)
            rows = slots[~np.isin(slots, spare)] if len(spare) else slots
            rng = np.random.default_rng(len(slots))
            sample = np.sort(rng.choice(rows, min(len(rows), 65536), replace=False))
            ann.train(np.ascontiguousarray(store.xb[sample]))
        for start in range(0, len(slots), 65536):
            part = slots[start : start + 65536]
            ann.add_with_ids(np.ascontiguousarray(store.xb[part]), part)
        self._ann = ann
        self._ann_type = target
        self._params = {}
        self._trained_count = len(slots)
        self._calibrate(held_out)

    # -- hooks -------------------------------------------------------------------

    def _on_add(self, slots: IntArray, vectors: FloatArray, replaced: IntArray) -> None:
        target = self._target_type()
        match = _IVF.match(target)
        if target != self._ann_type and (match is None or len(self) >= int(match.group(1))):
            self._build(target)  # trains on, and adds, everything in the store
            return
        if len(replaced):
            self._ann.remove_ids(replaced)
        self._ann.add_with_ids(vectors, slots)

    def _on_remove(self, slots: IntArray) -> None:
        self._ann.remove_ids(slots)

    def _native_files(self) -> tuple[dict[str, _persist.Writer], dict[str, Any]]:
        data = _faiss().serialize_index(self._ann)
        params = {
            "index_type": self._ann_type,
            "trained_count": self._trained_count,
            "calibration": self.calibration,
            "params": {
                "index_type": self.index_type,
                "memory_budget": self.memory_budget,
                "flat_max": self.flat_max,
                "nprobe": self.nprobe,
                "refine": self.refine,
                "exact_max": self.exact_max,
                "city_exact_max": self.city_exact_max,
                "recall_target": self.recall_target,
            },
            "faiss_version": _faiss().__version__,
        }
        return {"index.faiss": _persist.bytes_writer(data)}, params

    @classmethod
    def _from_manifest(
        cls, dim: int, encoder: EncoderInfo | None, manifest: dict[str, Any]
    ) -> Self:
        return cls(dim, encoder, **manifest["params"])

    def _restore_native(self, path: Path, manifest: dict[str, Any]) -> None:
        faiss = _faiss()
        file = path / "index.faiss"
        if "index.faiss" not in manifest["files"]:
            raise IndexCorruptError(f"{path}: manifest lists no index.faiss")
        try:
            # read_index streams the file: no second in-RAM copy of the codes
            # (deserialize_index of a bytes buffer briefly holds both).
            ann = faiss.read_index(str(file))
        except (RuntimeError, OSError) as exc:
            raise IndexCorruptError(f"{file}: unreadable FAISS index ({exc})") from exc
        if ann.d != self.dim or ann.ntotal != len(self):
            raise IndexCorruptError(
                f"{file}: holds {ann.ntotal} vectors of dimension {ann.d}, "
                f"expected {len(self)} of dimension {self.dim}"
            )
        self._ann = ann
        self._params = {}
        self._ann_type = str(manifest["index_type"])
        self._trained_count = int(manifest.get("trained_count", len(self)))
        calibration = manifest.get("calibration")
        if calibration is not None and not (
            isinstance(calibration, dict)
            and isinstance(calibration.get("nprobe"), int)
            and isinstance(calibration.get("refine", 4), int)
            and calibration["nprobe"] >= 1
            and calibration.get("refine", 4) >= 1
        ):
            raise IndexCorruptError(f"{path}: malformed calibration entry {calibration!r}")
        self.calibration = calibration

    # -- search ------------------------------------------------------------------

    def _search(
        self, queries: FloatArray, k: int, filters: Filters | None, gone: IntArray
    ) -> tuple[FloatArray, IntArray]:
        with _omp_threads(1 if len(queries) < 8 else _faiss().omp_get_max_threads()):
            if filters is None and not len(gone):
                return self._search_ann(queries, k, None, self._nprobe())
            return self._search_filtered(queries, k, filters or Filters(), gone)

    def _search_filtered(
        self, queries: FloatArray, k: int, base_filters: Filters, gone: IntArray
    ) -> tuple[FloatArray, IntArray]:
        faiss = _faiss()
        store = self._store
        base = store.plan_base(base_filters)
        if base is None:
            # Only exclude_ids (e.g. "not my own listing"): nearly everything
            # passes, so search as usual with a NOT selector.
            n_pass = len(self) - len(gone)
            selector = faiss.IDSelectorNot(faiss.IDSelectorBatch(len(gone), faiss.swig_ptr(gone)))
            keep: list[Any] = [gone, selector]
        else:
            n_pass = len(base) - _count_in(base, gone)
            # Removing g slots changes the number of runs by at most g, so the
            # cached run count of the plan decides without removing them first.
            if n_pass <= self._exact_limit(base_filters) and (
                base_filters.city is not None
                or n_pass <= SCATTERED_EXACT_BYTES // (4 * self.dim)
                or self._base_runs(base_filters, base) <= 16 + len(gone)
            ):
                slots = base[~np.isin(base, gone)] if len(gone) else base
                if (
                    base_filters.city is not None
                    or n_pass <= SCATTERED_EXACT_BYTES // (4 * self.dim)
                    or _runs(slots) <= 16
                ):
                    # Exact when few rows pass, or when they lie in a few contiguous
                    # runs (a city): scanned in place. Many scattered rows (e.g.
                    # "offers active today", half the corpus) would have to be
                    # gathered per query (~0.5 us a row); the selector search
                    # below is far cheaper.
                    return self._exact(queries, k, slots)
            bitmap = self._bitmap(base_filters, base)
            if len(gone):
                bitmap = bitmap.copy()
                np.bitwise_and.at(bitmap, gone >> 3, ~(np.left_shift(1, gone & 7)).astype(np.uint8))
            selector = faiss.IDSelectorBitmap(store.n_slots, faiss.swig_ptr(bitmap))
            keep = [bitmap, selector]
        # A filter passing a share s of the items leaves a share s of each probed
        # list: probe 1/s times as many lists (twice that for selective filters,
        # which are rarer than plain queries) to keep recall at least as high.
        share = n_pass / max(len(self), 1)
        boost = 1.0 if share >= 0.5 else 2.0
        nprobe = min(self._nlist(), math.ceil(boost * self._nprobe() / max(share, 1e-9)))
        scores, found = self._search_ann(queries, k, selector, nprobe)
        short = (found >= 0).sum(axis=1) < min(k, n_pass)
        if short.any():
            every = store.plan(base_filters, gone)
            if every is None:
                every = np.flatnonzero(store.alive[: store.n_slots]).astype(np.int64)
            ex_s, ex_i = self._exact(queries[short], k, every)
            scores[short], found[short] = ex_s, ex_i
        del keep  # kept alive until here: the selector points into these arrays
        return scores, found

    def _exact_limit(self, filters: Filters) -> int:
        if filters.city is not None:
            # A city filter is "highly selective" by contract: its results must
            # equal exact search over the city, even for a large city.
            if self.city_exact_max is not None:
                return self.city_exact_max
            return 2**27 // self.dim
        return self.exact_max if self.exact_max is not None else 2**25 // self.dim

    def _base_runs(self, base_filters: Filters, slots: IntArray) -> int:
        """:func:`_runs` of a filter's passing slots, cached like the plan."""
        version = self._store.version
        runs = self._runs_cache.get(base_filters, version)
        if runs is None:
            runs = self._runs_cache.put(base_filters, _runs(slots), version)
        return runs

    def _bitmap(self, base_filters: Filters, slots: IntArray) -> npt.NDArray[np.uint8]:
        """The FAISS selector bitmap of a filter's passing slots, cached like the plan."""
        version = self._store.version
        bitmap = self._bitmap_cache.get(base_filters, version)
        if bitmap is None:
            mask = np.zeros(self._store.n_slots, dtype=bool)
            mask[slots] = True
            packed = np.packbits(mask, bitorder="little")
            bitmap = self._bitmap_cache.put(base_filters, packed, version)
        return bitmap

    def _exact(self, queries: FloatArray, k: int, slots: IntArray) -> tuple[FloatArray, IntArray]:
        """Exact top-``k`` over the sorted ``slots``, reading contiguous runs in place.

        Bulk adds give each city consecutive slots, so a city filter is a few
        runs: FAISS scans each run as a view of the float32 store (no gather),
        at memory bandwidth. Scattered slots are gathered instead.
        """
        faiss = _faiss()
        xb = self._store.xb
        m = len(slots)
        if m == 0:
            return self._store.exact(queries, k, slots)  # all padding
        far = np.flatnonzero(np.diff(slots) > CLUSTER_GAP) + 1
        if 0 < len(far) < 16:
            # A few clusters far apart (a city's offers and its requests, for a
            # cooperation listing that may meet both kinds): each cluster is scanned
            # in place on its own, and the exact top k of each are merged.
            parts = [self._exact(queries, k, part) for part in np.split(slots, far)]
            scores = np.hstack([p[0] for p in parts])
            found = np.hstack([p[1] for p in parts])
            order = np.argsort(-scores, axis=1, kind="stable")[:, :k]
            return np.take_along_axis(scores, order, axis=1), np.take_along_axis(
                found, order, axis=1
            )
        breaks = np.flatnonzero(np.diff(slots) != 1) + 1
        first, span = int(slots[0]), int(slots[-1] - slots[0] + 1)
        if len(breaks) + 1 > max(16, m // 512) and span <= 3 * m:
            # Dense but broken (a city's rows with a kind/expiry filter): scan the
            # covering range in place and mask the rows that do not pass.
            scores_all = queries @ xb[first : first + span].T
            passing = np.zeros(span, dtype=bool)
            passing[slots - first] = True
            scores_all[:, ~passing] = -np.inf
            kk = min(k, m)
            top = np.argpartition(-scores_all, kk - 1, axis=1)[:, :kk]
            top_s = np.take_along_axis(scores_all, top, axis=1)
            order = np.argsort(-top_s, axis=1, kind="stable")
            scores = np.take_along_axis(top_s, order, axis=1).astype(np.float32)
            found = np.take_along_axis(top, order, axis=1).astype(np.int64) + first
        elif len(breaks) + 1 > max(16, m // 512):
            scores, found = faiss.knn(
                queries, np.ascontiguousarray(xb[slots]), min(k, m), faiss.METRIC_INNER_PRODUCT
            )
            found = np.where(found >= 0, slots[np.maximum(found, 0)], -1)
        else:
            starts = np.concatenate([[0], breaks])
            ends = np.concatenate([breaks, [m]])
            parts_s, parts_i = [], []
            for a, b in zip(starts.tolist(), ends.tolist(), strict=True):
                first = int(slots[a])
                s, i = faiss.knn(
                    queries, xb[first : first + b - a], min(k, b - a), faiss.METRIC_INNER_PRODUCT
                )
                parts_s.append(s)
                parts_i.append(np.where(i >= 0, i + first, -1))
            scores, found = np.hstack(parts_s), np.hstack(parts_i)
            if len(parts_s) > 1:
                order = np.argsort(-scores, axis=1, kind="stable")[:, :k]
                scores = np.take_along_axis(scores, order, axis=1)
                found = np.take_along_axis(found, order, axis=1)
        out_s = np.full((len(queries), k), -np.inf, dtype=np.float32)
        out_i = np.full((len(queries), k), -1, dtype=np.int64)
        out_s[:, : scores.shape[1]], out_i[:, : scores.shape[1]] = scores, found
        return out_s, out_i

    def _search_ann(
        self, queries: FloatArray, k: int, selector: Any, nprobe: int
    ) -> tuple[FloatArray, IntArray]:
        faiss = _faiss()
        if self._ann_type == "Flat":
            params = None if selector is None else faiss.SearchParameters(sel=selector)
            scores, found = self._ann.search(queries, k, params=params)
            return scores, found
        if selector is None:
            # one parameter object per nprobe: read-only during searches, so
            # threads can share it; saves building one per query
            params = self._params.get(nprobe)
            if params is None:
                params = self._params[nprobe] = faiss.SearchParametersIVF(nprobe=nprobe)
        else:
            params = faiss.SearchParametersIVF(nprobe=nprobe)
            params.sel = selector
        _, cand = self._ann.search(queries, k * self._refine(), params=params)
        return self._rescore(queries, cand, k)

    def _rescore(self, queries: FloatArray, cand: IntArray, k: int) -> tuple[FloatArray, IntArray]:
        """Exact float32 scores for candidate slots (``-1`` = none), top ``k`` per row."""
        out_s = np.full((len(cand), k), -np.inf, dtype=np.float32)
        out_i = np.full((len(cand), k), -1, dtype=np.int64)
        xb = self._store.xb
        for row, (q, c) in enumerate(zip(queries, cand, strict=True)):
            c = c[c >= 0]
            scores = xb[c] @ q
            order = np.argsort(-scores, kind="stable")[:k]
            out_s[row, : len(order)] = scores[order]
            out_i[row, : len(order)] = c[order]
        return out_s, out_i
