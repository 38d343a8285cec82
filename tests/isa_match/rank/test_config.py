"""The ranking configuration file: defaults, validation, round trip."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from isa_match.rank.config import (
    ConfigError,
    RankConfig,
    Weights,
    default_config_path,
    load_config,
)


def test_shipped_file_equals_builtin_defaults() -> None:
    assert default_config_path().exists()
    assert load_config() == RankConfig()
    assert load_config(default_config_path()) == RankConfig()


def test_toml_and_json_round_trip(tmp_path: Path) -> None:
    cfg = RankConfig(candidates=50, fusion="rrf").with_weights(lexical=0.7)
    path = tmp_path / "c.json"
    path.write_text(json.dumps(cfg.as_dict()), encoding="utf-8")
    assert RankConfig.load(path) == cfg
    toml = tmp_path / "c.toml"
    toml.write_text('candidates = 50\nfusion = "rrf"\n[weights]\nlexical = 0.7\n', encoding="utf-8")
    loaded = RankConfig.load(toml)
    assert loaded.candidates == 50 and loaded.fusion == "rrf"
    assert loaded.weights == Weights(lexical=0.7)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("candidate = 5\n", "unknown setting.*candidate"),
        ("[weights]\ndense_sim = 1\n", "unknown weight.*dense_sim"),
        ("[weights]\ndense = -1\n", "weights.dense must be a number >= 0"),
        ('[weights]\ndense = "high"\n', "weights.dense must be a number"),
        ('candidates = "many"\n', "candidates must be int"),
        ("candidates = 0\n", "candidates must be between"),
        ('fusion = "max"\n', "fusion must be"),
        ('cross_border = "always"\n', "cross_border must be"),
        ("max_per_org = true\n", "max_per_org must be int"),
        ("duplicate_cosine = 1.5\n", "duplicate_cosine"),
        ("candidates = \n", "not valid"),
    ],
)
def test_bad_files_name_the_setting(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message) as err:
        RankConfig.load(path)
    assert str(path) in str(err.value)


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read ranking config"):
        load_config(tmp_path / "nope.toml")


def test_ints_are_accepted_for_floats() -> None:
    cfg = RankConfig.from_dict({"half_life_days": 200, "weights": {"dense": 2}})
    assert cfg.half_life_days == 200.0 and cfg.weights.dense == 2.0
