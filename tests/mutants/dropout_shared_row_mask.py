"""Dropout draws one mask row over the last axis and reuses it for every row: elements are not independent.

Real bug class: drawing the mask with a shape that broadcasts (`rand(x.shape[-1])`, or a mask cached for one
sequence and reused across the batch), so the same features drop in every example. Caught by: the kept-fraction
binomial bound on inputs with several rows (the kept count moves in steps of the number of rows, far outside
a binomial's spread), and by any check that rows get different masks. Identical to correct dropout on 1-D input.
"""
import numpy as np

from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls._validate import regularization as V

NAME = "mutant-dropout-shared-row-mask"
DTYPES = ("float32", "float64")


def dropout(x, p, *, training, seed):
    x = np.asarray(x)
    p, seed = V.dropout(x.dtype, p, training=training, seed=seed)
    if not training:
        return x
    scale = 1.0 / (1.0 - p) if p < 1.0 else 0.0
    keep = np.random.default_rng(seed).random(x.shape[-1:]) >= p   # BUG: one row, broadcast over all rows
    return np.where(keep, x * scale, 0).astype(x.dtype)
