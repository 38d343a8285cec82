"""Vector indexes: one protocol, an exact oracle, FAISS and Milvus backends, neutral filters.

``create_index("faiss", dim=512)`` makes an index (``"milvus"`` with
``uri="./isa.db"`` or a server URI needs the ``scale`` extra); ``load_index(path)``
reads a saved index folder whatever its backend. Filters are
:class:`isa_match.schema.Filters`; :func:`filters_to_milvus_expr` renders them
as the Milvus expression the Milvus backend searches with.
"""

from isa_match.index.base import (
    EncoderInfo,
    EncoderLike,
    Hit,
    IndexCorruptError,
    IndexFormatError,
    IndexMismatchError,
    ItemMeta,
    UnknownIdError,
    VectorIndex,
)
from isa_match.index.exact import ExactIndex
from isa_match.index.factory import BACKENDS, create_index, load_index
from isa_match.index.faiss_index import FaissIndex, choose_index_type
from isa_match.index.milvus_expr import filters_to_milvus_expr, milvus_row
from isa_match.index.milvus_index import MilvusIndex

# Registered here rather than in factory.BACKENDS' literal: the class imports
# pymilvus only when an index connects, so the name costs nothing without the extra.
BACKENDS.setdefault("milvus", MilvusIndex)

__all__ = [
    "BACKENDS",
    "EncoderInfo",
    "EncoderLike",
    "ExactIndex",
    "FaissIndex",
    "Hit",
    "IndexCorruptError",
    "IndexFormatError",
    "IndexMismatchError",
    "ItemMeta",
    "MilvusIndex",
    "UnknownIdError",
    "VectorIndex",
    "choose_index_type",
    "create_index",
    "filters_to_milvus_expr",
    "load_index",
    "milvus_row",
]
