"""A persistent embedding cache, so re-indexing unchanged listings costs nothing.

Vectors are stored in one SQLite file (``embeddings.sqlite3``) inside a cache
folder, as raw little-endian float32 bytes keyed by a digest of (encoder name,
encoder version, role, normalised text). No pickle anywhere.
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
import unicodedata
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from .base import Encoder, FloatMatrix, Role, check_role, check_texts

CACHE_FILE = "embeddings.sqlite3"
# Bump when the key recipe or the storage layout changes.
FORMAT_VERSION = "1"
_SQL_CHUNK = 500  # parameters per IN (...) query, below SQLite's variable limit


def normalise_text(text: str) -> str:
    """The form of a text that is cached and encoded: NFC, ``\\n`` line ends, stripped.

    These changes never alter what a listing says, so texts that differ only in
    them share one cached vector.
    """
    return unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n")).strip()


def cache_key(encoder_name: str, encoder_version: str, role: Role, text: str) -> bytes:
    """Stable 16-byte digest of everything that determines a vector."""
    parts = (FORMAT_VERSION, encoder_name, encoder_version, role, normalise_text(text))
    return hashlib.blake2b("\x1f".join(parts).encode("utf-8"), digest_size=16).digest()


class EmbeddingCache:
    """Digest → float32 vector store in SQLite; safe to share between threads.

    Args:
        folder: Cache folder (created if missing); ``None`` keeps the cache in
            memory for the life of this object.
    """

    def __init__(self, folder: str | Path | None = None) -> None:
        self.folder = Path(folder) if folder is not None else None
        if self.folder is not None:
            self.folder.mkdir(parents=True, exist_ok=True)
            target = str(self.folder / CACHE_FILE)
        else:
            target = ":memory:"
        self._lock = threading.Lock()
        # check_same_thread=False: access is serialised by self._lock instead
        self._db = sqlite3.connect(target, check_same_thread=False, timeout=30.0)
        with self._lock, self._db:
            if self.folder is not None:
                self._db.execute("PRAGMA journal_mode=WAL")  # readers do not block a writer
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS vectors "
                "(key BLOB PRIMARY KEY, dim INTEGER NOT NULL, vec BLOB NOT NULL) WITHOUT ROWID"
            )

    def get_many(self, keys: Sequence[bytes]) -> dict[bytes, FloatMatrix]:
        """The cached vectors among ``keys`` (missing keys are absent from the result)."""
        found: dict[bytes, FloatMatrix] = {}
        unique = list(dict.fromkeys(keys))
        with self._lock:
            for start in range(0, len(unique), _SQL_CHUNK):
                part = unique[start : start + _SQL_CHUNK]
                marks = ",".join("?" * len(part))
                rows = self._db.execute(
                    f"SELECT key, dim, vec FROM vectors WHERE key IN ({marks})", part
                ).fetchall()
                for key, dim, blob in rows:
                    vec = np.frombuffer(blob, dtype="<f4")
                    if vec.shape != (dim,):
                        raise ValueError(f"embedding cache entry {key.hex()} is corrupt")
                    found[key] = vec.astype(np.float32)
        return found

    def put_many(self, items: Iterable[tuple[bytes, FloatMatrix]]) -> None:
        """Store vectors (1-D float arrays) under their keys, replacing old entries."""
        rows = [
            (key, int(vec.shape[0]), np.ascontiguousarray(vec, dtype="<f4").tobytes())
            for key, vec in items
        ]
        with self._lock, self._db:
            self._db.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?, ?)", rows)

    def __len__(self) -> int:
        with self._lock:
            (count,) = self._db.execute("SELECT COUNT(*) FROM vectors").fetchone()
        return int(count)

    def clear(self) -> None:
        """Drop every cached vector."""
        with self._lock, self._db:
            self._db.execute("DELETE FROM vectors")

    def close(self) -> None:
        """Close the database; the object is unusable afterwards."""
        with self._lock:
            self._db.close()

    def __enter__(self) -> EmbeddingCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"EmbeddingCache({str(self.folder) if self.folder else ':memory:'})"


class CachedEncoder:
    """Wraps an encoder so that only texts missing from the cache are encoded.

    Texts are normalised with :func:`normalise_text` before encoding, so a cached
    and a freshly computed vector of the same text are the same vector. Order
    and duplicates of the input are preserved; duplicates are encoded once.

    Attributes:
        hits: Texts answered from the cache so far.
        misses: Texts sent to the inner encoder so far.
    """

    def __init__(self, encoder: Encoder, cache: EmbeddingCache) -> None:
        self.inner = encoder
        self.cache = cache
        self.hits = 0
        self.misses = 0

    @property
    def name(self) -> str:
        """The inner encoder's name."""
        return self.inner.name

    @property
    def version(self) -> str:
        """The inner encoder's version."""
        return self.inner.version

    @property
    def dim(self) -> int:
        """The inner encoder's dimension."""
        return self.inner.dim

    def warmup(self) -> None:
        """Warm up the inner encoder if it supports it."""
        warmup = getattr(self.inner, "warmup", None)
        if callable(warmup):
            warmup()

    def encode(
        self,
        texts: Sequence[str],
        role: Role = "document",
        *,
        batch_size: int | None = None,
        show_progress: bool = False,
    ) -> FloatMatrix:
        """Encode texts, reading and filling the cache; see :meth:`Encoder.encode`."""
        check_role(role)
        items = [normalise_text(text) for text in check_texts(texts)]
        name, version = self.inner.name, self.inner.version
        keys = [cache_key(name, version, role, text) for text in items]
        found = self.cache.get_many(keys)
        todo: dict[bytes, str] = {}
        for key, text in zip(keys, items, strict=True):
            if key not in found:
                todo.setdefault(key, text)
        if todo:
            fresh = self.inner.encode(
                list(todo.values()), role, batch_size=batch_size, show_progress=show_progress
            )
            new = dict(zip(todo, fresh, strict=True))
            self.cache.put_many(new.items())
            found.update(new)
        self.misses += len(todo)
        self.hits += len(items) - len(todo)
        if not items:
            return np.zeros((0, self.inner.dim), dtype=np.float32)
        return np.stack([found[key] for key in keys]).astype(np.float32, copy=False)

    def __repr__(self) -> str:
        return f"CachedEncoder({self.inner!r}, {self.cache!r})"
