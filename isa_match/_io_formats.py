"""Reading raw rows in every supported file format (writing: :mod:`._io_write`).

Readers turn a file into a :class:`RawFile`: the column names as written and
a stream of ``(row number, cells)``, where the row number is the one a person
sees (spreadsheet row, JSONL line, 1-based position) and ``cells`` maps
column names to raw values, or is a :class:`RowProblem` when the row itself
cannot be read. Nothing here validates fields; :mod:`isa_match.io` does.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import json
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

TEXT_FORMATS = {".csv": "csv", ".tsv": "tsv", ".tab": "tsv", ".jsonl": "jsonl", ".ndjson": "jsonl"}
TEXT_FORMATS[".json"] = "json"
BINARY_FORMATS = {".parquet": "parquet", ".xlsx": "xlsx"}
SUPPORTED = (
    ".csv, .tsv, .tab, .jsonl, .ndjson, .json, .parquet, .xlsx "
    "(text formats also gzip-compressed, e.g. .csv.gz)"
)


class FileProblem(Exception):
    """The file as a whole cannot be read."""

    def __init__(self, problem: str, fix: str) -> None:
        super().__init__(problem)
        self.problem = problem
        self.fix = fix


@dataclass(frozen=True, slots=True)
class RowProblem:
    """One row cannot be read at all (bad JSON line, ragged CSV row, ...)."""

    problem: str
    fix: str
    value: object = None


@dataclass(frozen=True, slots=True)
class BadCell:
    """A cell whose value cannot be read (an Excel formula with no computed value).

    Readers put it in place of the value; the field parsers turn it into a
    field error, so the report names the row, field and formula.
    """

    problem: str
    fix: str
    value: str


Cells = dict[str, object]


@dataclass(frozen=True, slots=True)
class RawFile:
    """Columns as written (None for JSON formats, whose keys vary by row) and rows.

    ``notes`` are file-level warnings as ``(problem, fix)`` pairs, e.g. sheets
    of a workbook that were not read.
    """

    columns: list[str] | None
    rows: Iterator[tuple[int, Cells | RowProblem]]
    notes: list[tuple[str, str]] = field(default_factory=list)


def file_format(path: Path) -> tuple[str, bool]:
    """(format name, gzip-compressed) from the file name, or FileProblem."""
    suffixes = [s.lower() for s in path.suffixes]
    gz = bool(suffixes) and suffixes[-1] == ".gz"
    ext = suffixes[-2] if gz and len(suffixes) > 1 else (suffixes[-1] if suffixes else "")
    fmt = TEXT_FORMATS.get(ext) if gz else TEXT_FORMATS.get(ext) or BINARY_FORMATS.get(ext)
    if fmt is None:
        got = "".join(path.suffixes[-2:] if gz else path.suffixes[-1:]) or "no extension"
        raise FileProblem(
            f"unsupported file type ({got})",
            f"use one of {SUPPORTED}; spreadsheets (.xls, .ods, .numbers) can be saved as .xlsx",
        )
    return fmt, gz


def read_raw(path: Path) -> RawFile:
    """Open ``path`` by its extension; raises FileProblem when it cannot be read."""
    # Existence first: "no such file" helps more than "unsupported file type".
    if not path.exists():
        raise FileProblem("no such file (file not found)", "check the path and the file name")
    if path.is_dir():
        raise FileProblem("is a folder, not a file", "give the path of a listing file")
    fmt, gz = file_format(path)
    if fmt == "parquet":
        return _read_parquet(path)
    if fmt == "xlsx":
        return _read_xlsx(path)
    data = _read_bytes(path, gz)
    if not data.strip():
        raise FileProblem("file is empty", "export the listings again; the file has no content")
    if fmt == "json":
        return _read_json(_decode(data))
    if fmt == "jsonl":
        return RawFile(None, _jsonl_rows(_decode(data)))
    return _read_delimited(_decode(data), "\t" if fmt == "tsv" else None)


def _read_bytes(path: Path, gz: bool) -> bytes:
    try:
        if gz:
            with gzip.open(path, "rb") as fh:
                return fh.read()
        return path.read_bytes()
    except (OSError, EOFError) as exc:
        what = "a readable gzip file" if gz else "readable"
        raise FileProblem(f"cannot read file: {exc}", f"check that the file is {what}") from None


def _decode(data: bytes) -> str:
    """UTF-8 with or without BOM, or UTF-16 with BOM (Excel's "Unicode text")."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    else:
        encoding = "utf-8-sig"
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        line_no = data.count(b"\n", 0, exc.start) + 1
        raise FileProblem(
            f"not {encoding.upper().replace('-SIG', '')} text: undecodable byte "
            f"0x{data[exc.start]:02x} on line {line_no}",
            "save the file as UTF-8 (in Excel: 'CSV UTF-8 (comma delimited)')",
        ) from None


def _read_delimited(text: str, delimiter: str | None) -> RawFile:
    if delimiter is None:
        # German Excel writes ';'-separated "CSV"; pick what the header line uses most.
        first = text.split("\n", 1)[0]
        delimiter = max((",", ";", "\t"), key=first.count)
    # strict: an unterminated quote is an error at the end of the file instead of
    # silently swallowing every following row into one cell.
    records = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = next(records, None)
    except csv.Error as exc:
        raise FileProblem(f"cannot parse the header: {exc}", "check the quoting") from None
    if not header or not any(h.strip() for h in header):
        raise FileProblem("no header row in row 1", "put the column names in the first row")
    width = _width(header)
    header = named_columns(header)
    return RawFile(header, _delimited_rows(header, records, width))


UNNAMED = "(unnamed column "


def named_columns(header: list[str]) -> list[str]:
    """Blank header cells named ``(unnamed column N)``, so their cells stay apart."""
    return [h if h.strip() else f"{UNNAMED}{i})" for i, h in enumerate(header, start=1)]


def _delimited_rows(header: list[str], records: Iterator[list[str]], width: int) -> Iterator[Any]:
    row = 1
    while True:
        row += 1
        try:
            cells = next(records)
        except StopIteration:
            return
        except csv.Error as exc:
            yield row, _csv_problem(str(exc), row)
            if "end of data" in str(exc):
                return  # only raised at the end of the input: nothing follows
            # The reader resumes with the next line, so later rows are still read.
            continue
        yield row, _aligned(header, cells, width=width)


def _csv_problem(message: str, row: int) -> RowProblem:
    if "field limit" in message:
        limit = csv.field_size_limit()
        return RowProblem(
            f"a cell is longer than {limit} characters; the row is not read",
            "shorten the cell (descriptions hold at most 5000 characters) or check for a "
            "missing closing quote",
        )
    if "end of data" in message:
        return RowProblem(
            f"a quote opened in row {row} is never closed; rows {row}.. not read",
            "close the quote (a '\"' inside a quoted cell is written as '\"\"')",
        )
    return RowProblem(
        f"cannot parse the row: {message}",
        "check quotes in this row (a '\"' inside a quoted cell is written as '\"\"')",
    )


def _aligned(header: list[str], cells: Iterable[object], *, width: int = 0) -> Cells | RowProblem:
    """Cells by column name; a row shorter than ``width`` is an error (CSV/TSV)."""
    values = list(cells)
    if len(values) > len(header):
        extra = values[len(header) :]
        if any(v not in (None, "") for v in extra):
            return RowProblem(
                f"row has {len(values)} cells, header has {len(header)} columns; "
                "the extra cells would be lost",
                "remove the extra cells or add a header for them (a stray separator?)",
                extra,
            )
        values = values[: len(header)]  # trailing empty cells: nothing to lose
    elif len(values) < width and any(isinstance(v, str) and v.strip() for v in values):
        # Blank lines ([]) are empty rows; a short row would shift or drop columns.
        return RowProblem(
            f"row has {len(values)} cells, header has {width} columns",
            "check for a missing separator or a line break inside an unquoted cell",
        )
    return dict(zip(header, values, strict=False))


def _width(header: list[str]) -> int:
    """Header length without trailing unnamed columns (Excel pads with ';;')."""
    width = len(header)
    while width and not header[width - 1].strip():
        width -= 1
    return width


class _Object(dict[str, object]):
    """A JSON object that remembers keys given more than once (json keeps the last)."""

    duplicates: list[str]


def _pairs(pairs: list[tuple[str, object]]) -> _Object:
    obj = _Object(pairs)
    obj.duplicates = []
    if len(obj) < len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen and key not in obj.duplicates:
                obj.duplicates.append(key)
            seen.add(key)
    return obj


def _loads(text: str) -> object:
    return json.loads(text, object_pairs_hook=_pairs)


_TOO_DEEP = "nested too deeply (thousands of '[' or '{')"


def _read_json(text: str) -> RawFile:
    try:
        doc = _loads(text)
    except json.JSONDecodeError as exc:
        raise FileProblem(
            f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}",
            "fix the JSON syntax (or use .jsonl for one object per line)",
        ) from None
    except RecursionError:
        raise FileProblem(f"not valid listing JSON: {_TOO_DEEP}", _FLAT_FIX) from None
    if isinstance(doc, dict) and isinstance(doc.get("listings"), list):
        doc = doc["listings"]
    if not isinstance(doc, list):
        raise FileProblem(
            'expected a JSON array of objects or {"listings": [...]}',
            "wrap the listings in an array",
        )
    return RawFile(None, ((i, _object(obj)) for i, obj in enumerate(doc, start=1)))


_FLAT_FIX = "give each listing as one flat object of field names and values"


def _object(obj: object) -> Cells | RowProblem:
    if isinstance(obj, dict):
        duplicates: list[str] = getattr(obj, "duplicates", [])
        if duplicates:
            names = ", ".join(repr(k) for k in duplicates)
            return RowProblem(
                f"key(s) {names} given more than once in one object; only one value can be kept",
                "remove the extra key(s), keeping the right value",
            )
        return obj
    return RowProblem(
        f"expected a JSON object, got {type(obj).__name__}", "make each listing an object", obj
    )


def _jsonl_rows(text: str) -> Iterator[tuple[int, Cells | RowProblem]]:
    # Only "\n" ends a JSONL record: str.splitlines() would also split at U+2028,
    # which json.dumps(ensure_ascii=False) leaves unescaped inside strings.
    for line_no, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            obj = _loads(line)
        except RecursionError:
            yield line_no, RowProblem(f"not valid listing JSON: {_TOO_DEEP}", _FLAT_FIX)
            continue
        except json.JSONDecodeError as exc:
            yield (
                line_no,
                RowProblem(
                    f"not valid JSON: {exc.msg} at column {exc.colno}",
                    "fix the JSON on this line (one object per line)",
                    line,
                ),
            )
            continue
        yield line_no, _object(obj)


def _read_parquet(path: Path) -> RawFile:
    import pyarrow.parquet as pq  # lazy: pyarrow is heavy to import

    try:
        table = pq.read_table(path)
    except Exception as exc:  # pyarrow raises several unrelated types for corrupt files
        raise FileProblem(
            f"cannot read as Parquet: {exc}", "check that the file is a valid Parquet file"
        ) from None
    names = list(table.column_names)
    columns = [table.column(i).to_pylist() for i in range(len(names))]
    rows = (
        (i, dict(zip(names, values, strict=True)))
        for i, values in enumerate(zip(*columns, strict=True), start=1)
    )
    return RawFile(names, rows)


def _read_xlsx(path: Path) -> RawFile:
    """The sheet named ``listings`` (any case), else the first sheet.

    Every other sheet that holds data gets a warning note: listings on a second
    sheet would otherwise be lost without a word. Formula cells are read by
    their computed (cached) value; a formula without one (the file was written
    by a program that does not compute formulas) becomes a :class:`BadCell`.
    """
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # zipfile, XML and openpyxl errors alike
        raise FileProblem(
            f"cannot read as an Excel workbook: {exc}", "save the file again as .xlsx in Excel"
        ) from None
    named = [ws for ws in book.worksheets if ws.title.strip().casefold() == "listings"]
    sheet = named[0] if named else book.worksheets[0]
    books = [book]
    try:
        notes = _other_sheets(book, sheet)
        rows = sheet.iter_rows(values_only=True)
        formulas: Iterator[Any] | None = None
        if _has_formulas(path):
            # Read a second time only when needed: without data_only, formula cells
            # give the formula, so "no cached value" can be told from "empty".
            books.append(load_workbook(path, read_only=True, data_only=False))
            formulas = books[1][sheet.title].iter_rows(values_only=True)
        # The header is the first non-empty row; row numbers stay the sheet's own.
        for number, cells in enumerate(rows, start=1):
            if formulas is not None:
                next(formulas, None)
            if any(c not in (None, "") for c in cells):
                header = ["" if c is None else str(c) for c in cells]
                while header and not header[-1].strip():
                    header.pop()
                header = named_columns(header)
                return RawFile(header, _xlsx_rows(books, header, rows, formulas, number), notes)
    except Exception as exc:
        for each in books:
            each.close()
        raise FileProblem(
            f"cannot read sheet {sheet.title!r}: {exc}", "save the file again as .xlsx in Excel"
        ) from None
    for each in books:
        each.close()
    raise FileProblem(
        f"sheet {sheet.title!r} is empty", "put the column names in row 1 and listings below"
    )


def _other_sheets(book: Any, read: Any) -> list[tuple[str, str]]:
    notes = []
    for ws in book.worksheets:
        if ws is read:
            continue
        filled = sum(
            1 for cells in ws.iter_rows(values_only=True) if any(c not in (None, "") for c in cells)
        )
        if filled:
            notes.append(
                (
                    f"sheet {ws.title!r} ({filled} row(s) with data) not read; only sheet "
                    f"{read.title!r} is",
                    "put all listings on one sheet (or name it 'listings'), or save the other "
                    "sheet as its own file",
                )
            )
    return notes


_FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[ >/]")


def _has_formulas(path: Path) -> bool:
    """Whether any worksheet holds a formula (a cheap scan of the XML)."""
    with zipfile.ZipFile(path) as archive:
        for info in archive.infolist():
            if not info.filename.startswith("xl/worksheets/"):
                continue
            with archive.open(info) as fh:
                tail = b""
                while chunk := fh.read(1 << 20):
                    if _FORMULA_TAG.search(tail + chunk):
                        return True
                    tail = chunk[-8:]
    return False


_NO_RESULT_FIX = (
    "open the file in Excel and save it (Excel computes the formula), "
    "or paste values instead of the formula"
)


def _xlsx_rows(
    books: list[Any],
    header: list[str],
    rows: Iterator[Any],
    formulas: Iterator[Any] | None,
    last: int,
) -> Iterator[Any]:
    number = last
    try:
        for number, cells in enumerate(rows, start=last + 1):
            if formulas is not None:
                written = next(formulas, None) or ()
                cells = [
                    BadCell("a formula without a computed value", _NO_RESULT_FIX, f)
                    if c is None and isinstance(f, str) and f.startswith("=")
                    else c
                    for c, f in zip(cells, [*written, *[None] * len(cells)], strict=False)
                ]
            yield number, _aligned(header, cells)
    except Exception as exc:  # a damaged sheet fails only when its rows are read
        raise FileProblem(
            f"cannot read the workbook after row {number}: {exc}",
            "save the file again as .xlsx in Excel",
        ) from None
    finally:
        for book in books:
            book.close()
