"""The NACE Rev. 2 sector table: 21 sections (A–U) and 88 divisions, in three languages.

Listings carry normalised codes: a division as section letter plus two digits
(``"C20"``) or, when only the section is known, the letter (``"C"``).
:func:`sectors` returns the table loaded from ``data/reference/nace.json``.
"""

from __future__ import annotations

import difflib
import functools
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from isa_match._paths import data_dir
from isa_match.reference._load import Source
from isa_match.reference._records import UnknownSectorError, in_language
from isa_match.schema import Language

__all__ = [
    "NaceDivision",
    "NaceSection",
    "SectorTable",
    "UnknownSectorError",
    "load_sectors",
    "sectors",
]

_EXPECTED = (
    "expected a section letter A–U, a division 01–99 (e.g. C20 or 20) or a group such as 20.1"
)
# Optional section letter, optional "." or "-", two-digit division, then an
# optional group (one digit) or class (two digits) that is cut off.
_CODE = re.compile(r"^(?:(?P<letter>[A-Z])[.\-]?)?(?P<division>\d{2})(?:\.(?P<rest>\d{1,2}))?$")
# A bare one-digit division, as spreadsheets and JSON numbers leave it: Excel
# reads "01.11" as the number 1.11 and "05" as 5. Only without a section letter,
# since nothing turns "A01" into "A1".
_NUMERIC = re.compile(r"^(?P<division>\d)(?:\.(?P<rest>\d{1,2}))?$")
_LETTER = re.compile(r"^[A-Z]$")
_LABELS = ("label_de", "label_zh", "label_en")


@dataclass(frozen=True, slots=True)
class NaceDivision:
    """A NACE division: ``code`` ``"C20"``, ``number`` ``"20"``, ``section`` ``"C"``."""

    code: str
    number: str
    section: str
    label_de: str
    label_zh: str
    label_en: str

    def label(self, lang: Language | str) -> str:
        """The division's title in ``lang`` (``"de"``, ``"zh"`` or ``"en"``)."""
        return in_language(self.label_de, self.label_zh, self.label_en, lang)


@dataclass(frozen=True, slots=True)
class NaceSection:
    """A NACE section: its letter, titles and the codes of its divisions (``"C10"`` ...)."""

    letter: str
    label_de: str
    label_zh: str
    label_en: str
    divisions: tuple[str, ...]

    def label(self, lang: Language | str) -> str:
        """The section's title in ``lang`` (``"de"``, ``"zh"`` or ``"en"``)."""
        return in_language(self.label_de, self.label_zh, self.label_en, lang)


class SectorTable:
    """NACE Rev. 2 sections and divisions with code normalisation and labels."""

    def __init__(self, sections: tuple[NaceSection, ...], divisions: tuple[NaceDivision, ...]):
        """Index ``sections`` and their ``divisions`` (normally via :func:`load_sectors`)."""
        self._sections = {s.letter: s for s in sections}
        self._divisions = {d.number: d for d in divisions}

    def __repr__(self) -> str:
        return f"SectorTable({len(self._sections)} sections, {len(self._divisions)} divisions)"

    def __contains__(self, code: object) -> bool:
        """True when ``code`` is a string that :meth:`normalize` accepts."""
        if not isinstance(code, str):
            return False
        try:
            self.normalize(code)
        except UnknownSectorError:
            return False
        return True

    def normalize(self, code: str) -> str:
        """The canonical form of a NACE code.

        ``"C"`` stays ``"C"``; ``"C20"``, ``"c20"``, ``"20"``, ``"C 20"``,
        ``"20.1"``, ``"20.14"`` and ``"C20.1"`` all become ``"C20"``. Groups and
        classes are cut to their division (their existence is not checked:
        only sections and divisions are shipped). A division that lost its
        leading zero in a spreadsheet or JSON number is padded: ``"1"``,
        ``"1.1"`` and ``"1.11"`` (from ``01.11``) become ``"A01"``, ``"5"``
        becomes ``"B05"``; ``"4"`` is an error like ``"04"``.

        Raises:
            UnknownSectorError: not a code of this form; a division that NACE
                does not have (e.g. 04, 34); or a division written with the
                wrong section letter (``"B20"``: division 20 is in section C).
        """
        text = "".join(unicodedata.normalize("NFKC", code).split()).upper()
        if _LETTER.match(text):
            if text in self._sections:
                return text
            raise self._error(code, f"unknown NACE code {code!r}; {_EXPECTED}")
        match = _CODE.match(text)
        if match is not None:
            number, letter = match["division"], match["letter"]
        elif numeric := _NUMERIC.match(text):
            number, letter = "0" + numeric["division"], None
        else:
            raise self._error(code, f"unknown NACE code {code!r}; {_EXPECTED}", text)
        division = self._divisions.get(number)
        if division is None:
            near = self._neighbours(number)
            raise self._error(
                code,
                f"unknown NACE code {code!r}: NACE Rev. 2 has no division {number}; "
                f"did you mean: {', '.join(near)}?",
                suggestions=near,
            )
        if letter is not None and letter != division.section:
            raise self._error(
                code,
                f"NACE code {code!r} is inconsistent: division {number} "
                f"({division.label_en}) belongs to section {division.section}, not {letter}; "
                f"did you mean: {division.code}?",
                suggestions=(division.code,),
            )
        return division.code

    def section(self, code: str) -> NaceSection:
        """The section of ``code``: a letter (``"C"``) or any code in it (``"C20"``)."""
        return self._sections[self.normalize(code)[0]]

    def section_of(self, code: str) -> str:
        """The section letter of ``code``: ``"C20"`` -> ``"C"``, ``"20.1"`` -> ``"C"``."""
        return self.normalize(code)[0]

    def division(self, code: str) -> NaceDivision:
        """The division ``code`` denotes (``"C20"``, ``"20"``, ``"20.14"`` ...).

        Raises:
            UnknownSectorError: ``code`` is invalid or only a section letter.
        """
        norm = self.normalize(code)
        if len(norm) == 1:
            near = self._sections[norm].divisions[:3]
            message = f"NACE code {code!r} is a section, not a division"
            raise self._error(code, message, suggestions=near)
        return self._divisions[norm[1:]]

    def label(self, code: str, lang: Language | str) -> str:
        """The title of the section or division ``code`` in ``lang``."""
        norm = self.normalize(code)
        if len(norm) == 1:
            return self._sections[norm].label(lang)
        return self._divisions[norm[1:]].label(lang)

    def sections(self) -> Iterator[NaceSection]:
        """The sections A–U in order."""
        return iter(self._sections.values())

    def divisions(self) -> Iterator[NaceDivision]:
        """All divisions in order of their numbers."""
        return iter(self._divisions.values())

    def divisions_of(self, letter: str) -> tuple[NaceDivision, ...]:
        """The divisions of section ``letter`` (or of the section of any code)."""
        return tuple(self._divisions[c[1:]] for c in self.section(letter).divisions)

    def _neighbours(self, number: str) -> tuple[str, ...]:
        lower = [d.code for n, d in self._divisions.items() if n < number]
        higher = [d.code for n, d in self._divisions.items() if n > number]
        return tuple(lower[-1:] + higher[:1])

    def _error(
        self, code: str, message: str, text: str = "", suggestions: tuple[str, ...] = ()
    ) -> UnknownSectorError:
        if not code.strip():
            message = f"empty NACE code; {_EXPECTED}"
        elif text and not suggestions:
            pool = {**{s: s for s in self._sections}, **{d.code: d.code for d in self.divisions()}}
            pool.update({d.number: d.code for d in self.divisions()})
            near = difflib.get_close_matches(text, list(pool), n=3, cutoff=0.6)
            suggestions = tuple(dict.fromkeys(pool[n] for n in near))
        return UnknownSectorError(message, code, suggestions)


def load_sectors(path: str | Path) -> SectorTable:
    """Load and check a NACE file (the format of ``data/reference/nace.json``).

    Raises:
        ReferenceDataError: the file is missing, malformed or inconsistent
            (missing field or label, duplicate section letter or division).
    """
    src = Source(path)
    sections: list[NaceSection] = []
    divisions: dict[str, NaceDivision] = {}
    for i, rec in enumerate(src.records("sections")):
        where = src.where("sections", i, rec, "letter")
        src.check_fields(rec, where, ("letter", *_LABELS, "divisions"), ())
        letter = src.text(rec, "letter", where)
        if not _LETTER.match(letter):
            src.fail(where, "letter must be one uppercase letter")
        if any(s.letter == letter for s in sections):
            src.fail(where, f"duplicate section {letter!r}")
        items = rec["divisions"]
        if not isinstance(items, list) or not all(isinstance(d, dict) for d in items):
            src.fail(where, "field 'divisions' must be a list of objects")
        codes = []
        for j, drec in enumerate(items):
            dwhere = f"{where}." + src.where("divisions", j, drec, "number")
            src.check_fields(drec, dwhere, ("number", *_LABELS), ())
            number = src.text(drec, "number", dwhere)
            if not re.fullmatch(r"\d{2}", number):
                src.fail(dwhere, f"number {number!r} must be two digits such as '05'")
            if number in divisions:
                src.fail(
                    dwhere,
                    f"duplicate division {number} (already in section {divisions[number].section})",
                )
            de, zh, en = (src.text(drec, name, dwhere) for name in _LABELS)
            divisions[number] = NaceDivision(letter + number, number, letter, de, zh, en)
            codes.append(letter + number)
        de, zh, en = (src.text(rec, name, where) for name in _LABELS)
        sections.append(NaceSection(letter, de, zh, en, tuple(codes)))
    if not sections:
        src.fail("sections", "is empty")
    ordered = tuple(divisions[n] for n in sorted(divisions))
    return SectorTable(tuple(sections), ordered)


@functools.cache
def _shipped_sectors() -> SectorTable:
    return load_sectors(data_dir("reference") / "nace.json")


def sectors(path: str | Path | None = None) -> SectorTable:
    """The NACE Rev. 2 table; the shipped data is loaded on first use and cached.

    Args:
        path: Another NACE file to load (read every call, not cached); ``None``
            for the shipped ``data/reference/nace.json``.
    """
    return _shipped_sectors() if path is None else load_sectors(path)
