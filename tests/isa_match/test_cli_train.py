"""``isa-match simulate-decisions`` and ``isa-match train`` on the sample index, in-process."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from isa_match.cli import main
from isa_match.rank.learn import LearnedRanker, read_decisions


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture(scope="module")
def decisions_file(sample_index_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Simulated decisions for the sample pairs, written once as the service's export page."""
    path = tmp_path_factory.mktemp("decisions") / "simulated.json"
    assert main(["simulate-decisions", "--index", str(sample_index_dir), "--out", str(path)]) == 0
    return path


def test_simulate_writes_the_export_layout(decisions_file: Path) -> None:
    page = json.loads(decisions_file.read_text(encoding="utf-8"))
    assert set(page) == {"items", "total", "page", "page_size"}
    first = page["items"][0]
    assert set(first) >= {"listing_id", "suggested_id", "status", "source", "rank", "components"}
    rejected = [x for x in page["items"] if x["status"] == "reject"]
    assert rejected and all(x["reason"] for x in rejected)  # the service requires a reason
    assert len(read_decisions(decisions_file).decisions) == page["total"]


def test_simulate_csv_with_k_and_seed(
    sample_index_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "d.csv"
    code, _, err = run(
        [
            "simulate-decisions",
            "--index",
            str(sample_index_dir),
            "--out",
            str(out),
            "--k",
            "3",
            "--seed",
            "1",
        ],
        capsys,
    )
    assert code == 0 and "wrote" in err
    found = read_decisions(out)
    ranks = [d.rank for d in found.decisions if d.rank is not None]
    assert max(ranks) == 3 and found.summary()["queries"] == 600


def test_train_writes_the_model_and_prints_both_rankers(
    decisions_file: Path,
    sample_index_dir: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = tmp_path / "learned_ranker.json"
    pairs = Path(__file__).resolve().parents[2] / "data" / "sample" / "pairs.jsonl"
    code, stdout, err = run(
        [
            "train",
            "--decisions",
            str(decisions_file),
            "--index",
            str(sample_index_dir),
            "--pairs",
            str(pairs),
            "--out",
            str(out),
        ],
        capsys,
    )
    assert code == 0, err
    assert "hand-set" in stdout and "learned" in stdout
    assert "held-out decisions" in stdout and "labelled pairs of held-out queries" in stdout
    assert "learned weights: dense" in stdout
    assert f"wrote {out}" in err and 'learned = "learned_ranker.json"' in err
    model = LearnedRanker.load(out)
    meta = model.metadata
    assert meta["data"]["source"] == str(decisions_file)
    assert meta["data"]["source_manual"] >= 1
    assert set(meta["metrics"]) == {"heldout_decisions", "pairs_heldout", "pairs_all"}
    assert meta["trained"]["scikit_learn"]


def test_train_json_without_pairs(
    decisions_file: Path,
    sample_index_dir: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = tmp_path / "m.json"
    code, stdout, _ = run(
        [
            "train",
            "--decisions",
            str(decisions_file),
            "--index",
            str(sample_index_dir),
            "--out",
            str(out),
            "--format",
            "json",
            "--test-share",
            "0.5",
            "--seed",
            "3",
        ],
        capsys,
    )
    assert code == 0
    result = json.loads(stdout)
    assert set(result["heldout_decisions"]) == {"hand-set", "learned"}
    assert "pairs_heldout" not in result
    assert result["weights"] == LearnedRanker.load(out).coefficients()


def test_manual_decisions_need_the_index(
    decisions_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(
        ["train", "--decisions", str(decisions_file), "--out", str(tmp_path / "m.json")], capsys
    )
    assert code == 1
    assert "have no components" in err and "--index" in err and "simulated.json, item" in err
    assert "Traceback" not in err
    assert not (tmp_path / "m.json").exists()


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (
            '{"listing_id": "L1", "suggested_id": "L2", "status": "ok"}\n',
            "bad.jsonl, line 1, field 'status': must be 'approve' or 'reject'",
        ),
        (
            '{"listing_id": "L1", "suggested_id": "L2", "status": "approve", '
            '"components": {"dense": 2}}\n',
            "field 'components.dense': components lie in [0, 1]",
        ),
        ("not json\n", "bad.jsonl, line 1: not valid JSON"),
    ],
)
def test_train_bad_decisions(
    tmp_path: Path, content: str, expected: str, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text(content, encoding="utf-8")
    code, _, err = run(
        ["train", "--decisions", str(bad), "--out", str(tmp_path / "m.json")], capsys
    )
    assert code == 1
    assert err.startswith("isa-match train: error:") and expected in err
    assert "Traceback" not in err


def test_train_usage_errors(
    decisions_file: Path, sample_index_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = ["train", "--decisions", str(decisions_file)]
    code, _, err = run([*base, "--out", str(tmp_path / "m.txt")], capsys)
    assert code == 2 and "is a .json file" in err
    code, _, err = run([*base, "--out", str(tmp_path / "no" / "m.json")], capsys)
    assert code == 2 and "no such folder" in err
    code, _, err = run(
        ["train", "--decisions", str(tmp_path / "missing.json"), "--out", str(tmp_path / "m.json")],
        capsys,
    )
    assert code == 1 and "no such file" in err
    pairs = tmp_path / "pairs.jsonl"
    pairs.write_text('{"request": "NOPE", "offer": "L0000009"}\n')
    code, _, err = run(
        [
            *base,
            "--index",
            str(sample_index_dir),
            "--pairs",
            str(pairs),
            "--out",
            str(tmp_path / "m.json"),
        ],
        capsys,
    )
    assert code == 1 and "not in the index: NOPE" in err
    code, _, err = run(
        [*base, "--index", str(tmp_path / "noindex"), "--out", str(tmp_path / "m.json")], capsys
    )
    assert code == 2 and "no such index folder" in err
    for option in (["--test-share", "1.5"], ["--c", "0"], ["--c", "x"]):
        with pytest.raises(SystemExit) as exit_info:
            main([*base, *option])
        assert exit_info.value.code == 2
        assert "Traceback" not in capsys.readouterr().err


def test_simulate_usage_errors(
    sample_index_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = ["simulate-decisions", "--index", str(sample_index_dir)]
    code, _, err = run([*base, "--out", str(tmp_path / "d.parquet")], capsys)
    assert code == 2 and ".json, .jsonl, .csv" in err
    code, _, err = run([*base, "--out", str(tmp_path / "x" / "d.json")], capsys)
    assert code == 2 and "no such folder" in err
    bad_pairs = tmp_path / "p.jsonl"
    bad_pairs.write_text('{"request": "L0000508"}\n')
    code, _, err = run(
        [*base, "--pairs", str(bad_pairs), "--out", str(tmp_path / "d.json")], capsys
    )
    assert code == 1 and "p.jsonl, line 1" in err
    assert not (tmp_path / "d.json").exists()


def test_help_explains_every_option() -> None:
    from isa_match.cli import build_parser

    sub = next(a for a in build_parser()._actions if a.dest == "command")
    for name in ("train", "simulate-decisions"):
        command = sub.choices[name]  # type: ignore[index]
        assert command.description and "%%" not in command.description, name
        for action in command._actions:
            assert action.help, f"{name} {action.option_strings or action.dest}"
