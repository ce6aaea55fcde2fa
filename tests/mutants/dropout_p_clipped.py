"""Dropout that clips ``p`` into [0, 1] instead of rejecting it: p = 1.5 silently drops everything, p = -0.1
keeps everything.

Real bug class: "defensive" clamping of a probability (``min(max(p, 0), 1)``), which turns a configuration
error (a percentage passed as 15, a sign slip) into a silently wrong model. Correct for p in [0, 1]. Caught
by: dropout ``rejects_bad_input``.
"""
import numpy as np

from impls._validate import regularization as V
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls.numpy._util import upcast

NAME = "mutant-dropout-p-clipped"
DTYPES = ("float32", "float64")


def dropout(x, p, *, training, seed):
    x = np.asarray(x)
    p = min(max(float(p), 0.0), 1.0)  # BUG: clamped into range (NaN still reaches the check)
    p, seed = V.dropout(x.dtype, p, training=training, seed=seed)
    if not training:
        return x
    keep = np.random.default_rng(seed).random(x.shape) >= p
    scale = 1.0 / (1.0 - p) if p < 1.0 else 0.0
    return np.where(keep, upcast(x) * scale, 0).astype(x.dtype)
