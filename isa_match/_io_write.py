"""Writing raw rows in every supported file format, atomically.

The counterpart of :mod:`._io_formats`: lists become ``"; "``-joined text in
flat formats (CSV, TSV, XLSX) and real lists in JSON, JSONL and Parquet, so
that reading a written file gives the same listings back.
"""

from __future__ import annotations

import csv
import gzip
import json
import os
import re
import tempfile
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

from isa_match._io_formats import Cells, file_format


def _cell(value: object, *, flat: bool) -> object:
    """A value as stored: lists joined with "; " in flat formats, dates as ISO text."""
    if isinstance(value, list | tuple):
        items = [str(_cell(v, flat=True)) for v in value]
        return "; ".join(items) if flat else items
    if isinstance(value, datetime | date):
        return value.isoformat()
    if value is None and flat:
        return ""
    return value


def write_raw(rows: Iterable[Mapping[str, object]], path: Path) -> int:
    """Write rows to ``path`` in the format its extension names; returns the row count.

    Atomic: the data goes to a temporary file in the same folder, which is
    flushed to disk and then renamed over ``path``; a failing write (say, text
    that cannot be encoded) leaves any existing file untouched and no half file.
    """
    fmt, gz = file_format(path)
    records = [dict(r) for r in rows]
    columns = list(dict.fromkeys(k for r in records for k in r))
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        _write_to(records, columns, fmt, gz, tmp, path)
        with tmp.open("rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return len(records)


def _write_to(
    records: list[Cells], columns: list[str], fmt: str, gz: bool, path: Path, target: Path
) -> None:
    """Write to ``path`` (a temporary file); ``target`` is the name used in errors."""
    if fmt == "parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        data = {c: _arrow_column([_cell(r.get(c), flat=False) for r in records]) for c in columns}
        pq.write_table(pa.table(data) if columns else pa.table({}), path)
        return
    if fmt == "xlsx":
        _write_xlsx(records, columns, path, target)
        return
    with _open_text(path, gz, bom=fmt in ("csv", "tsv")) as fh:
        if fmt in ("csv", "tsv"):
            writer = csv.writer(fh, delimiter="\t" if fmt == "tsv" else ",", lineterminator="\r\n")
            writer.writerow(columns)
            for r in records:
                writer.writerow([_cell(r.get(c), flat=True) for c in columns])
        elif fmt == "jsonl":
            for r in records:
                fh.write(json.dumps({k: _cell(v, flat=False) for k, v in r.items()}, **_JSON))
                fh.write("\n")
        else:
            out = [{k: _cell(v, flat=False) for k, v in r.items()} for r in records]
            fh.write(json.dumps(out, indent=1, **_JSON))
            fh.write("\n")


_JSON: dict[str, Any] = {"ensure_ascii": False}


def _arrow_column(values: list[object]) -> Any:
    """An Arrow array; columns mixing types are made uniform instead of failing."""
    import pyarrow as pa

    try:
        return pa.array(values)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        pass
    if any(isinstance(v, list) for v in values):
        # A list column with some single values ("C27" next to ["C25", "C28"]).
        return pa.array(
            [v if v is None or isinstance(v, list) else [str(v)] for v in values],
            pa.list_(pa.string()),
        )
    return pa.array([None if v is None else str(v) for v in values], pa.string())


def _open_text(path: Path, gz: bool, *, bom: bool) -> IO[str]:
    # CSV/TSV get a BOM so that Excel shows Chinese and umlauts correctly on double-click.
    encoding = "utf-8-sig" if bom else "utf-8"
    if gz:
        return gzip.open(path, "wt", encoding=encoding, newline="")
    return path.open("w", encoding=encoding, newline="")


_SURROGATES = re.compile("[\ud800-\udfff]")


def _write_xlsx(records: list[Cells], columns: list[str], path: Path, target: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    table = [[_cell(r.get(c), flat=True) for c in columns] for r in records]
    # Excel cannot store control characters; say where before writing anything.
    for number, values in enumerate(table, start=2):
        for column, value in zip(columns, values, strict=True):
            if isinstance(value, str) and (
                ILLEGAL_CHARACTERS_RE.search(value) or _SURROGATES.search(value)
            ):
                raise ValueError(
                    f"{target}: row {number}, column {column!r}: control characters and lone "
                    "surrogates cannot be stored in Excel; remove them (e.g. with "
                    "isa_match.text.normalize_text)"
                )
    book = Workbook(write_only=True)
    sheet = book.create_sheet("listings")
    sheet.append(columns)
    for values in table:
        cells = []
        for value in values:
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # text starting with "=" must not become a formula
            cells.append(cell)
        sheet.append(cells)
    book.save(path)
