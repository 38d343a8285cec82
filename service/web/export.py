"""CSV and XLSX exports of a match list, safe to open in a spreadsheet.

A text cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return would be read as a formula by spreadsheet programs (CSV injection); such
cells are written with a leading apostrophe, which makes them inert text.
Numbers (rank, score) are written as numbers. CSV is UTF-8 with a byte order
mark so that spreadsheet programs read Chinese text correctly.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence

from service.review_schemas import MatchListRow
from service.web.i18n import Translator

Cell = str | int | float | None
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# characters XML 1.0 (and so XLSX) cannot hold
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def neutralize(value: str) -> str:
    """``value`` made inert for spreadsheets: a leading ``'`` when it starts like a formula."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _cell(value: Cell) -> Cell:
    return neutralize(value) if isinstance(value, str) else value


OWN, PARTNER = "review.own_listing", "review.partner"
COLUMNS: tuple[tuple[str | None, str], ...] = (
    (OWN, "field.id"),
    (OWN, "field.title"),
    (OWN, "field.organization"),
    (OWN, "field.city"),
    (OWN, "field.kind"),
    (OWN, "field.category"),
    (OWN, "field.sector"),
    (None, "field.rank"),
    (None, "field.score"),
    (PARTNER, "field.id"),
    (PARTNER, "field.title"),
    (PARTNER, "field.organization"),
    (PARTNER, "field.city"),
    (PARTNER, "field.country"),
    (PARTNER, "field.kind"),
    (PARTNER, "field.category"),
    (PARTNER, "field.sector"),
    (None, "field.reasons"),
    (None, "field.status"),
    (None, "field.reason"),
    (None, "field.note"),
    (None, "field.decided_by"),
    (None, "field.decided_at"),
)
"""(side, field) of every column: the city's listing, the suggested partner, the pair."""


def headers(t: Translator) -> list[str]:
    """The column titles in the interface language (``Side: field``)."""
    return [f"{t(side)}: {t(key)}" if side else t(key) for side, key in COLUMNS]


def table(rows: Sequence[MatchListRow], t: Translator) -> list[list[Cell]]:
    """One spreadsheet row per suggested pair, labels in the interface language."""
    out: list[list[Cell]] = []
    for row in rows:
        own, partner, decision = row.listing, row.suggestion.listing, row.decision
        reasons = [r.de or r.zh or r.en or r.code for r in row.suggestion.reasons]
        status = "pending"
        if decision is not None:
            status = "approved" if decision.status == "approve" else "rejected"
        out.append(
            [
                own.id,
                own.title,
                own.organization,
                t.city(own.city),
                t.label("kind", own.kind.value),
                t.label("category", own.category.value),
                "; ".join(t.sector_labels(own.sector)),
                row.rank,
                row.suggestion.score,
                partner.id,
                partner.title,
                partner.organization,
                t.city(partner.city),
                t.label("country", partner.country),
                t.label("kind", partner.kind.value),
                t.label("category", partner.category.value),
                "; ".join(t.sector_labels(partner.sector)),
                "; ".join(reasons),
                t.label("status", status),
                decision.reason if decision else None,
                decision.note if decision else None,
                decision.user_email if decision else None,
                decision.at.isoformat(timespec="seconds") if decision else None,
            ]
        )
    return out


def to_csv(head: Sequence[str], rows: Sequence[Sequence[Cell]]) -> bytes:
    """CSV (UTF-8 with BOM, CRLF line ends) with every text cell neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([_cell(h) for h in head])
    for row in rows:
        writer.writerow(["" if c is None else _cell(c) for c in row])
    return buffer.getvalue().encode("utf-8-sig")


def to_xlsx(head: Sequence[str], rows: Sequence[Sequence[Cell]], sheet: str) -> bytes:
    """An XLSX workbook of one sheet with every text cell neutralised (never a formula)."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    ws = book.create_sheet(title=_ILLEGAL_XML.sub("", sheet)[:31] or "export")
    ws.append([_xlsx_cell(h) for h in head])
    for row in rows:
        ws.append([_xlsx_cell(c) for c in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _xlsx_cell(value: Cell) -> Cell:
    if isinstance(value, str):
        return neutralize(_ILLEGAL_XML.sub("", value))
    return value
