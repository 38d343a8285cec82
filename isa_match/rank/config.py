"""The ranking configuration: component weights and retrieval settings.

A config is a TOML (or JSON) file; ``models/ranking.toml`` is the shipped default
that the command, the service and the notebooks all read. Unknown keys and
out-of-range values are errors naming the key, never silently ignored.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Literal

from isa_match._paths import models_dir

COMPONENTS = (
    "dense",
    "lexical",
    "sector",
    "category",
    "cross_border",
    "location",
    "freshness",
    "reciprocity",
)
"""The weighted scoring components, in the order they are shown (``location_mismatch``,
the penalty, comes on top)."""

DEFAULT_CONFIG_NAME = "ranking.toml"


class ConfigError(ValueError):
    """A ranking configuration file or value is invalid."""


@dataclass(frozen=True, slots=True)
class Weights:
    """Weight of each component in the final score (a weighted sum of [0, 1] components).

    ``location_mismatch`` is a penalty (subtracted) when one side names a target
    place and the other side is elsewhere.
    """

    dense: float = 1.0
    lexical: float = 0.05
    sector: float = 0.3
    category: float = 5.0
    cross_border: float = 8.0
    location: float = 1.0
    freshness: float = 0.05
    reciprocity: float = 0.05
    location_mismatch: float = 50.0


@dataclass(frozen=True, slots=True)
class RankConfig:
    """Everything that shapes a ranking; see ``models/ranking.toml`` for documentation.

    Attributes:
        weights: component weights.
        fusion: ``"weighted"`` (normalised scores, weighted sum) or ``"rrf"``
            (reciprocal-rank fusion of the dense and lexical ranks, then the other
            components as a weighted sum).
        rrf_k: the constant of reciprocal-rank fusion.
        candidates: how many candidates each retriever (dense, lexical) returns
            before ranking; ranking never touches more than twice this.
        cross_border: ``"prefer"`` (a component), ``"require"`` (a hard filter) or
            ``"ignore"`` (weight 0).
        cooperation_peers: cooperation listings may match cooperation listings of
            the same kind.
        max_per_org: at most this many suggestions per organisation.
        duplicate_cosine: candidates of one organisation whose vectors are at least
            this similar are near duplicates; only the best is shown.
        half_life_days: freshness halves with this age.
        bm25_k1, bm25_b: BM25 parameters.
        title_weight: the dense vector of a listing is the normalised sum of its
            title vector times this weight and its title+description vector.
        encoder: the default encoder name for building.
        learned: optional learned-ranker file (relative to the config file's
            folder) whose score replaces the weighted sum (``isa-match train``,
            :mod:`isa_match.rank.learn`).
    """

    weights: Weights = field(default_factory=Weights)
    fusion: Literal["weighted", "rrf"] = "weighted"
    rrf_k: int = 60
    candidates: int = 100
    cross_border: Literal["prefer", "require", "ignore"] = "prefer"
    cooperation_peers: bool = True
    max_per_org: int = 2
    duplicate_cosine: float = 0.97
    half_life_days: float = 365.0
    bm25_k1: float = 1.2
    bm25_b: float = 0.75
    title_weight: float = 1.0
    encoder: str = "use-m3"
    learned: str | None = None

    def __post_init__(self) -> None:
        checks: list[tuple[bool, str]] = [
            (self.fusion in ("weighted", "rrf"), "fusion must be 'weighted' or 'rrf'"),
            (self.rrf_k > 0, "rrf_k must be positive"),
            (1 <= self.candidates <= 10_000, "candidates must be between 1 and 10000"),
            (
                self.cross_border in ("prefer", "require", "ignore"),
                "cross_border must be 'prefer', 'require' or 'ignore'",
            ),
            (self.max_per_org >= 1, "max_per_org must be at least 1"),
            (0.0 < self.duplicate_cosine <= 1.0, "duplicate_cosine must be in (0, 1]"),
            (self.half_life_days > 0, "half_life_days must be positive"),
            (self.bm25_k1 >= 0, "bm25_k1 must be >= 0"),
            (0.0 <= self.bm25_b <= 1.0, "bm25_b must be in [0, 1]"),
            (self.title_weight >= 0, "title_weight must be >= 0"),
            (bool(self.encoder), "encoder must name an encoder"),
        ]
        for ok, message in checks:
            if not ok:
                raise ConfigError(message)
        for f in fields(Weights):
            value = getattr(self.weights, f.name)
            if not isinstance(value, int | float) or value < 0:
                raise ConfigError(f"weights.{f.name} must be a number >= 0, got {value!r}")

    # -- (de)serialisation ---------------------------------------------------

    def as_dict(self) -> dict[str, Any]:
        """JSON/TOML-ready form (``learned`` left out when unset)."""
        data = asdict(self)
        if data["learned"] is None:
            del data["learned"]
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, source: str = "config") -> RankConfig:
        """Build from a mapping; unknown keys and wrong types raise :class:`ConfigError`."""
        if not isinstance(data, Mapping):
            raise ConfigError(f"{source}: expected a table of settings")
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ConfigError(
                f"{source}: unknown setting(s) {', '.join(unknown)}; "
                f"known: {', '.join(sorted(known))}"
            )
        values = dict(data)
        raw_weights = values.pop("weights", {})
        if not isinstance(raw_weights, Mapping):
            raise ConfigError(f"{source}: [weights] must be a table")
        weight_names = {f.name for f in fields(Weights)}
        bad = sorted(set(raw_weights) - weight_names)
        if bad:
            raise ConfigError(
                f"{source}: unknown weight(s) {', '.join(bad)}; "
                f"known: {', '.join(sorted(weight_names))}"
            )
        for name, value in raw_weights.items():
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ConfigError(f"{source}: weights.{name} must be a number, got {value!r}")
        defaults = cls()
        for f in fields(cls):
            if f.name == "learned" and f.name in values:
                if not isinstance(values["learned"], str) or not values["learned"]:
                    raise ConfigError(
                        f"{source}: learned must be a file name, got {values['learned']!r}"
                    )
            elif f.name in values:
                expected = type(getattr(defaults, f.name))
                value = values[f.name]
                if expected is float and isinstance(value, int) and not isinstance(value, bool):
                    values[f.name] = float(value)
                elif not isinstance(value, expected) or (
                    expected is int and isinstance(value, bool)
                ):
                    raise ConfigError(
                        f"{source}: {f.name} must be {expected.__name__}, got {value!r}"
                    )
        try:
            return cls(weights=Weights(**{k: float(v) for k, v in raw_weights.items()}), **values)
        except ConfigError as exc:
            raise ConfigError(f"{source}: {exc}") from None

    @classmethod
    def load(cls, path: str | Path) -> RankConfig:
        """Read a ``.toml`` or ``.json`` config file."""
        path = Path(path)
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise ConfigError(f"cannot read ranking config {path}: {exc.strerror or exc}") from exc
        try:
            if path.suffix.lower() == ".json":
                data = json.loads(raw.decode("utf-8"))
            else:
                data = tomllib.loads(raw.decode("utf-8"))
        except (ValueError, UnicodeDecodeError) as exc:
            raise ConfigError(
                f"{path}: not valid {path.suffix.lstrip('.') or 'TOML'}: {exc}"
            ) from exc
        return cls.from_dict(data, source=str(path))

    def with_weights(self, **weights: float) -> RankConfig:
        """A copy with some weights changed (for tuning)."""
        return replace(self, weights=replace(self.weights, **weights))


def default_config_path() -> Path:
    """``models/ranking.toml`` (in a wheel: ``isa_match/_data/models/ranking.toml``)."""
    return models_dir() / DEFAULT_CONFIG_NAME


def load_config(config: RankConfig | str | Path | None = None) -> RankConfig:
    """A :class:`RankConfig` from an object, a file path, or the shipped default.

    ``None`` reads ``models/ranking.toml`` when it exists and falls back to the
    built-in defaults otherwise.
    """
    if isinstance(config, RankConfig):
        return config
    if config is None:
        path = default_config_path()
        return RankConfig.load(path) if path.exists() else RankConfig()
    return RankConfig.load(config)
