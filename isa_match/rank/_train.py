"""Training the learned ranker on staff decisions (see :mod:`isa_match.rank.learn`)."""

from __future__ import annotations

import importlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from isa_match.rank import _rank
from isa_match.rank._decisions import Decision
from isa_match.rank._learn_eval import (
    Comparison,
    DecisionQuery,
    decision_metrics,
    pair_metrics,
)
from isa_match.rank._learned_model import LearnedRanker
from isa_match.rank.config import Weights
from isa_match.rank.tune import FEATURES, collect, weight_vector

if TYPE_CHECKING:
    from isa_match.rank.matcher import Matcher

FloatArray = npt.NDArray[np.float64]

HAND_SET = "hand_set"
"""Name of the extra input carrying the hand-set score."""
_SIGNS = np.array([-1.0 if f == "location_mismatch" else 1.0 for f in FEATURES])


class TrainingError(ValueError):
    """The decisions cannot train a model (too few, no approvals, missing components)."""


# -- features of decided pairs ---------------------------------------------------------


def pair_components(
    matcher: Matcher, listing_id: str, candidate_ids: Sequence[str], *, today: date | None = None
) -> FloatArray:
    """Component rows (``FEATURES`` order) of candidates for a stored listing.

    Computed as :meth:`Matcher.suggest` would, among the listing's retrieved
    candidates, with the given ones added when retrieval does not reach them
    (a manual find); reciprocity exact for all.
    """
    day = today or matcher.reference_date or date.today()
    q = matcher._query(listing_id, None, None)
    hard = matcher._hard_filters(q, None, day)
    wanted = [matcher._rows[i] for i in candidate_ids]
    c, comps = _rank.candidate_components(matcher, q, hard, day, extra_rows=wanted)
    pos = {r: p for p, r in enumerate(c.rows.tolist())}
    take = [pos[r] for r in wanted]
    return np.column_stack([comps[f][take] for f in FEATURES])


def decision_features(
    decisions: Sequence[Decision], matcher: Matcher | None = None, *, today: date | None = None
) -> FloatArray:
    """The feature matrix of decisions: stored components, or computed with ``matcher``.

    Raises:
        TrainingError: a decision has no components and no matcher is given, or
            names a listing the matcher does not hold (each named by its row).
    """
    X = np.zeros((len(decisions), len(FEATURES)))
    todo: dict[str, list[int]] = {}
    for i, d in enumerate(decisions):
        if d.components is not None:
            missing = [f for f in FEATURES if f not in d.components]
            if missing:
                where = d.where or f"decision {i + 1}"
                raise TrainingError(f"{where}: components lack {', '.join(missing)}")
            X[i] = [d.components[f] for f in FEATURES]
        else:
            todo.setdefault(d.listing_id, []).append(i)
    if not todo:
        return X
    if matcher is None:
        rows = [decisions[i].where or f"decision {i + 1}" for ids in todo.values() for i in ids]
        raise TrainingError(
            f"{len(rows)} decision(s) have no components (pairs staff found themselves, "
            f"e.g. {', '.join(rows[:3])}); give the index (--index) to compute them"
        )
    unknown = [
        f"{decisions[i].where or f'decision {i + 1}'}, field {key!r}: {value!r}"
        for ids in todo.values()
        for i in ids
        for key, value in (
            ("listing_id", decisions[i].listing_id),
            ("suggested_id", decisions[i].suggested_id),
        )
        if value not in matcher
    ]
    if unknown:
        raise TrainingError(
            "decisions without components name listings the index does not hold: "
            + "; ".join(unknown[:10])
        )
    for listing_id, idx in todo.items():
        X[idx] = pair_components(
            matcher, listing_id, [decisions[i].suggested_id for i in idx], today=today
        )
    return X


# -- training --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TrainResult:
    """A trained model, its evaluation and the scikit-learn estimator behind it.

    ``estimator.decision_function(design(X))`` equals ``model.score_matrix(X)``.
    """

    model: LearnedRanker
    report: Comparison
    estimator: Any
    columns: tuple[str, ...]
    factors: FloatArray
    prior: FloatArray
    train_queries: tuple[str, ...]
    test_queries: tuple[str, ...]

    def design(self, X: FloatArray) -> FloatArray:
        """The estimator's input for feature rows ``X`` (kept features, hand-set score)."""
        full = np.column_stack([X, X @ self.prior])
        names = (*FEATURES, HAND_SET)
        out: FloatArray = full[:, [names.index(c) for c in self.columns]] * self.factors
        return out


def split_queries(
    decisions: Sequence[Decision],
    *,
    pairs: Sequence[tuple[str, str]] = (),
    test_share: float = 0.3,
    seed: int = 0,
) -> tuple[set[str], set[str]]:
    """(training, test) query ids: whole queries; both members of a pair on one side."""
    if not 0.0 < test_share < 1.0:
        raise TrainingError(f"test_share must be between 0 and 1, got {test_share}")
    group = {d.listing_id: d.listing_id for d in decisions}
    for a, b in pairs:
        if a in group and b in group:
            group[b] = group[a] = min(group[a], group[b], a, b)
    keys = sorted(set(group.values()))
    if len(keys) < 2:
        raise TrainingError(f"decisions on {len(keys)} query group(s): need at least 2 to split")
    order = np.random.default_rng(seed).permutation(len(keys))
    n_test = min(len(keys) - 1, max(1, round(test_share * len(keys))))
    test_keys = {keys[i] for i in order[:n_test]}
    test = {q for q, g in group.items() if g in test_keys}
    return set(group) - test, test


def _queries(decisions: Sequence[Decision], X: FloatArray, keep: set[str]) -> list[DecisionQuery]:
    by_query: dict[str, list[int]] = {}
    for i, d in enumerate(decisions):
        if d.listing_id in keep:
            by_query.setdefault(d.listing_id, []).append(i)
    return [
        DecisionQuery(
            q,
            tuple(decisions[i].suggested_id for i in idx),
            X[idx],
            np.array([decisions[i].approved for i in idx]),
        )
        for q, idx in by_query.items()
    ]


def _pairwise(data: Sequence[DecisionQuery]) -> tuple[FloatArray, FloatArray]:
    """Differences approved - rejected within each query; each query weighs 1 in total."""
    diffs, weights = [], []
    for dq in data:
        pos, neg = dq.X[dq.approved], dq.X[~dq.approved]
        if len(pos) == 0 or len(neg) == 0:
            continue
        d = (pos[:, None, :] - neg[None, :, :]).reshape(-1, dq.X.shape[1])
        diffs.append(d)
        weights.append(np.full(len(d), 1.0 / len(d)))
    if not diffs:
        raise TrainingError(
            "no training query has both an approval and a rejection: nothing to learn from"
        )
    return np.vstack(diffs), np.concatenate(weights)


PRIOR_SCALE = 1000.0
"""The hand-set input is multiplied by this after standardising, so that its coefficient
costs next to nothing under the L2 penalty: the model is ridge regression *towards the
hand-set weights* (scaled), not towards zero."""


def _fit(Z: FloatArray, w: FloatArray, c: float) -> Any:
    """Logistic regression without intercept on both orientations of every pair."""
    # scikit-learn has no type hints: imported as a plain module (typed Any).
    linear_model = importlib.import_module("sklearn.linear_model")
    est = linear_model.LogisticRegression(C=c, fit_intercept=False, max_iter=5000)
    # Both orientations: the classes balance and no intercept is needed.
    X = np.vstack([Z, -Z])
    y = np.concatenate([np.ones(len(Z)), np.zeros(len(Z))])
    est.fit(X, y, sample_weight=np.concatenate([w, w]))
    return est


def fit_pairwise(
    data: Sequence[DecisionQuery], prior: FloatArray, *, c: float = 1.0, use_prior: bool = True
) -> tuple[Any, tuple[str, ...], FloatArray, FloatArray]:
    """Fit the sign-consistent pairwise model.

    Returns:
        (estimator, its input columns, the columns' scale factors, raw weights in
        :data:`FEATURES` order). The estimator's input is ``design * factors``.
    """
    D, w = _pairwise(data)
    full = np.column_stack([D, D @ prior])
    names = (*FEATURES, HAND_SET)
    std = np.sqrt(np.average(full**2, axis=0, weights=w))
    factors = np.where(std > 1e-12, 1.0 / np.maximum(std, 1e-12), 1.0)
    factors[-1] *= PRIOR_SCALE
    columns = list(names if use_prior else FEATURES)
    while columns:
        idx = [names.index(x) for x in columns]
        est = _fit(full[:, idx] * factors[idx], w, c)
        coef = est.coef_[0] * factors[idx]
        beta = dict(zip(columns, coef, strict=True))
        a = beta.get(HAND_SET, 0.0)
        if a < 0:  # staff disagree with the hand-set order: learn without it
            columns.remove(HAND_SET)
            continue
        eff = np.array([beta.get(f, 0.0) for f in FEATURES]) + a * prior
        wrong = [
            (abs(float(est.coef_[0][columns.index(f)])), f)
            for j, f in enumerate(FEATURES)
            if f in beta and _SIGNS[j] * eff[j] < -1e-12
        ]
        if not wrong:
            return est, tuple(columns), factors[idx], eff
        columns.remove(max(wrong)[1])
    raise TrainingError("no input keeps a consistent sign: the decisions carry no ranking signal")


def train(
    decisions: Sequence[Decision],
    *,
    matcher: Matcher | None = None,
    pairs: Sequence[tuple[str, str]] = (),
    weights: Weights | None = None,
    test_share: float = 0.3,
    seed: int = 0,
    c: float = 1.0,
    use_prior: bool = True,
    today: date | None = None,
    summary: Mapping[str, object] | None = None,
) -> TrainResult:
    """Train on decisions of some queries; compare with the hand-set weights on the rest.

    Args:
        decisions: current decisions (e.g. ``read_decisions(path).decisions``).
        matcher: the index, to compute components of decisions without them and to
            evaluate on ``pairs`` with all retrieved candidates.
        pairs: labelled ``(request, offer)`` pairs: kept on one side of the split,
            and evaluated when ``matcher`` is given.
        weights: the hand-set weights (default: the matcher's config, else defaults).
        test_share: share of query groups held out for evaluation.
        seed: seed of the split.
        c: inverse L2 regularisation strength of the logistic regression.
        use_prior: include the hand-set score as an input (recommended).
        today: the day for components computed with ``matcher``.
        summary: facts about the decisions file for the metadata (source, rows ...).

    Raises:
        TrainingError: too few decisions or queries, no approvals, or components
            missing without a matcher.
    """
    if not decisions:
        raise TrainingError("no decisions to train on")
    hand = weights or (matcher.config.weights if matcher is not None else Weights())
    prior = weight_vector(hand)
    X = decision_features(decisions, matcher, today=today)
    train_q, test_q = split_queries(decisions, pairs=pairs, test_share=test_share, seed=seed)
    train_data = _queries(decisions, X, train_q)
    test_data = _queries(decisions, X, test_q)
    est, columns, factors, eff = fit_pairwise(train_data, prior, c=c, use_prior=use_prior)
    model = LearnedRanker(eff, 0.0)
    report = _compare(model, prior, test_data, matcher, pairs, train_q, today)
    considered = (*FEATURES, HAND_SET) if use_prior else FEATURES
    dropped = [x for x in considered if x not in columns]
    meta = _metadata(decisions, report, hand, columns, dropped, c, test_share, seed)
    meta["data"].update(train_queries=len(train_q), test_queries=len(test_q))
    meta["data"].update(summary or {})
    model = LearnedRanker(eff, 0.0, meta)
    return TrainResult(
        model,
        report,
        est,
        columns,
        factors,
        prior,
        tuple(sorted(train_q)),
        tuple(sorted(test_q)),
    )


def _compare(
    model: LearnedRanker,
    prior: FloatArray,
    test_data: Sequence[DecisionQuery],
    matcher: Matcher | None,
    pairs: Sequence[tuple[str, str]],
    train_q: set[str],
    today: date | None,
) -> Comparison:
    def hand_set(X: FloatArray) -> FloatArray:
        out: FloatArray = X @ prior
        return out

    scorers = {"hand-set": hand_set, "learned": model.score_matrix}
    decisions = {k: decision_metrics(test_data, s) for k, s in scorers.items()}
    if matcher is None or not pairs:
        return Comparison(decisions)
    collected = collect(matcher, pairs, today=today)
    held = {x for a, b in pairs if a not in train_q and b not in train_q for x in (a, b)}
    heldout = [qc for qc in collected if qc.query in held]
    return Comparison(
        decisions,
        {k: pair_metrics(heldout, s) for k, s in scorers.items()},
        {k: pair_metrics(collected, s) for k, s in scorers.items()},
    )


def _metadata(
    decisions: Sequence[Decision],
    report: Comparison,
    hand: Weights,
    columns: tuple[str, ...],
    dropped: list[str],
    c: float,
    test_share: float,
    seed: int,
) -> dict[str, Any]:
    from isa_match import __version__

    sklearn = importlib.import_module("sklearn")

    approved = sum(1 for d in decisions if d.approved)
    return {
        "trained": {
            "at": datetime.now(UTC).replace(microsecond=0).isoformat(),
            "isa_match": __version__,
            "scikit_learn": sklearn.__version__,
            "numpy": np.__version__,
        },
        "params": {
            "estimator": f"LogisticRegression(C={c}, fit_intercept=False) on standardised "
            "approved-minus-rejected differences, hand-set score input x "
            f"{PRIOR_SCALE:g} (nearly unpenalised)",
            "inputs": list(columns),
            "dropped_for_sign": dropped,
            "hand_set_weights": {f: getattr(hand, f) for f in Weights.__dataclass_fields__},
            "test_share": test_share,
            "seed": seed,
        },
        "data": {
            "decisions": len(decisions),
            "approved": approved,
            "rejected": len(decisions) - approved,
        },
        "metrics": report.as_dict(),
    }
