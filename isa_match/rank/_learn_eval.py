"""Metrics for comparing rankers: on staff decisions and on labelled pairs.

*Decisions*: per query (the listing whose match list was reviewed), the
decided candidates are ranked by a scorer; approved ones are relevant. MRR
(first approval), recall@1/5 (share of the query's approvals ranked in the
top 1/5 of its decided candidates), nDCG@10 and AUC (the chance that an
approval outranks a rejection, ties half; mean over queries with both) are
averaged over queries with at least one approval.

*Pairs*: the right partner's rank among all retrieved candidates of a query
(:func:`isa_match.rank.tune.collect`), ties broken by id as in
:meth:`Matcher.suggest` -- the same figures as :func:`tune.rank_metrics`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass

import numpy as np
import numpy.typing as npt

from isa_match.rank.evaluate import Metrics
from isa_match.rank.tune import QueryCandidates

FloatArray = npt.NDArray[np.float64]
Scorer = Callable[[FloatArray], FloatArray]
"""Scores of the rows of a feature matrix (columns in :data:`tune.FEATURES` order)."""


@dataclass(frozen=True, slots=True)
class DecisionMetrics:
    """Ranking quality on decided candidates (see the module docstring)."""

    queries: int
    decisions: int
    mrr: float
    recall_at_1: float
    recall_at_5: float
    ndcg_at_10: float
    auc: float
    auc_queries: int


@dataclass(frozen=True, slots=True)
class DecisionQuery:
    """The decided candidates of one query: ids, feature rows, approved flags."""

    query: str
    ids: tuple[str, ...]
    X: FloatArray
    approved: npt.NDArray[np.bool_]


def _order(scores: FloatArray, ids: Sequence[str]) -> npt.NDArray[np.int64]:
    """Best first; ties by id (as the matcher breaks them)."""
    return np.lexsort((np.array(ids), -scores)).astype(np.int64)


def decision_metrics(data: Iterable[DecisionQuery], scorer: Scorer) -> DecisionMetrics:
    """:class:`DecisionMetrics` of ``scorer`` over the queries of ``data``."""
    rr, r1, r5, ndcg, aucs = [], [], [], [], []
    n_decisions = 0
    for dq in data:
        n_decisions += len(dq.ids)
        relevant = dq.approved
        n_rel = int(relevant.sum())
        if n_rel == 0:
            continue
        s = scorer(dq.X)
        ranked = relevant[_order(s, dq.ids)]
        first = int(np.argmax(ranked)) + 1
        rr.append(1.0 / first)
        r1.append(float(ranked[:1].sum()) / n_rel)
        r5.append(float(ranked[:5].sum()) / n_rel)
        gains = ranked[:10] / np.log2(np.arange(2, min(10, len(ranked)) + 2))
        ideal = 1.0 / np.log2(np.arange(2, min(10, n_rel) + 2))
        ndcg.append(float(gains.sum() / ideal.sum()))
        if n_rel < len(relevant):
            pos, neg = s[relevant], s[~relevant]
            diff = pos[:, None] - neg[None, :]
            aucs.append(float(((diff > 0).sum() + 0.5 * (diff == 0).sum()) / diff.size))

    def mean(values: list[float]) -> float:
        return float(np.mean(values)) if values else math.nan

    return DecisionMetrics(
        len(rr), n_decisions, mean(rr), mean(r1), mean(r5), mean(ndcg), mean(aucs), len(aucs)
    )


def pair_metrics(data: Iterable[QueryCandidates], scorer: Scorer) -> Metrics:
    """Recall@k, MRR and nDCG@10 of ``scorer`` on collected candidates of labelled pairs."""
    ranks: list[int | None] = []
    for qc in data:
        if qc.target is None:
            ranks.append(None)
            continue
        s = scorer(qc.X)
        t = s[qc.target]
        better = int((s > t).sum())
        ties = sum(1 for i in np.flatnonzero(s == t) if qc.ids[i] < qc.ids[qc.target])
        ranks.append(better + ties + 1)
    return Metrics.from_ranks(ranks)


@dataclass(frozen=True, slots=True)
class Comparison:
    """Hand-set weights against the learned model on held-out data (and on all pairs)."""

    decisions: dict[str, DecisionMetrics]
    pairs_heldout: dict[str, Metrics] | None = None
    pairs_all: dict[str, Metrics] | None = None

    def learned_wins(self) -> bool:
        """The learned model's MRR on held-out decisions is at least the hand-set one's."""
        return self.decisions["learned"].mrr >= self.decisions["hand-set"].mrr

    def as_dict(self) -> dict[str, object]:
        """JSON-ready figures (NaN as ``None``)."""

        def clean(obj: object) -> object:
            data = asdict(obj)  # type: ignore[call-overload]
            return {
                k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in data.items()
            }

        out: dict[str, object] = {
            "heldout_decisions": {k: clean(v) for k, v in self.decisions.items()}
        }
        if self.pairs_heldout is not None:
            out["pairs_heldout"] = {k: clean(v) for k, v in self.pairs_heldout.items()}
        if self.pairs_all is not None:
            out["pairs_all"] = {k: clean(v) for k, v in self.pairs_all.items()}
        return out

    def table(self) -> str:
        """Plain-text tables: held-out decisions, then labelled pairs."""
        some = next(iter(self.decisions.values()))
        head = (
            f"{'ranker':<10} {'queries':>7} {'MRR':>6} {'R@1':>6} {'R@5':>6} "
            f"{'nDCG@10':>8} {'AUC':>6}"
        )
        lines = [
            f"held-out decisions ({some.queries} queries with an approval, "
            f"{some.decisions} decisions; ranked among each query's decided candidates)",
            head,
            "-" * len(head),
        ]
        for name, m in self.decisions.items():
            lines.append(
                f"{name:<10} {m.queries:>7} {m.mrr:>6.3f} {m.recall_at_1:>6.3f} "
                f"{m.recall_at_5:>6.3f} {m.ndcg_at_10:>8.3f} {m.auc:>6.3f}"
            )
        for title, block in (
            ("labelled pairs of held-out queries", self.pairs_heldout),
            ("all labelled pairs (the hand-set weights were tuned on these)", self.pairs_all),
        ):
            if block is None:
                continue
            head = (
                f"{'ranker':<10} {'queries':>7} {'R@1':>6} {'R@5':>6} {'R@10':>6} "
                f"{'MRR':>6} {'nDCG@10':>8}"
            )
            lines += ["", f"{title}: both directions, all retrieved candidates", head]
            lines.append("-" * len(head))
            for name, p in block.items():
                lines.append(
                    f"{name:<10} {p.queries:>7} {p.recall_at_1:>6.3f} {p.recall_at_5:>6.3f} "
                    f"{p.recall_at_10:>6.3f} {p.mrr:>6.3f} {p.ndcg_at_10:>8.3f}"
                )
        return "\n".join(lines)
