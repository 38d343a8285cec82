"""What only the Milvus backend has: its collection, index choice, pointer folders, rollback.

The shared contract (search equals exact search, filters, updates) runs in
``test_index_contract.py`` over the Milvus Lite variants of ``conftest.MILVUS``.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from index_helpers import DIM, Corpus, assert_same_hits, oracle
from milvus_helpers import FlushingMilvusIndex, basis

from isa_match.index import (
    EncoderInfo,
    IndexCorruptError,
    MilvusIndex,
    create_index,
    load_index,
)
from isa_match.index import milvus_index as milvus_module
from isa_match.schema import Filters

ENC = EncoderInfo("hashing", "1")


@pytest.fixture
def made(milvus_uri: str) -> Iterator[list[MilvusIndex]]:
    """Indexes a test creates; their collections are dropped afterwards."""
    out: list[MilvusIndex] = []
    yield out
    for index in out:
        index.drop()


def _new(made: list[MilvusIndex], uri: str, cls: type[MilvusIndex] = MilvusIndex, **kw: Any) -> Any:
    index = cls(DIM, ENC, uri=uri, **kw)
    made.append(index)
    return index


def _described(index: MilvusIndex) -> dict[str, Any]:
    """The vector index the Milvus collection really has (asked from Milvus)."""
    found: dict[str, Any] = index._client().describe_index(index.collection, "vector")
    return found


def test_created_by_name_with_its_collection(milvus_uri: str, made: list[MilvusIndex]) -> None:
    index = create_index("milvus", dim=DIM, encoder=ENC, uri=milvus_uri, collection="named_one")
    assert isinstance(index, MilvusIndex)
    made.append(index)
    items, vectors = basis(5)
    index.add(items, vectors)
    client = index._client()
    assert client.has_collection("named_one")
    fields = {f["name"] for f in client.describe_collection("named_one")["fields"]}
    assert {"pk", "id", "vector", "city", "sector", "sector_section", "expires_day"} <= fields
    rows = client.query("named_one", ids=[0], output_fields=["id", "city", "sector"])
    assert rows[0]["id"] in {f"b{i}" for i in range(5)} and rows[0]["sector"] == ["C20"]
    assert _described(index)["index_type"] == "FLAT"


def test_existing_collection_is_not_overwritten_silently(
    milvus_uri: str, made: list[MilvusIndex]
) -> None:
    items, vectors = basis(3)
    _new(made, milvus_uri, collection="taken").add(items, vectors)
    second = MilvusIndex(DIM, uri=milvus_uri, collection="taken")
    with pytest.raises(ValueError, match="'taken' already exists"):
        second.add(items[:1], vectors[:1])
    assert len(second) == 0  # rolled back
    replacing = _new(made, milvus_uri, collection="taken", overwrite=True)
    replacing.add(items[:1], vectors[:1])
    assert (
        replacing._client().query("taken", filter="", output_fields=["count(*)"])[0]["count(*)"]
        == 1
    )


def test_uri_and_names_are_checked(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="ending in .db"):
        MilvusIndex(DIM, uri=tmp_path / "isa.sqlite")
    with pytest.raises(ValueError, match="collection name"):
        MilvusIndex(DIM, uri=tmp_path / "isa.db", collection="bad-name")
    with pytest.raises(ValueError, match="index_type"):
        MilvusIndex(DIM, uri=tmp_path / "isa.db", index_type="PQ")
    assert MilvusIndex(DIM, uri="http://milvus:19530").uri == "http://milvus:19530"
    assert MilvusIndex(DIM, uri="rel/isa.db").uri == str(Path("rel/isa.db").absolute())


def test_auto_index_grows_from_flat_to_ivf_sq8(
    milvus_uri: str, made: list[MilvusIndex], corpus: Corpus
) -> None:
    index = _new(made, milvus_uri, cls=FlushingMilvusIndex, flat_max=500)
    index.add(corpus.items[:100], corpus.vectors[:100])
    assert index.built_index == ("FLAT", {}) and _described(index)["index_type"] == "FLAT"
    index.add(corpus.items, corpus.vectors)  # 2,000: past flat_max
    # lists sized for a segment: 2,000 rows over 16 city partitions, 125 per segment
    nlist = milvus_module.auto_nlist(2000 // 16)
    assert nlist == 32 and index.built_index == ("IVF_SQ8", {"nlist": 32})
    assert _described(index)["index_type"] == "IVF_SQ8"
    # approximate but close: recall@10 against exact search, unfiltered and one city
    for filters in (None, Filters.of(city="hamburg")):
        want = oracle(corpus.items, corpus.vectors, corpus.queries, 10, filters)
        got = index.search(corpus.queries, 10, filters)
        hits = sum(
            len({h.id for h in g} & {h.id for h in w}) for g, w in zip(got, want, strict=True)
        )
        assert hits / sum(len(w) for w in want) >= 0.9, filters
        assert all(len(g) == len(w) for g, w in zip(got, want, strict=True))
        # SQ8 candidates are re-scored with their float32 vectors: exact scores
        by_id = {m.id: v for m, v in zip(corpus.items, corpus.vectors, strict=True)}
        for q, g in zip(corpus.queries, got, strict=True):
            exact = [float(by_id[h.id] @ q) for h in g]
            np.testing.assert_allclose([h.score for h in g], exact, atol=1e-5)
            assert exact == sorted(exact, reverse=True)


def test_narrow_filter_widens_the_search(
    milvus_uri: str, made: list[MilvusIndex], corpus: Corpus
) -> None:
    # nprobe 1 of 64 lists unfiltered; a filter passing a few items must still find them all
    index = _new(
        made, milvus_uri, cls=FlushingMilvusIndex, index_type="IVF_FLAT", nlist=64, nprobe=1
    )
    index.add(corpus.items, corpus.vectors)
    tiny = Filters.of(city="aachen", org_type="public", kind="request")
    passing = {m.id for m in corpus.items if m.passes(tiny)}
    for hits in index.search(corpus.queries[:3], 100, tiny):
        assert {h.id for h in hits} == passing
    assert index._search_params(10, 0.01, widest=False)["params"]["nprobe"] == 64
    assert index._search_params(10, 1.0, widest=False)["params"]["nprobe"] == 1


def test_hnsw_close_to_exact(milvus_uri: str, made: list[MilvusIndex], corpus: Corpus) -> None:
    index = _new(made, milvus_uri, cls=FlushingMilvusIndex, index_type="HNSW")
    index.add(corpus.items, corpus.vectors)
    assert _described(index)["index_type"] == "HNSW"
    want = oracle(corpus.items, corpus.vectors, corpus.queries, 10, Filters.of(country="DE"))
    got = index.search(corpus.queries, 10, Filters.of(country="DE"))
    hits = sum(len({h.id for h in g} & {h.id for h in w}) for g, w in zip(got, want, strict=True))
    assert hits / sum(len(w) for w in want) >= 0.95


def test_filter_expression_and_exclusions(
    milvus_uri: str, made: list[MilvusIndex], corpus: Corpus
) -> None:
    index = _new(made, milvus_uri)
    index.add(corpus.items[:200], corpus.vectors[:200])
    excluded = frozenset(m.id for m in corpus.items[:3])
    gone = index._store.excluded_slots(Filters(exclude_ids=excluded))
    expr, n_pass = index._plan(Filters.of(country="DE"), gone)
    slots = sorted(index.slots_of(sorted(excluded)).tolist())
    assert expr == f'country in ["DE"] and pk not in [{", ".join(map(str, slots))}]'
    de = [m for m in corpus.items[:200] if m.country == "DE"]
    assert n_pass == len(de) - sum(1 for m in de if m.id in excluded)
    none = np.zeros(0, dtype=np.int64)
    assert index._plan(None, none) == ("", 200)
    assert index._plan(None, gone) == (f"pk not in [{', '.join(map(str, slots))}]", 197)
    assert index._plan(Filters(city=frozenset()), none)[1] == 0  # answered without asking Milvus


def test_save_load_round_trip(
    milvus_uri: str, made: list[MilvusIndex], corpus: Corpus, tmp_path: Path
) -> None:
    index = _new(made, milvus_uri, collection="saved_one")
    index.add(corpus.items, corpus.vectors)
    index.remove([m.id for m in corpus.items[:10]])
    index.save(tmp_path / "idx")
    manifest = json.loads((tmp_path / "idx" / "manifest.json").read_text())
    assert manifest["backend"] == "milvus" and manifest["collection"] == "saved_one"
    assert manifest["uri"] == milvus_uri and Path(manifest["uri"]).is_absolute()
    assert manifest["milvus_lite"] is True and manifest["count"] == 1990
    assert manifest["milvus_index"] == {"type": "FLAT", "params": {}}
    assert "vectors.npy" not in manifest["files"] and "ids.npy" in manifest["files"]
    assert not any(name.endswith(".pkl") for name in manifest["files"])

    loaded = load_index(tmp_path / "idx", expect_encoder=ENC)
    assert isinstance(loaded, MilvusIndex) and loaded is not index
    assert loaded.collection == "saved_one" and len(loaded) == 1990
    for filters in (None, Filters.of(city="koeln"), Filters.of(country="CN", sector="C")):
        assert_same_hits(
            loaded.search(corpus.queries, 10, filters), index.search(corpus.queries, 10, filters)
        )
    assert (
        loaded.slots_of([corpus.items[20].id]).tolist()
        == index.slots_of([corpus.items[20].id]).tolist()
    )
    np.testing.assert_array_equal(loaded.vector(corpus.items[20].id), corpus.vectors[20])
    loaded.add(corpus.items[:10], corpus.vectors[:10])  # writes go on after a load
    assert len(loaded) == 2000
    (hits,) = loaded.search(corpus.vectors[3], 1)
    assert hits[0].id == corpus.items[3].id


def test_load_refuses_a_stale_or_missing_collection(
    milvus_uri: str, made: list[MilvusIndex], corpus: Corpus, tmp_path: Path
) -> None:
    index = _new(made, milvus_uri)
    index.add(corpus.items[:50], corpus.vectors[:50])
    index.save(tmp_path / "idx")
    index.remove([corpus.items[0].id])  # the collection changes after the save
    with pytest.raises(IndexCorruptError, match="holds 49 entities, the saved id map 50"):
        load_index(tmp_path / "idx")
    index.drop()
    with pytest.raises(IndexCorruptError, match="does not exist"):
        load_index(tmp_path / "idx")
    manifest_path = tmp_path / "idx" / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["uri"] = str(tmp_path / "gone.db")
    manifest_path.write_text(json.dumps(manifest))
    with pytest.raises(IndexCorruptError, match="gone.db named in the manifest is missing"):
        load_index(tmp_path / "idx")


def test_failed_write_is_rolled_back(
    milvus_uri: str, made: list[MilvusIndex], corpus: Corpus, monkeypatch: pytest.MonkeyPatch
) -> None:
    index = _new(made, milvus_uri)
    index.add(corpus.items[:100], corpus.vectors[:100])
    before = index.search(corpus.queries, 5)
    moved = replace(corpus.items[5], city="weihai", country="CN", region="CN-SD")
    client = index._client()

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("milvus is down")

    monkeypatch.setattr(client, "upsert", refuse)
    with pytest.raises(RuntimeError, match="milvus is down"):
        index.add([moved, *corpus.items[100:110]], corpus.vectors[:11])
    monkeypatch.undo()
    assert len(index) == 100 and corpus.items[100].id not in index
    assert index.meta(moved.id) == corpus.items[5]
    assert_same_hits(index.search(corpus.queries, 5), before)


def test_too_long_values_are_refused_before_any_change(
    milvus_uri: str, made: list[MilvusIndex], corpus: Corpus
) -> None:
    index = _new(made, milvus_uri)
    long_city = replace(corpus.items[1], city="x" * 300)
    with pytest.raises(ValueError, match=r"item 1 \(L0000001\): field city longer than 256"):
        index.add([corpus.items[0], long_city], corpus.vectors[:2])
    many = replace(corpus.items[0], sector=tuple(f"C{i}" for i in range(70)))
    with pytest.raises(ValueError, match="70 sector codes"):
        index.add([many], corpus.vectors[:1])
    assert len(index) == 0


def test_missing_pymilvus_names_the_extra(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setitem(sys.modules, "pymilvus", None)  # as if not installed
    index = MilvusIndex(DIM, uri=tmp_path / "isa.db")  # parameters only: no import yet
    items, vectors = basis(1)
    with pytest.raises(ImportError, match=r"isa-match\[scale\]"):
        index.add(items, vectors)
