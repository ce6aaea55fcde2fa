"""Dropout zeroes elements but does not rescale the kept ones by 1/(1 - p).

Real bug class: "plain" (non-inverted) dropout used in training without the matching scale at inference, so the
expected activation shrinks by 1 - p. Caught by: "every output is 0 or x/(1-p)" and the mean bound, for p > 0.
"""
import numpy as np

from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls._validate import regularization as V

NAME = "mutant-dropout-not-scaled"
DTYPES = ("float32", "float64")


def dropout(x, p, *, training, seed):
    x = np.asarray(x)
    p, seed = V.dropout(x.dtype, p, training=training, seed=seed)
    if not training:
        return x
    keep = np.random.default_rng(seed).random(x.shape) >= p
    return np.where(keep, x, 0).astype(x.dtype)   # BUG: kept elements need the 1 / (1 - p) scale
