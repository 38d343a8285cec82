"""Load, validate and write listing files: the project's only raw-data I/O.

City staff bring spreadsheets and exports, so the rule here is that bad input
gets a clear error and nothing is lost: every problem is reported with file,
row, field, value, what is wrong and what would fix it, and no row or column
disappears without an issue saying so.

Supported formats (by extension): ``.csv``, ``.tsv``/``.tab``,
``.jsonl``/``.ndjson``, ``.json`` (an array of objects or
``{"listings": [...]}``), ``.parquet`` and ``.xlsx`` (the sheet named
``listings``, else the first sheet); the text formats also gzip-compressed
(``.csv.gz``). Text files are read as UTF-8 with or without BOM, or UTF-16
with BOM (Excel's "Unicode text"); CSV files are written as UTF-8 with BOM so
that Excel shows umlauts and Chinese correctly, and ``;``-separated CSV (as
German Excel writes it) is recognised from the header line.

Row numbers are the ones a person sees: CSV/TSV/XLSX the spreadsheet row
(the header is row 1, the first listing row 2), JSONL the line number, JSON
the 1-based position in the array, Parquet the 1-based row index. Rows with
no value in any cell are skipped without an issue (they hold no data).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

from isa_match import _io_fields as F
from isa_match._io_formats import FileProblem, RawFile, RowProblem, read_raw, write_raw
from isa_match._io_result import ListingValidationError, LoadResult, RowIssue, _Collector
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

    Args:
        paths: One file or several; formats by extension (see module docs).
        strict: When True, any error raises :class:`ListingValidationError`
            and nothing is loaded. When False, good rows are loaded and every
            bad row is reported in ``issues``.
        today: Reference day for date plausibility warnings (created in the
            future, already expired); defaults to today.

    Returns:
        The listings and all issues (warnings only, when strict).

    Raises:
        ListingValidationError: strict and at least one error.
    """
    if isinstance(paths, str | os.PathLike):
        paths = [paths]
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
    columns, blocked = _check_columns(raw, name, out)
    column_of = {f: c for c, f in (columns or {}).items()}
    unknown_keys: dict[str, int] = {}
    caches: dict[str, dict[object, Any]] = {}
    listings: list[Listing] = []
    expired = count = 0
    try:
        for row, cells in raw.rows:
            if isinstance(cells, RowProblem):
                count += 1
                out.add(name, row, cells.problem, cells.fix, value=cells.value)
                continue
            if all(_blank(v) for v in cells.values()):
                continue
            count += 1
            clash = False
            if columns is None:
                fields, headers, clash = _json_fields(cells, name, row, out, unknown_keys)
            else:
                fields = {f: cells.get(c) for c, f in columns.items()}
                headers = column_of
            listing = _validate(
                fields, headers, name, row, out, today, caches, strict_keys=columns is None
            )
            if listing is not None and not blocked and not clash:
                listings.append(listing)
                expired += listing.is_expired(today)
    except FileProblem as exc:  # a reader that fails mid-file
        out.add(name, None, exc.problem, exc.fix)
        return [], count
    if unknown_keys:
        names = ", ".join(f"{k!r} (first in row {r})" for k, r in unknown_keys.items())
        out.add(
            name,
            None,
            f"unknown field(s) {names}; their data is not loaded",
            "rename them to listing fields or remove them",
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
    unknown: list[str] = []
    blocked = False
    for index, header in enumerate(raw.columns):
        canonical = F.canonical_column(header)
        if canonical is None:
            if header.strip():
                unknown.append(repr(header))
            else:
                unknown.append(f"(unnamed column {index + 1})")
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
    for missing in (f for f in F.REQUIRED if f not in by_field):
        also = ", ".join(F.aliases_of(missing)[:6])
        out.add(
            name,
            None,
            f"missing required column {missing!r}",
            f"add a column {missing!r} (also accepted: {also})",
            field=missing,
        )
        blocked = True
    if unknown:
        out.add(
            name,
            None,
            f"unknown column(s) {', '.join(unknown)}; their data is not loaded",
            f"rename them to listing fields ({', '.join(F.KNOWN)}) or remove them",
            severity="warning",
        )
    return mapping, blocked


def _json_fields(
    cells: Mapping[str, object], file: str, row: int, out: _Collector, unknown: dict[str, int]
) -> tuple[dict[str, object], dict[str, str], bool]:
    """Map the keys of one JSON object to fields; report two keys for one field."""
    fields: dict[str, object] = {}
    headers: dict[str, str] = {}
    clash = False
    for key, value in cells.items():
        canonical = F.canonical_column(str(key))
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
            problems.append(
                (
                    "id",
                    listing_id,
                    f"duplicate id; first used in {first[0]} row {first[1]}",
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
    if problems or any(name not in got for name in F.REQUIRED):
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
    listings: Iterable[Listing], path: str | os.PathLike[str], *, include_contact: bool = True
) -> int:
    """Write listings so that :func:`load_listings` reads back equal listings.

    Args:
        listings: The listings.
        path: Target file; its extension chooses the format.
        include_contact: Also write contact_name/email/phone (personal data:
            only for the owner's own exports).

    Returns:
        The number of listings written.
    """
    rows = (x.full_dict() if include_contact else x.public_dict() for x in listings)
    return write_rows(rows, path)
