"""Tests of loading, validating and writing listing files."""

from __future__ import annotations

import codecs
import csv
import gzip
import json
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from openpyxl import Workbook

from isa_match._paths import data_dir
from isa_match.io import (
    ListingValidationError,
    LoadResult,
    RowIssue,
    load_listings,
    validate_listing,
    write_listings,
    write_rows,
)
from isa_match.schema import Category, Contact, Country, Kind, Language, Listing, OrgType

TODAY = date(2025, 6, 1)
EXTENSIONS = [
    "csv",
    "tsv",
    "tab",
    "jsonl",
    "ndjson",
    "json",
    "parquet",
    "xlsx",
    "csv.gz",
    "tsv.gz",
    "jsonl.gz",
    "json.gz",
]
FLAT = ("csv", "tsv", "tab", "xlsx", "csv.gz", "tsv.gz")

GOOD: list[dict[str, object]] = [
    {
        "id": "00123",
        "kind": "offer",
        "category": "service",
        "title": "CNC-Fräsen und Drehen",
        "description": "Lohnfertigung für Aluminium.\nZertifiziert nach ISO 9001.",
        "language": "de",
        "organization": "Müller Präzision GmbH",
        "org_type": "company",
        "city": "Köln",
        "sector": ["C25", "C28"],
        "keywords": ["CNC", "Aluminium"],
        "created_at": "2025-03-01",
        "expires_at": "2025-12-31",
        "contact_name": "Anna Müller",
        "contact_email": "anna.mueller@example.de",
        "contact_phone": "+49 221 1234567",
    },
    {
        "id": "L-2",
        "kind": "request",
        "category": "technology",
        "title": "寻找德国电池回收技术合作伙伴",
        "description": "",
        "language": "",
        "organization": "佛山新能源有限公司",
        "org_type": "company",
        "city": "佛山",
        "sector": ["C27"],
        "keywords": [],
        "created_at": "2025-04-15",
        "expires_at": "",
        "contact_name": "王伟",
        "contact_email": "",
        "contact_phone": "0757-8888 6666",
    },
    {
        "id": "L-3",
        "kind": "offer",
        "category": "space",
        "title": "Office space in the technology centre",
        "description": "500 m2 near the main station.",
        "language": "en",
        "organization": "Wirtschaftsförderung Hamburg",
        "org_type": "public",
        "city": "hamburg",
        "sector": ["L"],
        "keywords": ["office", "rent"],
        "created_at": "2025-01-10",
        "expires_at": "",
        "contact_name": "",
        "contact_email": "",
        "contact_phone": "",
    },
]


def rows_with(index: int, **changes: object) -> list[dict[str, object]]:
    """The good rows with row ``index`` changed."""
    rows = [dict(r) for r in GOOD]
    rows[index].update(changes)
    return rows


def load(paths: str | Path | Sequence[str | Path], **kwargs: object) -> LoadResult:
    kwargs.setdefault("today", TODAY)
    return load_listings(paths, **kwargs)  # type: ignore[arg-type]


def lenient(path: Path) -> LoadResult:
    return load(path, strict=False)


def written(tmp_path: Path, rows: Sequence[Mapping[str, object]], name: str = "l.csv") -> Path:
    path = tmp_path / name
    write_rows(rows, path)
    return path


def only_error(result: LoadResult) -> RowIssue:
    assert len(result.errors) == 1, result.report()
    return result.errors[0]


# --- formats ------------------------------------------------------------------------------


@pytest.mark.parametrize("ext", EXTENSIONS)
def test_every_format_loads(tmp_path: Path, ext: str) -> None:
    result = load(written(tmp_path, GOOD, f"listings.{ext}"))
    assert result.ok and not result.issues, result.report()
    assert len(result) == 3 and result.rows_read == 3
    first, second, third = result
    assert first.id == "00123"  # leading zeros survive
    assert first.kind is Kind.OFFER and first.category is Category.SERVICE
    assert first.city == "koeln" and first.country is Country.DE and first.region == "DE-NW"
    assert first.sector == ("C25", "C28") and first.keywords == ("CNC", "Aluminium")
    assert first.description == "Lohnfertigung für Aluminium.\nZertifiziert nach ISO 9001."
    assert first.created_at == date(2025, 3, 1) and first.expires_at == date(2025, 12, 31)
    assert first.contact == Contact("Anna Müller", "anna.mueller@example.de", "+49 221 1234567")
    assert second.city == "foshan" and second.region == "CN-GD"
    assert second.language is Language.ZH  # detected: the cell was empty
    assert second.description == "" and second.expires_at is None and second.keywords == ()
    assert second.contact == Contact("王伟", None, "0757-8888 6666")
    assert third.org_type is OrgType.PUBLIC and third.contact is None
    assert third.sector == ("L",)


@pytest.mark.parametrize("ext", EXTENSIONS)
def test_round_trip_every_format(tmp_path: Path, ext: str) -> None:
    original = list(load(written(tmp_path, GOOD, "src.jsonl")))
    path = tmp_path / f"out.{ext}"
    assert write_listings(original, path, include_contact=True) == 3
    again = list(load(path))
    assert again == original
    # Listing equality ignores contact data, so compare it (and everything) explicitly.
    assert [x.full_dict() for x in again] == [x.full_dict() for x in original]


@pytest.mark.parametrize("ext", ["csv", "jsonl", "parquet", "xlsx"])
def test_write_without_contact(tmp_path: Path, ext: str) -> None:
    original = list(load(written(tmp_path, GOOD, "src.jsonl")))
    path = tmp_path / f"public.{ext}"
    write_listings(original, path, include_contact=False)
    again = list(load(path))
    assert again == original
    assert all(x.contact is None for x in again)


def test_contact_only_in_contact(tmp_path: Path) -> None:
    listing = next(iter(load(written(tmp_path, GOOD))))
    public = json.dumps(listing.public_dict(), ensure_ascii=False)
    for secret in ("Anna", "anna.mueller", "1234567"):
        assert secret not in public
        assert secret not in repr(listing)


def test_csv_has_bom_and_joined_lists(tmp_path: Path) -> None:
    path = written(tmp_path, GOOD)
    raw = path.read_bytes()
    assert raw.startswith(codecs.BOM_UTF8)
    assert "C25; C28" in raw.decode("utf-8-sig")


def test_csv_without_bom_semicolons_and_aliases(tmp_path: Path) -> None:
    path = tmp_path / "excel_de.csv"
    path.write_text(
        "ID;Art;Kategorie;Titel;Organisation;Org-Type;Stadt;NACE;Erstellt am;Sprache\n"
        "7;Angebot;Dienstleistung;Beratung;Firma A;Unternehmen;Köln;C 28;01.03.2025;Deutsch\n"
        "8;需求;产品;采购零件;公司B;企业;佛山;c25/C25.1;2025/03/02;中文\n",
        encoding="utf-8",
    )
    a, b = load(path)
    assert (a.id, a.kind, a.category, a.org_type) == (
        "7",
        Kind.OFFER,
        Category.SERVICE,
        OrgType.COMPANY,
    )
    assert a.created_at == date(2025, 3, 1) and a.language is Language.DE
    assert a.sector == ("C28",)  # a space does not separate codes
    assert (b.kind, b.category, b.city, b.language) == (
        Kind.REQUEST,
        Category.PRODUCT,
        "foshan",
        Language.ZH,
    )
    assert b.sector == ("C25",)  # duplicates collapsed after normalisation
    assert b.created_at == date(2025, 3, 2)


def test_utf16_export(tmp_path: Path) -> None:
    text = (
        "id\tkind\tcategory\ttitle\torganization\torg_type\tcity\tsector\tcreated_at\n"
        "u1\toffer\tproduct\t陶瓷砖\t佛山陶瓷\tcompany\tFoshan\tC23\t2025-03-01\n"
    )
    path = tmp_path / "unicode.tsv"
    path.write_bytes(text.encode("utf-16"))  # with BOM, as Excel writes it
    (listing,) = load(path)
    assert listing.title == "陶瓷砖"


def test_multiline_csv_cell_keeps_row_numbers(tmp_path: Path) -> None:
    rows = rows_with(0, description="Absatz eins.\n\nAbsatz zwei.")
    rows[1]["city"] = "Atlantis"
    result = lenient(written(tmp_path, rows))
    assert only_error(result).row == 3  # spreadsheet row of the second listing
    assert result.listings[0].description == "Absatz eins.\nAbsatz zwei."


def test_xlsx_native_values(tmp_path: Path) -> None:
    book = Workbook()
    intro = book.active
    assert intro is not None
    intro.title = "Intro"
    intro.append(["This sheet is not read"])
    sheet = book.create_sheet("Listings")
    header = ["id", "kind", "category", "title", "organization", "org_type", "city"]
    sheet.append(header + ["sector", "created_at", "expires_at", "contact_phone"])
    sheet.append(
        [123.0, "offer", "product", "Teile", "A", "company", "Köln", 25, datetime(2025, 3, 1)]
        + [date(2025, 9, 30), 492211234567]
    )
    sheet.append([None] * 11)  # an empty row is skipped
    sheet.append([124, "offer", "product", "Teile", "A", "company", "Köln", "C25", "bad"])
    path = tmp_path / "book.xlsx"
    book.save(path)
    result = lenient(path)
    (listing,) = result
    assert listing.id == "123"  # not "123.0"
    assert listing.sector == ("C25",)
    assert listing.created_at == date(2025, 3, 1) and listing.expires_at == date(2025, 9, 30)
    assert listing.contact == Contact(phone="492211234567")
    issue = only_error(result)
    assert (issue.row, issue.field, issue.listing_id) == (4, "created_at", "124")
    assert result.rows_read == 2
    skipped = [i for i in result.warnings if "empty row" in i.problem]
    assert len(skipped) == 1 and skipped[0].problem.startswith("1 empty row(s) skipped")


def test_xlsx_formula_like_text_stays_text(tmp_path: Path) -> None:
    rows = rows_with(0, title="=SUMME(A1:A2) als Titel")
    (first, *_) = load(written(tmp_path, rows, "f.xlsx"))
    assert first.title == "=SUMME(A1:A2) als Titel"


def test_parquet_native_values(tmp_path: Path) -> None:
    table = pa.table(
        {
            "id": pa.array([1, 2], pa.int64()),
            "kind": ["offer", "request"],
            "category": ["product", "event"],
            "title": ["Messe", "Messe"],
            "organization": ["A", "B"],
            "org_type": ["company", "public"],
            "city": ["Köln", "台州"],
            "sector": pa.array([["C25", "25"], ["N"]], pa.list_(pa.string())),
            "created_at": pa.array([date(2025, 3, 1), date(2025, 3, 2)], pa.date32()),
            "expires_at": pa.array([datetime(2025, 4, 1), None], pa.timestamp("ms")),
        }
    )
    path = tmp_path / "native.parquet"
    pq.write_table(table, path)
    a, b = load(path)
    assert (a.id, b.id) == ("1", "2")
    assert a.sector == ("C25",) and b.sector == ("N",)
    assert a.created_at == date(2025, 3, 1) and a.expires_at == date(2025, 4, 1)
    assert b.city == "taizhou" and b.expires_at is None


def test_json_wrapped_object_and_row_numbers(tmp_path: Path) -> None:
    rows = rows_with(2, kind="swap")
    path = tmp_path / "l.json"
    path.write_text(json.dumps({"listings": [*rows, "oops"]}), encoding="utf-8")
    result = lenient(path)
    assert len(result) == 2
    by_row = {i.row: i for i in result.errors}
    assert by_row[3].field == "kind" and by_row[3].listing_id == "L-3"
    assert "JSON object" in by_row[4].problem


def test_jsonl_line_numbers_and_bad_line(tmp_path: Path) -> None:
    lines = [json.dumps(GOOD[0]), "", "{not json", json.dumps(dict(GOOD[1], city="Atlantis"))]
    path = tmp_path / "l.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = lenient(path)
    assert len(result) == 1 and result.rows_read == 3
    assert {(i.row, i.field) for i in result.errors} == {(3, None), (4, "city")}


def test_jsonl_missing_key_is_a_row_error(tmp_path: Path) -> None:
    row = {k: v for k, v in GOOD[0].items() if k != "city"}
    path = written(tmp_path, [row, GOOD[1]], "l.jsonl")
    issue = only_error(lenient(path))
    assert (issue.row, issue.field, issue.problem) == (1, "city", "required field is empty")


def test_validate_listing_checks_one_listing_like_a_file_row(tmp_path: Path) -> None:
    listing, issues = validate_listing(GOOD[0], TODAY)
    assert listing == next(iter(load(written(tmp_path, GOOD[:1], "one.jsonl"))))
    assert not [i for i in issues if i.severity == "error"]

    bad = {k: v for k, v in GOOD[0].items() if k != "city"} | {"kind": "gift"}
    listing, issues = validate_listing(bad, TODAY, source="form")
    assert listing is None
    assert {(i.file, i.row, i.field) for i in issues if i.severity == "error"} == {
        ("form", 1, "kind"),
        ("form", 1, "city"),
    }


def test_jsonl_unknown_key_warning(tmp_path: Path) -> None:
    path = written(tmp_path, [dict(GOOD[0], budget="1 Mio")], "l.jsonl")
    result = load(path)
    assert len(result) == 1
    (warning,) = result.warnings
    assert "'budget' (first in row 1)" in warning.problem and "not loaded" in warning.problem


# --- columns ------------------------------------------------------------------------------


def test_missing_required_column(tmp_path: Path) -> None:
    rows = [{k: v for k, v in r.items() if k != "city"} for r in GOOD]
    result = lenient(written(tmp_path, rows))
    issue = only_error(result)
    assert (
        issue.row is None and issue.field == "city" and "missing required column" in issue.problem
    )
    assert "stadt" in issue.fix
    assert len(result) == 0 and result.rows_read == 3


def test_unknown_column_warns_and_loads(tmp_path: Path) -> None:
    rows = [dict(r, Budget="10k", **{"": ""}) for r in GOOD]
    result = load(written(tmp_path, rows))
    assert len(result) == 3
    (warning,) = result.warnings
    assert warning.severity == "warning" and "'Budget'" in warning.problem
    assert "not loaded" in warning.problem


def test_two_columns_for_one_field(tmp_path: Path) -> None:
    rows = [dict(r, Stadt="Hamburg") for r in GOOD]
    result = lenient(written(tmp_path, rows))
    issue = only_error(result)
    assert issue.field == "city" and "'city' and 'Stadt'" in issue.problem
    assert len(result) == 0


def test_header_normalisation(tmp_path: Path) -> None:
    rows = [{f" {k.upper().replace('_', '-')} ": v for k, v in r.items()} for r in GOOD]
    assert len(load(written(tmp_path, rows))) == 3


# --- field errors -------------------------------------------------------------------------

FIELD_ERRORS = [
    ("id", "  ", "required field is empty"),
    ("kind", "vielleicht", "not a known Kind"),
    ("category", "food", "not a known Category"),
    ("title", "", "required field is empty"),
    ("title", "x" * 201, "more than 200"),
    ("description", "y" * 5001, "more than 5000"),
    ("language", "fr", "not a known Language"),
    ("organization", "\u200b", "required field is empty"),
    ("org_type", "club", "not a known OrgType"),
    ("city", "Kolm", "not an ISA member city"),
    ("sector", "C20; X", "unknown NACE code(s): 'X'"),
    ("sector", " ; ", "required field is empty"),
    ("created_at", "2025-13-45", "not a calendar date"),
    ("created_at", "31.02.2025", "not a calendar date"),
    ("created_at", "yesterday", "not a date"),
    ("created_at", "45000", "bare number"),
    ("created_at", "1925-01-01", "outside 1990-2100"),
    ("expires_at", "soon", "not a date"),
    ("expires_at", "2025-01-01", "expires before it was created"),
    ("country", "CN", "disagrees with city 'koeln'"),
    ("country", "Mars", "not a known Country"),
    ("region", "DE-BY", "disagrees with city 'koeln'"),
    ("region", "Atlantis", "not a known region"),
    ("contact_email", "anna at example.de", "not an e-mail address"),
    ("contact_phone", "call me", "only digits"),
    ("contact_phone", "12 34", "fewer than 6 digits"),
]


@pytest.mark.parametrize(("field", "value", "problem"), FIELD_ERRORS)
@pytest.mark.parametrize("ext", ["csv", "jsonl"])
def test_field_error(tmp_path: Path, ext: str, field: str, value: str, problem: str) -> None:
    path = written(tmp_path, rows_with(0, **{field: value}), f"bad.{ext}")
    result = lenient(path)
    issue = only_error(result)
    assert issue.file == str(path)
    assert issue.row == (2 if ext == "csv" else 1)
    assert issue.field == field
    assert problem in issue.problem
    assert issue.fix
    assert len(result) == 2  # the two good rows are kept
    assert str(issue.row) in result.report() and field in result.report()


def test_unknown_city_fix_names_suggestions(tmp_path: Path) -> None:
    issue = only_error(lenient(written(tmp_path, rows_with(0, city="Kolm"))))
    assert issue.value == "Kolm"  # raw text; quoted only in the report
    assert "Köln" in issue.fix


def test_unknown_sector_names_bad_code(tmp_path: Path) -> None:
    issue = only_error(lenient(written(tmp_path, rows_with(0, sector=["C20", "Z99", "C20"]))))
    assert "'Z99'" in issue.problem and "U99" in issue.fix


def test_agreeing_country_and_region_accepted(tmp_path: Path) -> None:
    rows = rows_with(0, country="Deutschland", region="Nordrhein-Westfalen")
    rows[1].update(country="中国", region="CN-GD")
    assert len(load(written(tmp_path, rows))) == 3


def test_all_problems_of_a_row_reported(tmp_path: Path) -> None:
    rows = rows_with(1, kind="?", city="Atlantis", contact_email="nope", created_at="x")
    result = lenient(written(tmp_path, rows))
    assert {i.field for i in result.errors} == {"kind", "city", "contact_email", "created_at"}
    assert {(i.row, i.listing_id) for i in result.errors} == {(3, "L-2")}


def test_synonyms_and_normalisation(tmp_path: Path) -> None:
    rows = rows_with(
        0,
        kind="GESUCH",
        category="Fläche",
        org_type="Hochschule",
        language="English",
        title="\u202eＡＢＣ１２３\u200b  Halle ",
        keywords="Halle, halle; Lager、Logistik",
        sector="c 28 | 28.1 ; C25",
        created_at="2025-03-01T09:30:00Z",
    )
    first = next(iter(load(written(tmp_path, rows))))
    assert (first.kind, first.category, first.org_type, first.language) == (
        Kind.REQUEST,
        Category.SPACE,
        OrgType.RESEARCH,
        Language.EN,
    )
    assert first.title == "ABC123 Halle"
    assert first.keywords == ("Halle", "Lager", "Logistik")
    assert first.sector == ("C25", "C28")  # canonical: sorted, section covered by C28
    assert first.created_at == date(2025, 3, 1)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-03-01", date(2025, 3, 1)),
        ("1.3.2025", date(2025, 3, 1)),
        ("2025/3/1", date(2025, 3, 1)),
        ("2025年3月1日", date(2025, 3, 1)),
        ("2025-03-01 23:59:00+08:00", date(2025, 3, 1)),
    ],
)
def test_date_formats(tmp_path: Path, text: str, expected: date) -> None:
    first = next(iter(load(written(tmp_path, rows_with(0, created_at=text)))))
    assert first.created_at == expected


def test_future_creation_and_expired_listings_warn(tmp_path: Path) -> None:
    rows = rows_with(0, created_at="2025-07-01")
    rows[1]["expires_at"] = "2025-05-01"
    result = load(written(tmp_path, rows))
    assert len(result) == 3
    problems = [w.problem for w in result.warnings]
    assert any("future" in p for p in problems)
    assert any("1 listing(s) expired" in p for p in problems)


# --- duplicates, strict and lenient -------------------------------------------------------


def test_duplicate_id_within_file(tmp_path: Path) -> None:
    path = written(tmp_path, rows_with(2, id="00123"))
    result = lenient(path)
    issue = only_error(result)
    assert (issue.row, issue.field, issue.listing_id) == (4, "id", "00123")
    assert f"first used in {path} row 2" in issue.problem
    assert [x.id for x in result] == ["00123", "L-2"]


def test_duplicate_id_across_files(tmp_path: Path) -> None:
    a = written(tmp_path, GOOD, "a.csv")
    b = written(tmp_path, [dict(GOOD[1], id="new"), GOOD[0]], "b.jsonl")
    result = load([a, b], strict=False)
    issue = only_error(result)
    assert (issue.file, issue.row, issue.field) == (str(b), 2, "id")
    assert f"first used in {a} row 2" in issue.problem
    assert len(result) == 4 and result.files == [str(a), str(b)]


def test_strict_raises_with_full_result(tmp_path: Path) -> None:
    path = written(tmp_path, rows_with(1, city="Atlantis"))
    with pytest.raises(ListingValidationError) as caught:
        load(path)
    err = caught.value
    assert isinstance(err, ValueError)
    assert err.result.listings == [] and len(err.result.errors) == 1
    assert "nothing was loaded" in str(err) and "row 3" in str(err) and "'city'" in str(err)


def test_strict_message_is_capped(tmp_path: Path) -> None:
    rows = [dict(GOOD[0], id=f"x{i}", city="Atlantis") for i in range(60)]
    with pytest.raises(ListingValidationError) as caught:
        load(written(tmp_path, rows))
    message = str(caught.value)
    assert "... and 10 more issue(s)." in message
    assert len(caught.value.result.issues) == 60


def test_strict_passes_with_warnings_only(tmp_path: Path) -> None:
    rows = [dict(r, extra="x") for r in GOOD]
    result = load(written(tmp_path, rows))
    assert len(result) == 3 and result.ok and len(result.warnings) == 1


def test_lenient_keeps_every_good_row_and_loses_nothing(tmp_path: Path) -> None:
    rows: list[dict[str, object]] = []
    for i in range(30):
        row = dict(GOOD[i % 3], id=f"r{i}")
        if i % 4 == 0:
            row["city"] = "Nowhere"
        if i % 5 == 0:
            row["sector"] = "??"
        rows.append(row)
    result = lenient(written(tmp_path, rows, "many.xlsx"))
    bad_rows = {i.row for i in result.errors}
    expected_bad = {i + 2 for i in range(30) if i % 4 == 0 or i % 5 == 0}
    assert bad_rows == expected_bad
    assert len(result) == 30 - len(expected_bad)
    assert len(result) + len(bad_rows) == result.rows_read == 30


# --- unreadable files ---------------------------------------------------------------------


def file_error(path: Path) -> RowIssue:
    result = lenient(path)
    assert len(result) == 0
    issue = only_error(result)
    assert issue.file == str(path) and issue.row is None
    return issue


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    assert "empty" in file_error(path).problem


def test_header_only_file_warns(tmp_path: Path) -> None:
    path = written(tmp_path, GOOD)
    path.write_text(path.read_text(encoding="utf-8-sig").splitlines()[0] + "\n", "utf-8")
    result = load(path)
    assert len(result) == 0 and result.ok
    assert "no listings" in result.warnings[0].problem


def test_unknown_extension(tmp_path: Path) -> None:
    path = tmp_path / "listings.ods"
    path.write_bytes(b"x")
    issue = file_error(path)
    assert "unsupported file type (.ods)" in issue.problem
    for ext in (".csv", ".tsv", ".jsonl", ".json", ".parquet", ".xlsx", ".gz"):
        assert ext in issue.fix
    with pytest.raises(ListingValidationError, match="parquet"):
        load(path)


def test_missing_file(tmp_path: Path) -> None:
    assert "not found" in file_error(tmp_path / "nope.csv").problem


@pytest.mark.parametrize("ext", ["parquet", "xlsx", "csv.gz", "json"])
def test_corrupt_file(tmp_path: Path, ext: str) -> None:
    path = tmp_path / f"broken.{ext}"
    path.write_bytes(b"PK\x03\x04 this is not what the extension says {")
    issue = file_error(path)
    assert issue.problem.startswith(("cannot read", "not valid JSON"))


def test_not_utf8(tmp_path: Path) -> None:
    path = written(tmp_path, GOOD[:1])  # German text only, as a German Excel would save it
    path.write_bytes(path.read_text(encoding="utf-8-sig").encode("cp1252"))
    issue = file_error(path)
    assert "undecodable byte" in issue.problem and "line 2" in issue.problem
    assert "UTF-8" in issue.fix


def test_ragged_csv_row(tmp_path: Path) -> None:
    path = written(tmp_path, GOOD)
    with path.open("a", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerow([*(str(v) for v in GOOD[0].values()), "stray"])
    result = lenient(path)
    issue = only_error(result)
    assert issue.row == 5 and "row has 17 cells, header has 16 columns" in issue.problem
    assert len(result) == 3


def test_write_rows_rejects_unknown_extension(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unsupported file type"):
        write_rows(GOOD, tmp_path / "x.txt")


def test_gzip_really_compressed(tmp_path: Path) -> None:
    path = written(tmp_path, GOOD, "l.jsonl.gz")
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        assert json.loads(fh.readline())["id"] == "00123"


def test_report_groups_by_file(tmp_path: Path) -> None:
    a = written(tmp_path, rows_with(0, city="X-Stadt"), "a.csv")
    b = written(tmp_path, [dict(r, id=f"b{i}", kind="?") for i, r in enumerate(GOOD)], "b.jsonl")
    report = load([a, b], strict=False).report()
    lines = report.splitlines()
    assert lines[0].startswith("2 file(s), 6 row(s) read: 2 listing(s) loaded, 4 row(s) not")
    assert lines[1] == f"{a}:" and lines[3] == f"{b}:"
    assert lines[2].startswith("  row 2 (id '00123'): error: field 'city' = 'X-Stadt'")


def test_listing_type_is_schema_listing(tmp_path: Path) -> None:
    assert all(isinstance(x, Listing) for x in load(written(tmp_path, GOOD)))


def test_jsonl_line_separator_inside_a_string(tmp_path: Path) -> None:
    path = tmp_path / "l.jsonl"
    rows = [dict(GOOD[0], title="Eins\u2028Zwei", description="A\u2029B"), GOOD[1]]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), "utf-8")
    first, _ = load(path)
    assert first.title == "Eins Zwei" and first.description == "A\nB"


def test_xlsx_writer_names_cell_with_control_character(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"row 3, column 'title'"):
        write_rows(rows_with(1, title="bell\x07"), tmp_path / "x.xlsx")


def test_write_rows_mixed_list_and_text_column(tmp_path: Path) -> None:
    rows = rows_with(1, sector="C27; C28", keywords="a, b")
    for ext in ("parquet", "json", "csv"):
        listing = list(load(written(tmp_path, rows, f"mixed.{ext}")))[1]
        assert listing.sector == ("C27", "C28") and listing.keywords == ("a", "b")


# --- the shipped sample corpus ------------------------------------------------------------

SAMPLE = data_dir("sample") / "listings.jsonl"


@pytest.fixture(scope="module")
def sample() -> LoadResult:
    return load_listings(SAMPLE, today=date(2026, 1, 1))


def test_sample_corpus_loads_without_errors(sample: LoadResult) -> None:
    assert sample.ok, sample.report(limit=20)
    n_lines = sum(1 for line in SAMPLE.read_text("utf-8").splitlines() if line.strip())
    assert len(sample) == sample.rows_read == n_lines > 0


@pytest.mark.parametrize("ext", EXTENSIONS)
def test_sample_corpus_every_format(tmp_path: Path, sample: LoadResult, ext: str) -> None:
    raw = [json.loads(line) for line in SAMPLE.read_text("utf-8").splitlines() if line.strip()]
    expected = [x.full_dict() for x in sample]
    write_rows(raw, tmp_path / f"rows.{ext}")
    write_listings(sample, tmp_path / f"listings.{ext}", include_contact=True)
    for name in (f"rows.{ext}", f"listings.{ext}"):
        again = load_listings(tmp_path / name, today=date(2026, 1, 1))
        assert again.ok, again.report(limit=20)
        assert [x.full_dict() for x in again] == expected


def test_json_two_keys_for_one_field(tmp_path: Path) -> None:
    path = written(tmp_path, [dict(GOOD[0], Stadt="Hamburg"), GOOD[1]], "l.jsonl")
    result = lenient(path)
    issue = only_error(result)
    assert (issue.row, issue.field) == (1, "city") and "'city' and 'Stadt'" in issue.problem
    assert [x.id for x in result] == ["L-2"]


def test_stated_language_contradicting_the_script_warns(tmp_path: Path) -> None:
    rows = rows_with(1, language="de")  # Chinese title
    rows[0]["language"] = "zh"  # German title
    result = load(written(tmp_path, rows))
    assert len(result) == 3  # kept as stated: a warning, not an error
    assert [(w.row, w.field) for w in result.warnings] == [(2, "language"), (3, "language")]
    assert result.listings[1].language is Language.DE


# --- review findings (regression tests) ---------------------------------------------------

HEADER = "id,kind,category,title,organization,org_type,city,sector,created_at"


def good_line(listing_id: str, title: str = "Pumpen") -> str:
    return f"{listing_id},offer,product,{title},ACME,company,koeln,C28,2025-01-02"


def csv_file(tmp_path: Path, *lines: str, name: str = "l.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8", newline="")
    return path


def test_overlong_csv_cell_rejects_only_its_row(tmp_path: Path) -> None:
    limit = csv.field_size_limit()
    path = csv_file(tmp_path, HEADER, good_line("a1", "x" * (limit + 10)), good_line("a2"))
    result = lenient(path)
    issue = only_error(result)
    assert issue.row == 2 and f"longer than {limit} characters" in issue.problem
    assert [x.id for x in result] == ["a2"]  # the rest of the file is still read
    assert csv.field_size_limit() == limit  # the process-wide limit is untouched


def test_unterminated_quote_is_reported(tmp_path: Path) -> None:
    path = csv_file(tmp_path, HEADER, good_line("a1"), '"' + good_line("a2"), good_line("a3"))
    result = lenient(path)
    issue = only_error(result)
    assert issue.row == 3
    assert "quote opened in row 3 is never closed; rows 3.. not read" in issue.problem
    assert [x.id for x in result] == ["a1"]
    with pytest.raises(ListingValidationError, match="never closed"):
        load(path)


def test_xlsx_other_sheets_with_data_warn(tmp_path: Path) -> None:
    book = Workbook()
    first = book.active
    assert first is not None
    first.title = "Angebote"
    first.append(HEADER.split(","))
    first.append(good_line("a1").split(","))
    other = book.create_sheet("Gesuche")
    other.append(HEADER.split(","))
    for i in range(12):
        other.append(good_line(f"g{i}").split(","))
    book.create_sheet("Leer")
    path = tmp_path / "book.xlsx"
    book.save(path)
    result = load(path)
    assert [x.id for x in result] == ["a1"]
    (warning,) = [w for w in result.warnings if "sheet" in w.problem]
    assert "sheet 'Gesuche' (13 row(s) with data) not read" in warning.problem
    assert "'Leer'" not in result.report()


@pytest.mark.parametrize("ext", ["json", "jsonl"])
def test_duplicate_json_key_is_a_row_error(tmp_path: Path, ext: str) -> None:
    first = json.dumps(GOOD[0], ensure_ascii=False)[:-1] + ', "title": "Other"}'
    second = json.dumps(GOOD[1], ensure_ascii=False)
    text = f"[{first},\n{second}]" if ext == "json" else f"{first}\n{second}\n"
    path = tmp_path / f"l.{ext}"
    path.write_text(text, encoding="utf-8")
    result = lenient(path)
    issue = only_error(result)
    assert issue.row == 1 and "key(s) 'title' given more than once" in issue.problem
    assert [x.id for x in result] == ["L-2"]


def test_deeply_nested_json(tmp_path: Path) -> None:
    deep = "[" * 100_000 + "]" * 100_000
    path = tmp_path / "deep.json"
    path.write_text(deep, encoding="utf-8")
    assert "nested too deeply" in file_error(path).problem
    path = tmp_path / "deep.jsonl"
    path.write_text(deep + "\n" + json.dumps(GOOD[1]) + "\n", encoding="utf-8")
    result = lenient(path)
    issue = only_error(result)
    assert issue.row == 1 and "nested too deeply" in issue.problem
    assert [x.id for x in result] == ["L-2"]


def test_lone_surrogate_is_a_field_error(tmp_path: Path) -> None:
    path = tmp_path / "l.jsonl"
    line = json.dumps(dict(GOOD[0], title="Pumpe \\ud800"))  # escaped by json.dumps
    path.write_text(line.replace("\\\\ud800", "\\ud800") + "\n", encoding="utf-8")
    issue = only_error(lenient(path))
    assert issue.field == "title" and "lone UTF-16 surrogate" in issue.problem


@pytest.mark.parametrize("ext", ["csv", "jsonl", "xlsx", "parquet"])
def test_failing_write_leaves_no_half_file(tmp_path: Path, ext: str) -> None:
    path = written(tmp_path, GOOD, f"out.{ext}")
    before = path.read_bytes()
    with pytest.raises((UnicodeError, ValueError)):
        write_rows([*GOOD, dict(GOOD[0], title="bad \ud800")], path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temporary file left


def test_xlsx_formula_without_computed_value(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER.split(","))
    sheet.append(good_line("a1").split(","))
    sheet.append([*good_line("a2").split(",")[:3], '=UPPER("x")', *good_line("a2").split(",")[4:]])
    path = tmp_path / "f.xlsx"
    book.save(path)  # openpyxl stores formulas without a computed value
    result = lenient(path)
    issue = only_error(result)
    assert (issue.row, issue.field, issue.value) == (3, "title", '=UPPER("x")')
    assert "formula without a computed value" in issue.problem and "paste values" in issue.fix
    assert [x.id for x in result] == ["a1"]


@pytest.mark.parametrize("ext", ["csv", "jsonl", "xlsx", "parquet"])
@pytest.mark.parametrize("error", ["#N/A", "#NV", "#BEZUG!", "#WERT!", "#DIV/0!", " #name? "])
def test_excel_error_values_are_field_errors(tmp_path: Path, ext: str, error: str) -> None:
    result = lenient(written(tmp_path, rows_with(0, organization=error), f"l.{ext}"))
    issue = only_error(result)
    assert issue.field == "organization" and "an Excel error value" in issue.problem
    assert len(result) == 2


def test_sector_text_and_canonical_form(tmp_path: Path) -> None:
    rows = [dict(GOOD[0], sector="C 20"), dict(GOOD[1], sector="C20, C"), dict(GOOD[2])]
    rows[2]["sector"] = "C; C20 | L / 68"
    a, b, c = load(written(tmp_path, rows))
    assert a.sector == b.sector == ("C20",)
    assert c.sector == ("C20", "L68")


def test_json_boolean_is_not_text(tmp_path: Path) -> None:
    issue = only_error(lenient(written(tmp_path, rows_with(0, id=True), "l.json")))
    assert issue.field == "id" and issue.problem == "expected text, got a boolean"


def test_nested_list_has_its_own_message(tmp_path: Path) -> None:
    path = tmp_path / "l.json"
    path.write_text(json.dumps(rows_with(0, sector=[["C28"]])), encoding="utf-8")
    issue = only_error(lenient(path))
    assert issue.field == "sector" and issue.problem == "a list inside a list"
    assert "lists are only allowed" not in issue.fix


def test_short_csv_row_is_an_error(tmp_path: Path) -> None:
    short = good_line("a1").rsplit(",", 1)[0]
    path = csv_file(tmp_path, HEADER, short, "", good_line("a2") + ",,", good_line("a3"))
    result = lenient(path)
    issue = only_error(result)
    assert issue.row == 2 and issue.problem == "row has 8 cells, header has 9 columns"
    assert [x.id for x in result] == ["a2", "a3"]  # blank line and empty extra cells are fine


def test_no_files_given() -> None:
    with pytest.raises(ValueError, match="no files given"):
        load_listings([])


def test_duplicate_id_of_a_rejected_row_says_so(tmp_path: Path) -> None:
    rows = [dict(GOOD[0], city="Atlantis"), dict(GOOD[1], id="00123")]
    result = lenient(written(tmp_path, rows))
    dup = [i for i in result.errors if i.field == "id"]
    assert len(dup) == 1 and dup[0].problem.endswith("row 2 (that row was rejected)")
    other = lenient(written(tmp_path, [GOOD[0], dict(GOOD[1], id="00123")], "ok.csv"))
    assert "rejected" not in only_error(other).problem


@pytest.mark.parametrize(
    ("tag", "lang"),
    [("de-DE", Language.DE), ("en-US", Language.EN), ("zh-CN", Language.ZH)]
    + [("zh-TW", Language.ZH), ("zh_Hant", Language.ZH), ("DE-AT", Language.DE)],
)
def test_language_tags(tmp_path: Path, tag: str, lang: Language) -> None:
    title = "寻找合作伙伴" if lang is Language.ZH else GOOD[0]["title"]
    first = next(iter(load(written(tmp_path, rows_with(0, language=tag, title=title)))))
    assert first.language is lang


def test_contact_values_are_masked_in_reports(tmp_path: Path) -> None:
    email, phone, name = "max.mustermann@firma", "call Max 0171-1234567", "N" * 300
    rows = rows_with(0, contact_email=email, contact_phone=phone, contact_name=name)
    path = written(tmp_path, rows)
    jsonl = tmp_path / "bad.jsonl"
    jsonl.write_text('{"id": "a1", "contact_email": "secret.person@x.de" "oops"}\n', "utf-8")
    result = load([path, jsonl], strict=False)
    by_field = {i.field: i.value for i in result.errors}
    assert by_field["contact_email"] == "ma***@firma"
    assert by_field["contact_phone"] is not None and by_field["contact_phone"].endswith("***67")
    with pytest.raises(ListingValidationError) as caught:
        load([path, jsonl])
    texts = [result.report(), str(caught.value), json.dumps([str(i) for i in result.issues])]
    for text in texts:
        for secret in (email, "0171-1234567", "secret.person@x.de", "N" * 10):
            assert secret not in text


def test_write_listings_leaves_out_contact_by_default(tmp_path: Path) -> None:
    original = list(load(written(tmp_path, GOOD, "src.jsonl")))
    write_listings(original, tmp_path / "out.jsonl")
    text = (tmp_path / "out.jsonl").read_text("utf-8")
    assert "contact" not in text and "anna.mueller" not in text


@pytest.mark.parametrize(
    ("field", "text", "found"),
    [
        ("title", "Pumpen, Anfragen an info@acme.de", "an e-mail address"),
        ("description", "Rufen Sie an: +49 (0)221 123 45 67", "a phone number"),
        ("organization", "ACME Tel. 0221/1234567", "a phone number"),
        ("keywords", "Pumpen; 13812345678", "a phone number"),
    ],
)
def test_contact_data_in_public_field_warns(
    tmp_path: Path, field: str, text: str, found: str
) -> None:
    result = load(written(tmp_path, rows_with(0, **{field: text})))
    (warning,) = [w for w in result.warnings if w.field == field]
    assert f"looks like contact data ({found}) in a public field" in warning.problem
    assert "info@acme.de" not in result.report() and "1234567" not in result.report()
    assert len(result) == 3


def test_no_contact_warning_for_quantities_and_norms(tmp_path: Path, sample: LoadResult) -> None:
    text = "500 m2, ISO 9001:2015, 20 t/Monat, 2020-2025, PLZ 01099, 1.000.000 Stück, 0,5 mm"
    result = load(written(tmp_path, rows_with(0, description=text, title="Halle 12345678")))
    assert not result.issues, result.report()
    assert not [w for w in sample.warnings if "contact data" in w.problem]


def test_failed_lookups_are_cached_without_exceptions() -> None:
    from isa_match import _io_fields as fields

    for fn, text in ((fields._city, "Atlantis"), (fields._sector, "Z99")):
        found = fn(text)
        assert not isinstance(found, BaseException)
        assert fn(text) is found  # cached


def test_misspelt_column_is_an_error_unrelated_one_a_warning(tmp_path: Path) -> None:
    rows = [{"descriptoin" if k == "description" else k: v for k, v in r.items()} for r in GOOD]
    rows = [dict(r, notes="x") for r in rows]
    path = written(tmp_path, rows)
    with pytest.raises(ListingValidationError):
        load(path)
    result = lenient(path)
    issue = only_error(result)
    assert "unknown column 'descriptoin'; did you mean 'description'" in issue.problem
    assert any("'notes'" in w.problem for w in result.warnings)


def test_xlsx_unnamed_columns_warn_only_with_data(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append([None, *HEADER.split(","), None, "x"])
    sheet.append([None, *good_line("a1").split(","), None, "x"])
    sheet.append([None, *good_line("a2").split(","), "data", "x"])
    path = tmp_path / "u.xlsx"
    book.save(path)
    result = load(path)
    assert len(result) == 2
    problems = [w.problem for w in result.warnings]
    assert any(
        p.startswith("unnamed column 11 has no header but holds data in 1") for p in problems
    )
    assert not any("column 1 " in p for p in problems), problems


def test_missing_file_and_folder_before_type_check(tmp_path: Path) -> None:
    assert "no such file" in file_error(tmp_path / "nope.ods").problem
    (tmp_path / "dir.csv").mkdir()
    assert "is a folder" in file_error(tmp_path / "dir.csv").problem
    (tmp_path / "dir").mkdir()
    assert "is a folder" in file_error(tmp_path / "dir").problem


def test_misspelt_json_key_is_an_error(tmp_path: Path) -> None:
    rows = [dict(GOOD[0], created_by="x", organisaton="ACME"), GOOD[1]]
    result = lenient(written(tmp_path, rows, "l.jsonl"))
    issue = only_error(result)
    assert "unknown key 'organisaton' (first in row 1); did you mean" in issue.problem
    assert any("'created_by'" in w.problem for w in result.warnings)


def test_json_object_as_text_field(tmp_path: Path) -> None:
    path = tmp_path / "l.json"
    path.write_text(json.dumps(rows_with(0, organization={"name": "ACME"})), encoding="utf-8")
    issue = only_error(lenient(path))
    assert issue.field == "organization" and issue.problem == "expected text, got an object"


def test_stray_quote_rejects_its_row_only(tmp_path: Path) -> None:
    bad = good_line("a2", '"5" Rohr"')  # silently became '5 Rohr"' before
    path = csv_file(tmp_path, HEADER, good_line("a1"), bad, good_line("a3"))
    result = lenient(path)
    issue = only_error(result)
    assert issue.row == 3 and issue.problem.startswith("cannot parse the row")
    assert [x.id for x in result] == ["a1", "a3"]


def test_parent_city_names_give_one_summary_warning_per_file(tmp_path: Path) -> None:
    rows = rows_with(1, city="深圳")
    rows.append(dict(rows[1], id="L-4"))
    rows.append(dict(rows[0], id="L-5", city="Freiburg"))  # a component town: exact, no note
    result = load(written(tmp_path, rows))
    assert [item.city for item in result] == [
        "koeln",
        "baoan",
        "hamburg",
        "baoan",
        "region-schwarzwald",
    ]
    notes = [i for i in result.warnings if "as a whole is not an ISA member" in i.problem]
    assert len(notes) == 1
    assert notes[0].problem.startswith("2 listing(s): '深圳' resolved to the ISA member")
    assert not [i for i in result.warnings if "Freiburg" in i.problem]


def test_read_pairs_and_its_errors(tmp_path: Path) -> None:
    from isa_match.io import read_pairs

    path = tmp_path / "pairs.jsonl"
    path.write_text('{"request": "R1", "offer": "O1"}\n\n{"request": 2, "offer": "O2"}\n', "utf-8")
    assert read_pairs(path) == [("R1", "O1"), ("2", "O2")]
    path.write_text('{"request": "R1", "offer": "O1"}\n{"request": "R2"}\n', "utf-8")
    with pytest.raises(ValueError, match=r"pairs.jsonl, line 2: expected"):
        read_pairs(path)
