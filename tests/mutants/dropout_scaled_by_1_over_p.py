"""Dropout scales kept elements by 1/p instead of 1/(1 - p).

Real bug class: confusing the drop probability with the keep probability in the inverted-dropout scale
(frameworks differ: PyTorch's p drops, TF1's keep_prob keeps). Caught by: "every output is 0 or x/(1-p)" and
the mean bound, for any p other than 0.5.
"""
import numpy as np

from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls._validate import regularization as V

NAME = "mutant-dropout-scaled-by-1-over-p"
DTYPES = ("float32", "float64")


def dropout(x, p, *, training, seed):
    x = np.asarray(x)
    p, seed = V.dropout(x.dtype, p, training=training, seed=seed)
    if not training:
        return x
    keep = np.random.default_rng(seed).random(x.shape) >= p
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(keep, x / p, 0).astype(x.dtype)   # BUG: should be x / (1 - p)
