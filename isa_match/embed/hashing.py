"""A deterministic hashing encoder, for fast unit tests only.

It has no notion of meaning: texts that share character trigrams and words get
similar vectors, whatever their language. Use it to test plumbing (indexes,
caches, ranking) without loading a model, never to match real listings.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Sequence

import numpy as np

from .base import FloatMatrix, Role, check_role, check_texts

DEFAULT_DIM = 256
_WORD = re.compile(r"\w+")
# Bump when the features or the hash change: cached vectors of an older version must not match.
_VERSION = "1"


def _features(text: str) -> list[str]:
    """Lower-cased word tokens and character trigrams (with boundary marks)."""
    norm = unicodedata.normalize("NFKC", text).casefold()
    words = _WORD.findall(norm)
    feats = [f"w:{w}" for w in words]
    padded = f"\x02{' '.join(words)}\x03"
    feats.extend(f"c:{padded[i : i + 3]}" for i in range(max(1, len(padded) - 2)))
    return feats


class HashingEncoder:
    """Signed feature hashing of word tokens and character trigrams.

    Deterministic across processes and machines (blake2b, not Python's salted
    ``hash()``). The role is accepted and ignored. For fast unit tests only.

    Args:
        dim: Vector length (at least 8).
    """

    def __init__(self, dim: int = DEFAULT_DIM) -> None:
        if dim < 8:
            raise ValueError(f"hashing encoder dim must be at least 8, got {dim}")
        self.dim = dim
        self.name = "hashing" if dim == DEFAULT_DIM else f"hashing:{dim}"
        self.version = _VERSION

    def encode(
        self,
        texts: Sequence[str],
        role: Role = "document",
        *,
        batch_size: int | None = None,
        show_progress: bool = False,
    ) -> FloatMatrix:
        """Encode texts; see :meth:`isa_match.embed.Encoder.encode`."""
        check_role(role)
        items = check_texts(texts)
        out = np.zeros((len(items), self.dim), dtype=np.float32)
        for row, text in enumerate(items):
            for feat in _features(text):
                digest = hashlib.blake2b(feat.encode("utf-8"), digest_size=8).digest()
                value = int.from_bytes(digest, "little")
                # the low bit picks the sign so colliding features tend to cancel, not pile up
                out[row, (value >> 1) % self.dim] += 1.0 if value & 1 else -1.0
            norm = float(np.linalg.norm(out[row]))
            if norm == 0.0:  # every feature cancelled out: fall back to a fixed direction
                out[row, 0] = 1.0
            else:
                out[row] /= norm
        return out

    def __repr__(self) -> str:
        return f"HashingEncoder(dim={self.dim})"
