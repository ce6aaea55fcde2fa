"""Dropout keeps each element with probability p (and drops it with 1 - p), still scaling by 1/(1 - p).

Real bug class: `mask = rand < p` read as "keep" when p is the drop probability. Caught by: the kept-fraction
binomial bound (and the mean bound), for any p other than 0.5; p = 0 and p = 1 fail outright.
"""
import numpy as np

from impls import numpy as reference
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-dropout-keep-drop-swapped"
DTYPES = ("float32", "float64")
CATCHES = ("dropout:kept_fraction_mean_and_row_independence", "dropout:outputs_are_zero_or_scaled_input")


def dropout(x, p, *, training, seed):
    """Keeps exactly the elements the reference drops (BUG: kept with probability p), scaled by
    ``1 / (1 - p)``."""
    y = reference.dropout(x, p, training=training, seed=seed)  # validates
    if not training or p == 1.0:
        return y
    x = np.asarray(x)
    kept = reference.dropout(np.ones(x.shape), p, training=True, seed=seed) != 0
    return np.where(~kept, x / (1.0 - p), 0).astype(x.dtype)
