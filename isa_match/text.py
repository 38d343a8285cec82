"""Text normalisation and a small, deterministic language detector.

Listings arrive from spreadsheets, web forms and copy-and-paste out of PDFs, so
their text carries full-width letters, zero-width joiners, bidi overrides and
ragged whitespace. :func:`normalize_text` and :func:`normalize_line` turn that
into one canonical form before anything is stored, compared or embedded.

:func:`detect_language` tells German, Chinese and English apart without a
model. Mixed text is normal in this alliance: Chinese listings name Latin
products and standards ("提供CNC加工服务，ISO 9001认证"), German listings name
Chinese partners. The detector therefore weighs evidence rather than looking
for the first foreign character: Han characters against Latin words, and for
German against English, function words, umlauts and ß, and typical spellings
and suffixes.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from isa_match.schema import Language

__all__ = ["detect_language", "language_shares", "normalize_line", "normalize_text"]


@lru_cache(maxsize=1)
def _drop_pattern() -> re.Pattern[str]:
    """Pattern matching control (Cc), format (Cf) and surrogate (Cs) characters.

    Whitespace controls (tab, newline, ...) are kept here: the callers turn
    them into spaces or line breaks. Format characters include the bidi
    embeddings and overrides (U+202A-U+202E), the isolates (U+2066-U+2069),
    zero-width space/joiners, the soft hyphen and the byte-order mark. Lone
    surrogates (U+D800-U+DFFF, left by broken ``"\\ud800"`` JSON escapes) are
    not characters at all and cannot be written in UTF-8. Built lazily, on
    first use, so importing costs nothing.
    """
    ranges: list[list[int]] = []
    # Cc/Cf lie below U+20000 or in the tag block U+E0000-U+E0FFF (checked in the tests).
    for cp in (*range(0x20000), *range(0xE0000, 0xE1000)):
        ch = chr(cp)
        if unicodedata.category(ch) in ("Cc", "Cf", "Cs") and not ch.isspace():
            if ranges and ranges[-1][1] == cp - 1:
                ranges[-1][1] = cp
            else:
                ranges.append([cp, cp])
    parts = "".join(
        re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}"
        for a, b in ranges
    )
    return re.compile(f"[{parts}]+")


def _clean(s: str) -> str:
    if not s.isascii():
        s = unicodedata.normalize("NFKC", s)
    elif s.isprintable():
        return s
    return _drop_pattern().sub("", s)


def normalize_line(s: str) -> str:
    """Normalise a single-line field (title, organisation, keyword, id).

    Applies Unicode NFKC (so full-width ``"ＡＢＣ１２３"`` becomes ``"ABC123"``),
    removes control and format characters (bidi overrides, zero-width
    characters, soft hyphens) and lone surrogates, turns every run of whitespace including line
    breaks into one space and strips both ends.

    Args:
        s: Raw text.

    Returns:
        The normalised text; ``""`` when nothing printable is left.
    """
    return " ".join(_clean(s).split())


def normalize_text(s: str) -> str:
    """Normalise multi-line text (descriptions), keeping paragraph breaks.

    Like :func:`normalize_line`, but every run of whitespace that contains a
    line break becomes a single ``"\\n"``; blank lines are dropped, so
    paragraphs are separated by exactly one newline.

    Args:
        s: Raw text.

    Returns:
        The normalised text.
    """
    lines = (" ".join(line.split()) for line in _clean(s).splitlines())
    return "\n".join(line for line in lines if line)


# --- language detection -------------------------------------------------------------------

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ebef]+")
_LATIN_WORD = re.compile(r"[A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u1e9e]+")
# A Han run ending like this is an organisation's name, not Chinese prose; inside
# German or English text it should weigh like one word, not like a sentence.
_ORG_SUFFIX = re.compile(r"(有限责任公司|有限公司|集团|公司|研究院|研究所|大学|学院|工厂|厂)$")
# Characters that carry Chinese grammar; they hardly occur inside names.
_ZH_FUNCTION = re.compile("[的了和与及在是为我们对将把被从等]")
_HAN_PER_WORD = 1.7  # average Han characters per Chinese word

_DE_STOP = frozenset(
    """der die das und ist sind für mit von zu zum zur im dem den des ein eine einen einem
    einer eines auf bei beim aus nach wir sie ihr ihre ihren unser unsere unseren unserer
    sich auch oder nicht als wie über durch werden wird wurde haben hat kann können suchen
    sucht bieten bietet sowie sehr bis gegen ohne unter vom ins alle neue neuen diese dieser
    dieses zwischen wenn dass daß noch nur schon jahre jahren einschließlich gesucht biete
    suche gmbh mbh ab je""".split()
)
_EN_STOP = frozenset(
    """the and of for with to is are we our from by on at this that these those be been has
    have can looking seeking offer offers provide provides which who your you it its or
    not into than their they such within across including based about via
    ltd inc llc""".split()
)
_DE_SUFFIXES = (
    "ungen",
    "ung",
    "keit",
    "heit",
    "schaft",
    "lich",
    "liche",
    "lichen",
    "licher",
    "isch",
    "ische",
    "ischen",
    "ieren",
    "iert",
    "tät",
    "tionen",
    "ismus",
    "werk",
    "bau",
    "stoff",
    "technik",
    "anlage",
    "anlagen",
)
_EN_SUFFIXES = ("ing", "ings", "tions", "ness", "ly", "ies", "ful", "ity", "ous", "ship")
_DE_PARTS = ("sch", "tz", "cht", "pf", "zw", "ei")
_EN_PARTS = ("th", "wh", "ou", "ea", "ee")
_C_NOT_GERMAN = re.compile(r"c(?![hk])")


@lru_cache(maxsize=1 << 16)
def _word_evidence(word: str) -> tuple[float, float, float]:
    """(weight, German evidence, English evidence) of one Latin word, as written."""
    if len(word) == 1 or (word.isupper() and len(word) <= 5):
        return 0.3, 0.0, 0.0  # acronyms (CNC, ISO, PLC) and single letters: language-neutral
    w = word.lower()
    if w in _DE_STOP:
        return 2.0, 3.0, 0.0
    if w in _EN_STOP:
        return 2.0, 0.0, 3.0
    de = en = 0.0
    if any(ch in w for ch in "äöüß"):
        de += 2.0
    if w.endswith(_DE_SUFFIXES):
        de += 1.0
    elif w.endswith("en") and len(w) > 4:
        de += 0.4
    if w.startswith("ge") and w.endswith("t") and len(w) > 5:
        de += 1.0
    de += 0.5 * sum(part in w for part in _DE_PARTS)
    if w.endswith(_EN_SUFFIXES):
        en += 1.0
    elif w.endswith("y") or (w.endswith("ed") and len(w) > 4):
        en += 0.6
    en += 0.5 * sum(part in w for part in _EN_PARTS)
    if _C_NOT_GERMAN.search(w):
        en += 0.6  # German spells native and assimilated words with k/z/ch
    return 1.0, de, en


def language_shares(text: str) -> dict[Language, float]:
    """How much of ``text`` looks German, Chinese or English.

    Han characters count as Chinese words (about 1.7 characters a word);
    a Han run that ends like an organisation's name (…有限公司, …研究所) counts
    as a single word, so a Chinese partner named in German prose does not
    outweigh the prose. Latin words are split between German and English by
    their evidence; function words weigh double, acronyms and single letters
    little.

    Args:
        text: Any text; normalised or not.

    Returns:
        A share per language summing to 1.0, or all 0.0 when the text has no
        letters at all.
    """
    zh = 0.0
    for run in _HAN.findall(text):
        if _ORG_SUFFIX.search(run):
            zh += 1.0
        else:
            zh += len(run) / _HAN_PER_WORD + len(_ZH_FUNCTION.findall(run))
    latin = de = en = 0.0
    for word in _LATIN_WORD.findall(text):
        weight, w_de, w_en = _word_evidence(word)
        latin += weight
        # Smoothing keeps a single weak cue from claiming the whole word.
        de += weight * (w_de + 0.25) / (w_de + w_en + 0.5)
        en += weight * (w_en + 0.25) / (w_de + w_en + 0.5)
    total = zh + latin
    if total == 0.0:
        return {Language.DE: 0.0, Language.ZH: 0.0, Language.EN: 0.0}
    return {Language.DE: de / total, Language.ZH: zh / total, Language.EN: en / total}


def detect_language(text: str, default: Language = Language.DE) -> Language:
    """The main language of ``text``: German, Chinese or English.

    Deterministic and model-free (see :func:`language_shares`); about a few
    microseconds for a short title. Chinese text with Latin product names or
    units is Chinese, German text naming a Chinese company is German, an
    English sentence with one German word is English.

    Args:
        text: Any text; normalised or not.
        default: Returned when the text has no letters, and preferred on an
            exact tie (e.g. a Latin title with no German or English cue,
            such as ``"Solar Module"``). German by default, the alliance's
            most common Latin-script language.

    Returns:
        The language with the largest share.
    """
    shares = language_shares(text)
    best = max(shares.values())
    if best == 0.0 or shares[default] == best:
        return default
    # Ties between the other two are broken in a fixed order, for determinism.
    for lang in (Language.DE, Language.ZH, Language.EN):
        if shares[lang] == best:
            return lang
    raise AssertionError("unreachable")  # pragma: no cover
