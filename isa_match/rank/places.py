"""ISA member cities and regions named in free text (German, Chinese, English).

Space and investment listings name the place they want ("寻找德国弗莱堡（Freiburg）
洁净厂房", "Suche Produktionshalle in Ma'anshan"). :func:`find_places` finds the
member cities and regions a text names, using every name in the city registry:
display names, aliases, component towns ("Freiburg" -> Region Schwarzwald) and
the larger city a district member lies in ("Shenzhen" -> Bao'an).

How names are found (one compiled regular expression per script, built once
per registry and cached):

- Latin names match whole words, case-insensitively, with umlauts written
  either way ("Köln", "Koeln", "Koln") and any short run of spaces, hyphens,
  dots or apostrophes between the words of a name ("Bao'an", "Baoan"). A
  German adjective or genitive ending is allowed ("Kölner", "Dortmunds"), any
  other continuation is not ("Hagen" is not in "Hagenbach", "Inden" not in
  "Lindenberg"). Names shorter than four letters are left out ("BY", "MV")
  except the unambiguous "NRW" and "RLP".
- Chinese names match anywhere (Chinese has no spaces), longest and leftmost
  first, so a longer name consumes the characters of a shorter one inside it:
  "浙江门窗" is Zhejiang, not Jiangmen; "下萨克森" is Lower Saxony, not Saxony. A
  few common words that contain a name are listed as blockers and name
  nothing ("汉堡包" hamburger, "拉尔夫" Ralph).
- A few aliases that are also everyday phrases are not looked for ("三赢",
  "Three wins": a triple win, not the city network).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

from isa_match.reference import CityRegistry, cities, normalize_key
from isa_match.reference._keys import has_cjk

__all__ = [
    "PlaceMatcher",
    "PlaceMentions",
    "find_places",
    "mentioned_places",
    "mentioned_regions",
    "place_matcher",
]

# A Latin word: a run of Latin letters and digits. Han characters are not in
# it, so "德国Freiburg" still names Freiburg.
_LATIN_WORD = re.compile(r"[0-9A-Za-z\u00c0-\u024f\u1e00-\u1eff]+")
# Endings a German text adds to a place name ("Kölner", "Dortmunds", "Hamburgern"),
# longest first; what is left must still be a name of at least _MIN_LATIN letters.
_SUFFIXES = ("ern", "ers", "er", "s")
# Between the words of a name: at most this many characters, none a letter or digit.
_MAX_GAP = 3
_MIN_LATIN = 4
_SHORT_LATIN_ALLOWED = frozenset({"nrw", "rlp"})
# Aliases that are everyday phrases as well (normalised keys): never looked for.
_NOT_IN_FREE_TEXT = frozenset({"三赢", "threewins"})
# Words that contain a Chinese place name but mean something else.
_CJK_BLOCKERS = ("汉堡包", "汉堡王", "汉堡店", "黑森林蛋糕", "拉尔夫", "阿拉尔")
# The Han ranges of reference._keys.has_cjk, as a regex: a scan in C, not per character.
_HAN = re.compile("[\u3400-\u9fff\uf900-\ufaff]")
_WORD_KEY = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
_NO_UMLAUTS = str.maketrans("äöüÄÖÜ", "aouAOU")
_MAX_SURFACES = 3
_WORD_SPLIT = re.compile(r"[\W_]+")


@dataclass(frozen=True, slots=True)
class PlaceMentions:
    """The member cities and regions a text names, each with its spellings as written.

    Attributes:
        cities: ``(member id, spellings)`` pairs in order of first mention;
            spellings are the matched text, at most three distinct ones
            (``("弗莱堡", "Freiburg")``).
        regions: ``(ISO 3166-2 code, spellings)`` pairs of regions named as
            such ("广东省", "NRW"); a city's own region is not added.
    """

    cities: tuple[tuple[str, tuple[str, ...]], ...] = ()
    regions: tuple[tuple[str, tuple[str, ...]], ...] = ()

    @property
    def city_ids(self) -> frozenset[str]:
        """The member ids named."""
        return frozenset(cid for cid, _ in self.cities)

    @property
    def region_codes(self) -> frozenset[str]:
        """The region codes named."""
        return frozenset(code for code, _ in self.regions)

    def spellings(self, target: str) -> tuple[str, ...]:
        """How the text wrote member ``target`` (or region code ``target``); empty if not named."""
        for key, found in (*self.cities, *self.regions):
            if key == target:
                return found
        return ()


def _fold(text: str) -> str:
    """NFKC form: full-width letters and brackets become ASCII, umlauts are composed."""
    return text if text.isascii() else unicodedata.normalize("NFKC", text)


def _word_key(word: str) -> str:
    """The key of one Latin word: lower case, umlauts spelled out, other accents dropped."""
    key = word.lower().translate(_WORD_KEY)
    if key.isascii():
        return key
    return "".join(c for c in unicodedata.normalize("NFKD", key) if not unicodedata.combining(c))


def _name_words(name: str) -> list[list[str]]:
    """The word keys of a Latin name, as written and with umlauts typed without dots."""
    words = [w for w in _WORD_SPLIT.split(_fold(name)) if w]
    variants = {tuple(_word_key(w) for w in words)}
    variants.add(tuple(_word_key(w.translate(_NO_UMLAUTS)) for w in words))
    return [list(v) for v in sorted(variants)]


def _cjk_pattern(name: str) -> str:
    """A pattern for a Chinese name whose parts may be joined by a little punctuation."""
    parts = [re.escape(w) for w in _WORD_SPLIT.split(_fold(name)) if w]
    return r"[\W_]{0,3}".join(parts)


def _usable(name: str, key: str) -> bool:
    if key in _NOT_IN_FREE_TEXT:
        return False
    if has_cjk(name):
        return len(key) >= 2
    return len(key) >= _MIN_LATIN or key in _SHORT_LATIN_ALLOWED


class PlaceMatcher:
    """Finds the names of one :class:`CityRegistry` in free text; build once, reuse.

    Latin names are looked up word by word in a dictionary (a name of several
    words is tried from its first word, longest name first); Chinese names are
    one compiled alternation, longest first. Use :func:`place_matcher` for the
    shipped registry (built on first use and cached).
    """

    def __init__(self, registry: CityRegistry) -> None:
        """Index the names of ``registry``'s members and regions."""
        self._city_region = {c.id: c.region for c in registry}
        # key of a name (word keys joined) -> the members / regions it names
        self._cities: dict[str, set[str]] = {}
        self._regions: dict[str, set[str]] = {}
        # key of a name's first word -> the word counts of the names starting with it
        self._first: dict[str, tuple[int, ...]] = {}
        cjk: list[str] = list(_CJK_BLOCKERS)
        named: list[tuple[str, dict[str, set[str]], str]] = []
        for city in registry:
            names = (
                city.name_de,
                city.name_zh,
                city.name_en,
                *city.aliases,
                *city.members,
                *city.member_aliases,
                *city.parent_aliases,
            )
            named.extend((name, self._cities, city.id) for name in names)
        for region in registry.regions():
            names = (region.name_de, region.name_zh, region.name_en, *region.aliases)
            named.extend((name, self._regions, region.code) for name in names)
        first: dict[str, set[int]] = {}
        for name, table, target in named:
            if not _usable(name, normalize_key(name)):
                continue
            if has_cjk(name):
                table.setdefault(normalize_key(name), set()).add(target)
                cjk.append(_cjk_pattern(name))
                continue
            for words in _name_words(name):
                table.setdefault("".join(words), set()).add(target)
                first.setdefault(words[0], set()).add(len(words))
        self._first = {w: tuple(sorted(ns, reverse=True)) for w, ns in first.items()}
        # one-word names with a German ending ("koelner") -> the name ("koeln")
        self._suffixed = {
            word + suffix: word
            for word, ns in self._first.items()
            if 1 in ns and self._known(word)
            for suffix in _SUFFIXES
        }
        for word in self._first:
            self._suffixed.pop(word, None)  # a name is never read as another name plus an ending
        self._starts = frozenset(self._first) | frozenset(self._suffixed)
        # Longest first: at one position the longest name wins ("下萨克森" before "萨克森").
        ordered = sorted(set(cjk), key=lambda p: (-len(p), p))
        self._cjk = re.compile("|".join(ordered))

    def find(self, text: str) -> PlaceMentions:
        """The members and regions that ``text`` names, in order of first mention."""
        folded = _fold(text)
        hits = self._latin_hits(folded)
        if _HAN.search(folded):
            for m in self._cjk.finditer(folded):
                hits.append((m.start(), m.group(0), normalize_key(m.group(0))))
            hits.sort()
        found_cities: dict[str, list[str]] = {}
        found_regions: dict[str, list[str]] = {}
        for _, surface, key in hits:
            for table, out in ((self._cities, found_cities), (self._regions, found_regions)):
                for target in sorted(table.get(key, ())):
                    spellings = out.setdefault(target, [])
                    if surface not in spellings and len(spellings) < _MAX_SURFACES:
                        spellings.append(surface)
        return PlaceMentions(_frozen(found_cities), _frozen(found_regions))

    def _latin_hits(self, text: str) -> list[tuple[int, str, str]]:
        """``(start, name as written, key)`` of the Latin names in ``text``, leftmost longest."""
        lowered = text.lower()
        if len(lowered) == len(text):
            words = _LATIN_WORD.findall(lowered)
            keys = [w if w.isascii() else _word_key(w) for w in words]
        else:  # rare letters whose lower case is longer: keep positions of the original
            lowered = text
            keys = [_word_key(w) for w in _LATIN_WORD.findall(text)]
        # Most texts name no place or one: a set test in C skips the word loop.
        if self._starts.isdisjoint(keys):
            return []
        spans = [m.span() for m in _LATIN_WORD.finditer(lowered)]
        hits: list[tuple[int, str, str]] = []
        i = 0
        while i < len(keys):
            found = self._match_at(text, spans, keys, i) if keys[i] in self._starts else None
            if found is None:
                i += 1
                continue
            n, key, cut = found
            start, end = spans[i][0], spans[i + n - 1][1] - cut
            hits.append((start, text[start:end], key))
            i += n
        return hits

    def _known(self, key: str) -> bool:
        return key in self._cities or key in self._regions

    def _match_at(
        self, text: str, spans: list[tuple[int, int]], keys: list[str], i: int
    ) -> tuple[int, str, int] | None:
        """(word count, key, length of the ending cut off) of the longest name at word ``i``."""
        for n in self._first.get(keys[i], ()):
            if i + n > len(keys) or not self._joined(text, spans, i, n):
                continue
            joined = "".join(keys[i : i + n])
            if self._known(joined):
                return n, joined, 0
            if n > 1 and (stem := self._stem(joined, keys[i + n - 1])) is not None:
                return n, stem, len(joined) - len(stem)
        # A one-word name with an ending: "Kölner", "Dortmunds".
        stem = self._suffixed.get(keys[i])
        if stem is not None:
            return 1, stem, len(keys[i]) - len(stem)
        return None

    def _stem(self, joined: str, last: str) -> str | None:
        """``joined`` without a German ending of its ``last`` word, if that is a name."""
        for suffix in _SUFFIXES:
            if last.endswith(suffix) and len(last) > len(suffix):
                stem = joined[: -len(suffix)]
                if len(stem) >= _MIN_LATIN and self._known(stem):
                    return stem
        return None

    @staticmethod
    def _joined(text: str, spans: list[tuple[int, int]], i: int, n: int) -> bool:
        # The words of one name are separated only by a little punctuation or space.
        for (_, end), (start, _) in zip(spans[i : i + n - 1], spans[i + 1 : i + n], strict=True):
            if start - end > _MAX_GAP or any(ch.isalnum() for ch in text[end:start]):
                return False
        return True

    def region_of(self, city_id: str) -> str:
        """The region code of member ``city_id`` (KeyError if unknown)."""
        return self._city_region[city_id]


def _frozen(found: Mapping[str, list[str]]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    return tuple((target, tuple(spellings)) for target, spellings in found.items())


@functools.cache
def _shipped_matcher() -> PlaceMatcher:
    return PlaceMatcher(cities())


def place_matcher(registry: CityRegistry | None = None) -> PlaceMatcher:
    """The matcher of ``registry``; ``None`` for the shipped registry (built once, cached)."""
    return _shipped_matcher() if registry is None else PlaceMatcher(registry)


def find_places(text: str) -> PlaceMentions:
    """The ISA member cities and regions named in ``text``, with their spellings.

    Args:
        text: Free text in German, Chinese or English (a title, a description).

    Returns:
        A :class:`PlaceMentions`; ``find_places("寻找德国弗莱堡（Freiburg）洁净厂房")``
        names ``region-schwarzwald`` spelt ``("弗莱堡", "Freiburg")``.
    """
    return _shipped_matcher().find(text)


def mentioned_places(text: str) -> frozenset[str]:
    """The ids of the ISA members named in ``text`` ("Köln", "科隆", "Cologne" -> ``koeln``)."""
    return _shipped_matcher().find(text).city_ids


def mentioned_regions(text: str) -> frozenset[str]:
    """The ISO 3166-2 codes of the regions named as such in ``text`` ("广东省" -> ``CN-GD``)."""
    return _shipped_matcher().find(text).region_codes
