"""Dropout in eval mode (training=False) still scales the input by 1/(1 - p).

Real bug class: applying the inverted-dropout scale on both paths (or the old non-inverted convention's
inference-time scaling on top of inverted dropout). Caught by: "training=False is the identity", for p > 0.
"""
import numpy as np

from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls._validate import regularization as V

NAME = "mutant-dropout-scaled-in-eval"
DTYPES = ("float32", "float64")


def dropout(x, p, *, training, seed):
    x = np.asarray(x)
    p, seed = V.dropout(x.dtype, p, training=training, seed=seed)
    scale = 1.0 / (1.0 - p) if p < 1.0 else 0.0
    if not training:
        return (x * scale).astype(x.dtype)   # BUG: eval must return x unchanged
    keep = np.random.default_rng(seed).random(x.shape) >= p
    return np.where(keep, x * scale, 0).astype(x.dtype)
