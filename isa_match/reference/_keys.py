"""Alias keys: the normalised form under which names are looked up.

Two spellings of a name get the same key when they differ only in case,
diacritics, punctuation (apostrophes of every kind, quotes, brackets, slashes)
or spacing and hyphens. German umlauts are folded both ways, so "Köln",
"Koeln" and "Koln" all match; the registries store every variant of every
alias and check that no variant belongs to two entries.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable
from typing import NamedTuple

_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue"})
# Apostrophe look-alikes that Unicode counts as letters (category Lm), so the
# "keep letters and digits" rule alone would not drop them: ʼ ʹ ʻ ʽ ʾ ʿ ˈ.
_LETTER_APOSTROPHES = str.maketrans(dict.fromkeys("\u02bc\u02b9\u02bb\u02bd\u02be\u02bf\u02c8"))

# Administrative affixes that people add or drop at will ("佛山市" for "佛山",
# "Stadt Fulda" for "Fulda"). Compounds come before their tails ("自治区" before "区").
_CJK_SUFFIXES = (
    "特别行政区",
    "维吾尔自治区",
    "壮族自治区",
    "回族自治区",
    "自治区",
    "地区",
    "新区",
    "市",
    "区",
    "县",
    "省",
)
_LATIN_SUFFIXES = ("district", "province", "region", "city")
_LATIN_PREFIXES = (
    "landkreis",
    "bundesland",
    "freistaat",
    "province",
    "provinz",
    "region",
    "cityof",
    "kreis",
    "stadt",
    "land",
)
# An affix is only dropped when a real name is left (2 Han characters, 3 letters),
# so "广州" never shrinks to "广".
_MIN_CJK, _MIN_LATIN = 2, 3
# A name found inside longer input must be at least this long, so that short
# keys do not turn up by chance (the shortest Latin keys, "lahr" and "titz", have 4).
_MIN_CONTAINED_CJK, _MIN_CONTAINED_LATIN = 2, 4
_WORD_SPLIT = re.compile(r"[\W_]+")


def _fold(text: str, *, umlauts: bool) -> str:
    folded = unicodedata.normalize("NFKC", text).casefold().translate(_LETTER_APOSTROPHES)
    if umlauts:
        folded = folded.translate(_UMLAUTS)
    # NFKD splits off accents as combining marks, which are not alphanumeric.
    decomposed = unicodedata.normalize("NFKD", folded)
    return "".join(ch for ch in decomposed if ch.isalnum())


def normalize_key(text: str) -> str:
    """The primary lookup key of a name.

    Case-folded, umlauts spelled out (``ü`` -> ``ue``), other diacritics
    dropped, and everything that is not a letter or digit removed.

    Args:
        text: Any spelling of a name.

    Returns:
        The key, e.g. ``"koeln"`` for ``"KÖLN"`` or ``"baoan"`` for ``"Bao’an"``.
    """
    return _fold(text, umlauts=True)


def has_cjk(text: str) -> bool:
    """True when ``text`` contains a CJK ideograph (Chinese script)."""
    return any("\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff" for ch in text)


def _strip_affix(key: str) -> str | None:
    if has_cjk(key):
        for suffix in _CJK_SUFFIXES:
            if key.endswith(suffix) and len(key) - len(suffix) >= _MIN_CJK:
                return key[: -len(suffix)]
        return None
    for suffix in _LATIN_SUFFIXES:
        if key.endswith(suffix) and len(key) - len(suffix) >= _MIN_LATIN:
            return key[: -len(suffix)]
    for prefix in _LATIN_PREFIXES:
        if key.startswith(prefix) and len(key) - len(prefix) >= _MIN_LATIN:
            return key[len(prefix) :]
    return None


def key_variants(text: str) -> tuple[str, ...]:
    """Every key under which ``text`` is stored or looked up, best first.

    The umlaut-expanded key, the umlaut-stripped key, then both again without
    an administrative affix such as ``市`` or ``Stadt``. Empty keys are left out.
    """
    full = [_fold(text, umlauts=True), _fold(text, umlauts=False)]
    stripped = [s for s in (_strip_affix(k) for k in full) if s]
    return tuple(dict.fromkeys(k for k in (*full, *stripped) if k))


def close_keys(key: str, candidates: Iterable[str], limit: int = 8) -> list[str]:
    """Candidate keys that look like ``key``, nearest first (same script only)."""
    cjk = has_cjk(key)
    pool = [c for c in candidates if has_cjk(c) == cjk]
    return difflib.get_close_matches(key, pool, n=limit, cutoff=0.5 if cjk else 0.6)


class Entry(NamedTuple):
    """What a lookup key stands for: its ``target``, the ``lang`` and ``kind`` of its name."""

    target: str
    lang: str
    kind: str


class LookupTable:
    """Alias keys of one namespace (cities or regions), each owned by one target.

    Adding a name whose key already belongs to another target raises
    ValueError: ambiguity is rejected when the data is loaded, never resolved
    by order at lookup time. Each key remembers the language and kind (e.g.
    ``"name"``, ``"parent"``, ``"member"``) of the first name that produced it
    as such, or failing that, of the first that produced it without an affix:
    ``"neuss"`` is the town Neuss, not ``"Kreis Neuss"`` minus ``"Kreis"``.
    """

    def __init__(self, kind: str) -> None:
        """An empty table; ``kind`` ("city", "region") is used in error messages."""
        self.kind = kind
        self._target: dict[str, str] = {}
        self._source: dict[str, tuple[str, Entry]] = {}  # key -> (original text, entry)
        self._whole: set[str] = set()  # keys that some name produced without dropping an affix

    def add(self, text: str, target: str, lang: str, kind: str = "name") -> None:
        """Register every key of ``text`` for ``target``; ``lang`` is the name's language."""
        keys = key_variants(text)
        if not keys:
            raise ValueError(f"{self.kind} {target!r}: name {text!r} has no letters or digits")
        unstripped = {_fold(text, umlauts=True), _fold(text, umlauts=False)}
        for key in keys:
            owner = self._target.setdefault(key, target)
            if owner != target:
                first = self._source[key][0]
                raise ValueError(
                    f"ambiguous {self.kind} name {text!r} of {target!r}: its key {key!r} "
                    f"already belongs to {owner!r} (from {first!r})"
                )
            if key not in self._source or (key in unstripped and key not in self._whole):
                self._source[key] = (text, Entry(target, lang, kind))
            if key in unstripped:
                self._whole.add(key)

    def find(self, text: str) -> str | None:
        """The target named ``text``, or None."""
        entry = self.find_entry(text)
        return None if entry is None else entry.target

    def find_entry(self, text: str) -> Entry | None:
        """The entry of the first key of ``text`` that is known, or None."""
        for key in key_variants(text):
            found = self._source.get(key)
            if found is not None:
                return found[1]
        return None

    def near(self, text: str) -> list[tuple[str, str]]:
        """``(target, language of the matched name)`` for names close to ``text``."""
        keys = key_variants(text)
        if not keys:
            return []
        return self._pairs(close_keys(keys[0], self._target))

    def contained(self, text: str) -> list[tuple[str, str]]:
        """``(target, language)`` for known names inside ``text``, longest name first.

        One pair per target, from its longest name found.

        Chinese names may appear anywhere ("佛山" in "佛山市南海区"); other names
        must start at a word ("koeln" in "Köln-Ehrenfeld", not "inden" in
        "Lindenberg") but may run into a longer word ("Kölner", "Dürener Land").
        """
        nfkc = unicodedata.normalize("NFKC", text)
        joined = _fold(nfkc, umlauts=True)
        starts: set[int] = set()
        offset = 0
        for word in _WORD_SPLIT.split(nfkc):
            starts.add(offset)
            offset += len(_fold(word, umlauts=True))
        hits: list[str] = []
        for key in self._target:
            if has_cjk(key):
                if len(key) >= _MIN_CONTAINED_CJK and key in joined:
                    hits.append(key)
            elif len(key) >= _MIN_CONTAINED_LATIN and any(
                joined.startswith(key, i) for i in starts
            ):
                hits.append(key)
        hits.sort(key=lambda k: (-len(k), k))
        return self._pairs(hits)

    def ranked(self, text: str, kinds: Iterable[str] = ("name",)) -> list[tuple[str, str]]:
        """``(target, language)`` for the names of the given ``kinds``, most similar first.

        One pair per target, from its most similar name.

        Only names in the script of ``text`` (Chinese or not) are ranked; no
        similarity cutoff, so this always has an answer when such names exist.
        """
        keys = key_variants(text)
        if not keys:
            return []
        wanted, cjk = set(kinds), has_cjk(keys[0])
        matcher = difflib.SequenceMatcher(b=keys[0], autojunk=False)
        scored: list[tuple[float, str]] = []
        for key, (_, entry) in self._source.items():
            if entry.kind in wanted and has_cjk(key) == cjk:
                matcher.set_seq1(key)
                scored.append((matcher.ratio(), key))
        scored.sort(key=lambda item: (-item[0], item[1]))
        return self._pairs(k for _, k in scored)

    def _pairs(self, keys: Iterable[str]) -> list[tuple[str, str]]:
        # One pair per target, from its first key: several keys (umlaut and affix
        # variants) usually stand for the same name.
        out: dict[str, str] = {}
        for key in keys:
            entry = self._source[key][1]
            out.setdefault(entry.target, entry.lang)
        return list(out.items())

    def __len__(self) -> int:
        return len(self._target)
