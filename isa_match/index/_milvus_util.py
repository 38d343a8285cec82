"""Helpers of the Milvus backend: URIs, the collection schema, limits, the pymilvus import.

Kept apart from :mod:`isa_match.index.milvus_index` so that module holds the index
itself. Nothing here imports pymilvus at import time.
"""

from __future__ import annotations

import importlib
import math
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from isa_match.index._store import CATEGORICAL
from isa_match.index.base import ItemMeta

INDEX_TYPES = ("auto", "FLAT", "IVF_FLAT", "IVF_SQ8", "HNSW")
#: Milvus answers at most this many hits per query (``topk`` limit of the server).
MAX_TOPK = 16384
ID_BYTES = 512  # VARCHAR limits of the collection; longer values are refused on add
FIELD_BYTES = 256
SECTOR_CODES = 64
#: Rows of a sealed segment assumed when sizing IVF lists (Milvus Lite's limit; a
#: server's 1 GB segments hold ~500k vectors of d=512: nprobe scales with nlist).
SEGMENT_ROWS = 100_000
CHUNK = 2048  # rows per insert/query call: well below gRPC's 64 MB message limit
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,254}$")


def pymilvus_module() -> Any:
    """The ``pymilvus`` module, or an ImportError naming the extra to install."""
    try:
        # import_module: pymilvus ships no type information
        pymilvus = importlib.import_module("pymilvus")
    except ImportError as exc:
        raise ImportError(
            "the milvus backend needs pymilvus (and milvus-lite for local .db files): "
            'pip install "isa-match[scale]"'
        ) from exc
    return pymilvus


def is_lite_uri(uri: str) -> bool:
    """Whether ``uri`` names a Milvus Lite data file (a local path) rather than a server."""
    return not _SCHEME.match(uri)


def resolve_uri(uri: str | Path) -> str:
    """``uri`` as stored in a manifest: an absolute path for Milvus Lite, a server URI as is.

    Raises:
        ValueError: a local path that does not end in ``.db`` (pymilvus only
            starts Milvus Lite for those).
    """
    text = str(uri)
    if not is_lite_uri(text):
        return text
    if not text.endswith(".db"):
        raise ValueError(
            f"Milvus URI {text!r}: a Milvus Lite data file is a local path ending in .db "
            "(e.g. ./isa.db); a server is http://host:19530"
        )
    return str(Path(text).expanduser().absolute())


URI_OVERRIDE: ContextVar[str | None] = ContextVar("milvus_uri_override", default=None)


@contextmanager
def milvus_uri_override(uri: str | Path | None) -> Iterator[None]:
    """Within the block, :meth:`MilvusIndex.load` connects to ``uri`` instead of the URI in
    the manifest (a moved Milvus Lite file, another address of the same server); ``None``
    changes nothing. Loaders that cannot pass options (``load_index``, ``Matcher.load``)
    reach the index this way."""
    token = URI_OVERRIDE.set(None if uri is None else resolve_uri(uri))
    try:
        yield
    finally:
        URI_OVERRIDE.reset(token)


def auto_nlist(count: int) -> int:
    """IVF lists for ``count`` vectors: the power of two nearest ``4 * sqrt(count)`` (as FAISS)."""
    exponent = round(math.log2(max(16.0, 4 * math.sqrt(max(count, 1)))))
    return int(min(65536, 2**exponent))


def collection_schema(dim: int, partition_key: str | None) -> Any:
    """The collection layout of the module docstring of :mod:`.milvus_index`."""
    pymilvus = pymilvus_module()
    data_type = pymilvus.DataType
    schema = pymilvus.MilvusClient.create_schema(auto_id=False, enable_dynamic_field=False)
    schema.add_field("pk", data_type.INT64, is_primary=True)
    schema.add_field("id", data_type.VARCHAR, max_length=ID_BYTES)
    schema.add_field("vector", data_type.FLOAT_VECTOR, dim=dim)
    for name in CATEGORICAL:
        schema.add_field(
            name,
            data_type.VARCHAR,
            max_length=FIELD_BYTES,
            is_partition_key=name == partition_key,
        )
    for name in ("sector", "sector_section"):
        schema.add_field(
            name,
            data_type.ARRAY,
            element_type=data_type.VARCHAR,
            max_capacity=SECTOR_CODES,
            max_length=FIELD_BYTES,
        )
    schema.add_field("expires_day", data_type.INT64)
    return schema


def check_lengths(items: Sequence[ItemMeta]) -> None:
    """Refuse values longer than the collection's VARCHAR limits (before any change)."""
    for row, item in enumerate(items):
        if not isinstance(item, ItemMeta):
            return  # Store.assign reports the type error
        if isinstance(item.id, str) and len(item.id.encode("utf-8")) > ID_BYTES:
            raise ValueError(f"item {row} ({item.id[:40]}...): id longer than {ID_BYTES} bytes")
        for name in CATEGORICAL:
            value = getattr(item, name)
            if isinstance(value, str) and len(value.encode("utf-8")) > FIELD_BYTES:
                raise ValueError(
                    f"item {row} ({item.id}): field {name} longer than {FIELD_BYTES} bytes"
                )
        if len(item.sector) > SECTOR_CODES:
            raise ValueError(
                f"item {row} ({item.id}): {len(item.sector)} sector codes, at most {SECTOR_CODES}"
            )
        if any(isinstance(c, str) and len(c.encode("utf-8")) > FIELD_BYTES for c in item.sector):
            raise ValueError(f"item {row} ({item.id}): a sector code longer than {FIELD_BYTES}")
