"""The ``isa-match`` command: validation report, statistics, generation, bad input.

The matching commands and the demo are tested in ``test_cli_match.py``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from isa_match.cli import main

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


@pytest.mark.parametrize(
    "argv",
    [
        ["generate", "--n", "0", "--out", "x"],
        ["demo", "--today", "soon"],
        ["nope"],
        ["index", "--out", "x"],
        ["suggest", "--index", "x", "--id", "L1", "--k", "0"],
        ["suggest", "--index", "x"],
        ["suggest", "--index", "x", "--id", "L1", "--city", "Kolne"],
        ["suggest", "--index", "/nonexistent/index", "--id", "L1"],
        ["suggest", "--index", "x", "--text", "", "--kind", "offer"],
        ["evaluate", "--index", "x"],
        ["evaluate", "--index", "x", "--pairs", "p.jsonl", "--k", "5"],
    ],
)
def test_bad_arguments_give_usage_errors_without_traceback(argv: list[str]) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "isa_match", *argv], capture_output=True, text=True, check=False
    )
    assert done.returncode == 2, argv
    assert "Traceback" not in done.stderr
    assert "error" in done.stderr


def test_help_explains_every_option() -> None:
    from isa_match.cli import build_parser

    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    for name in ("index", "suggest", "evaluate", "demo"):
        command = sub.choices[name]  # type: ignore[index]
        assert command.description, name
        for action in command._actions:
            assert action.help, f"{name} {action.option_strings or action.dest}"
