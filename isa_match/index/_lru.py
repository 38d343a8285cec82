"""A small least-recently-used cache for filter plans, emptied when its owner changes.

Requests alternate between a few broad filters (offers / requests active today)
and many narrow ones (one city each): a first-in-first-out or clear-when-full
cache then throws the broad plans away, and rebuilding one costs a pass over
every row (milliseconds at 1M listings). Entries are bounded by count and by
bytes. Searches run in several threads: the cache tolerates concurrent use
(a lost entry is only recomputed), it never raises for it.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

V = TypeVar("V")


class PlanCache(Generic[V]):
    """Values by key, valid for one ``version`` of their owner; LRU beyond the bounds."""

    def __init__(
        self, max_items: int, max_bytes: int, size_of: Callable[[V], int] = lambda v: 0
    ) -> None:
        self.max_items = max_items
        self.max_bytes = max_bytes
        self._size_of = size_of
        self._items: OrderedDict[Hashable, tuple[V, int]] = OrderedDict()
        self._bytes = 0
        self._version: object = None

    def __len__(self) -> int:
        return len(self._items)

    def get(self, key: Hashable, version: object) -> V | None:
        """The value for ``key`` if cached for this ``version``, else ``None``."""
        if version != self._version:
            self._items, self._bytes, self._version = OrderedDict(), 0, version
            return None
        found = self._items.get(key)
        if found is None:
            return None
        try:
            self._items.move_to_end(key)
        except KeyError:
            pass
        return found[0]

    def put(self, key: Hashable, value: V, version: object) -> V:
        """Remember ``value`` (evicting the least recently used); returns it."""
        if version != self._version:
            self._items, self._bytes, self._version = OrderedDict(), 0, version
        size = self._size_of(value)
        self._items[key] = (value, size)
        self._bytes += size
        while len(self._items) > 1 and (
            len(self._items) > self.max_items or self._bytes > self.max_bytes
        ):
            try:
                _, (_, dropped) = self._items.popitem(last=False)
            except KeyError:
                break
            self._bytes -= dropped
        return value
