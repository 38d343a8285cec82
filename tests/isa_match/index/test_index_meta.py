"""ItemMeta mirrors Listing, and its filter semantics equal Filters.matches (the oracle)."""

from __future__ import annotations

from datetime import date

import numpy as np
from index_helpers import Corpus

from isa_match.index import ExactIndex, ItemMeta
from isa_match.schema import Category, Country, Filters, Kind, Language, Listing, OrgType


def _listing(m: ItemMeta) -> Listing:
    return Listing(
        id=m.id,
        kind=Kind(m.kind),
        category=Category(m.category),
        title="t",
        description="",
        language=Language(m.language),
        organization="o",
        org_type=OrgType(m.org_type),
        city=m.city,
        country=Country(m.country),
        region=m.region,
        sector=m.sector,
        created_at=date(2026, 1, 1),
        expires_at=m.expires_at,
    )


def _random_filters(rng: np.random.Generator, items: list[ItemMeta]) -> Filters:
    def pick(values: list[str]) -> list[str] | None:
        if rng.random() < 0.6:
            return None
        return list(rng.choice(values, int(rng.integers(0, 3)), replace=False))

    field_values = {
        name: sorted({getattr(m, name) for m in items})
        for name in ("country", "city", "region", "category", "kind", "org_type", "language")
    }
    kwargs: dict[str, object] = {name: pick(v) for name, v in field_values.items()}
    codes = sorted({c for m in items for c in m.sector} | {c[0] for m in items for c in m.sector})
    kwargs["sector"] = pick(codes)
    kwargs["active_on"] = date(2026, 11, 1) if rng.random() < 0.3 else None
    kwargs["exclude_ids"] = [items[int(i)].id for i in rng.integers(0, len(items), 5)]
    return Filters.of(**kwargs)


def test_from_listing_and_oracle_agreement(corpus: Corpus) -> None:
    rng = np.random.default_rng(11)
    listings = [_listing(m) for m in corpus.items]
    assert [ItemMeta.from_listing(x) for x in listings] == corpus.items
    index = ExactIndex(32)
    index.add(corpus.items, corpus.vectors)
    store = index._store
    for _ in range(60):
        f = _random_filters(rng, corpus.items)
        want = {x.id for x in listings if f.matches(x)}
        assert {m.id for m in corpus.items if m.passes(f)} == want
        slots = store.plan(f)
        got = set(index.ids()) if slots is None else {store.ids.name(s) for s in slots}
        assert got == want, f
