"""Vector indexes: one protocol, an exact oracle and a FAISS backend, neutral filters.

``create_index("faiss", dim=512)`` makes an index; ``load_index(path)`` reads a
saved index folder whatever its backend. Filters are
:class:`isa_match.schema.Filters`; :func:`filters_to_milvus_expr` shows the
same form as a Milvus expression for a future external backend.
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
    "UnknownIdError",
    "VectorIndex",
    "choose_index_type",
    "create_index",
    "filters_to_milvus_expr",
    "load_index",
    "milvus_row",
]
