"""``isa-match index --backend milvus`` and ``suggest`` against Milvus Lite, in-process.

(``--ray`` is tested with a local Ray instance in ``test_ray_encode.py``.)
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest
from sample_helpers import SAMPLE, TODAY

from isa_match import load_listings, write_listings
from isa_match.cli import main


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli-scale") / "listings.jsonl"
    write_listings(load_listings(SAMPLE / "listings.jsonl", today=TODAY).listings[:200], path)
    return path


@pytest.fixture
def lite() -> None:
    for module in ("pymilvus", "milvus_lite"):
        if importlib.util.find_spec(module) is None:
            reason = f"{module} is not installed (pip install 'isa-match[scale]')"
            print(f"skipping: {reason}")
            pytest.skip(reason)


def _index(source: Path, out: Path, *extra: str) -> list[str]:
    return ["index", str(source), "--out", str(out), "--encoder", "hashing", "--today",
            TODAY.isoformat(), *extra]  # fmt: skip


def _collections(uri: Path) -> list[str]:
    from pymilvus import MilvusClient

    client = MilvusClient(str(uri))
    try:
        return sorted(client.list_collections())
    finally:
        client.close()


def test_index_and_suggest_through_milvus_equal_faiss(
    lite: None, source: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    uri = tmp_path / "data" / "isa.db"
    assert main(_index(source, tmp_path / "f")) == 0
    assert (
        main(_index(source, tmp_path / "m", "--backend", "milvus", "--milvus-uri", str(uri))) == 0
    )
    out = capsys.readouterr().out
    assert "milvus backend (Milvus collection isa_m_" in out
    manifest = json.loads((tmp_path / "m" / "dense" / "manifest.json").read_text())
    assert manifest["uri"] == str(uri) and _collections(uri) == [manifest["collection"]]
    ids = ["L0000001", "L0000050", "L0000120"]
    args = ["suggest", "--id", *ids, "--format", "json", "--country", "CN"]
    assert main([*args, "--index", str(tmp_path / "f")]) == 0
    want = capsys.readouterr().out
    assert main([*args, "--index", str(tmp_path / "m")]) == 0
    got = capsys.readouterr().out
    assert [json.loads(line) for line in got.splitlines()] == [
        json.loads(line) for line in want.splitlines()
    ]
    # a rebuild into the same folder gets a new collection and drops the replaced one
    assert (
        main(_index(source, tmp_path / "m", "--backend", "milvus", "--milvus-uri", str(uri))) == 0
    )
    err = capsys.readouterr().err
    assert f"dropped the replaced Milvus collection {manifest['collection']}" in err
    again = json.loads((tmp_path / "m" / "dense" / "manifest.json").read_text())
    assert _collections(uri) == [again["collection"]] != [manifest["collection"]]


def test_misplaced_options_are_refused(
    source: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # `--ray FILE`: the optional address swallowed a listing file; nothing may go unindexed
    argv = ["index", "--out", str(tmp_path / "m"), "--encoder", "hashing", "--ray", str(source)]
    assert main([*argv, str(source)]) == 2
    assert "put the listing files before --ray" in capsys.readouterr().err
    assert main(_index(source, tmp_path / "m", "--milvus-uri", str(tmp_path / "x.db"))) == 2
    assert "--milvus-uri goes with --backend milvus" in capsys.readouterr().err
    assert not (tmp_path / "m").exists()


def test_milvus_uri_errors(
    lite: None, source: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(_index(source, tmp_path / "m", "--backend", "milvus", "--milvus-uri", "isa.sqlite"))
    assert code == 2 and "--milvus-uri" in capsys.readouterr().err
    assert not (tmp_path / "m").exists()
    uri = tmp_path / "isa.db"
    assert (
        main(_index(source, tmp_path / "m", "--backend", "milvus", "--milvus-uri", str(uri))) == 0
    )
    capsys.readouterr()
    suggest = ["suggest", "--index", str(tmp_path / "m"), "--id", "L0000001"]
    assert main([*suggest, "--milvus-uri", "nowhere"]) == 2
    assert "ending in .db" in capsys.readouterr().err
    assert main([*suggest, "--milvus-uri", str(tmp_path / "moved.db")]) == 1
    assert "moved.db named in the manifest is missing" in capsys.readouterr().err
    assert main([*suggest, "--milvus-uri", str(uri), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["query"] == "L0000001"


def test_missing_pymilvus_is_a_clear_error(
    source: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "pymilvus", None)  # as if not installed
    code = main(_index(source, tmp_path / "m", "--backend", "milvus"))
    err = capsys.readouterr().err
    assert code == 1 and "isa-match[scale]" in err and "cannot build the index" in err
    assert not (tmp_path / "m").exists()
