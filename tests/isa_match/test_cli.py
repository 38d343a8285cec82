"""The ``isa-match`` command: main job, validation report, statistics, generation, bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from isa_match.cli import main, sample_paths

GOOD = {
    "id": "T-1",
    "kind": "request",
    "category": "product",
    "title": "Lithiumcarbonat in Batteriequalität gesucht",
    "description": "Wir suchen 20 t pro Monat.",
    "organization": "Rheinland Kathoden GmbH",
    "org_type": "company",
    "city": "Köln",
    "sector": "C20",
    "created_at": "2026-01-05",
}


def write_jsonl(path: Path, rows: list[dict[str, str]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return path


def test_demo_runs_on_the_embedded_sample(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--today", "2026-11-01"]) == 0
    out = capsys.readouterr().out
    listings, _ = sample_paths()
    total = sum(1 for line in listings.read_text("utf-8").splitlines() if line.strip())
    assert f"{total} listings, 0 errors" in out
    assert "expired before 2026-11-01" in out  # warnings are shown, judged on --today
    assert "labelled request/offer pairs" in out
    assert "C Manufacturing" in out


def test_demo_labels_follow_the_language(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--lang", "zh", "--today", "2026-11-01"]) == 0
    out = capsys.readouterr().out
    assert "制造业" in out


def test_validate_reports_each_bad_row_and_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad_city = dict(GOOD, id="T-2", city="Kolnn")
    bad_sector = dict(GOOD, id="T-3", sector="Z9")
    path = write_jsonl(tmp_path / "mixed.jsonl", [GOOD, bad_city, bad_sector])
    assert main(["validate", str(path)]) == 1
    out = capsys.readouterr().out
    assert "line 2" in out or "row 2" in out
    assert "city" in out and "Kolnn" in out and "Köln" in out
    assert "sector" in out and "Z9" in out
    assert "1 valid listing(s), 2 error(s)" in out


def test_validate_json_lines(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_jsonl(tmp_path / "one.jsonl", [dict(GOOD, created_at="yesterday")])
    assert main(["validate", "--format", "json", str(path)]) == 1
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert lines[0]["field"] == "created_at"
    assert lines[-1] == {"files": [str(path)], "valid": 0, "errors": 1}


def test_validate_clean_file_exits_zero(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_jsonl(tmp_path / "ok.jsonl", [GOOD])
    assert main(["validate", str(path)]) == 0
    assert "1 valid listing(s), 0 error(s)" in capsys.readouterr().out


def test_stats_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_jsonl(tmp_path / "ok.jsonl", [GOOD, dict(GOOD, id="T-9", city="佛山")])
    assert main(["stats", "--format", "json", str(path)]) == 0
    stats = json.loads(capsys.readouterr().out)
    assert stats["total"] == 2
    assert stats["by_country"] == {"CN": 1, "DE": 1}
    assert stats["by_section"] == {"C": 2}


def test_stats_refuses_invalid_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_jsonl(tmp_path / "bad.jsonl", [dict(GOOD, kind="maybe")])
    assert main(["stats", str(path)]) == 1
    err = capsys.readouterr().err
    assert "kind" in err and "maybe" in err


def test_missing_file_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "/nonexistent/listings.csv"]) == 2
    assert "no such file" in capsys.readouterr().err


def test_generate_writes_a_loadable_corpus(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "gen"
    assert main(["generate", "--n", "300", "--seed", "3", "--out", str(out)]) == 0
    assert (out / "listings.jsonl").exists() and (out / "pairs.jsonl").exists()
    capsys.readouterr()
    assert main(["validate", str(out / "listings.jsonl")]) == 0
    assert "300 valid listing(s), 0 error(s)" in capsys.readouterr().out


def test_bad_arguments_give_usage_errors_without_traceback() -> None:
    for argv in (["generate", "--n", "0", "--out", "x"], ["demo", "--today", "soon"], ["nope"]):
        done = subprocess.run(
            [sys.executable, "-m", "isa_match", *argv], capture_output=True, text=True, check=False
        )
        assert done.returncode == 2, argv
        assert "Traceback" not in done.stderr
        assert "error" in done.stderr
