"""Small array helpers for the hot paths (per query, on arrays of a few hundred)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import numpy.typing as npt

__all__ = ["descending", "in_sorted"]


def in_sorted(values: npt.NDArray[np.int64], ref: npt.NDArray[np.int64]) -> npt.NDArray[np.bool_]:
    """``np.isin(values, ref)`` for a sorted ``ref``, by binary search.

    For the few hundred integers of one query this is several times faster than
    ``np.isin``, which sorts both arrays or allocates a table over their value range.
    """
    if not len(ref):
        return np.zeros(len(values), dtype=bool)
    at = np.searchsorted(ref, values)
    hit: npt.NDArray[np.bool_] = ref[np.minimum(at, len(ref) - 1)] == values
    return hit


def descending(
    scores: npt.NDArray[np.floating], names_of: Callable[[npt.NDArray[np.int64]], Sequence[str]]
) -> npt.NDArray[np.int64]:
    """Positions by falling score, equal scores by ascending name: the order of
    ``np.lexsort((names, -scores))``, with ``names_of(positions)`` asked only for
    the positions whose score ties with another (decoding every name costs more
    than the sort)."""
    order: npt.NDArray[np.int64] = np.argsort(-scores, kind="stable")
    ranked = scores[order]
    same = ranked[1:] == ranked[:-1]
    if not same.any():
        return order
    tied = np.zeros(len(order), dtype=bool)
    tied[1:] |= same
    tied[:-1] |= same
    at = np.flatnonzero(tied)
    starts = np.empty(len(order), dtype=bool)  # a new group where the score changes
    starts[0] = True
    np.logical_not(same, out=starts[1:])
    group = np.cumsum(starts[at])
    members = order[at]
    names = np.array(names_of(members))
    order[at] = members[np.lexsort((names, group))]
    return order
