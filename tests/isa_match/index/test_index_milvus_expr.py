"""The neutral filters as Milvus boolean expressions (no pymilvus needed)."""

from __future__ import annotations

from datetime import date

from isa_match.index import ItemMeta, filters_to_milvus_expr, milvus_row
from isa_match.schema import Filters


def test_unfiltered_is_empty() -> None:
    assert filters_to_milvus_expr(None) == ""
    assert filters_to_milvus_expr(Filters()) == ""


def test_scalar_fields_and_order() -> None:
    f = Filters.of(country="CN", city=["weihai", "foshan"], kind="offer", language="zh")
    assert filters_to_milvus_expr(f) == (
        'country in ["CN"] and city in ["foshan", "weihai"] and kind in ["offer"] '
        'and language in ["zh"]'
    )


def test_sector_section_vs_division() -> None:
    assert filters_to_milvus_expr(Filters.of(sector="C20")) == (
        'ARRAY_CONTAINS_ANY(sector, ["C20"])'
    )
    assert filters_to_milvus_expr(Filters.of(sector=["C", "M72"])) == (
        '(ARRAY_CONTAINS_ANY(sector, ["C", "M72"]) or ARRAY_CONTAINS_ANY(sector_section, ["C"]))'
    )


def test_active_on_exclude_and_escaping() -> None:
    f = Filters.of(region="DE-NW", active_on=date(2026, 11, 21), exclude_ids=['a"b', "c\\d"])
    assert filters_to_milvus_expr(f) == (
        f'region in ["DE-NW"] and expires_day >= {date(2026, 11, 21).toordinal()} '
        'and id not in ["a\\"b", "c\\\\d"]'
    )


def test_empty_set_matches_nothing() -> None:
    assert filters_to_milvus_expr(Filters(city=frozenset())) == "city in []"


def test_row_layout() -> None:
    item = ItemMeta("x1", "DE", "koeln", "DE-NW", ("C20", "C22", "M"), "product", "offer",
                    "company", "de", date(2027, 1, 1))  # fmt: skip
    row = milvus_row(item, [0.5, 0.5])
    assert row["sector"] == ["C20", "C22", "M"]
    assert row["sector_section"] == ["C", "M"]
    assert row["expires_day"] == date(2027, 1, 1).toordinal()
    assert row["city"] == "koeln" and row["vector"] == [0.5, 0.5]
    open_ended = milvus_row(ItemMeta("x2", "CN", "foshan", "CN-GD", (), "event", "request",
                                     "public", "zh"), [0.0])  # fmt: skip
    assert open_ended["expires_day"] == 2**31 - 1 and open_ended["sector_section"] == []
