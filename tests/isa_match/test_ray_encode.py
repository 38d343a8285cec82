"""Batch encoding as a Ray Data job on a local Ray instance (started once for the module).

Also ``isa-match index --ray`` (with ``--backend milvus``) end to end, against
the same index built without Ray.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from sample_helpers import SAMPLE, TODAY

from isa_match import Listing, load_listings, write_listings
from isa_match.cli import main
from isa_match.embed import get_encoder
from isa_match.embed import ray_encode as ray_encode_module
from isa_match.embed.ray_encode import (
    document_vectors,
    encode_shards,
    load_embeddings,
    stage_texts,
)
from isa_match.rank.config import load_config
from isa_match.rank.matcher import Matcher

# Ray Data's own deprecation notices about its context defaults
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def _missing(*modules: str) -> str | None:
    for module in modules:
        if importlib.util.find_spec(module) is None:
            return f"{module} is not installed (pip install 'isa-match[scale]')"
    return None


@pytest.fixture(scope="module")
def ray_local() -> Iterator[None]:
    """A local Ray instance on this machine's 2 cores (what ``--ray`` alone starts)."""
    reason = _missing("ray")
    if reason is not None:
        print(f"skipping the Ray tests: {reason}")
        pytest.skip(reason)
    import ray

    options = {
        "address": "local",  # a new instance, never another job's cluster on this machine
        "num_cpus": 2,
        "include_dashboard": False,
        "object_store_memory": 256 * 2**20,
        "log_to_driver": False,
        "configure_logging": False,
    }
    try:
        ray.init(**options)
    except Exception as exc:  # noqa: BLE001 - seen once under load 5: start it once more
        print(f"ray.init failed ({exc!r}); retrying once")
        ray.shutdown()
        ray.init(**options)
    yield
    ray.shutdown()


@pytest.fixture(scope="module")
def listings() -> list[Listing]:
    return load_listings(SAMPLE / "listings.jsonl", today=TODAY).listings[:300]


def _rows(items: list[Listing]) -> list[tuple[str, str, str]]:
    return [(x.id, x.text, x.title) for x in items]


def test_ray_vectors_equal_the_in_process_index(
    ray_local: None, listings: list[Listing], tmp_path: Path
) -> None:
    # hashing is independent of batch composition: the two paths agree bit for bit
    matcher = Matcher.build(listings, encoder="hashing", backend="exact", reference_date=TODAY)
    shards = stage_texts(_rows(listings), tmp_path / "texts", rows_per_shard=100)
    assert [p.name for p in shards] == [f"texts-0000{i}.parquet" for i in range(3)]
    report = encode_shards(
        shards,
        tmp_path / "emb",
        encoder=matcher.encoder,
        title_weight=matcher.config.title_weight,
    )
    assert (report.rows, report.shards, report.actors) == (300, 3, 2)
    manifest = json.loads((tmp_path / "emb" / "manifest.json").read_text())
    assert manifest["encoder"] == {"name": "hashing", "version": matcher.encoder.version}
    ids = [x.id for x in listings]
    got = load_embeddings(tmp_path / "emb", ids[::-1], encoder=matcher.encoder)[::-1]
    assert np.array_equal(got, matcher.dense.vectors(ids))


def test_use_m3_on_ray_is_deterministic_and_matches_in_process(
    ray_local: None, listings: list[Listing], tmp_path: Path
) -> None:
    items = listings[:96]
    title_weight = load_config(None).title_weight
    encoder = get_encoder("use-m3", workers=1)
    shards = stage_texts(_rows(items), tmp_path / "texts", rows_per_shard=32)
    ids = [x.id for x in items]
    runs = []
    for actors in (2, 1):
        out = tmp_path / f"emb{actors}"
        encode_shards(shards, out, encoder=encoder, title_weight=title_weight, actors=actors)
        runs.append(load_embeddings(out, ids, encoder=encoder))
    assert np.array_equal(runs[0], runs[1])  # the cluster's size does not change a bit
    per_shard = np.vstack(
        [
            document_vectors(
                encoder,
                [x.text for x in items[i : i + 32]],
                [x.title for x in items[i : i + 32]],
                title_weight,
            )
            for i in range(0, 96, 32)
        ]
    )
    assert np.array_equal(runs[0], per_shard)  # the same shard encoded in this process
    # Matcher.encode_listings batches all 96 texts together: use-m3 pads per batch, so
    # the last bits depend on a text's batch neighbours (not on the path)
    whole = Matcher.build(items, encoder=encoder, backend="exact", reference_date=TODAY)
    assert np.abs(runs[0] - whole.dense.vectors(ids)).max() < 1e-6


def test_shards_and_embeddings_are_checked(listings: list[Listing], tmp_path: Path) -> None:
    encoder = get_encoder("hashing")
    jsonl = tmp_path / "s.jsonl"
    jsonl.write_text(json.dumps({"id": "a", "text": "Hallo Welt"}) + "\n")
    with pytest.raises(ValueError, match="missing column"):
        ray_encode_module.encode_shard_file(encoder, str(jsonl), str(tmp_path / "o.parquet"), 0.5)
    done = ray_encode_module.encode_shard_file(
        encoder, str(jsonl), str(tmp_path / "o.parquet"), 0.0
    )
    assert done["rows"] == 1 and done["dim"] == encoder.dim
    shard = stage_texts(_rows(listings[:4]), tmp_path / "t")[0]
    out = tmp_path / "emb"
    out.mkdir()
    ray_encode_module.encode_shard_file(encoder, str(shard), str(out / "x.emb.parquet"), 0.5)
    manifest = {
        "kind": "isa-match embeddings",
        "encoder": {"name": encoder.name, "version": encoder.version},
        "dim": encoder.dim,
        "rows": 4,
        "shards": [{"source": str(shard), "file": "x.emb.parquet", "rows": 4}],
    }
    (out / "manifest.json").write_text(json.dumps(manifest))
    ids = [x.id for x in listings[:4]]
    assert load_embeddings(out, ids, encoder=encoder).shape == (4, encoder.dim)
    with pytest.raises(ValueError, match="no vectors for 1 id"):
        load_embeddings(out, [*ids, "L9999999"], encoder=encoder)
    with pytest.raises(ValueError, match="not being indexed"):
        load_embeddings(out, ids[:3], encoder=encoder)
    with pytest.raises(ValueError, match="encoded with"):
        load_embeddings(out, ids, encoder=get_encoder("hashing:64"))


def test_missing_ray_names_the_extra(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)  # as if not installed
    with pytest.raises(ImportError, match=r"isa-match\[scale\]"):
        encode_shards([], tmp_path, encoder=get_encoder("hashing"), title_weight=0.5)


def test_cli_index_with_ray_and_milvus_equals_plain_build(
    ray_local: None,
    listings: list[Listing],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    if _missing("pymilvus", "milvus_lite"):
        print(f"skipping the Milvus part: {_missing('pymilvus', 'milvus_lite')}")
        pytest.skip("pymilvus / milvus-lite not installed")
    source = tmp_path / "listings.parquet"
    write_listings(listings[:200], source)
    common = [str(source), "--encoder", "hashing", "--today", TODAY.isoformat()]
    uri = str(tmp_path / "isa.db")
    assert main(["index", *common, "--out", str(tmp_path / "plain")]) == 0
    code = main(
        ["index", *common, "--out", str(tmp_path / "scaled"), "--ray"]
        + ["--backend", "milvus", "--milvus-uri", uri]
    )
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "Ray encoded 200 listings with 1 encoder(s)" in err and "milvus backend" in out
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "isa.db",
        "listings.parquet",
        "plain",
        "scaled",
    ]
    plain, scaled = Matcher.load(tmp_path / "plain"), Matcher.load(tmp_path / "scaled")
    ids = [x.id for x in listings[:200]]
    assert np.array_equal(scaled.dense.vectors(ids), plain.dense.vectors(ids))
    for item_id in ids[:40:4]:
        assert [m.id for m in scaled.suggest(item_id)] == [m.id for m in plain.suggest(item_id)]
