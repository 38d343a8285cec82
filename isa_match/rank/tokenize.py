"""Tokenisation for BM25 over German, Chinese and English listings.

One tokenizer for every language, so that a German query and a Chinese
document agree on what they share: Latin product names, standards, acronyms
and place names that Chinese listings write in Latin script ("PA66", "CNC",
"弗莱堡（Freiburg）").

Steps (:meth:`Tokenizer.analyze`):

1. :func:`isa_match.text.normalize_text` (NFKC: full-width ``"ＣＮＣ"`` is ``"CNC"``);
2. the text is cut into Han runs and Latin/alphanumeric words (hyphenated words are
   split into their parts; an apostrophe joins: ``"Bao'an"`` is ``"baoan"``);
3. Latin words are lower-cased and folded: ``ä→ae ö→oe ü→ue ß→ss``, other
   diacritics dropped, so ``"Kühl"``, ``"Kuehl"`` and ``"KÜHL"`` agree; pure
   numbers (quantities, years, prices) are dropped, alphanumeric codes kept;
4. German compounds (in German or unknown-language text) also yield their parts
   when both parts are known words: ``"Lithiumcarbonat"`` gives ``lithiumcarbonat,
   lithium, carbonat``. The known words come from the corpus
   (:func:`learn_compound_parts`), so the tokenizer is *fitted* once and then fixed;
   a hyphenated word also yields its joined form (``"Lithium-Ionen"`` → ``lithiumionen``);
5. Han runs are segmented with jieba; a word of three or more characters also
   yields its character bigrams (``"电芯制造"`` → ``电芯 芯制 制造``), which catches
   the many ways Chinese compounds are cut;
6. stop words of the three languages are dropped.

Every step was measured with ``benchmarks/bench_lexical.py --quality`` (BM25 alone
on the sample's labelled pairs and on same-topic retrieval in a generated corpus);
each one helps a little, stop words and the query-term selection of the index most.
"""

from __future__ import annotations

import logging
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, NamedTuple, Protocol

from isa_match.text import normalize_text

__all__ = [
    "STOP_WORDS",
    "Token",
    "Tokenizer",
    "TokenizerOptions",
    "fold",
    "learn_compound_parts",
    "matched_terms",
    "tokenize",
]

_HAN_RANGES = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ebef"
# A Han run, or a word of letters/digits of any other script; words may be joined
# by hyphens (compounds: "Lithium-Ionen-Batterie") and apostrophes ("Bao'an").
_SPLIT = re.compile(
    rf"(?P<han>[{_HAN_RANGES}]+)"
    rf"|(?P<word>[^\W_{_HAN_RANGES}]+(?:[-'’][^\W_{_HAN_RANGES}]+)*)"
)
_FOLD = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "'": "", "’": ""})
_LINKERS = ("s", "es", "n", "en", "er", "e")

# Stop words in folded form (ä -> ae, ß -> ss). Function words only, plus the
# listing boilerplate of each language ("suchen", "bieten", "寻求", "提供"): they
# occur in nearly every listing, so they cost search time and add nothing.
STOP_DE = frozenset(
    """aber alle allem allen aller alles als also am an ander andere anderen auch auf aus
    bei beim bereits besonders bis bitte bzw da dabei dafuer damit dann darauf darueber das
    dass dem den denen der deren des dessen die dies diese diesem diesen dieser dieses doch
    dort durch ein eine einem einen einer eines einige er es etwa etwas euch fuer gegen
    gern gerne hat haben hier ihr ihre ihrem ihren ihrer ihnen im in ins ist ja je jede
    jedem jeden jeder jetzt kann kein keine koennen koennte mehr mit moechten muss nach
    neben nicht noch nun nur ob oder ohne pro rund schon sehr sein seine seit sich sie
    sind so sowie ueber um und uns unser unsere unserem unseren unserer unter vom von vor
    waere wann war was weil welche wenn wer werden wie wir wird wo wollen wurde wurden zu
    zum zur zwischen sowohl gmbh ag mbh kg ev co inkl ca z b usw bieten bietet biete
    suchen sucht suche gesucht""".split()
)
STOP_EN = frozenset(
    """a about above across after all also am an and any are as at be been being both but
    by can could do does each for from had has have he her here his how i if in into is
    it its just may more most my no not of on one only or other our ours out over own per
    she should so some such than that the their them then there these they this those
    through to too under up us very via was we were what when where which while who will
    with within would you your ltd inc llc co looking seek seeks seeking offer offers
    offering provide provides we're""".split()
)
STOP_ZH = frozenset(
    """的 了 和 与 及 在 是 为 对 将 把 被 从 等 以 及其 以及 或 或者 并 并且 也 其 该 这 那 此
    之 于 由 向 可 可以 能 能够 会 已 已经 有 无 都 就 而 但 还 又 很 更 最 各 每 个 些 中
    上 下 我 我们 我方 贵方 您 你 他们 其他 一个 一家 一些 如 如有 即 均 通过 进行 希望 欢迎
    诚邀 诚寻 寻求 寻找 提供 期待 相关 具有 具备 拥有 方面 领域 及时 目前 现""".split()
)
STOP_WORDS = STOP_DE | STOP_EN | STOP_ZH


_WORD_MEMO = 200_000
"""Latin-script words whose tokens a :class:`Tokenizer` remembers (then it starts over)."""


class Token(NamedTuple):
    """One index term and the text it came from (for explanations)."""

    term: str
    surface: str


class _Lexicon(Protocol):
    def idf(self, term: str) -> float: ...


@lru_cache(maxsize=1)
def _jieba() -> Any:
    """jieba's default tokenizer, initialised on first use (about a second).

    jieba keeps its prefix-dictionary cache in the system temporary folder
    (``tempfile.gettempdir()``), never in the package folder, so a read-only
    installation works; when that folder is not writable jieba only logs it.
    """
    import jieba

    jieba.setLogLevel(logging.WARNING)  # jieba's own logger; it prints at DEBUG by default
    jieba.dt.initialize()
    return jieba.dt


def _strip_marks(word: str) -> str:
    if word.isascii():
        return word
    decomposed = unicodedata.normalize("NFD", word)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def fold(word: str) -> str:
    """Lower-case and fold one Latin word: umlauts to ``ae oe ue``, ``ß`` to ``ss``, no accents."""
    return _strip_marks(word.lower().translate(_FOLD))


def _is_number(term: str) -> bool:
    return term.isdigit()


def _part_surfaces(word: str, parts: tuple[str, ...]) -> tuple[str, ...]:
    """The stretches of the original ``word`` that compound ``parts`` (folded) came from.

    Parts appear left to right; a part may differ from its stretch by a restored
    final ``e`` (``zelle`` from ``Zell-``), so each is matched by its longest
    prefix found from the current position on.
    """
    folded = ""
    origin: list[int] = []  # folded character -> index in ``word``
    for i, ch in enumerate(word):
        piece = fold(ch)
        folded += piece
        origin.extend([i] * len(piece))
    out: list[str] = []
    pos = 0
    for part in parts:
        for size in range(len(part), 1, -1):
            at = folded.find(part[:size], pos)
            if at >= 0:
                end = at + size
                out.append(word[origin[at] : origin[end - 1] + 1])
                pos = end
                break
        else:
            out.append(part)
    return tuple(out)


@dataclass(frozen=True)
class TokenizerOptions:
    """Switches of :class:`Tokenizer` (all measured; the defaults are the best variant).

    Attributes:
        stopwords: drop German, English and Chinese stop words.
        zh_bigrams: add the character bigrams of Chinese words of 3+ characters.
        decompound: add the known parts of German compounds (needs learned parts).
        join_hyphens: add the joined form of a hyphenated word.
        keep_numbers: keep pure numbers (quantities, years); alphanumeric codes are always kept.
        min_part: shortest compound part, in characters.
    """

    stopwords: bool = True
    zh_bigrams: bool = True
    decompound: bool = True
    join_hyphens: bool = True
    keep_numbers: bool = False
    min_part: int = 4

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return dict(self.__dict__)


class Tokenizer:
    """Text → BM25 terms, language-neutral except for German decompounding.

    Args:
        options: the switches (:class:`TokenizerOptions`); defaults when ``None``.
        compound_parts: known words with their document frequencies, from
            :func:`learn_compound_parts`; without them nothing is decompounded.
    """

    def __init__(
        self,
        options: TokenizerOptions | None = None,
        compound_parts: Mapping[str, int] | None = None,
    ) -> None:
        self.options = options or TokenizerOptions()
        self.compound_parts: dict[str, int] = dict(compound_parts or {})
        self._splits: dict[str, tuple[str, ...]] = {}
        # word -> its tokens: the vocabulary of a corpus is small next to its texts
        self._words: dict[tuple[str, bool, bool], tuple[Token, ...]] = {}

    def __repr__(self) -> str:
        return f"Tokenizer({self.options}, compound_parts={len(self.compound_parts)})"

    def tokenize(self, text: str, language: str | None = None) -> list[str]:
        """The terms of ``text`` in order, repeated as often as they occur.

        Args:
            text: any text (normalised here).
            language: ``"de"``, ``"zh"``, ``"en"`` or ``None`` (unknown). Only German
                or unknown text is decompounded: Latin words inside Chinese or
                English text are names and terms, not German compounds.
        """
        return [t.term for t in self._analyze(text, language, surfaces=False)]

    def analyze(self, text: str, language: str | None = None, *, han: bool = True) -> list[Token]:
        """Like :meth:`tokenize`, with the text each term came from.

        The surface of a compound part is the matching stretch of the original
        word (``"Kühl"`` for the part ``kuehl`` of ``"Kühlaggregate"``). A
        Chinese term is its own surface; ``han=False`` skips Chinese runs
        (no segmenting) when only the Latin-script surfaces are wanted.
        """
        return self._analyze(text, language, surfaces=True, han=han)

    def _analyze(
        self, text: str, language: str | None, *, surfaces: bool, han: bool = True
    ) -> list[Token]:
        if not isinstance(text, str):
            raise TypeError(f"text must be a string, got {type(text).__name__}")
        opts = self.options
        stop = STOP_WORDS if opts.stopwords else frozenset()
        split = opts.decompound and bool(self.compound_parts) and language in (None, "de")
        out: list[Token] = []
        words = self._words
        for match in _SPLIT.finditer(normalize_text(text)):
            run = match.group("han")
            if run is not None:
                if han:
                    self._han(run, stop, out)
                continue
            word = match.group("word")
            key = (word, split, surfaces)
            tokens = words.get(key)
            if tokens is None:
                tokens = self._word(word, stop, split=split, surfaces=surfaces)
                if len(words) > _WORD_MEMO:
                    words.clear()
                words[key] = tokens
            out.extend(tokens)
        return out

    def _word(
        self, word: str, stop: frozenset[str], *, split: bool, surfaces: bool
    ) -> tuple[Token, ...]:
        """The tokens of one Latin-script word (possibly hyphenated)."""
        opts = self.options
        pieces = word.split("-")
        kept: list[str] = []
        out: list[Token] = []
        for piece in pieces:
            term = fold(piece)
            if len(term) < 2 or term in stop or (_is_number(term) and not opts.keep_numbers):
                continue
            kept.append(term)
            out.append(Token(term, piece))
            if split and len(term) >= 2 * opts.min_part and term.isalpha():
                parts = self.split_compound(term)
                shown = _part_surfaces(piece, parts) if surfaces and parts else parts
                out.extend(Token(p, w) for p, w in zip(parts, shown, strict=True))
        if opts.join_hyphens and len(pieces) > 1 and len(kept) > 1:
            joined = "".join(fold(p) for p in pieces)
            if joined.isalnum():
                out.append(Token(joined, word))
        return tuple(out)

    def _han(self, run: str, stop: frozenset[str], out: list[Token]) -> None:
        for word in _jieba().cut(run, HMM=True):
            if word in stop:
                continue
            out.append(Token(word, word))
            if self.options.zh_bigrams and len(word) >= 3:
                out.extend(Token(word[i : i + 2], word[i : i + 2]) for i in range(len(word) - 1))

    # -- German compounds ------------------------------------------------------

    def split_compound(self, word: str) -> tuple[str, ...]:
        """The known parts of a folded compound (``()`` when it does not split).

        The right-most part (the head) must be a known word; the rest must be a
        known word, possibly after removing a linking element (``Arbeit-s-``,
        ``Sonne-n-``) or restoring a dropped final ``e`` (``Zell-`` → ``zelle``),
        and may itself split again. Among several splits the one whose parts
        are most frequent (geometric mean, as in Koehn & Knight 2003) wins.
        """
        found = self._splits.get(word)
        if found is None:
            found = self._split(word, depth=3, final=True)
            if len(self._splits) > 200_000:
                self._splits.clear()
            self._splits[word] = found
        return found

    def _known_forms(self, head: str) -> Iterable[str]:
        parts = self.compound_parts
        if head in parts:
            yield head
        if head + "e" in parts:
            yield head + "e"
        for link in _LINKERS:
            stem = head[: -len(link)]
            if head.endswith(link) and len(stem) >= self.options.min_part - 1 and stem in parts:
                yield stem

    def _split(self, word: str, depth: int, final: bool) -> tuple[str, ...]:
        # ``final``: ``word`` ends the compound, so its last part is a word as written;
        # inside a compound a part may carry a linking element or have lost its final e.
        parts = self.compound_parts
        m = self.options.min_part
        best: tuple[str, ...] = ()
        best_score = 0.0
        for i in range(m, len(word) - m + 1):
            tails = [word[i:]] if final else list(self._known_forms(word[i:]))
            tails = [t for t in tails if t in parts]
            if not tails:
                continue
            head = word[:i]
            options: list[tuple[str, ...]] = [(form,) for form in self._known_forms(head)]
            if depth > 1 and len(head) >= 2 * m:
                inner = self._split(head, depth - 1, final=False)
                if inner:
                    options.append(inner)
            for lead, tail in ((lead, tail) for lead in options for tail in tails):
                found = (*lead, tail)
                # geometric mean of the parts' frequencies
                score = math.exp(sum(math.log(parts[p]) for p in found) / len(found))
                if score > best_score:
                    best, best_score = found, score
        return best

    # -- persistence -----------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (options and learned compound parts)."""
        return {"options": self.options.as_dict(), "compound_parts": self.compound_parts}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Tokenizer:
        """Inverse of :meth:`to_dict`."""
        parts = {str(k): int(v) for k, v in dict(data.get("compound_parts", {})).items()}
        return cls(TokenizerOptions(**dict(data["options"])), parts)


def learn_compound_parts(
    texts: Iterable[str], *, min_df: int = 2, min_len: int = 4, max_parts: int = 200_000
) -> dict[str, int]:
    """Known words for decompounding: folded Latin words that occur on their own.

    A word counts when it appears in at least ``min_df`` texts, has at least
    ``min_len`` letters and is not a stop word. Only a regular expression
    pass (no Chinese segmentation), so it is cheap even for a million texts.

    Returns:
        word → number of texts it occurs in (the ``max_parts`` most frequent).
    """
    df: Counter[str] = Counter()
    for text in texts:
        words = set()
        for match in _SPLIT.finditer(normalize_text(text)):
            if match.group("word") is None:
                continue
            for piece in match.group("word").split("-"):
                term = fold(piece)
                if len(term) >= min_len and term.isalpha() and term not in STOP_WORDS:
                    words.add(term)
        df.update(words)
    return {w: c for w, c in df.most_common(max_parts) if c >= min_df}


@lru_cache(maxsize=1)
def _default_tokenizer() -> Tokenizer:
    return Tokenizer()


def tokenize(text: str, language: str | None = None) -> list[str]:
    """Terms of ``text`` with the default :class:`Tokenizer` (no learned compound parts).

    Example:
        >>> tokenize("Kühlaggregate für PA66-Spritzguss, 提供CNC加工服务")
        ['kuehlaggregate', 'pa66', 'spritzguss', 'pa66spritzguss', 'cnc', '加工', '服务']
    """
    return _default_tokenizer().tokenize(text, language)


def matched_terms(
    query_text: str,
    doc_text: str,
    *,
    tokenizer: Tokenizer | None = None,
    index: _Lexicon | None = None,
    query_language: str | None = None,
    doc_language: str | None = None,
    limit: int = 8,
) -> list[str]:
    """The terms two texts share, in the query's own spelling, most informative first.

    Terms covered by a longer shared term are left out (``"Lithium"`` when
    ``"Lithiumcarbonat"`` is shown; the bigram ``"电芯"`` when ``"电芯制造"`` is).

    Args:
        query_text: the text the terms are shown from (e.g. the query listing).
        doc_text: the other text.
        tokenizer: the tokenizer (default: ``index.tokenizer`` or the default one).
        index: anything with ``idf(term)`` (a :class:`~isa_match.rank.lexical.LexicalIndex`):
            orders by IDF; without it, longer terms first, then order of appearance.
        query_language: language hint of ``query_text``.
        doc_language: language hint of ``doc_text``.
        limit: at most this many terms.
    """
    tok = tokenizer or getattr(index, "tokenizer", None) or _default_tokenizer()
    doc_terms = set(tok.tokenize(doc_text, doc_language))
    shown: dict[str, str] = {}
    for token in tok.analyze(query_text, query_language):
        if token.term in doc_terms and token.term not in shown:
            shown[token.term] = token.surface
    if not shown:
        return []
    order = list(shown)  # order of appearance; the sorts below are stable
    if index is not None:
        weight = {t: index.idf(t) for t in order}
        order.sort(key=lambda t: -weight[t])
    else:
        order.sort(key=lambda t: -len(t))
    picked: list[str] = []
    for term in order:
        if any(term != other and term in other for other in shown):
            continue  # a part of a longer shared term
        picked.append(shown[term])
        if len(picked) >= limit:
            break
    return picked
