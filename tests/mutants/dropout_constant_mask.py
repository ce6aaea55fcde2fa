"""Dropout always uses seed 0: the same mask on every call whatever seed is passed.

Real bug class: a hard-coded or default seed that shadows the caller's (`default_rng(0)`, a PRNG key created
once at import and never split), so every step drops the same units. Caught by: the check that different seeds
give different outputs (for 0 < p < 1 and more than a few elements).
"""
import numpy as np

from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls._validate import regularization as V

NAME = "mutant-dropout-constant-mask"
DTYPES = ("float32", "float64")


def dropout(x, p, *, training, seed):
    x = np.asarray(x)
    p, seed = V.dropout(x.dtype, p, training=training, seed=seed)
    if not training:
        return x
    scale = 1.0 / (1.0 - p) if p < 1.0 else 0.0
    keep = np.random.default_rng(0).random(x.shape) >= p   # BUG: the seed argument is ignored
    return np.where(keep, x * scale, 0).astype(x.dtype)
