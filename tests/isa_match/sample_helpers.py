"""Constants and small factories shared by the tests (imported as ``sample_helpers``)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

from isa_match.index import ItemMeta

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample"
TODAY = date(2026, 11, 1)


def koeln_item(item_id: str, language: str = "de", **fields: object) -> ItemMeta:
    """Index metadata of one listing: a company's product offer in Köln, sector C20,
    with ``fields`` changed (for index tests that need items whose metadata is known)."""
    base = ItemMeta(
        id=item_id,
        country="DE",
        city="koeln",
        region="DE-NW",
        sector=("C20",),
        category="product",
        kind="offer",
        org_type="company",
        language=language,
    )
    return replace(base, **fields)  # type: ignore[arg-type]
