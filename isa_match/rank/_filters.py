"""Combining two :class:`Filters` into one that accepts what both accept."""

from __future__ import annotations

from dataclasses import fields, replace

from isa_match.schema import Filters

_SET_FIELDS = ("country", "city", "region", "category", "kind", "org_type", "language")


def merge_filters(a: Filters, b: Filters) -> Filters:
    """The conjunction of two filters (a listing passes both iff it passes the result).

    An empty intersection is kept as an empty set, which accepts nothing.
    ``sector`` is multi-valued (a listing may have several codes), so "a code
    in A and a code in B" is not one set; two different sector constraints
    raise :class:`ValueError` instead of silently changing the meaning.
    """
    changes: dict[str, object] = {}
    for name in _SET_FIELDS:
        x, y = getattr(a, name), getattr(b, name)
        if x is None or y is None:
            changes[name] = y if x is None else x
        else:
            changes[name] = x & y
    if a.sector is None or b.sector is None or a.sector == b.sector:
        changes["sector"] = b.sector if a.sector is None else a.sector
    else:
        raise ValueError(
            f"cannot combine two different sector filters ({sorted(a.sector)} and "
            f"{sorted(b.sector)}); give one sector filter"
        )
    days = [d for d in (a.active_on, b.active_on) if d is not None]
    changes["active_on"] = max(days) if days else None
    changes["exclude_ids"] = a.exclude_ids | b.exclude_ids
    assert {f.name for f in fields(Filters)} == set(changes)
    return replace(a, **changes)  # type: ignore[arg-type]
