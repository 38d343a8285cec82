"""Project-level checks: the README's two commands, CI and packaging stay in step."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    first_section = text.split("\n## ", 2)[1]
    return re.findall(r"```(?:sh|bash)\n(.+?)\n```", first_section)


def test_readme_first_section_has_exactly_two_commands() -> None:
    commands = _readme_commands()
    assert len(commands) == 2, commands
    assert "isa-match demo" in commands[0]
    assert "pytest" in commands[1]


def test_ci_runs_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    test_command = _readme_commands()[1]
    ci_lines = [line.strip() for line in ci.splitlines()]
    assert test_command.strip() in ci_lines


def test_torch_is_pinned_wherever_it_is_required() -> None:
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    project = meta["project"]
    requirements = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        requirements.extend(extra)
    torch = [r for r in requirements if re.match(r"torch\b", r)]
    assert torch, "sentence-transformers needs torch pinned to the CPU wheel"
    assert all(r == "torch==2.13.0" for r in torch), torch


def test_console_script_is_installed_and_answers_help() -> None:
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert meta["project"]["scripts"]["isa-match"] == "isa_match.cli:main"
    done = subprocess.run(
        [sys.executable, "-m", "isa_match", "--help"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    for command in ("demo", "validate", "stats", "generate"):
        assert command in done.stdout
