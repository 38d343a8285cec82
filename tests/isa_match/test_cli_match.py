"""``isa-match index``, ``suggest``, ``evaluate`` and ``demo``, run in-process on the sample.

One matcher is built per session with the real default encoder (use-m3) on the
whole sample corpus (~20 s); the index commands build small ones (200 listings).
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import tempfile
from datetime import date
from pathlib import Path

import pytest

from isa_match import Listing, load_listings, read_pairs, write_listings
from isa_match.cli import main, sample_paths
from isa_match.rank.matcher import Matcher
from isa_match.stats import display_width

TODAY = date(2026, 11, 1)


def has_cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


@pytest.fixture(scope="module")
def sample() -> list[Listing]:
    return load_listings(sample_paths()[0], today=TODAY).listings


@pytest.fixture(scope="module")
def by_id(sample: list[Listing]) -> dict[str, Listing]:
    return {x.id: x for x in sample}


@pytest.fixture(scope="module")
def index_dir(sample_index_dir: Path) -> Path:
    """The whole sample, real encoder, FAISS, saved to a folder (built once per session)."""
    return sample_index_dir


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def json_lines(out: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in out.splitlines() if line.strip()]


# -- index -----------------------------------------------------------------------


def test_index_from_csv_then_suggest(
    sample: list[Listing], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "listings.csv"
    write_listings(sample[:200], source)
    out = tmp_path / "idx"
    code, stdout, _ = run(
        ["index", str(source), "--out", str(out), "--today", "2026-11-01"], capsys
    )
    assert code == 0
    assert "indexed 200 listings from 1 file(s) with encoder use-m3" in stdout
    matcher = Matcher.load(out)
    assert len(matcher) == 200
    assert matcher.encoder_info.name == "use-m3"
    assert matcher.reference_date == TODAY
    assert matcher.get(sample[0].id) == sample[0]
    code, stdout, _ = run(
        ["suggest", "--index", str(out), "--id", sample[0].id, "--format", "json"], capsys
    )
    assert code == 0
    (line,) = json_lines(stdout)
    ids = [m["id"] for m in line["matches"]]  # type: ignore[union-attr]
    assert ids and set(ids) <= {x.id for x in sample[:200]}


def test_index_from_two_jsonl_files_with_exact_backend(
    sample: list[Listing], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    write_listings(sample[200:300], first)
    write_listings(sample[300:400], second)
    out = tmp_path / "idx"
    argv = ["index", str(first), str(second), "--out", str(out), "--backend", "exact"]
    code, stdout, _ = run(argv, capsys)
    assert code == 0
    assert "indexed 200 listings from 2 file(s)" in stdout and "exact backend" in stdout
    matcher = Matcher.load(out)
    assert {x.id for x in matcher.listings()} == {x.id for x in sample[200:400]}
    # Rebuilding into an existing index folder replaces it.
    code, _, _ = run(["index", str(first), "--out", str(out), "--encoder", "hashing"], capsys)
    assert code == 0
    assert len(Matcher.load(out)) == 100


def test_index_invalid_file_reports_rows_and_writes_nothing(
    sample: list[Listing], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "bad.jsonl"
    write_listings(sample[:3], source)
    rows = [json.loads(line) for line in source.read_text("utf-8").splitlines()]
    rows[1]["city"] = "Kolnn"
    rows[2]["sector"] = "Z9"
    source.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    out = tmp_path / "idx"
    code, _, err = run(["index", str(source), "--out", str(out), "--encoder", "hashing"], capsys)
    assert code == 1
    assert "row 2" in err and "city" in err and "Kolnn" in err and "Köln" in err
    assert "row 3" in err and "sector" in err and "Z9" in err
    assert "Traceback" not in err
    assert not out.exists()
    assert list(tmp_path.iterdir()) == [source]  # no temporary folder left either


def test_index_refuses_to_replace_a_foreign_folder(
    sample: list[Listing], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "ok.jsonl"
    write_listings(sample[:5], source)
    out = tmp_path / "precious"
    out.mkdir()
    (out / "thesis.txt").write_text("do not delete", "utf-8")
    code, _, err = run(["index", str(source), "--out", str(out), "--encoder", "hashing"], capsys)
    assert code == 2
    assert "not an isa-match index folder" in err
    assert (out / "thesis.txt").read_text("utf-8") == "do not delete"


def test_index_bad_encoder_and_config(
    sample: list[Listing], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "ok.jsonl"
    write_listings(sample[:5], source)
    out = str(tmp_path / "idx")
    code, _, err = run(["index", str(source), "--out", out, "--encoder", "nosuch"], capsys)
    assert code == 2 and "unknown encoder 'nosuch'" in err and "use-m3" in err
    bad = tmp_path / "ranking.toml"
    bad.write_text("candidates = 0\n", "utf-8")
    code, _, err = run(["index", str(source), "--out", out, "--config", str(bad)], capsys)
    assert code == 1 and "candidates" in err
    assert not Path(out).exists()


# -- suggest ---------------------------------------------------------------------


def test_suggest_json_lines(
    index_dir: Path, by_id: dict[str, Listing], capsys: pytest.CaptureFixture[str]
) -> None:
    queries = ["L0001164", "L0000403"]
    argv = ["suggest", "--index", str(index_dir), "--id", *queries, "--k", "4"]
    code, out, _ = run([*argv, "--format", "json", "--lang", "zh"], capsys)
    assert code == 0
    lines = json_lines(out)
    assert [line["query"] for line in lines] == queries
    for line in lines:
        query = by_id[str(line["query"])]
        matches = line["matches"]
        assert isinstance(matches, list) and len(matches) == 4
        scores = [m["score"] for m in matches]
        assert scores == sorted(scores, reverse=True)
        for m in matches:
            assert {"id", "score", "reasons", "title", "organization", "city", "components"} <= set(
                m
            )
            assert m["kind"] != query.kind.value  # counterparts
            assert m["title"] == by_id[m["id"]].title
            assert m["reasons"] and all(has_cjk(r) for r in m["reasons"])
            assert has_cjk(m["city"])  # city name in Chinese
            assert 0.0 <= m["components"]["dense"] <= 1.0
    # L0001164 asks for a clean room in Köln; its labelled partner offers one there.
    assert "L0001661" in [m["id"] for m in lines[0]["matches"]]  # type: ignore[union-attr]


def test_suggest_table(
    index_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    argv = ["suggest", "--index", str(index_dir), "--id", "L0001164", "--k", "3"]
    code, out, _ = run(argv, capsys)
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("L0001164 · request · space")
    assert "title" in lines[1] and "organisation" in lines[1] and "city" in lines[1]
    assert lines[2].split()[0] == "1" and "Cologne" in lines[2]
    assert "cross-border" in out or "target place" in out  # English reasons
    assert all(display_width(line) <= 80 for line in lines), out


def test_suggest_csv_in_german(index_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["suggest", "--index", str(index_dir), "--id", "L0001164", "L0000403", "--k", "3"]
    code, out, _ = run([*argv, "--format", "csv", "--lang", "de"], capsys)
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["query"] for r in rows] == ["L0001164"] * 3 + ["L0000403"] * 3
    assert [r["rank"] for r in rows] == ["1", "2", "3"] * 2
    assert rows[0]["city"] == "Köln"  # the place the request names
    assert all(float(r["score"]) > 0 for r in rows)
    assert " | " in rows[0]["reasons"]
    assert any("grenzüberschreitend" in r["reasons"] or "Zielort" in r["reasons"] for r in rows)


def test_suggest_by_text(index_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = "Wir suchen Lithiumcarbonat in Batteriequalität"
    argv = ["suggest", "--index", str(index_dir), "--text", text, "--kind", "request"]
    code, out, _ = run([*argv, "--k", "5", "--format", "json"], capsys)
    assert code == 0
    (line,) = json_lines(out)
    assert line["query"] == text and line["kind"] == "request"
    matches = line["matches"]
    assert isinstance(matches, list) and len(matches) == 5
    assert all(m["kind"] == "offer" for m in matches)
    assert "L0001163" in [m["id"] for m in matches[:3]]  # Lithiumcarbonat in Batteriequalität


def test_suggest_filters_by_alias(
    index_dir: Path, by_id: dict[str, Listing], capsys: pytest.CaptureFixture[str]
) -> None:
    base = ["suggest", "--index", str(index_dir), "--id", "L0000403", "--k", "10", "--format"]
    results = {}
    for city in ("Cologne", "科隆", "köln"):
        code, out, _ = run([*base, "json", "--city", city], capsys)
        assert code == 0
        (line,) = json_lines(out)
        results[city] = [m["id"] for m in line["matches"]]  # type: ignore[union-attr]
    assert results["Cologne"] == results["科隆"] == results["köln"]
    assert results["Cologne"] and all(by_id[i].city == "koeln" for i in results["Cologne"])
    assert "L0000449" in results["Cologne"]  # the labelled partner, in Köln
    code, out, _ = run(
        [*base, "json", "--sector", "c20", "--sector", "M", "--country", "de"], capsys
    )
    assert code == 0
    ids = [m["id"] for m in json_lines(out)[0]["matches"]]  # type: ignore[union-attr]
    assert ids
    for i in ids:
        item = by_id[i]
        assert item.country.value == "DE"
        assert any(code == "C20" or code[0] == "M" for code in item.sector)


def test_suggest_unknown_id(index_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["suggest", "--index", str(index_dir), "--id", "L0000001", "NOPE-1", "NOPE-2"]
    code, out, err = run(argv, capsys)
    assert code == 1
    assert "NOPE-1" in err and "NOPE-2" in err and "L0000001" not in err
    assert out == "" and "Traceback" not in err


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--id", "L0000001", "--city", "Kolne"], "did you mean: Köln"),
        (["--id", "L0000001", "--country", "FR"], "--country: unknown country 'FR'"),
        (["--id", "L0000001", "--category", "prodcut"], "did you mean product"),
        (["--id", "L0000001", "--org-type", "ngo"], "--org-type: unknown org type 'ngo'"),
        (["--id", "L0000001", "--sector", "Z9"], "--sector: unknown NACE code 'Z9'"),
        (["--text", "   ", "--kind", "offer"], "the query text is empty"),
        (["--text", "Lithium"], "--text needs --kind"),
        (["--id", "L0000001", "--kind", "offer"], "--kind goes with --text only"),
    ],
)
def test_suggest_bad_input_is_a_usage_error(
    index_dir: Path, options: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(["suggest", "--index", str(index_dir), *options], capsys)
    assert code == 2
    assert message in err
    assert out == ""


@pytest.mark.parametrize("k", ["0", "-3", "1001", "ten"])
def test_suggest_bad_k(index_dir: Path, k: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["suggest", "--index", str(index_dir), "--id", "L0000001", "--k", k])
    assert exc.value.code == 2
    assert "argument --k" in capsys.readouterr().err


def test_suggest_missing_or_damaged_index(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(["suggest", "--index", str(tmp_path / "none"), "--id", "X"], capsys)
    assert code == 2 and "no such index folder" in err
    (tmp_path / "manifest.json").write_text("{not json", "utf-8")
    code, _, err = run(["suggest", "--index", str(tmp_path), "--id", "X"], capsys)
    assert code == 1 and "cannot use the index" in err


# -- evaluate --------------------------------------------------------------------


@pytest.fixture(scope="module")
def few_pairs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pairs = read_pairs(sample_paths()[1])[::15]  # 20 pairs, every category
    path = tmp_path_factory.mktemp("pairs") / "pairs.jsonl"
    path.write_text("".join(json.dumps({"request": r, "offer": o}) + "\n" for r, o in pairs))
    return path


def test_evaluate_json(
    index_dir: Path, few_pairs: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["evaluate", "--index", str(index_dir), "--pairs", str(few_pairs), "--format", "json"]
    code, out, _ = run(argv, capsys)
    assert code == 0
    (result,) = json_lines(out)
    assert result["pairs"] == 20 and result["queries"] == 40 and result["depth"] == 100
    assert result["today"] == "2026-11-01"  # the index's reference date
    metrics = result["metrics"]
    assert isinstance(metrics, dict) and set(metrics) == {"full", "dense", "lexical"}
    for values in metrics.values():
        assert values["queries"] == 40
        for name in ("recall_at_1", "recall_at_5", "recall_at_10", "mrr", "ndcg_at_10"):
            assert 0.0 <= values[name] <= 1.0
        assert values["recall_at_1"] <= values["recall_at_5"] <= values["recall_at_10"]
    assert metrics["full"]["mrr"] > metrics["dense"]["mrr"]


def test_evaluate_table(
    index_dir: Path, few_pairs: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["evaluate", "--index", str(index_dir), "--pairs", str(few_pairs), "--k", "20"]
    code, out, _ = run(argv, capsys)
    assert code == 0
    assert "20 labelled pairs, both directions (40 queries)" in out and "top 20" in out
    rows = {line.split()[0]: line.split()[1:] for line in out.splitlines() if line.strip()}
    for ranker in ("full", "dense", "lexical"):
        numbers = [float(v) for v in rows[ranker]]
        assert numbers[0] == 40 and all(0.0 <= v <= 1.0 for v in numbers[1:])
    assert "MRR" in rows["ranker"]


def test_evaluate_bad_pairs(
    index_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    unknown = tmp_path / "unknown.jsonl"
    unknown.write_text('{"request": "L0000001", "offer": "GONE-7"}\n', "utf-8")
    code, _, err = run(["evaluate", "--index", str(index_dir), "--pairs", str(unknown)], capsys)
    assert code == 1 and "GONE-7" in err
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"request": "L0000001"}\n', "utf-8")
    code, _, err = run(["evaluate", "--index", str(index_dir), "--pairs", str(broken)], capsys)
    assert code == 1 and "line 1" in err
    code, _, err = run(["evaluate", "--index", str(index_dir), "--pairs", "/no/pairs"], capsys)
    assert code == 2 and "no such file" in err


# -- demo ------------------------------------------------------------------------


def test_demo_reuses_the_cached_sample_index(
    index_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from isa_match.commands import demo_cache_dir
    from isa_match.embed import get_encoder
    from isa_match.rank.config import load_config

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    cached = demo_cache_dir(sample_paths()[0], load_config(None), get_encoder("use-m3"))
    assert cached.parent == tmp_path / "isa_match"
    shutil.copytree(index_dir, cached)
    code, out, _ = run(["demo", "--lang", "zh"], capsys)
    assert code == 0
    assert "2000 listings, 0 errors" in out
    assert "200 of them expired on 2026-11-01" in out  # the default --today
    assert "C 制造业" in out
    assert f"reused from {cached}" in out
    assert out.count("labelled partner") == 5
    assert "共同关键词" in out or "跨境" in out  # reasons in Chinese
    table = {line.split()[0]: line.split()[1:] for line in out.splitlines()[-3:]}
    assert set(table) == {"full", "dense", "lexical"}
    assert table["full"][0] == "600"


def test_demo_cache_folder_follows_the_learned_ranker_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The saved index keeps a copy of the learned ranker: a retrained file under the
    same name must not reuse an index ranked by the old one."""
    from dataclasses import replace

    import isa_match.rank.config as config_module
    from isa_match import commands
    from isa_match.embed import get_encoder
    from isa_match.rank.config import load_config

    plain = load_config(None)
    learned = replace(plain, learned="ranker.json")
    listings, encoder = sample_paths()[0], get_encoder("use-m3")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(config_module, "models_dir", lambda: tmp_path)  # models/ is here
    model = tmp_path / "ranker.json"

    without = commands.demo_cache_dir(listings, plain, encoder)
    missing = commands.demo_cache_dir(listings, learned, encoder)
    model.write_text('{"weights": 1}', encoding="utf-8")
    first = commands.demo_cache_dir(listings, learned, encoder)
    assert commands.demo_cache_dir(listings, learned, encoder) == first  # stable
    model.write_text('{"weights": 2}', encoding="utf-8")
    second = commands.demo_cache_dir(listings, learned, encoder)
    assert len({without, missing, first, second}) == 4
    assert second.parent == tmp_path / "cache" / "isa_match"


@pytest.fixture()
def small_sample(
    sample: list[Listing], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[Path, Path]:
    """A 120-listing sample with 30 of its pairs, installed as the demo's sample."""
    pairs = read_pairs(sample_paths()[1])[:30]
    wanted = {i for pair in pairs for i in pair}
    chosen = [x for x in sample if x.id in wanted]
    chosen += [x for x in sample if x.id not in wanted][: 120 - len(chosen)]
    listings, pairs_path = tmp_path / "listings.jsonl", tmp_path / "pairs.jsonl"
    write_listings(chosen, listings)
    pairs_path.write_text("".join(json.dumps({"request": r, "offer": o}) + "\n" for r, o in pairs))
    monkeypatch.setattr("isa_match.commands.sample_paths", lambda: (listings, pairs_path))
    return listings, pairs_path


def test_demo_builds_falls_back_to_a_temp_dir_and_rebuilds_a_damaged_cache(
    small_sample: tuple[Path, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    not_a_dir = tmp_path / "cache-is-a-file"
    not_a_dir.write_text("", "utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(not_a_dir))
    temp = tmp_path / "tmp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))

    code, out, err = run(["demo", "--today", "2026-11-01"], capsys)
    assert code == 0
    assert "building the sample index" in err
    assert "index: built in" in out and str(temp) in out
    (folder,) = (p for p in temp.rglob("demo-*") if p.is_dir())
    assert len(Matcher.load(folder)) == 120
    assert "Suggestions for 5 sample requests" in out and "C Manufacturing" in out
    assert out.count("labelled partner") == 5

    code, out, err = run(["demo"], capsys)
    assert code == 0 and f"reused from {folder}" in out and "building" not in err

    (folder / "manifest.json").write_text("{damaged", "utf-8")
    code, out, err = run(["demo"], capsys)
    assert code == 0
    assert "the cached one was unusable" in err and "index: built in" in out
    assert len(Matcher.load(folder)) == 120
