"""Weight tuning on labelled pairs: collect candidate components once, re-rank many times.

Retrieval does not depend on the weights, so :func:`collect` runs it once per
query and keeps every candidate's components; :func:`rank_metrics` then
re-scores those matrices for any :class:`~isa_match.rank.config.Weights` in
microseconds, which makes grid or random search over weights cheap (the
tuning notebook and the learned ranker both start from here).
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields, replace
from datetime import date
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from isa_match.rank import _rank
from isa_match.rank.config import COMPONENTS, RankConfig, Weights
from isa_match.rank.evaluate import Metrics

if TYPE_CHECKING:
    from isa_match.rank.matcher import Matcher

FloatArray = npt.NDArray[np.float64]

FEATURES = (*COMPONENTS, "location_mismatch")


@dataclass(frozen=True, slots=True)
class QueryCandidates:
    """The candidates of one labelled query: ids, component matrix, organisation codes.

    ``X[i, j]`` is component ``FEATURES[j]`` of candidate ``i``; ``target`` is
    the index of the right partner among the candidates, or ``None`` when
    retrieval missed it (it then counts as not found for every weighting).
    """

    query: str
    ids: tuple[str, ...]
    X: FloatArray
    target: int | None


def collect(
    matcher: Matcher, pairs: Sequence[tuple[str, str]], *, today: date | None = None
) -> list[QueryCandidates]:
    """Retrieve once for both directions of every pair and keep the component matrices."""
    out = []
    day = today or matcher.reference_date or date.today()
    for a, b in [*pairs, *[(y, x) for x, y in pairs]]:
        q = matcher._query(a, None, None)
        hard = matcher._hard_filters(q, None, day)
        c, comps = _rank.candidate_components(matcher, q, hard, day)
        ids = c.ids(matcher)
        X = np.column_stack([comps[f] for f in FEATURES]) if ids else np.zeros((0, len(FEATURES)))
        target = ids.index(b) if b in ids else None
        out.append(QueryCandidates(a, tuple(ids), X, target))
    return out


def weight_vector(weights: Weights) -> FloatArray:
    """The weights in :data:`FEATURES` order (the mismatch penalty negative)."""
    w = [getattr(weights, f) for f in FEATURES]
    w[-1] = -w[-1]
    return np.array(w, dtype=np.float64)


def rank_metrics(data: Iterable[QueryCandidates], weights: Weights) -> Metrics:
    """Recall@k, MRR and nDCG@10 of ``weights`` on collected candidates.

    Ties are broken by id as in :meth:`Matcher.suggest`; organisation caps and
    duplicate collapsing are left out (they rarely move a labelled partner).
    """
    w = weight_vector(weights)
    ranks: list[int | None] = []
    for qc in data:
        if qc.target is None:
            ranks.append(None)
            continue
        s = qc.X @ w
        better = int((s > s[qc.target]).sum())
        ties = [i for i in np.flatnonzero(s == s[qc.target]) if qc.ids[i] < qc.ids[qc.target]]
        ranks.append(better + len(ties) + 1)
    return Metrics.from_ranks(ranks)


def random_search(
    data: Sequence[QueryCandidates],
    base: RankConfig,
    *,
    trials: int = 500,
    seed: int = 0,
    scale: float = 2.0,
) -> tuple[Weights, Metrics]:
    """Random search around ``base.weights`` (log-uniform factors), best MRR wins."""
    rng = random.Random(seed)
    best_w, best_m = base.weights, rank_metrics(data, base.weights)
    names = [f.name for f in fields(Weights)]
    for _ in range(trials):
        changes = {
            n: max(
                0.0, getattr(best_w, n) * rng.uniform(1 / scale, scale) + rng.uniform(-0.02, 0.02)
            )
            for n in names
            if n != "dense"
        }
        cand = replace(best_w, **changes)
        m = rank_metrics(data, cand)
        if m.mrr > best_m.mrr:
            best_w, best_m = cand, m
    return best_w, best_m
