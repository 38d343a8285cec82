"""Slot-addressed storage shared by the backends: ids, float32 vectors, metadata columns.

Each item lives in a *slot* (a row number). Backends use the slot as their
internal integer id (FAISS ``add_with_ids``), so callers never see it. Metadata
is kept as column arrays so that :class:`~isa_match.schema.Filters` compile to a
boolean mask with a few vectorised numpy operations:

* categorical fields as ``int16`` codes into a per-field vocabulary (widened
  to ``int32`` for a field with more than 32,767 distinct values; 14 MB saved
  at 1M items, which the 0.6 GB memory budget needs),
* sector codes as a bitset (``uint64`` words) over the sector vocabulary, so a
  section letter in a filter expands to every division code seen so far,
* ``expires_at`` as an ``int32`` proleptic ordinal (``NEVER`` when open-ended).

Per-city slot lists are cached (invalidated per city on change), so a city
filter never scans the whole corpus.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt

from isa_match.index._ids import IdMap
from isa_match.index._lru import PlanCache
from isa_match.index.base import ItemMeta, UnknownIdError
from isa_match.schema import Filters

CATEGORICAL: tuple[str, ...] = (
    "country",
    "city",
    "region",
    "category",
    "kind",
    "org_type",
    "language",
)
NEVER = int(np.iinfo(np.int32).max)
_EMPTY = np.zeros(0, dtype=np.int64)


def without_exclusion(filters: Filters) -> Filters:
    """``filters`` without its ``exclude_ids`` (the part that plans are cached for)."""
    return replace(filters, exclude_ids=frozenset()) if filters.exclude_ids else filters


IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float32]


def _grow(arr: npt.NDArray[Any], rows: int) -> npt.NDArray[Any]:
    out = np.zeros((rows, *arr.shape[1:]), dtype=arr.dtype)
    out[: len(arr)] = arr
    return out


class Vocab:
    """A growing value -> code mapping for one column."""

    def __init__(self, values: Sequence[str] = ()) -> None:
        self.values: list[str] = list(values)
        self.codes: dict[str, int] = {v: i for i, v in enumerate(self.values)}

    def code(self, value: str) -> int:
        """The code of ``value``, adding it when new."""
        found = self.codes.get(value)
        if found is None:
            found = self.codes[value] = len(self.values)
            self.values.append(value)
        return found


def check_vectors(vectors: npt.ArrayLike, rows: int, dim: int, what: str) -> FloatArray:
    """``vectors`` as a C-contiguous float32 ``(rows, dim)`` matrix, or a clear ValueError."""
    arr = np.ascontiguousarray(vectors, dtype=np.float32)
    if arr.ndim == 1 and rows == 1:
        arr = arr.reshape(1, -1)
    if arr.ndim != 2 or arr.shape[1] != dim:
        raise ValueError(f"{what}: expected shape ({rows}, {dim}), got {arr.shape}")
    if arr.shape[0] != rows:
        raise ValueError(f"{what}: {arr.shape[0]} vector rows for {rows} items")
    bad = ~np.isfinite(arr).all(axis=1)
    if bad.any():
        raise ValueError(f"{what}: row {int(np.flatnonzero(bad)[0])} is not finite (NaN or inf)")
    return arr


def _check_item(row: int, item: object) -> ItemMeta:
    if not isinstance(item, ItemMeta):
        raise TypeError(f"item {row}: expected ItemMeta, got {type(item).__name__}")
    if not isinstance(item.id, str) or not item.id or "\x00" in item.id:
        raise ValueError(
            f"item {row}: id must be a non-empty string without NUL characters, got {item.id!r}"
        )
    for name in CATEGORICAL:
        value = getattr(item, name)
        if not isinstance(value, str):
            raise ValueError(f"item {row} ({item.id}): field {name} must be a string: {value!r}")
    if any(not isinstance(c, str) or not c for c in item.sector):
        raise ValueError(f"item {row} ({item.id}): sector codes must be non-empty strings")
    if item.expires_at is not None and not isinstance(item.expires_at, date):
        raise ValueError(f"item {row} ({item.id}): expires_at must be a date or None")
    return item


class Store:
    """Ids, vectors and metadata columns of one index, addressed by slot."""

    def __init__(self, dim: int) -> None:
        # dim 0: a metadata-only store (ids, filter columns, plans; no vectors),
        # used by the lexical index to share the filter semantics.
        if dim < 0:
            raise ValueError(f"dimension must be positive (0: metadata only), got {dim}")
        self.dim = dim
        self.n_slots = 0  # high-water mark; slots >= n_slots were never used
        self.xb: FloatArray = np.zeros((0, dim), dtype=np.float32)
        self.alive = np.zeros(0, dtype=bool)
        self.ids = IdMap()  # listing id <-> slot, compact (see _ids.py)
        self.free: list[int] = []
        self.vocab = {name: Vocab() for name in CATEGORICAL}
        self.cols: dict[str, npt.NDArray[np.signedinteger[Any]]] = {
            name: np.zeros(0, dtype=np.int16) for name in CATEGORICAL
        }
        self.sector_vocab = Vocab()
        self.sector_bits = np.zeros((0, 1), dtype=np.uint64)
        self.expires = np.zeros(0, dtype=np.int32)
        self._city_slots: dict[int, IntArray] = {}
        self.version = 0  # bumped by every change; keys the plan cache
        self._plans: PlanCache[IntArray] = PlanCache(128, 64 * 2**20, lambda a: a.nbytes)

    # -- size and lookup -------------------------------------------------

    def __len__(self) -> int:
        return len(self.ids)

    def slots_of(self, ids: Iterable[str]) -> IntArray:
        """Slots of known ids; raises :class:`UnknownIdError` for the others."""
        ids = list(ids)
        slots = self.ids.lookup(ids)
        if (slots < 0).any():
            raise UnknownIdError([i for i, s in zip(ids, slots.tolist(), strict=True) if s < 0])
        return slots

    def meta(self, item_id: str) -> ItemMeta:
        """Rebuild the :class:`ItemMeta` of one item (sector codes in vocabulary order)."""
        s = int(self.slots_of([item_id])[0])
        fields = {name: self.vocab[name].values[self.cols[name][s]] for name in CATEGORICAL}
        words = self.sector_bits[s]
        sector = tuple(
            code
            for i, code in enumerate(self.sector_vocab.values)
            if int(words[i // 64]) >> (i % 64) & 1
        )
        exp = int(self.expires[s])
        return ItemMeta(
            id=item_id,
            sector=sector,
            expires_at=None if exp == NEVER else date.fromordinal(exp),
            **fields,
        )

    # -- mutation ----------------------------------------------------------

    def _reserve(self, rows: int) -> None:
        if rows <= len(self.alive):
            return
        cap = max(rows, 2 * len(self.alive), 64)
        self.xb = _grow(self.xb, cap)
        self.alive = _grow(self.alive, cap)
        self.expires = _grow(self.expires, cap)
        self.sector_bits = _grow(self.sector_bits, cap)
        for name in CATEGORICAL:
            self.cols[name] = _grow(self.cols[name], cap)

    def assign(self, items: Sequence[ItemMeta], vectors: FloatArray) -> tuple[IntArray, IntArray]:
        """Store items and vectors; returns (slots of all items, slots that held an old version).

        Validates the whole batch before changing anything, so a bad row leaves
        the store as it was.
        """
        seen: dict[str, int] = {}
        self.version += 1
        for row, item in enumerate(items):
            _check_item(row, item)
            if item.id in seen:
                raise ValueError(f"item {row}: duplicate id {item.id!r} (also row {seen[item.id]})")
            seen[item.id] = row
        slots = np.empty(len(items), dtype=np.int64)
        replaced: list[int] = []
        found = self.ids.lookup([item.id for item in items])
        new_count = int((found < 0).sum())
        self._reserve(self.n_slots + max(0, new_count - len(self.free)))
        # New items get consecutive slots by kind, then city: after a bulk load each
        # kind is one stretch (every suggestion filters by the counterpart kind) and
        # each city is two (one per kind), so exact search over a city needs no
        # gather and a lexical search reads only the kind's part of a posting list.
        order = sorted(range(len(items)), key=lambda r: (items[r].kind, items[r].city))
        codes: dict[str, list[int]] = {name: [] for name in CATEGORICAL}
        sector_sets: list[int] = []
        expires: list[int] = []
        for row in order:
            item = items[row]
            slot = int(found[row])
            if slot < 0:
                slot = self.free.pop() if self.free else self._next_slot()
                self.ids.add(item.id, slot)
            else:
                replaced.append(slot)
                self._city_slots.pop(int(self.cols["city"][slot]), None)
            slots[row] = slot
            for name in CATEGORICAL:
                codes[name].append(self.vocab[name].code(getattr(item, name)))
            bits = 0
            for code in item.sector:
                bits |= 1 << self.sector_vocab.code(code)
            sector_sets.append(bits)
            expires.append(NEVER if item.expires_at is None else item.expires_at.toordinal())
        placed = slots[order]
        for name in CATEGORICAL:
            if len(self.vocab[name].values) > np.iinfo(self.cols[name].dtype).max:
                self.cols[name] = self.cols[name].astype(np.int32)
            self.cols[name][placed] = codes[name]
        for city in set(codes["city"]):
            self._city_slots.pop(city, None)
        words = max(1, (len(self.sector_vocab.values) + 63) // 64)
        if words > self.sector_bits.shape[1]:
            wider = np.zeros((len(self.sector_bits), words), dtype=np.uint64)
            wider[:, : self.sector_bits.shape[1]] = self.sector_bits
            self.sector_bits = wider
        mask = (1 << 64) - 1
        self.sector_bits[placed] = np.array(
            [[(b >> (64 * w)) & mask for w in range(words)] for b in sector_sets],
            dtype=np.uint64,
        ).reshape(len(placed), words)
        self.expires[placed] = expires
        if not self.xb.flags.writeable:
            self.xb = np.array(self.xb)  # memory-mapped after load: copy on first write
        self.xb[slots] = vectors
        self.alive[slots] = True
        self.ids.settle()
        return slots, np.array(replaced, dtype=np.int64)

    def _next_slot(self) -> int:
        slot = self.n_slots
        self.n_slots += 1
        self.ids.reserve(self.n_slots)
        return slot

    def release(self, ids: Iterable[str], missing_ok: bool) -> IntArray:
        """Forget items; returns their former slots (now free for reuse)."""
        ids = list(dict.fromkeys(ids))
        self.version += 1
        if not missing_ok:
            self.slots_of(ids)  # raises before anything changes
        slots = [self.ids.pop(i) for i in ids if i in self.ids]
        for s in slots:
            self.alive[s] = False
            self._city_slots.pop(int(self.cols["city"][s]), None)
        self.free.extend(slots)
        self.ids.settle()
        return np.array(slots, dtype=np.int64)

    # -- filters -----------------------------------------------------------

    def city_slots(self, code: int) -> IntArray:
        """Sorted slots of the live items of one city code (cached)."""
        found = self._city_slots.get(code)
        if found is None:
            n = self.n_slots
            found = np.flatnonzero((self.cols["city"][:n] == code) & self.alive[:n])
            self._city_slots[code] = found.astype(np.int64)
        return self._city_slots[code]

    def excluded_slots(
        self, filters: Filters | None, given: npt.ArrayLike | None = None
    ) -> IntArray:
        """Distinct slots of the ``exclude_ids`` that are present, with ``given`` slots
        that a caller resolved itself (``ValueError`` unless each is a live slot)."""
        slots = _EMPTY
        if filters is not None and filters.exclude_ids:
            slots = self.ids.lookup(filters.exclude_ids)
            slots = slots[slots >= 0]
        if given is None:
            return slots
        extra = np.asarray(given)
        if extra.ndim != 1 or (len(extra) and extra.dtype.kind not in "iu"):
            raise ValueError("exclude_slots must be a one-dimensional array of integers")
        if not len(extra):
            return slots
        extra = np.sort(extra.astype(np.int64))  # a copy: the caller's array stays as it is
        if extra[0] < 0 or extra[-1] >= self.n_slots or not self.alive[extra].all():
            raise ValueError("exclude_slots holds a slot that is not a live item of this index")
        if len(slots) or (extra[1:] == extra[:-1]).any():
            return np.unique(np.concatenate([slots, extra]))
        return extra

    def plan(self, filters: Filters | None, gone: IntArray | None = None) -> IntArray | None:
        """Sorted slots of the live items passing ``filters``; ``None`` means all live items.

        ``gone``: the excluded slots when already known (:meth:`excluded_slots`);
        ``filters.exclude_ids`` is then not looked up again.
        """
        if gone is None:
            if filters is None or filters.is_empty():
                return None
            gone = self.excluded_slots(filters)
        base = None if filters is None else self.plan_base(without_exclusion(filters))
        if not len(gone):
            return base
        if base is None:
            base = np.flatnonzero(self.alive[: self.n_slots]).astype(np.int64)
        return base[~np.isin(base, gone)]

    def plan_base(self, filters: Filters) -> IntArray | None:
        """:meth:`plan` for filters without ``exclude_ids``, cached until the next change.

        Requests repeat the same filters (``active_on`` is today for a whole
        day), so the cache saves a pass over every column at 1M items.
        """
        if filters.is_empty():
            return None
        found = self._plans.get(filters, self.version)
        if found is None:
            found = self._plans.put(filters, self._compile(filters), self.version)
        return found

    def _compile(self, filters: Filters) -> IntArray:
        n = self.n_slots
        sub: IntArray | None = None
        if filters.city is not None:
            known = self.vocab["city"].codes
            codes = [known[c] for c in filters.city if c in known]
            parts = [self.city_slots(c) for c in codes]
            sub = np.sort(np.concatenate(parts)) if len(parts) > 1 else (parts or [_EMPTY])[0]
            keep = np.ones(len(sub), dtype=bool)
        else:
            keep = self.alive[:n].copy()

        def column(arr: npt.NDArray[Any]) -> npt.NDArray[Any]:
            return arr[:n] if sub is None else arr[sub]

        for name in CATEGORICAL:
            accepted = getattr(filters, name)
            if accepted is None or (name == "city" and sub is not None):
                continue
            codes = [self.vocab[name].codes[v] for v in accepted if v in self.vocab[name].codes]
            col = column(self.cols[name])
            keep &= (col == codes[0]) if len(codes) == 1 else np.isin(col, codes)
        if filters.sector is not None:
            want = np.zeros(self.sector_bits.shape[1], dtype=np.uint64)
            for i, code in enumerate(self.sector_vocab.values):
                if code in filters.sector or code[:1] in filters.sector:
                    want[i // 64] |= np.uint64(1 << (i % 64))
            keep &= (column(self.sector_bits) & want).any(axis=1)
        if filters.active_on is not None:
            keep &= column(self.expires) >= filters.active_on.toordinal()
        return np.flatnonzero(keep).astype(np.int64) if sub is None else sub[keep]

    # -- exact search --------------------------------------------------------

    def exact(
        self, queries: FloatArray, k: int, slots: IntArray | None
    ) -> tuple[FloatArray, IntArray]:
        """Exact top-``k`` (scores, slots) per query over ``slots`` (``None``: all live items).

        Rows are padded with ``-inf`` / ``-1`` when fewer than ``k`` items qualify.
        """
        nq = len(queries)
        out_s = np.full((nq, k), -np.inf, dtype=np.float32)
        out_i = np.full((nq, k), -1, dtype=np.int64)
        if slots is None:
            slots = np.flatnonzero(self.alive[: self.n_slots]).astype(np.int64)
            # Live items are most of the slots: score them in place, no gather.
            mat = self.xb[: self.n_slots]
            dead = ~self.alive[: self.n_slots]
            cols: IntArray | None = None
        else:
            mat = self.xb[slots]
            dead = None
            cols = slots
        m = len(slots)
        if m == 0:
            return out_s, out_i
        kk = min(k, m)
        for start in range(0, nq, 64):
            scores = queries[start : start + 64] @ mat.T
            if dead is not None:
                scores[:, dead] = -np.inf
            if kk < scores.shape[1]:
                part = np.argpartition(-scores, kk - 1, axis=1)[:, :kk]
            else:
                part = np.broadcast_to(np.arange(scores.shape[1]), (len(scores), scores.shape[1]))
            top = np.take_along_axis(scores, part, axis=1)
            order = np.argsort(-top, axis=1, kind="stable")
            best = np.take_along_axis(part, order, axis=1)
            out_s[start : start + 64, :kk] = np.take_along_axis(top, order, axis=1)
            out_i[start : start + 64, :kk] = best if cols is None else cols[best]
        return out_s, out_i

    # -- persistence ---------------------------------------------------------

    def arrays(self) -> dict[str, npt.NDArray[Any]]:
        """The native arrays to save (slot layout kept, so backend ids stay valid)."""
        n = self.n_slots
        out: dict[str, npt.NDArray[Any]] = {
            "vectors": self.xb[:n],
            "alive": self.alive[:n],
            "ids": self.ids.to_array(),
            "expires": self.expires[:n],
            "sector_bits": self.sector_bits[:n],
        }
        for name in CATEGORICAL:
            out[f"col_{name}"] = self.cols[name][:n]
        return out

    def vocabularies(self) -> dict[str, list[str]]:
        """The column vocabularies (JSON-ready)."""
        out = {name: list(v.values) for name, v in self.vocab.items()}
        out["sector"] = list(self.sector_vocab.values)
        return out

    @classmethod
    def restore(
        cls, dim: int, arrays: dict[str, npt.NDArray[Any]], vocab: dict[str, list[str]]
    ) -> Store:
        """Rebuild a store from :meth:`arrays` and :meth:`vocabularies` output."""
        store = cls(dim)
        n = len(arrays["alive"])
        for name, arr in arrays.items():
            if len(arr) != n:
                raise ValueError(f"{name}: {len(arr)} rows, expected {n}")
        store.n_slots = n
        xb = arrays["vectors"]
        if xb.dtype != np.float32 or xb.shape != (n, dim) or not xb.flags.c_contiguous:
            raise ValueError(f"vectors: expected C-contiguous float32 ({n}, {dim}), got {xb.shape}")
        store.xb = xb  # may be a read-only memory map; copied on the first write
        store.alive = np.asarray(arrays["alive"], dtype=bool).copy()
        store.expires = np.asarray(arrays["expires"], dtype=np.int32).copy()
        bits = np.array(arrays["sector_bits"], dtype=np.uint64)
        if bits.ndim != 2 or len(bits) != n or bits.shape[1] < 1:
            raise ValueError(f"sector_bits: expected ({n}, words), got {bits.shape}")
        store.sector_bits = bits
        store.ids = IdMap.from_array(np.asarray(arrays["ids"], dtype=np.str_))
        for name in CATEGORICAL:
            col = arrays[f"col_{name}"]
            wide = col.dtype == np.int32 and len(vocab[name]) > np.iinfo(np.int16).max
            store.cols[name] = (
                np.array(col, dtype=np.int32) if wide else np.array(col, dtype=np.int16)
            )
            store.vocab[name] = Vocab(vocab[name])
        store.sector_vocab = Vocab(vocab["sector"])
        store.free = np.flatnonzero(~store.alive).tolist()
        if len(store.ids) != int(store.alive.sum()):
            raise ValueError(
                f"ids: {len(store.ids)} named slots but {int(store.alive.sum())} live slots"
            )
        return store
