"""Multilingual text encoders behind one small protocol, plus an embedding cache.

>>> from isa_match.embed import get_encoder
>>> encoder = get_encoder()          # USE multilingual v3, nothing loaded yet
>>> vectors = encoder.encode(["Suche Lieferanten", "寻找供应商"], role="document")
"""

from .base import (
    ROLES,
    Encoder,
    EncoderLoadError,
    EncoderUnavailableError,
    FloatMatrix,
    Role,
)
from .cache import CachedEncoder, EmbeddingCache, cache_key, normalise_text
from .registry import (
    DEFAULT_ENCODER,
    EncoderFactory,
    available_encoders,
    get_encoder,
    register_encoder,
)

__all__ = [
    "DEFAULT_ENCODER",
    "ROLES",
    "CachedEncoder",
    "EmbeddingCache",
    "Encoder",
    "EncoderFactory",
    "EncoderLoadError",
    "EncoderUnavailableError",
    "FloatMatrix",
    "Role",
    "available_encoders",
    "cache_key",
    "get_encoder",
    "normalise_text",
    "register_encoder",
]
