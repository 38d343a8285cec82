"""Alias keys: the normalised form under which names are looked up.

Two spellings of a name get the same key when they differ only in case,
diacritics, punctuation (apostrophes of every kind, quotes, brackets, slashes)
or spacing and hyphens. German umlauts are folded both ways, so "Köln",
"Koeln" and "Koln" all match; the registries store every variant of every
alias and check that no variant belongs to two entries.
"""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Iterable

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


class LookupTable:
    """Alias keys of one namespace (cities or regions), each owned by one target.

    Adding a name whose key already belongs to another target raises
    ValueError: ambiguity is rejected when the data is loaded, never resolved
    by order at lookup time.
    """

    def __init__(self, kind: str) -> None:
        """An empty table; ``kind`` ("city", "region") is used in error messages."""
        self.kind = kind
        self._target: dict[str, str] = {}
        self._source: dict[str, tuple[str, str]] = {}  # key -> (original text, language)

    def add(self, text: str, target: str, lang: str) -> None:
        """Register every key of ``text`` for ``target``; ``lang`` is the name's language."""
        keys = key_variants(text)
        if not keys:
            raise ValueError(f"{self.kind} {target!r}: name {text!r} has no letters or digits")
        for key in keys:
            owner = self._target.setdefault(key, target)
            if owner != target:
                first = self._source[key][0]
                raise ValueError(
                    f"ambiguous {self.kind} name {text!r} of {target!r}: its key {key!r} "
                    f"already belongs to {owner!r} (from {first!r})"
                )
            self._source.setdefault(key, (text, lang))

    def find(self, text: str) -> str | None:
        """The target named ``text``, or None."""
        for key in key_variants(text):
            found = self._target.get(key)
            if found is not None:
                return found
        return None

    def near(self, text: str) -> list[tuple[str, str]]:
        """``(target, language of the matched name)`` for names close to ``text``."""
        keys = key_variants(text)
        if not keys:
            return []
        return [(self._target[k], self._source[k][1]) for k in close_keys(keys[0], self._target)]

    def __len__(self) -> int:
        return len(self._target)
