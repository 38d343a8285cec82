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
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

from isa_match import _io_columns as C
from isa_match import _io_fields as F
from isa_match._io_formats import (
    UNNAMED,
    FileProblem,
    RawFile,
    RowProblem,
    read_raw,
    write_raw,
)
from isa_match._io_result import (
    EMAIL_RE,
    PHONE_RE,
    PHONE_START,
    ListingValidationError,
    LoadResult,
    RowIssue,
    _Collector,
    looks_like_phone,
)
from isa_match.schema import (
    Category,
    Contact,
    Country,
    Kind,
    Language,
    Listing,
    OrgType,
)
from isa_match.text import detect_language, language_shares

__all__ = [
    "ListingValidationError",
    "LoadResult",
    "RowIssue",
    "load_listings",
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
            listing = _validate(
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


def _validate(
    fields: dict[str, object],
    headers: dict[str, str],
    file: str,
    row: int,
    out: _Collector,
    today: date,
    caches: dict[str, dict[object, Any]],
    *,
    strict_keys: bool,
) -> Listing | None:
    """One row → Listing, or None after reporting every problem of the row."""
    problems: list[tuple[str, object, str, str]] = []
    got: dict[str, Any] = {}
    for name, parse, required, cached in _SPECS:
        value = fields.get(name)
        parsed: Any = None
        if value is not None and value != "":
            if cached:
                # Categorical fields repeat across rows: parse each distinct value once.
                memo = caches.setdefault(name, {})
                # Keyed by type too: True == 1 == 1.0 as dict keys, but not as cell text.
                key: object = value
                if type(value) is not str:
                    key = (type(value), tuple(value) if isinstance(value, list) else value)
                try:
                    parsed = memo[key]
                except KeyError:
                    parsed = _parse(parse, value)
                    if len(memo) < _MEMO_SIZE:
                        memo[key] = parsed
                except TypeError:  # unhashable (a dict in JSON): not cached
                    parsed = _parse(parse, value)
            else:
                parsed = _parse(parse, value)
            if isinstance(parsed, F.FieldError):
                problems.append((name, value, parsed.problem, parsed.fix))
                continue
        if parsed is None or parsed == "" or parsed == ():
            # In tabular files a missing required column is reported once per file.
            if required and (strict_keys or name in headers):
                problems.append((name, value, "required field is empty", f"fill in {name!r}"))
            continue
        got[name] = parsed
    listing_id: str | None = got.get("id")
    place: tuple[str, Country, str] | None = got.get("city")
    country = got.get("country")
    region = got.get("region")
    created_at: date | None = got.get("created_at")
    expires_at: date | None = got.get("expires_at")
    if created_at and expires_at and expires_at < created_at:
        problems.append(
            (
                "expires_at",
                fields["expires_at"],
                f"expires before it was created ({created_at.isoformat()})",
                "correct expires_at or created_at",
            )
        )
    if place is not None:
        city_id, city_country, city_region = place
        if country is not None and country != city_country:
            problems.append(_disagrees("country", fields["country"], city_id, city_country.value))
        if region is not None and region != city_region:
            problems.append(_disagrees("region", fields["region"], city_id, city_region))
    if listing_id is not None:
        first = out.seen_ids.setdefault(listing_id, (file, row))
        if first != (file, row):
            rejected = " (that row was rejected)" if first in out.rejected else ""
            problems.append(
                (
                    "id",
                    listing_id,
                    f"duplicate id; first used in {first[0]} row {first[1]}{rejected}",
                    "give every listing a unique id",
                )
            )
    for name, value, problem, fix in problems:
        out.add(
            file,
            row,
            problem,
            fix,
            listing_id=listing_id,
            field=name,
            value=value,
            column=headers.get(name),
        )
    for name in _PUBLIC:
        if (found := _contact_like(got.get(name))) is not None:
            out.add(
                file,
                row,
                f"looks like contact data ({found}) in a public field",
                "move it to contact_email/contact_phone (contact data is never published)",
                listing_id=listing_id,
                field=name,
                value=fields.get(name),
                severity="warning",
                column=headers.get(name),
            )
    if created_at is not None and created_at > today:
        out.add(
            file,
            row,
            f"created_at lies in the future (after {today.isoformat()})",
            "check the date for a typo",
            listing_id=listing_id,
            field="created_at",
            value=fields["created_at"],
            severity="warning",
            column=headers.get("created_at"),
        )
    if problems or any(name not in got for name in C.REQUIRED):
        return None  # every problem is reported above, or once per file (missing column)
    description: str = got.get("description", "")
    title: str = got["title"]
    text = f"{title}\n{description}" if description else title
    language: Language | None = got.get("language")
    if language is None:
        language = detect_language(text)
    elif (zh := language_shares(title)[Language.ZH]) > 0.9 or zh < 0.1:
        # Only the Han/Latin split is certain enough to question a stated language;
        # a mismatch usually means shifted columns or a copy-and-paste slip. The
        # title alone decides: it is short (fast) and names the subject.
        looks = Language.ZH if zh > 0.9 else None
        if (looks is Language.ZH) != (language is Language.ZH):
            out.add(
                file,
                row,
                f"language is {language.value!r} but the title looks "
                + ("Chinese" if looks else "German or English"),
                "check the language column (or leave it empty to detect it)",
                listing_id=listing_id,
                field="language",
                value=fields.get("language"),
                severity="warning",
                column=headers.get("language"),
            )
    contact = Contact(got.get("contact_name"), got.get("contact_email"), got.get("contact_phone"))
    return Listing(
        id=got["id"],
        kind=got["kind"],
        category=got["category"],
        title=title,
        description=description,
        language=language,
        organization=got["organization"],
        org_type=got["org_type"],
        city=got["city"][0],
        country=got["city"][1],
        region=got["city"][2],
        sector=got["sector"],
        created_at=got["created_at"],
        expires_at=expires_at,
        keywords=got.get("keywords", ()),
        contact=None if contact.is_empty() else contact,
    )


_PUBLIC = ("title", "description", "organization", "keywords")


def _contact_like(value: object) -> str | None:
    """ "an e-mail address" or "a phone number" when public text contains one."""
    if not value:
        return None
    text = " | ".join(value) if isinstance(value, tuple) else str(value)
    if "@" in text and EMAIL_RE.search(text):
        return "an e-mail address"
    if PHONE_START.search(text) and any(looks_like_phone(m[0]) for m in PHONE_RE.finditer(text)):
        return "a phone number"
    return None


def _parse(parse: Callable[[object], Any], value: object) -> Any:
    """The parsed value, or the FieldError (blank-looking values count as absent)."""
    try:
        return parse(value)
    except F.FieldError as exc:
        try:
            if not F.line(value):
                return None  # only invisible characters: absent, not wrong
        except F.FieldError:
            pass
        return exc


_MEMO_SIZE = 50_000
# (field, parser, required, parse each distinct value once per load)
_SPECS: tuple[tuple[str, Callable[[object], Any], bool, bool], ...] = (
    ("id", F.line, True, False),
    ("kind", partial(F.parse_enum, Kind), True, True),
    ("category", partial(F.parse_enum, Category), True, True),
    ("title", F.parse_title, True, False),
    ("description", F.parse_description, False, False),
    ("language", partial(F.parse_enum, Language), False, True),
    ("organization", F.line, True, True),
    ("org_type", partial(F.parse_enum, OrgType), True, True),
    ("city", F.parse_city, True, True),
    ("country", partial(F.parse_enum, Country), False, True),
    ("region", F.parse_region, False, True),
    ("sector", F.parse_sectors, True, True),
    ("keywords", F.parse_keywords, False, True),
    ("created_at", F.parse_date, True, True),
    ("expires_at", F.parse_date, False, True),
    ("contact_name", F.line, False, False),
    ("contact_email", F.parse_email, False, False),
    ("contact_phone", F.parse_phone, False, False),
)


def _disagrees(name: str, value: object, city: str, derived: str) -> tuple[str, object, str, str]:
    return (
        name,
        value,
        f"disagrees with city {city!r}, whose {name} is {derived!r} ({name} is derived "
        "from the city)",
        f"correct the city or the {name}, or leave {name} empty",
    )


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
