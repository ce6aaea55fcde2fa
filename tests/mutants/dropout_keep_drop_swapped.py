"""Dropout keeps each element with probability p (and drops it with 1 - p), still scaling by 1/(1 - p).

Real bug class: `mask = rand < p` read as "keep" when p is the drop probability. Caught by: the kept-fraction
binomial bound (and the mean bound), for any p other than 0.5; p = 0 and p = 1 fail outright.
"""
import numpy as np

from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls._validate import regularization as V

NAME = "mutant-dropout-keep-drop-swapped"
DTYPES = ("float32", "float64")


def dropout(x, p, *, training, seed):
    x = np.asarray(x)
    p, seed = V.dropout(x.dtype, p, training=training, seed=seed)
    if not training:
        return x
    if p == 1.0:
        return np.zeros_like(x)
    keep = np.random.default_rng(seed).random(x.shape) < p   # BUG: keeps with probability p
    return np.where(keep, x / (1.0 - p), 0).astype(x.dtype)
