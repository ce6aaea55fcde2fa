"""Dropout draws one random number per two neighbouring elements: positions are kept or dropped in pairs.

Real bug class: a vectorised kernel that takes one random word per vector lane and applies its decision to two
half-precision elements packed in it (or repeats a mask drawn for half the positions). The kept fraction, the
mean and the agreement between rows all stay right. Caught by: neighbouring pairs agree with probability
p^2 + (1 - p)^2 (here: always), an exact binomial test of ``kept_fraction_mean_and_row_independence``.
"""
import numpy as np

from impls import numpy as reference
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-dropout-one-draw-per-pair"
DTYPES = ("float16", "float32")
CATCHES = ("dropout:kept_fraction_mean_and_row_independence@float16",
           "dropout:kept_fraction_mean_and_row_independence@float32")


def dropout(x, p, *, training, seed):
    """The reference's mask for half as many columns, each draw repeated for two neighbours (BUG)."""
    y = reference.dropout(x, p, training=training, seed=seed)  # validates
    if not training:
        return y
    x = np.asarray(x)
    half = reference.dropout(np.ones(x.shape[:-1] + ((x.shape[-1] + 1) // 2,)), p, training=True, seed=seed)
    kept = np.repeat(half != 0, 2, axis=-1)[..., :x.shape[-1]]
    scale = np.float32(1.0 / (1.0 - p) if p < 1.0 else 0.0)
    return np.where(kept, x.astype(np.float32) * scale, 0).astype(x.dtype)
