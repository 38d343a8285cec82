"""Translate the neutral :class:`~isa_match.schema.Filters` into a Milvus boolean expression.

No pymilvus is needed here: this module fixes the row layout a future Milvus
backend stores (:func:`milvus_row`) and the filter expression it would pass as
``filter=`` to ``MilvusClient.search``, proving that the neutral filter form
maps to an external engine as well as to FAISS selectors.

Row layout (one Milvus entity per listing)::

    id            VARCHAR primary key
    vector        FLOAT_VECTOR(dim), metric IP
    country, city, region, category, kind, org_type, language   VARCHAR
    sector        ARRAY<VARCHAR>  the NACE codes as given ("C20", "M")
    sector_section ARRAY<VARCHAR> their section letters ("C", "M")
    expires_day   INT64  proleptic ordinal of expires_at; 2**31 - 1 when open-ended
"""

from __future__ import annotations

import json
from typing import Any

from isa_match.index._store import CATEGORICAL, NEVER
from isa_match.index.base import ItemMeta
from isa_match.schema import Filters


def _literal(value: str) -> str:
    # JSON string syntax (double quotes, backslash escapes) is what Milvus parses.
    return json.dumps(value, ensure_ascii=False)


def _list(values: frozenset[str]) -> str:
    return "[" + ", ".join(_literal(v) for v in sorted(values)) + "]"


def filters_to_milvus_expr(filters: Filters | None) -> str:
    """The Milvus boolean expression equivalent to ``filters`` ("" when unfiltered).

    Fields are combined with ``and``; each field accepts any of its values
    (``in [...]``). A sector filter accepts a listing whose ``sector`` array holds
    one of the requested codes or whose ``sector_section`` array holds one of
    the requested section letters, which is the neutral section-vs-division rule.
    An empty accepted set becomes ``in []`` and matches nothing, as in the oracle.
    """
    if filters is None:
        return ""
    terms: list[str] = []
    for name in CATEGORICAL:
        accepted = getattr(filters, name)
        if accepted is not None:
            terms.append(f"{name} in {_list(accepted)}")
    if filters.sector is not None:
        sections = frozenset(s for s in filters.sector if len(s) == 1)
        parts = [f"ARRAY_CONTAINS_ANY(sector, {_list(filters.sector)})"]
        if sections:
            parts.append(f"ARRAY_CONTAINS_ANY(sector_section, {_list(sections)})")
        terms.append(parts[0] if len(parts) == 1 else "(" + " or ".join(parts) + ")")
    if filters.active_on is not None:
        terms.append(f"expires_day >= {filters.active_on.toordinal()}")
    if filters.exclude_ids:
        terms.append(f"id not in {_list(filters.exclude_ids)}")
    return " and ".join(terms)


def milvus_row(item: ItemMeta, vector: list[float]) -> dict[str, Any]:
    """The Milvus entity of one item in the layout described in the module docstring."""
    row: dict[str, Any] = {"id": item.id, "vector": vector}
    row.update({name: getattr(item, name) for name in CATEGORICAL})
    row["sector"] = list(item.sector)
    row["sector_section"] = list(dict.fromkeys(code[0] for code in item.sector))
    row["expires_day"] = NEVER if item.expires_at is None else item.expires_at.toordinal()
    return row
