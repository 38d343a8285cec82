from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from isa_match.embed import (
    CachedEncoder,
    EmbeddingCache,
    FloatMatrix,
    Role,
    cache_key,
    normalise_text,
)
from isa_match.embed.hashing import HashingEncoder


class CountingEncoder(HashingEncoder):
    """The hashing encoder, counting calls and texts; ``version`` can be changed."""

    def __init__(self, version: str = "1") -> None:
        super().__init__(dim=32)
        self.version = version
        self.calls: list[list[str]] = []

    def encode(
        self,
        texts: Sequence[str],
        role: Role = "document",
        *,
        batch_size: int | None = None,
        show_progress: bool = False,
    ) -> FloatMatrix:
        self.calls.append(list(texts))
        return super().encode(texts, role)


TEXTS = ["Suche Lieferanten", "寻找供应商", "Suche Lieferanten", "Biete Lagerfläche"]


def test_second_encode_does_not_call_the_inner_encoder() -> None:
    inner = CountingEncoder()
    cached = CachedEncoder(inner, EmbeddingCache())
    first = cached.encode(TEXTS)
    assert inner.calls == [["Suche Lieferanten", "寻找供应商", "Biete Lagerfläche"]]  # dupes once
    second = cached.encode(TEXTS)
    assert len(inner.calls) == 1
    np.testing.assert_array_equal(first, second)
    np.testing.assert_array_equal(first, HashingEncoder(32).encode(TEXTS))  # order kept
    assert (cached.hits, cached.misses) == (5, 3)


def test_only_misses_are_encoded() -> None:
    inner = CountingEncoder()
    cached = CachedEncoder(inner, EmbeddingCache())
    cached.encode(TEXTS[:2])
    out = cached.encode(["neu", TEXTS[0], "auch neu"])
    assert inner.calls[-1] == ["neu", "auch neu"]
    np.testing.assert_array_equal(out, HashingEncoder(32).encode(["neu", TEXTS[0], "auch neu"]))


def test_other_role_or_version_does_not_hit() -> None:
    cache = EmbeddingCache()
    inner = CountingEncoder()
    CachedEncoder(inner, cache).encode(TEXTS)
    CachedEncoder(inner, cache).encode(TEXTS, "query")
    assert len(inner.calls) == 2
    newer = CountingEncoder(version="2")
    CachedEncoder(newer, cache).encode(TEXTS)
    assert len(newer.calls) == 1
    assert len(cache) == 9  # 3 distinct texts x (document v1, query v1, document v2)


def test_persists_across_instances(tmp_path: Path) -> None:
    with EmbeddingCache(tmp_path / "cache") as cache:
        first = CachedEncoder(CountingEncoder(), cache).encode(TEXTS)
    assert (tmp_path / "cache" / "embeddings.sqlite3").is_file()
    inner = CountingEncoder()
    with EmbeddingCache(tmp_path / "cache") as cache:
        again = CachedEncoder(inner, cache).encode(TEXTS)
    assert inner.calls == []
    np.testing.assert_array_equal(first, again)


def test_normalised_text_shares_an_entry() -> None:
    inner = CountingEncoder()
    cached = CachedEncoder(inner, EmbeddingCache())
    composed = "Präzision\r\nTeile "
    decomposed = "Pra\u0308zision\nTeile"
    assert normalise_text(composed) == normalise_text(decomposed)
    a = cached.encode([composed])
    b = cached.encode([decomposed])
    assert len(inner.calls) == 1
    np.testing.assert_array_equal(a, b)


def test_key_depends_on_every_part() -> None:
    base = cache_key("use-m3", "1", "document", "text")
    assert len(base) == 16
    assert base == cache_key("use-m3", "1", "document", " text ")
    others = {
        cache_key("hashing", "1", "document", "text"),
        cache_key("use-m3", "2", "document", "text"),
        cache_key("use-m3", "1", "query", "text"),
        cache_key("use-m3", "1", "document", "text2"),
    }
    assert base not in others and len(others) == 4


def test_empty_input_and_bad_role() -> None:
    cached = CachedEncoder(CountingEncoder(), EmbeddingCache())
    assert cached.encode([]).shape == (0, 32)
    with pytest.raises(ValueError, match="role"):
        cached.encode(["x"], "passage")  # type: ignore[arg-type]


def test_corrupt_entry_is_reported(tmp_path: Path) -> None:
    cache = EmbeddingCache(tmp_path)
    key = cache_key("hashing", "1", "document", "x")
    cache.put_many([(key, np.ones(4, dtype=np.float32))])
    cache._db.execute("UPDATE vectors SET dim = 5")
    with pytest.raises(ValueError, match="corrupt"):
        cache.get_many([key])
