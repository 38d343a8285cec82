"""Issues and results of :func:`isa_match.io.load_listings` (re-exported there)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from isa_match._io_formats import BadCell
from isa_match.schema import Listing

Severity = Literal["error", "warning"]
_MESSAGE_ISSUES = 50


CONTACT_FIELDS = frozenset({"contact_name", "contact_email", "contact_phone"})
# Contact data inside other text: e-mail addresses, and phone numbers as people
# write them (international +49/0049 or national 0... prefix, or a Chinese mobile
# number) with at least 8 digits, so years, quantities and norms do not match.
EMAIL_RE = re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+")
PHONE_RE = re.compile(
    r"(?<![\w+])(?:(?:\+|00)\d{1,3}[ \-/.()]*|0)\d[\d \-/.()]{5,}\d(?!\w)"
    r"|(?<!\w)1[3-9]\d[ \-]?\d{4}[ \-]?\d{4}(?!\w)"
)


# Every PHONE_RE match starts like this; a cheap test that skips most text.
PHONE_START = re.compile(r"[+01]\d")


def looks_like_phone(match: str) -> bool:
    return sum(ch.isdigit() for ch in match) >= 8


def mask(text: str) -> str:
    """Enough of a contact value to find the cell, not to read the data.

    ``"max.mustermann@firma.de"`` → ``"ma***@firma.de"``, ``"+49 30 1234567"``
    → ``"+49 30 ***67"``, ``"Anna Müller"`` → ``"An***"``.
    """
    if "@" in text:
        local, _, domain = text.partition("@")
        return f"{local[:2]}***@{domain}"
    if sum(ch.isdigit() for ch in text) >= 6:
        head = text[: min(7, len(text) // 2)]
        return f"{head}***{text[-2:]}"
    return f"{text[:2]}***"


def redact(text: str) -> str:
    """``text`` with every e-mail address and phone number in it masked."""
    if "@" in text:
        text = EMAIL_RE.sub(lambda m: mask(m[0]), text)
    return PHONE_RE.sub(lambda m: mask(m[0]) if looks_like_phone(m[0]) else m[0], text)


def _shown(value: object, field: str | None, limit: int = 60) -> str:
    """The value as stored in an issue: raw text (other types as repr), shortened, masked."""
    if isinstance(value, BadCell):
        value = value.value
    text = value if isinstance(value, str) else repr(value)
    if field in CONTACT_FIELDS:
        text = mask(text)
    elif len(text) < 10_000:
        text = redact(text)
    else:
        text = redact(text[:limit])
    return text if len(text) <= limit else text[: limit - 3] + "..."


@dataclass(frozen=True, slots=True)
class RowIssue:
    """One problem found while loading.

    Attributes:
        file: The file as given to :func:`load_listings`.
        row: Row as a person sees it (see the module docstring); None for a
            problem of the whole file (missing column, unreadable file).
        listing_id: The row's id when it could be read.
        field: The listing field concerned (canonical name), if any.
        value: The offending value as raw text (other types as ``repr``),
            shortened to 60 characters; contact values, and e-mail addresses
            or phone numbers inside other values, are masked
            (``"ma***@firma.de"``).
        problem: What is wrong.
        fix: What would fix it.
        severity: ``"error"`` (the row or file is not loaded) or
            ``"warning"`` (loaded, but worth a look).
        column: The column header as written in the file, when it differs
            from ``field``.
    """

    file: str
    row: int | None
    listing_id: str | None
    field: str | None
    value: str | None
    problem: str
    fix: str
    severity: Severity = "error"
    column: str | None = None

    def __str__(self) -> str:
        where = "file" if self.row is None else f"row {self.row}"
        if self.listing_id:
            where += f" (id {self.listing_id!r})"
        what = ""
        if self.field:
            what = f"field {self.field!r}"
            if self.column and self.column != self.field:
                what += f" (column {self.column!r})"
            if self.value is not None:
                what += f" = {self.value!r}"
            what += ": "
        return f"{where}: {self.severity}: {what}{self.problem}. Fix: {self.fix}."


@dataclass(frozen=True, slots=True)
class LoadResult:
    """Listings loaded and every issue found, in file and row order.

    Iterating or taking ``len`` goes over the listings. ``rows_read`` counts
    the non-empty rows of all files (empty rows are counted in a warning), so
    ``rows_read - len(listings)`` rows were rejected, each with at least one
    error in ``issues`` or a file-level error (a missing or duplicate column,
    or a file that failed part-way: then none of its rows is loaded). When
    strict and any error is found, no listing is returned at all.
    """

    listings: list[Listing]
    issues: list[RowIssue]
    files: list[str]
    rows_read: int = 0

    def __iter__(self) -> Iterator[Listing]:
        return iter(self.listings)

    def __len__(self) -> int:
        return len(self.listings)

    @property
    def errors(self) -> list[RowIssue]:
        """Issues of severity ``"error"``."""
        return [i for i in self.issues if i.severity == "error"]

    @property
    def warnings(self) -> list[RowIssue]:
        """Issues of severity ``"warning"``."""
        return [i for i in self.issues if i.severity == "warning"]

    @property
    def ok(self) -> bool:
        """True when there is no error (warnings allowed)."""
        return not any(i.severity == "error" for i in self.issues)

    def report(self, limit: int | None = None) -> str:
        """A readable multi-line report grouped by file and row.

        Args:
            limit: Show at most this many issues and say how many more there are.

        Returns:
            The report; it starts with a one-line summary.
        """
        n_err = len(self.errors)
        n_warn = len(self.issues) - n_err
        lines = [
            f"{len(self.files)} file(s), {self.rows_read} row(s) read: "
            f"{len(self.listings)} listing(s) loaded, "
            f"{self.rows_read - len(self.listings)} row(s) not loaded; "
            f"{n_err} error(s), {n_warn} warning(s)."
        ]
        shown = self.issues if limit is None else self.issues[:limit]
        current: str | None = None
        for issue in shown:
            if issue.file != current:
                current = issue.file
                lines.append(f"{current}:")
            lines.append(f"  {issue}")
        if len(shown) < len(self.issues):
            lines.append(f"... and {len(self.issues) - len(shown)} more issue(s).")
        return "\n".join(lines)


class ListingValidationError(ValueError):
    """Raised by a strict load when any error was found; nothing was loaded.

    Attributes:
        result: A :class:`LoadResult` with no listings and every issue.
    """

    def __init__(self, result: LoadResult) -> None:
        report = result.report(limit=_MESSAGE_ISSUES)
        if len(result.issues) > _MESSAGE_ISSUES:
            report += " See the exception's .result.report() for all."
        super().__init__("listing files have errors; nothing was loaded.\n" + report)
        self.result = result


class _Collector:
    """Issues of one load, plus the ids seen so far (for duplicates across files)."""

    def __init__(self) -> None:
        self.issues: list[RowIssue] = []
        self.seen_ids: dict[str, tuple[str, int]] = {}
        self.rejected: set[tuple[str, int]] = set()

    def add(
        self,
        file: str,
        row: int | None,
        problem: str,
        fix: str,
        *,
        listing_id: str | None = None,
        field: str | None = None,
        value: object = None,
        severity: Severity = "error",
        column: str | None = None,
    ) -> None:
        shown = None if value is None else _shown(value, field)
        self.issues.append(
            RowIssue(file, row, listing_id, field, shown, problem, fix, severity, column)
        )
