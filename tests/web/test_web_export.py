"""Exports of the match list: CSV and XLSX of the current view, inert formula cells,
audited like the API's export; and the building blocks (neutralising, charts)."""

from __future__ import annotations

import csv
import io
import re
import uuid

import openpyxl
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from web_helpers import (
    ADMIN,
    COMPANY_DE,
    STAFF_KOELN,
    bearer,
    csrf_of,
    new_listing,
    pairs_of,
    user_client,
)

from isa_match.reference import cities
from service.web.charts import bar_chart, score_bar_width
from service.web.export import FORMULA_STARTS, neutralize

API = "/api/v1"
DANGEROUS = ['=HYPERLINK("http://evil.example","x")', "+49 221 Vorwahl", "-2+3 Minus", "@SUM(A1)"]


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+2", "'=1+2"),
        ("+49", "'+49"),
        ("-x", "'-x"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tTab", "'\tTab"),
        ("\rCR", "'\rCR"),
        ("Köln = gut", "Köln = gut"),
        ("'already", "'already"),
        ("", ""),
    ],
)
def test_neutralize(value: str, expected: str) -> None:
    assert neutralize(value) == expected


def test_exports_are_inert_complete_and_audited(web_app: FastAPI) -> None:
    tag = uuid.uuid4().hex[:6]
    ids = {
        new_listing(web_app, COMPANY_DE, title=f"{title} {tag}", category="technology"): title
        for title in DANGEROUS
    }
    staff = user_client(web_app, STAFF_KOELN)
    view = {"status": "all", "sort": "date"}
    page = staff.get("/review", params={**view, "page_size": 100})
    # a decision whose note and reason look like formulas
    a, b = next(p for p in pairs_of(page.text) if p[0] in ids)
    r = staff.post(
        "/review/decide",
        data={
            "csrf_token": csrf_of(page.text),
            "listing_id": a,
            "suggested_id": b,
            "status": "reject",
            "reason": "@evil reason",
            "note": "=SUM(1,2)",
        },
    )
    assert r.status_code == 200
    total = int(re.search(r"(\d+) vorgeschlagene Paare", page.text)[1])  # type: ignore[index]
    exported = staff.get("/review/export.csv", params=view)
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("text/csv")
    assert re.fullmatch(
        r'attachment; filename="matchlist-koeln-\d{8}-\d{4}\.csv"',
        exported.headers["content-disposition"],
    )
    assert exported.content.startswith(b"\xef\xbb\xbf")  # BOM: spreadsheets read UTF-8
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    head, body = rows[0], rows[1:]
    assert head[:2] == ["Eintrag der Stadt: Kennung", "Eintrag der Stadt: Titel"]
    assert len(body) == total  # every page of the view
    for row in body:
        for cell in row:
            assert not cell.startswith(FORMULA_STARTS) or _is_number(cell), cell
    titles = {row[0]: row[1] for row in body if row[0] in ids}
    assert set(titles) == set(ids)
    for listing_id, title in ids.items():
        assert titles[listing_id] == f"'{title} {tag}"
    decided = next(row for row in body if (row[0], row[9]) == (a, b))
    assert decided[head.index("Status")] == "abgelehnt"
    assert decided[head.index("Begründung")] == "'@evil reason"
    assert decided[head.index("Notiz")] == "'=SUM(1,2)"
    assert decided[head.index("Entschieden von")] == STAFF_KOELN
    # the same view as XLSX: no formula cell at all, numbers as numbers
    xlsx = staff.get("/review/export.xlsx", params=view)
    assert xlsx.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert [str(v) for v in values[0]] == head and len(values) == len(rows)
    kinds = {cell.data_type for row in sheet.iter_rows() for cell in row}
    assert "f" not in kinds
    by_id = {row[0]: row for row in values[1:]}
    for listing_id, title in ids.items():
        assert by_id[listing_id][1] == f"'{title} {tag}"
    assert all(isinstance(row[8], float) for row in values[1:])  # the score
    assert all(isinstance(row[7], int) for row in values[1:])  # the rank
    # both exports are in the audit log with what was exported
    log = (
        TestClient(web_app)
        .get(
            f"{API}/admin/audit",
            params={"action": "matchlist.export", "page_size": 10},
            headers=bearer(web_app, ADMIN),
        )
        .json()
    )
    newest = log["items"][:2]
    assert [e["object_id"] for e in newest] == ["xlsx", "csv"]
    for entry in newest:
        assert entry["user_email"] == STAFF_KOELN
        assert entry["details"]["rows"] == total
        assert entry["details"]["filters"]["city"] == "koeln"
        assert entry["details"]["filters"]["status"] == "all"


def test_export_follows_the_filters_and_the_language(web_app: FastAPI) -> None:
    staff = user_client(web_app, STAFF_KOELN)
    staff.cookies.set("isa_lang", "en")
    r = staff.get("/review/export.csv", params={"country": "CN", "status": "all"})
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    head = rows[0]
    assert head[0] == "City listing: ID"
    country = head.index("Suggested partner: Country")
    assert rows[1:] and {row[country] for row in rows[1:]} == {"China"}
    chinese = {c.name("en") for c in cities().by_country("CN")}
    assert {row[head.index("Suggested partner: City")] for row in rows[1:]} <= chinese


def test_bar_chart_geometry() -> None:
    chart = bar_chart("t", [("a", 4), ("b", 2), ("zero", 0), ("c", 4)], limit=2)
    assert [b.label for b in chart.bars] == ["a", "c"]
    assert chart.other == 2
    assert chart.bars[0].width == chart.bars[1].width > 0
    assert chart.bars[1].y > chart.bars[0].y
    half = bar_chart("t", [("a", 4), ("b", 2)])
    assert half.bars[1].width == pytest.approx(half.bars[0].width / 2, abs=0.1)
    assert bar_chart("t", []).empty
    long = bar_chart("t", [("x" * 80, 1)]).bars[0]
    assert len(long.label) <= 38 and long.full_label == "x" * 80
    assert score_bar_width(5, 10) == 60 and score_bar_width(20, 10) == 120
    assert score_bar_width(-1, 10) == 0 and score_bar_width(1, 0) == 0
