"""Learning the ranking from staff decisions.

Features are the ranking components of a suggested pair
(:data:`isa_match.rank.tune.FEATURES`, ``location_mismatch`` included);
labels are staff decisions (approve/reject) exported by the service, or the
seeded simulation of :mod:`isa_match.rank._simulate` for the sample corpus.

The model is a *pairwise logistic regression* (scikit-learn): within each
reviewed match list, every (approved, rejected) pair gives the difference of
their feature vectors, and the model learns which side was approved. The
hand-set score (:func:`tune.weight_vector` of the config's weights) is one
more input, so the learned score is ``a * hand_set + sum_j b_j * x_j``: where
decisions say nothing (staff only see the top suggestions, which all have
the right category and country), the hand-set order stands. Coefficients
are kept sign-consistent (components help, the mismatch penalty hurts) by
dropping a violating input and refitting. The result is linear in the
components: :class:`LearnedRanker` stores one weight per feature in a small
JSON file (no pickle) and scores with numpy.

Evaluation splits by query (never by row; both members of a labelled pair
stay on the same side) and reports hand-set against learned on the held-out
decisions and, with a matcher and labelled pairs, on the held-out pairs with
all retrieved candidates (see :mod:`isa_match.rank._learn_eval`).
"""

from __future__ import annotations

from isa_match.rank._decisions import (
    Decision,
    DecisionsError,
    DecisionSet,
    read_decisions,
    write_decisions,
)
from isa_match.rank._learn_eval import Comparison, DecisionMetrics
from isa_match.rank._learned_model import (
    LEARNED_FILE,
    LearnedRanker,
    LearnedRankerError,
    load_for_config,
)
from isa_match.rank._simulate import StaffRule, simulate_decisions
from isa_match.rank._train import (
    TrainingError,
    TrainResult,
    decision_features,
    pair_components,
    split_queries,
    train,
)
from isa_match.rank.tune import FEATURES

__all__ = [
    "FEATURES",
    "LEARNED_FILE",
    "Comparison",
    "Decision",
    "DecisionMetrics",
    "DecisionSet",
    "DecisionsError",
    "LearnedRanker",
    "LearnedRankerError",
    "StaffRule",
    "TrainResult",
    "TrainingError",
    "decision_features",
    "load_for_config",
    "pair_components",
    "read_decisions",
    "simulate_decisions",
    "split_queries",
    "train",
    "write_decisions",
]
