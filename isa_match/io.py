"""Load, validate and write listing files: the project's only raw-data I/O.

City staff bring spreadsheets and exports, so the rule here is that bad input
gets a clear error and nothing is lost: every problem is reported with file,
row, field, value, what is wrong and what would fix it, and no row or column
disappears without an issue saying so.

Supported formats (by extension): ``.csv``, ``.tsv``/``.tab``,
``.jsonl``/``.ndjson``, ``.json`` (an array of objects or
``{"listings": [...]}``), ``.parquet`` and ``.xlsx``; the text formats also
gzip-compressed (``.csv.gz``). Of a workbook, the sheet named ``listings``
(any case) is read, else the first sheet; every other sheet that holds data
gets a warning naming it (one sheet per file keeps row numbers unambiguous).
Formula cells are read by their computed value; a formula saved without one
is a field error, and so is an Excel error value (``#N/A``, ``#WERT!``, ...)
in any format. Text files are read as UTF-8 with or without BOM, or UTF-16
with BOM (Excel's "Unicode text"); CSV files are written as UTF-8 with BOM so
that Excel shows umlauts and Chinese correctly, and ``;``-separated CSV (as
German Excel writes it) is recognised from the header line.

Row numbers are the ones a person sees: CSV/TSV/XLSX the spreadsheet row
(the header is row 1, the first listing row 2), JSONL the line number, JSON
the 1-based position in the array, Parquet the 1-based row index. A CSV/TSV
row with more or fewer cells than the header is an error (data would be lost
or shifted; empty extra cells are ignored); a cell longer than the csv
module's field limit rejects its row only; an unterminated quote is an error
for the rows from the one where it opens. Rows with no value in any cell hold
no data and are skipped; one warning per file says how many.

Privacy: contact values (name, e-mail, phone) in issues are masked
(``"ma***@firma.de"``), and so are e-mail addresses and phone numbers inside
any other value an issue quotes; :func:`write_listings` writes contact data
only when asked to.
"""

from __future__ import annotations

import difflib
import json
import os
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from isa_match import _io_columns as C
from isa_match._io_formats import (
    UNNAMED,
    FileProblem,
    RawFile,
    RowProblem,
    read_raw,
)
from isa_match._io_result import (
    ListingValidationError,
    LoadResult,
    RowIssue,
    _Collector,
)
from isa_match._io_validate import CITY_NOTES, validate_row
from isa_match._io_write import write_raw
from isa_match.schema import (
    Listing,
)

__all__ = [
    "ListingValidationError",
    "LoadResult",
    "RowIssue",
    "load_listings",
    "read_pairs",
    "validate_listing",
    "write_listings",
    "write_rows",
]


def _blank(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, float):
        return value != value  # NaN
    if isinstance(value, list | tuple):
        return all(_blank(v) for v in value)
    return False


def validate_listing(
    fields: Mapping[str, object], today: date, *, source: str = "<request>"
) -> tuple[Listing | None, list[RowIssue]]:
    """Check one listing given as field values (a form or an API body), with the rules
    of :func:`load_listings` and every field required as in a file that has all columns.

    Returns:
        The listing (``None`` when any issue is an error) and every issue found, errors
        and warnings, each naming its field; ``source`` is the issues' file name.
    """
    out = _Collector()
    listing = validate_row(dict(fields), {}, source, 1, out, today, {}, strict_keys=True)
    return listing, out.issues


def load_listings(
    paths: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
    *,
    strict: bool = True,
    today: date | None = None,
) -> LoadResult:
    """Load and validate listings from one or more files.

    Header names are normalised (trimmed, lower-case, spaces and hyphens as
    ``_``) and common aliases accepted (``stadt``/``城市`` → ``city``,
    ``nace`` → ``sector``, ...). Required fields: id, kind, category, title,
    organization, org_type, city, sector, created_at. Optional: description
    (may be empty; the title is always there), language (detected from the
    text when absent), keywords, expires_at, country and region (must agree
    with the city they are derived from), contact_name, contact_email and
    contact_phone (kept only in :attr:`Listing.contact`). Empty cells of
    optional fields mean "absent". Ids must be unique across all files.

    A column (or JSON key) that looks like a misspelt field name
    (``descriptoin``) is an error with a did-you-mean; other unknown columns
    are a warning (their data is not loaded), and so are unnamed columns
    that hold data. A JSON object giving one key twice is a row error. Text
    fields reject booleans, nested lists, Excel error values and damaged
    text (lone surrogates). A public field (title, description,
    organization, keywords) that contains an e-mail address or phone number
    gets a warning: contact data belongs in the contact columns.

    Args:
        paths: One file or several (at least one); formats by extension
            (see module docs).
        strict: When True, any error raises :class:`ListingValidationError`
            and nothing is loaded. When False, good rows are loaded and every
            bad row is reported in ``issues``.
        today: Reference day for date plausibility warnings (created in the
            future, already expired); defaults to today.

    Returns:
        The listings and all issues (warnings only, when strict).

    Raises:
        ListingValidationError: strict and at least one error.
        ValueError: no file given.
    """
    if isinstance(paths, str | os.PathLike):
        paths = [paths]
    if not paths:
        raise ValueError("no files given: pass at least one listing file")
    today = today or date.today()
    collector = _Collector()
    listings: list[Listing] = []
    files = [os.fspath(p) for p in paths]
    rows_read = 0
    for name in files:
        loaded, count = _load_file(Path(name), name, collector, today)
        listings.extend(loaded)
        rows_read += count
    result = LoadResult(listings, collector.issues, files, rows_read)
    if strict and not result.ok:
        raise ListingValidationError(LoadResult([], collector.issues, files, rows_read))
    return result


def _load_file(path: Path, name: str, out: _Collector, today: date) -> tuple[list[Listing], int]:
    try:
        raw = read_raw(path)
    except FileProblem as exc:
        out.add(name, None, exc.problem, exc.fix)
        return [], 0
    for problem, fix in raw.notes:
        out.add(name, None, problem, fix, severity="warning")
    columns, blocked = _check_columns(raw, name, out)
    unnamed = [c for c in raw.columns or () if c.startswith(UNNAMED)]
    unnamed_rows: dict[str, int] = {}
    column_of = {f: c for c, f in (columns or {}).items()}
    unknown_keys: dict[str, int] = {}
    caches: dict[str, dict[object, Any]] = {}
    listings: list[Listing] = []
    expired = count = empty = 0
    try:
        for row, cells in raw.rows:
            if isinstance(cells, RowProblem):
                count += 1
                out.add(name, row, cells.problem, cells.fix, value=cells.value)
                out.rejected.add((name, row))
                continue
            if all(_blank(v) for v in cells.values()):
                empty += 1  # no data to lose, but say so: the row count must add up
                continue
            count += 1
            clash = False
            if columns is None:
                fields, headers, clash = _json_fields(cells, name, row, out, unknown_keys)
            else:
                fields = {f: cells.get(c) for c, f in columns.items()}
                headers = column_of
                for column in unnamed:
                    if not _blank(cells.get(column)):
                        unnamed_rows[column] = unnamed_rows.get(column, 0) + 1
            listing = validate_row(
                fields, headers, name, row, out, today, caches, strict_keys=columns is None
            )
            if listing is not None and not blocked and not clash:
                listings.append(listing)
                expired += listing.is_expired(today)
            else:
                out.rejected.add((name, row))
    except FileProblem as exc:  # a reader that fails mid-file
        out.add(name, None, exc.problem, exc.fix)
        return [], count
    if unknown_keys:
        _report_unknown(
            [(k, f"{k!r} (first in row {r})") for k, r in unknown_keys.items()], "key", name, out
        )
    for column, n_rows in unnamed_rows.items():
        out.add(
            name,
            None,
            f"{column[1:-1]} has no header but holds data in {n_rows} row(s); "
            "that data is not loaded",
            "give the column a listing field name as header, or delete it",
            severity="warning",
        )
    if empty:
        out.add(
            name,
            None,
            f"{empty} empty row(s) skipped (every cell blank)",
            "nothing to do unless those rows should hold data",
            severity="warning",
        )
    if count == 0:
        out.add(
            name, None, "no listings in the file", "add rows below the header", severity="warning"
        )
    for note, rows in caches.get(CITY_NOTES, {}).items():
        out.add(
            name,
            None,
            f"{rows} listing(s): {note}",
            "nothing to do if that is the member meant; otherwise name the member city",
            severity="warning",
        )
    if expired:
        out.add(
            name,
            None,
            f"{expired} listing(s) expired before {today.isoformat()}; loaded, "
            "but searches for active listings skip them",
            "update expires_at if they are still valid",
            severity="warning",
        )
    return listings, count


def _check_columns(raw: RawFile, name: str, out: _Collector) -> tuple[dict[str, str] | None, bool]:
    """Map header → field for tabular files; report missing, clashing and unknown columns."""
    if raw.columns is None:
        return None, False
    mapping: dict[str, str] = {}
    by_field: dict[str, str] = {}
    unknown: list[tuple[str, str]] = []
    blocked = False
    for header in raw.columns:
        canonical = C.canonical_column(header)
        if canonical is None:
            if not header.startswith(UNNAMED):  # those are reported only if they hold data
                unknown.append((header, repr(header)))
            continue
        if canonical in by_field:
            out.add(
                name,
                None,
                f"columns {by_field[canonical]!r} and {header!r} both mean {canonical!r}",
                "remove or rename one of them",
                field=canonical,
            )
            blocked = True
            continue
        by_field[canonical] = header
        mapping[header] = canonical
    for missing in (f for f in C.REQUIRED if f not in by_field):
        also = ", ".join(C.aliases_of(missing)[:6])
        out.add(
            name,
            None,
            f"missing required column {missing!r}",
            f"add a column {missing!r} (also accepted: {also})",
            field=missing,
        )
        blocked = True
    _report_unknown(unknown, "column", name, out)
    return mapping, blocked


def _misspelt(key: str) -> list[str]:
    """The field name or alias ``key`` is probably a typo of (few false alarms).

    Short keys ("id2") and names that add or drop a word ("created_by") are
    not typos: only similar names of about the same length count.
    """
    if len(key) < 4:
        return []
    near = difflib.get_close_matches(key, C.ALL_NAMES, 3, 0.85)
    return [n for n in near if abs(len(n) - len(key)) <= 2][:1]


def _report_unknown(unknown: list[tuple[str, str]], what: str, file: str, out: _Collector) -> None:
    """Misspelt names (close to a field name) are errors; unrelated ones warnings."""
    unrelated: list[str] = []
    for raw_name, shown in unknown:
        near = _misspelt(C.normalize_header(raw_name))
        if near:
            field = C.canonical_column(near[0])
            out.add(
                file,
                None,
                f"unknown {what} {shown}; did you mean {near[0]!r} ({field})? "
                "Its data is not loaded",
                f"rename it to {near[0]!r}",
                field=field,
            )
        else:
            unrelated.append(shown)
    if unrelated:
        out.add(
            file,
            None,
            f"unknown {what}(s) {', '.join(unrelated)}; their data is not loaded",
            f"rename them to listing fields ({', '.join(C.KNOWN)}) or remove them",
            severity="warning",
        )


def _json_fields(
    cells: Mapping[str, object], file: str, row: int, out: _Collector, unknown: dict[str, int]
) -> tuple[dict[str, object], dict[str, str], bool]:
    """Map the keys of one JSON object to fields; report two keys for one field."""
    fields: dict[str, object] = {}
    headers: dict[str, str] = {}
    clash = False
    for key, value in cells.items():
        canonical = C.canonical_column(str(key))
        if canonical is None:
            if not _blank(value):
                unknown.setdefault(str(key), row)
        elif canonical not in fields:
            fields[canonical] = value
            headers[canonical] = str(key)
        elif not _blank(value):
            clash = True
            out.add(
                file,
                row,
                f"keys {headers[canonical]!r} and {key!r} both mean {canonical!r}",
                "remove or rename one of them",
                field=canonical,
                value=value,
            )
    return fields, headers, clash


def write_rows(rows: Iterable[Mapping[str, object]], path: str | os.PathLike[str]) -> int:
    """Write plain rows in the format ``path``'s extension names.

    Lists become ``"; "``-joined text in CSV/TSV/XLSX and stay lists in
    JSON/JSONL/Parquet; dates are written as ISO text; ``None`` is an empty
    cell. CSV/TSV are UTF-8 with BOM; XLSX text is never turned into formulas.

    Args:
        rows: Mappings of column name to value; columns in first-seen order.
        path: Target file; its extension chooses the format (``.gz`` allowed
            for text formats).

    Returns:
        The number of rows written.
    """
    try:
        return write_raw(rows, Path(path))
    except FileProblem as exc:
        raise ValueError(f"{os.fspath(path)}: {exc.problem}; {exc.fix}") from None


def write_listings(
    listings: Iterable[Listing], path: str | os.PathLike[str], *, include_contact: bool = False
) -> int:
    """Write listings so that :func:`load_listings` reads back equal listings.

    Args:
        listings: The listings.
        path: Target file; its extension chooses the format.
        include_contact: Also write contact_name/email/phone. Off by default:
            contact data is personal data, written only on explicit request
            (e.g. for the owner's own export or a full backup).

    Returns:
        The number of listings written.
    """
    rows = (x.full_dict() if include_contact else x.public_dict() for x in listings)
    return write_rows(rows, path)


def read_pairs(path: str | os.PathLike[str]) -> list[tuple[str, str]]:
    """Labelled pairs from a JSONL file, one ``{"request": ID, "offer": ID}`` a line.

    Blank lines are skipped. Raises ValueError naming the file and line of the
    first line that is not such an object.
    """
    pairs: list[tuple[str, str]] = []
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
                pairs.append((str(obj["request"]), str(obj["offer"])))
            except (ValueError, KeyError, TypeError) as exc:
                raise ValueError(
                    f"{os.fspath(path)}, line {number}: expected "
                    f'{{"request": ID, "offer": ID}}, got {line.strip()[:80]!r}'
                ) from exc
    return pairs
