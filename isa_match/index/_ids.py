"""Compact listing id <-> slot map for large indexes.

A ``dict[str, int]`` plus a ``list[str]`` costs about 140 bytes per id in
CPython (string objects, dict entries, int objects): 0.14 GB at 1M listings,
a quarter of the 0.6 GB memory budget. Here ids are UTF-8 bytes in numpy
arrays: slot -> id is a fixed-width ``S`` array, id -> slot a sorted copy
searched with ``np.searchsorted`` (about 3 x 8 bytes per id for 8-character
ids). Changes since the last merge sit in a small dict that is folded in once
it holds more than ``max(1024, count / 16)`` entries, so single adds and
removes stay cheap (amortised O(log n) lookups, O(n log n / (n / 16)) merges).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]


class IdMap:
    """Listing id (non-empty str without NUL) <-> slot (row number)."""

    def __init__(self) -> None:
        self._names: npt.NDArray[np.bytes_] = np.zeros(0, dtype="S1")  # b"": free slot
        self._n_slots = 0
        self._sorted: npt.NDArray[np.bytes_] = np.zeros(0, dtype="S1")
        self._sorted_slot: IntArray = np.zeros(0, dtype=np.int64)
        self._delta: dict[str, int] = {}  # id -> slot, or -1 when removed since the merge
        self._count = 0

    def __len__(self) -> int:
        return self._count

    def __contains__(self, item_id: object) -> bool:
        return isinstance(item_id, str) and self.get(item_id) is not None

    def __iter__(self) -> Iterator[str]:
        """Ids in slot order."""
        names = self._names[: self._n_slots]
        for raw in names[names != b""].tolist():
            yield raw.decode("utf-8")

    def name(self, slot: int) -> str:
        """The id stored in ``slot`` (``""`` for a free slot)."""
        return bytes(self._names[slot]).decode("utf-8")

    def names(self, slots: IntArray) -> list[str]:
        """The ids stored in ``slots`` (one gather and decode per id; for result lists)."""
        return [raw.decode("utf-8") for raw in self._names[slots].tolist()]

    def get(self, item_id: str) -> int | None:
        """The slot of ``item_id``, or ``None``."""
        slot = self._delta.get(item_id)
        if slot is not None:
            return None if slot < 0 else slot
        found = int(self.lookup([item_id])[0])
        return None if found < 0 else found

    def lookup(self, ids: Iterable[str]) -> IntArray:
        """Slots of ``ids`` (``-1`` for unknown ids), vectorised."""
        ids = list(ids)
        out = np.full(len(ids), -1, dtype=np.int64)
        if not ids:
            return out
        keys = [i.encode("utf-8") for i in ids]
        width = self._sorted.dtype.itemsize
        if len(self._sorted):
            arr = np.array(keys, dtype=f"S{max(width, max(len(k) for k in keys))}")
            pos = np.searchsorted(self._sorted, arr)
            pos = np.minimum(pos, len(self._sorted) - 1)
            hit = self._sorted[pos] == arr
            out[hit] = self._sorted_slot[pos[hit]]
        if self._delta:
            for row, item_id in enumerate(ids):
                slot = self._delta.get(item_id)
                if slot is not None:
                    out[row] = slot
        return out

    def reserve(self, n_slots: int) -> None:
        """Make room for slots below ``n_slots`` (amortised doubling)."""
        if n_slots > len(self._names):
            grown = np.zeros(max(n_slots, 2 * len(self._names), 64), dtype=self._names.dtype)
            grown[: len(self._names)] = self._names
            self._names = grown
        self._n_slots = max(self._n_slots, n_slots)

    def add(self, item_id: str, slot: int) -> None:
        """Record a new id in a free ``slot``."""
        key = item_id.encode("utf-8")
        if len(key) > self._names.dtype.itemsize:
            self._names = self._names.astype(f"S{len(key)}")
        self.reserve(slot + 1)
        self._names[slot] = key
        self._delta[item_id] = slot
        self._count += 1

    def pop(self, item_id: str) -> int:
        """Forget ``item_id``; returns its former slot (``KeyError`` when unknown)."""
        slot = self.get(item_id)
        if slot is None:
            raise KeyError(item_id)
        self._names[slot] = b""
        self._delta[item_id] = -1
        self._count -= 1
        return slot

    def settle(self) -> None:
        """Fold pending changes into the sorted arrays once there are enough of them."""
        if len(self._delta) > max(1024, self._count // 16):
            self.merge()

    def merge(self) -> None:
        """Rebuild the sorted id -> slot arrays from the slot -> id array."""
        names = self._names[: self._n_slots]
        slots = np.flatnonzero(names != b"").astype(np.int64)
        live = names[slots]
        order = np.argsort(live, kind="stable")
        self._sorted = live[order]
        self._sorted_slot = slots[order]
        self._delta = {}

    def to_array(self) -> npt.NDArray[np.str_]:
        """Ids by slot as a numpy unicode array (``""`` for free slots), for saving."""
        names = self._names[: self._n_slots]
        if not len(names):
            return np.zeros(0, dtype="<U1")
        return np.char.decode(names, "utf-8")

    @classmethod
    def from_array(cls, ids: npt.NDArray[np.str_]) -> IdMap:
        """Rebuild from :meth:`to_array` output."""
        out = cls()
        if len(ids):
            out._names = np.char.encode(np.asarray(ids, dtype=np.str_), "utf-8")
        out._n_slots = len(ids)
        out.merge()
        out._count = len(out._sorted)
        if len(np.unique(out._sorted)) != out._count:
            raise ValueError("ids: the same id is stored in two slots")
        return out
