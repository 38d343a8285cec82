"""The learned ranker's model file: a linear model over the ranking components, as JSON.

Written by :func:`isa_match.rank.learn.train` / ``isa-match train``, read by
:meth:`LearnedRanker.load` and, through a ranking config's ``learned`` key,
by :func:`load_for_config`. No pickle: the file holds one weight per
component plus metadata, and scoring is a numpy dot product.
"""

from __future__ import annotations

import json
import math
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from isa_match.rank.config import (
    COMPONENTS,
    DEFAULT_CONFIG_NAME,
    ConfigError,
    default_config_path,
)

FloatArray = npt.NDArray[np.float64]

FEATURES = (*COMPONENTS, "location_mismatch")
"""The model's inputs: :data:`isa_match.rank.tune.FEATURES` (defined here too, so that
the matcher can load a model without importing the tuning code)."""

KIND = "isa_match.learned_ranker"
FORMAT = 1
MODEL = "pairwise-logistic"
LEARNED_FILE = "learned_ranker.json"
"""The default model file name in ``models/`` (config key ``learned``)."""


class LearnedRankerError(ConfigError):
    """A learned-ranker file is missing, malformed or does not fit this version."""


@dataclass(frozen=True, slots=True)
class LearnedRanker:
    """A linear ranking model over the components: ``score = X @ weights + bias``.

    Attributes:
        weights: one weight per feature, in :data:`FEATURES` order (the
            ``location_mismatch`` weight is negative: a penalty).
        bias: a constant (it does not change any ranking).
        metadata: training summary, parameters, metrics and versions.
    """

    weights: FloatArray
    bias: float = 0.0
    metadata: Mapping[str, Any] = field(default_factory=dict)

    @property
    def features(self) -> tuple[str, ...]:
        """The component names the model reads."""
        return FEATURES

    @property
    def reciprocity_bound(self) -> float:
        """The most the reciprocity component (in [0, 1]) can move a score: ``|w|``.

        Exact reciprocity pruning in :func:`isa_match.rank._rank.components`
        uses this in place of ``weights.reciprocity``.
        """
        return abs(float(self.weights[FEATURES.index("reciprocity")]))

    def coefficients(self) -> dict[str, float]:
        """The weights by feature name."""
        return {f: float(w) for f, w in zip(FEATURES, self.weights, strict=True)}

    def score(self, comps: Mapping[str, FloatArray]) -> FloatArray:
        """Scores of candidates from their component arrays (as ``_rank.components`` returns).

        Raises:
            ValueError: a component is missing or the arrays differ in length.
        """
        missing = [f for f in FEATURES if f not in comps]
        if missing:
            raise ValueError(f"the learned ranker needs the component(s) {', '.join(missing)}")
        n = len(comps[FEATURES[0]])
        total = np.full(n, self.bias, dtype=np.float64)
        for name, w in zip(FEATURES, self.weights, strict=True):
            values = np.asarray(comps[name], dtype=np.float64)
            if values.shape != (n,):
                raise ValueError(f"component {name!r} has shape {values.shape}, expected ({n},)")
            total += float(w) * values
        return total

    def score_matrix(self, X: FloatArray) -> FloatArray:
        """Scores of the rows of a feature matrix (columns in :data:`FEATURES` order)."""
        out: FloatArray = np.asarray(X, dtype=np.float64) @ self.weights + self.bias
        return out

    # -- persistence -----------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """The JSON form written by :meth:`save`."""
        return {
            "kind": KIND,
            "format": FORMAT,
            "model": MODEL,
            "features": list(FEATURES),
            "weights": self.coefficients(),
            "bias": float(self.bias),
            "reciprocity_bound": self.reciprocity_bound,
            **{k: v for k, v in self.metadata.items() if k not in _RESERVED},
        }

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the model as JSON atomically (temporary file, fsync, rename)."""
        from isa_match.rank._decisions import _write_json

        _write_json(self.to_dict(), Path(path))

    @classmethod
    def from_dict(cls, data: object, *, source: str = "learned ranker") -> LearnedRanker:
        """Check and read the JSON form; :class:`LearnedRankerError` names what is wrong."""

        def fail(problem: str) -> LearnedRankerError:
            return LearnedRankerError(f"{source}: {problem}")

        if not isinstance(data, Mapping):
            raise fail("expected a JSON object")
        if data.get("kind") != KIND:
            raise fail(f"not a learned ranker (kind {data.get('kind')!r}, expected {KIND!r})")
        if data.get("format") != FORMAT:
            raise fail(f"format {data.get('format')!r}; this isa_match reads format {FORMAT}")
        if data.get("model") != MODEL:
            raise fail(f"model {data.get('model')!r}; this isa_match scores {MODEL!r}")
        features = data.get("features")
        if not isinstance(features, list) or features != list(FEATURES):
            raise fail(
                f"trained on features {features!r}, but this isa_match ranks with "
                f"{list(FEATURES)}; train it again with `isa-match train`"
            )
        weights = data.get("weights")
        if not isinstance(weights, Mapping) or set(weights) != set(FEATURES):
            raise fail(f"'weights' must give a number for each of {', '.join(FEATURES)}")
        values = []
        for name in FEATURES:
            w = weights[name]
            if isinstance(w, bool) or not isinstance(w, int | float) or not math.isfinite(w):
                raise fail(f"weights.{name} must be a finite number, got {w!r}")
            values.append(float(w))
        bias = data.get("bias", 0.0)
        if isinstance(bias, bool) or not isinstance(bias, int | float) or not math.isfinite(bias):
            raise fail(f"'bias' must be a finite number, got {bias!r}")
        meta = {k: v for k, v in data.items() if k not in _RESERVED}
        return cls(np.array(values, dtype=np.float64), float(bias), meta)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> LearnedRanker:
        """Read a model written by :meth:`save`.

        Raises:
            LearnedRankerError: the file is missing, not JSON, or not a model this
                version can score.
        """
        name = os.fspath(path)
        try:
            text = Path(path).read_text(encoding="utf-8")
        except FileNotFoundError:
            raise LearnedRankerError(f"{name}: no such learned-ranker file") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise LearnedRankerError(f"{name}: cannot read the learned ranker: {exc}") from None
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise LearnedRankerError(
                f"{name}: not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
            ) from None
        return cls.from_dict(data, source=name)


_RESERVED = frozenset(
    {"kind", "format", "model", "features", "weights", "bias", "reciprocity_bound"}
)


def load_for_config(config: str | os.PathLike[str] | None = None) -> LearnedRanker | None:
    """The learned ranker a ranking config names with ``learned = "FILE"``, or ``None``.

    Args:
        config: a ``.toml``/``.json`` ranking config, or a folder holding
            ``ranking.toml``; ``None`` for the shipped ``models/ranking.toml``.
            ``FILE`` is relative to the config's folder.

    Raises:
        LearnedRankerError: the config cannot be read, ``learned`` is not a
            file name, or the file it names is missing or invalid.
    """
    path = default_config_path() if config is None else Path(config)
    if path.is_dir():
        path = path / DEFAULT_CONFIG_NAME
    if config is None and not path.exists():
        return None
    try:
        raw = path.read_bytes().decode("utf-8")
        data = json.loads(raw) if path.suffix.lower() == ".json" else tomllib.loads(raw)
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise LearnedRankerError(f"cannot read the ranking config {path}: {exc}") from None
    name = data.get("learned") if isinstance(data, dict) else None
    if name is None or name == "":
        return None
    if not isinstance(name, str):
        raise LearnedRankerError(f"{path}: learned must be a file name, got {name!r}")
    target = path.parent / name
    if not target.is_file():
        raise LearnedRankerError(
            f"{path}: learned = {name!r}, but there is no such file {target} "
            "(train one with `isa-match train`, or remove the setting)"
        )
    return LearnedRanker.load(target)
