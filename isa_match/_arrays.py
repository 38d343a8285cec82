"""Small array helpers for the hot paths (per query, on arrays of a few hundred)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

__all__ = ["in_sorted"]


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
