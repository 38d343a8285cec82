"""The vector-index protocol, the per-item metadata it filters on, and its errors.

Every backend (exact numpy, FAISS, later an external engine such as Milvus)
implements :class:`VectorIndex`. Callers only ever see listing ids (strings);
a backend's internal integer ids never leave it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, NamedTuple, Protocol, Self, runtime_checkable

import numpy as np
import numpy.typing as npt

from isa_match.schema import Filters, Listing


class IndexFormatError(ValueError):
    """A saved index cannot be used (base class of the two load errors)."""


class IndexCorruptError(IndexFormatError):
    """A saved index folder is damaged: a file is missing, truncated or altered."""


class IndexMismatchError(IndexFormatError):
    """A saved index was built for another encoder, dimension or format version."""


class UnknownIdError(KeyError):
    """One or more listing ids are not in the index.

    Attributes:
        ids: the unknown ids, in the order they were asked for.
    """

    def __init__(self, ids: Sequence[str]) -> None:
        self.ids = tuple(ids)
        shown = ", ".join(repr(i) for i in self.ids[:5])
        more = f" (+{len(self.ids) - 5} more)" if len(self.ids) > 5 else ""
        super().__init__(f"unknown listing id(s) in the index: {shown}{more}")

    def __str__(self) -> str:
        # KeyError.__str__ would quote the whole message again.
        return str(self.args[0])


@dataclass(frozen=True, slots=True)
class EncoderInfo:
    """Which encoder produced an index's vectors; a loaded index must match it."""

    name: str
    version: str

    def as_dict(self) -> dict[str, str]:
        """JSON-ready form for the manifest."""
        return {"name": self.name, "version": self.version}

    @classmethod
    def from_dict(cls, data: Any) -> EncoderInfo | None:
        """Inverse of :meth:`as_dict`; ``None`` stays ``None``."""
        if data is None:
            return None
        return cls(name=str(data["name"]), version=str(data["version"]))

    @classmethod
    def of(cls, encoder: Any) -> EncoderInfo:
        """The name and version of any object that has ``name`` and ``version``."""
        if isinstance(encoder, EncoderInfo):
            return encoder
        try:
            return cls(name=str(encoder.name), version=str(encoder.version))
        except AttributeError as exc:
            raise TypeError(
                f"expected an EncoderInfo or an object with .name and .version, got {encoder!r}"
            ) from exc


@dataclass(frozen=True, slots=True)
class ItemMeta:
    """The filterable fields of one listing, as stored next to its vector.

    Values are canonical strings (city ids, ISO 3166-2 region codes, NACE
    codes, enum values), the same vocabulary as :class:`~isa_match.schema.Filters`.
    """

    id: str
    country: str
    city: str
    region: str
    sector: tuple[str, ...]
    category: str
    kind: str
    org_type: str
    language: str
    expires_at: date | None = None

    @classmethod
    def from_listing(cls, listing: Listing) -> ItemMeta:
        """The metadata of a validated listing."""
        return cls(
            id=listing.id,
            country=listing.country.value,
            city=listing.city,
            region=listing.region,
            sector=tuple(listing.sector),
            category=listing.category.value,
            kind=listing.kind.value,
            org_type=listing.org_type.value,
            language=listing.language.value,
            expires_at=listing.expires_at,
        )

    def passes(self, filters: Filters) -> bool:
        """Whether ``filters`` accept this item (:meth:`Filters.matches`, the oracle)."""
        return filters.matches(self)


class Hit(NamedTuple):
    """One search result: a listing id and its inner-product score (higher is closer)."""

    id: str
    score: float


@runtime_checkable
class EncoderLike(Protocol):
    """Anything that names an encoder: :class:`EncoderInfo` or an encoder object."""

    @property
    def name(self) -> str: ...

    @property
    def version(self) -> str: ...


FloatMatrix = npt.NDArray[np.float32]


@runtime_checkable
class VectorIndex(Protocol):
    """A searchable set of listing vectors with filterable metadata.

    Scores are inner products; with unit vectors (what the encoders produce)
    they are cosine similarities. ``add`` with an id that is already present
    replaces that item (update). Filters are applied inside the search, never by
    over-fetching and discarding, so a result list is shorter than ``k`` only
    when fewer than ``k`` items pass the filters.
    """

    @property
    def dim(self) -> int:
        """Vector dimension."""
        ...

    @property
    def encoder(self) -> EncoderInfo | None:
        """The encoder the vectors came from, if known."""
        ...

    def __len__(self) -> int: ...

    def __contains__(self, item_id: object) -> bool: ...

    def ids(self) -> list[str]:
        """All listing ids in the index (no particular order)."""
        ...

    def add(self, items: Sequence[ItemMeta], vectors: npt.ArrayLike) -> None:
        """Add items with their vectors (one row per item); existing ids are replaced."""
        ...

    def remove(self, ids: Iterable[str], *, missing_ok: bool = False) -> int:
        """Remove items by id; returns how many were removed."""
        ...

    def search(
        self, queries: npt.ArrayLike, k: int, filters: Filters | None = None
    ) -> list[list[Hit]]:
        """Top-``k`` hits for each query row, best first, restricted by ``filters``."""
        ...

    def search_slots(
        self,
        query: npt.ArrayLike,
        k: int,
        filters: Filters | None = None,
        *,
        exclude_slots: npt.ArrayLike | None = None,
    ) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.int64]]:
        """:meth:`search` for one query as (scores, internal slots), best first;
        ``exclude_slots`` (live slots, as from :meth:`slots_of`) are never returned."""
        ...

    def slots_of(self, ids: Sequence[str]) -> npt.NDArray[np.int64]:
        """The internal slot of each item: a small integer, stable while the item is
        present (:class:`UnknownIdError` for absent ids)."""
        ...

    def vectors_at(self, slots: npt.NDArray[np.int64]) -> FloatMatrix:
        """The stored vectors in the given slots (a copy)."""
        ...

    def vector(self, item_id: str) -> FloatMatrix:
        """The stored vector of one item (a copy)."""
        ...

    def vectors(self, ids: Sequence[str]) -> FloatMatrix:
        """The stored vectors of several items, one row each in the order asked."""
        ...

    def meta(self, item_id: str) -> ItemMeta:
        """The stored metadata of one item."""
        ...

    def save(self, path: str | Path) -> None:
        """Write the index to folder ``path`` atomically."""
        ...

    @classmethod
    def load(cls, path: str | Path, *, expect_encoder: EncoderLike | None = None) -> Self:
        """Read an index folder written by :meth:`save`."""
        ...
