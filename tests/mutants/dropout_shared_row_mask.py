"""Dropout draws one mask row over the last axis and reuses it for every row: elements are not independent.

Real bug class: drawing the mask with a shape that broadcasts (`rand(x.shape[-1])`, or a mask cached for one
sequence and reused across the batch), so the same features drop in every example. Caught by: the kept-fraction
binomial bound on inputs with several rows (the kept count moves in steps of the number of rows, far outside
a binomial's spread), and by any check that rows get different masks. Identical to correct dropout on 1-D input.
"""
import numpy as np

from impls import numpy as reference
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-dropout-shared-row-mask"
DTYPES = ("float32", "float64")
CATCHES = ("dropout:kept_fraction_mean_and_row_independence",)


def dropout(x, p, *, training, seed):
    """The reference's mask of a single row, broadcast over all rows (BUG: one row of draws)."""
    y = reference.dropout(x, p, training=training, seed=seed)  # validates
    if not training:
        return y
    x = np.asarray(x)
    kept = reference.dropout(np.ones(x.shape[-1:]), p, training=True, seed=seed) != 0
    return np.where(kept, x * (1.0 / (1.0 - p) if p < 1.0 else 0.0), 0).astype(x.dtype)
