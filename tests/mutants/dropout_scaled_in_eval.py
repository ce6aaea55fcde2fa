"""Dropout in eval mode (training=False) still scales the input by 1/(1 - p).

Real bug class: applying the inverted-dropout scale on both paths (or the old non-inverted convention's
inference-time scaling on top of inverted dropout). Caught by: "training=False is the identity", for p > 0.
"""
import numpy as np

from impls import numpy as reference
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-dropout-scaled-in-eval"
DTYPES = ("float32", "float64")
CATCHES = ("dropout:eval_is_identity",)


def dropout(x, p, *, training, seed):
    """The reference in training; in eval ``x / (1 - p)`` (BUG: eval must return x unchanged)."""
    y = reference.dropout(x, p, training=training, seed=seed)  # validates
    if training:
        return y
    x = np.asarray(x)
    return (x * (1.0 / (1.0 - p) if p < 1.0 else 0.0)).astype(x.dtype)
