"""Complementary NACE sectors: ``data/reference/sector_complements.json``.

Two sectors complement each other when firms of one typically buy from, supply,
research for or house firms of the other (chemicals and plastics, R&D and
manufacturing, real estate and any industry looking for space). Each pair
carries a short reason in German, Chinese and English for the explanations.
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from isa_match._paths import data_dir
from isa_match.reference import UnknownSectorError, sectors
from isa_match.reference._load import Source
from isa_match.reference._records import in_language
from isa_match.schema import Language

# -- complementary sectors ------------------------------------------------------

_REASON_MAX = 56  # characters per reason, so that an explanation line stays short


@dataclass(frozen=True, slots=True)
class Complement:
    """One pair of complementary sector codes with a short reason in three languages."""

    a: str
    b: str
    reason_de: str
    reason_zh: str
    reason_en: str

    def reason(self, lang: Language | str) -> str:
        """The reason in ``lang`` (``"de"``, ``"zh"`` or ``"en"``)."""
        return in_language(self.reason_de, self.reason_zh, self.reason_en, lang)


class ComplementTable:
    """Symmetric pairs of complementary NACE codes (divisions or section letters).

    A section letter in the table stands for every code of that section:
    ``("M72", "C")`` makes R&D complementary to every manufacturing division.
    """

    def __init__(self, pairs: Collection[Complement]) -> None:
        """Index ``pairs`` in both directions (normally via :func:`load_complements`)."""
        self._pairs = tuple(pairs)
        self._index: dict[tuple[str, str], Complement] = {}
        for entry in self._pairs:
            self._index[entry.a, entry.b] = entry
            self._index[entry.b, entry.a] = entry

    def __iter__(self) -> Iterator[Complement]:
        return iter(self._pairs)

    def __len__(self) -> int:
        return len(self._pairs)

    def __repr__(self) -> str:
        return f"ComplementTable({len(self._pairs)} pairs)"

    def find(self, x: str, y: str) -> Complement | None:
        """The entry making canonical codes ``x`` and ``y`` complementary, or None.

        Tried in order: both codes as given, then either one as its section.
        """
        index = self._index
        found = index.get((x, y))
        if found is None and len(y) > 1:
            found = index.get((x, y[0]))
        if found is None and len(x) > 1:
            found = index.get((x[0], y))
            if found is None and len(y) > 1:
                found = index.get((x[0], y[0]))
        return found


def _code(src: Source, entry: dict[str, Any], key: str, where: str) -> str:
    code = src.text(entry, key, where)
    try:
        canonical = sectors().normalize(code)
    except UnknownSectorError as exc:
        src.fail(where, f"{key}: {exc}")
    if canonical != code:
        src.fail(where, f"{key}: write the canonical code {canonical!r}, not {code!r}")
    return code


def load_complements(path: str | Path) -> ComplementTable:
    """Load and check a complement file (the format of ``sector_complements.json``).

    Raises:
        ReferenceDataError: the file is missing or malformed; an entry has an
            unknown or non-canonical NACE code, pairs a code with itself or a
            division with its own section, repeats an earlier pair (in either
            order), or has a reason longer than 56 characters. The message names
            the entry (``pairs[3] (a 'C20')``).
    """
    src = Source(path)
    seen: dict[frozenset[str], str] = {}
    out: list[Complement] = []
    fields = ("a", "b", "reason_de", "reason_zh", "reason_en")
    for i, entry in enumerate(src.records("pairs")):
        where = src.where("pairs", i, entry, "a")
        src.check_fields(entry, where, fields, ())
        a, b = _code(src, entry, "a", where), _code(src, entry, "b", where)
        if a == b or a == b[0] or b == a[0]:
            src.fail(where, f"{a!r} and {b!r} overlap; a pair needs two different sectors")
        key = frozenset((a, b))
        if key in seen:
            src.fail(where, f"the pair {a} <-> {b} repeats {seen[key]}")
        seen[key] = where
        texts = [src.text(entry, name, where) for name in fields[2:]]
        for name, text in zip(fields[2:], texts, strict=True):
            if len(text) > _REASON_MAX:
                src.fail(where, f"{name} has {len(text)} characters; at most {_REASON_MAX}")
        out.append(Complement(a, b, *texts))
    return ComplementTable(out)


@functools.cache
def _shipped_complements() -> ComplementTable:
    return load_complements(data_dir("reference") / "sector_complements.json")


def complements(path: str | Path | None = None) -> ComplementTable:
    """The complementary-sector table; the shipped one is loaded on first use and cached."""
    return _shipped_complements() if path is None else load_complements(path)


def complement_pairs(table: ComplementTable | None = None) -> list[tuple[str, str]]:
    """The ``(a, b)`` code pairs of ``table`` (default: the shipped one), each once."""
    return [(entry.a, entry.b) for entry in (table or complements())]
