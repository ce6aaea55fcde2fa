"""Dropout ignores its seed and draws fresh randomness on every call.

Real bug class: using the global/unseeded generator (`np.random.rand`, `torch.rand` without the generator)
inside a function that takes a seed, which breaks reproducibility and recomputation (activation
checkpointing). Caught by: "the same seed gives the same output".
"""
import numpy as np

from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls._validate import regularization as V

NAME = "mutant-dropout-seed-ignored"
DTYPES = ("float32", "float64")


def dropout(x, p, *, training, seed):
    x = np.asarray(x)
    p, seed = V.dropout(x.dtype, p, training=training, seed=seed)
    if not training:
        return x
    scale = 1.0 / (1.0 - p) if p < 1.0 else 0.0
    keep = np.random.default_rng().random(x.shape) >= p   # BUG: unseeded generator
    return np.where(keep, x * scale, 0).astype(x.dtype)
