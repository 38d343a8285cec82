"""End to end: ranked suggestions on the sample through Milvus Lite equal those through FAISS.

Same encoder (use-m3, the vectors of the shared ``sample_matcher``), exact index
on both sides (FAISS Flat and Milvus FLAT at 2,000 listings), same ranking code.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from sample_helpers import TODAY

from isa_match.index import MilvusIndex
from isa_match.rank.matcher import Match, Matcher
from isa_match.schema import Filters, Listing


def _missing() -> str | None:
    for module, package in (("pymilvus", "pymilvus"), ("milvus_lite", "milvus-lite")):
        if importlib.util.find_spec(module) is None:
            return f"{package} is not installed (pip install 'isa-match[scale]')"
    return None


@pytest.fixture(scope="module")
def milvus_matcher(
    sample_matcher: Matcher,
    sample_listings: list[Listing],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Matcher]:
    reason = _missing()
    if reason is not None:
        print(f"skipping the Milvus matcher tests: {reason}")
        pytest.skip(reason)
    vectors = sample_matcher.dense.vectors([x.id for x in sample_listings])
    uri = tmp_path_factory.mktemp("milvus-matcher") / "isa.db"
    matcher = Matcher.build(
        sample_listings,
        encoder=sample_matcher.encoder,
        backend="milvus",
        vectors=vectors,
        reference_date=TODAY,
        uri=str(uri),
        collection="sample",
    )
    yield matcher
    assert isinstance(matcher.dense, MilvusIndex)
    matcher.dense.drop()


def _same(got: list[Match], want: list[Match]) -> None:
    assert [m.id for m in got] == [m.id for m in want]
    np.testing.assert_allclose([m.score for m in got], [m.score for m in want], atol=1e-5)
    for g, w in zip(got, want, strict=True):
        assert [r.text("en") for r in g.reasons] == [r.text("en") for r in w.reasons]
        assert g.duplicates == w.duplicates


QUERIES = 60
FILTERS = [None, Filters.of(country="CN"), Filters.of(city="koeln"), Filters.of(sector="C")]


def test_built_on_milvus(milvus_matcher: Matcher, sample_matcher: Matcher) -> None:
    dense = milvus_matcher.dense
    assert isinstance(dense, MilvusIndex) and dense.built_index[0] == "FLAT"
    assert len(dense) == len(sample_matcher.dense) == 2000
    assert type(sample_matcher.dense).__name__ == "FaissIndex"


@pytest.mark.parametrize("filters", FILTERS, ids=["none", "country", "city", "sector"])
def test_suggestions_equal_faiss(
    milvus_matcher: Matcher,
    sample_matcher: Matcher,
    sample_listings: list[Listing],
    filters: Filters | None,
) -> None:
    step = len(sample_listings) // QUERIES
    for item in sample_listings[::step][:QUERIES]:
        want = sample_matcher.suggest(item.id, k=10, filters=filters)
        got = milvus_matcher.suggest(item.id, k=10, filters=filters)
        _same(got, want)


def test_text_query_and_dense_mode_equal_faiss(
    milvus_matcher: Matcher, sample_matcher: Matcher
) -> None:
    text = "Wir suchen Lithiumcarbonat in Batteriequalität für unsere Zellfertigung"
    _same(
        milvus_matcher.suggest(text=text, kind="request", k=10),
        sample_matcher.suggest(text=text, kind="request", k=10),
    )
    _same(
        milvus_matcher.suggest("L0000508", k=10, mode="dense"),
        sample_matcher.suggest("L0000508", k=10, mode="dense"),
    )


def test_saved_and_loaded_matcher_reconnects(
    milvus_matcher: Matcher, sample_matcher: Matcher, sample_index_dir: Path, tmp_path: Path
) -> None:
    milvus_matcher.save(tmp_path / "m")
    loaded = Matcher.load(tmp_path / "m", encoder=sample_matcher.encoder)
    assert isinstance(loaded.dense, MilvusIndex) and loaded.dense.collection == "sample"
    # against the FAISS matcher saved and loaded the same way (a loaded matcher's
    # "shared terms" reasons may differ from the in-memory one's, whatever the backend)
    faiss_loaded = Matcher.load(sample_index_dir, encoder=sample_matcher.encoder)
    for item_id in ("L0000508", "L0001200", "L0000001"):
        _same(loaded.suggest(item_id, k=10), faiss_loaded.suggest(item_id, k=10))
