"""Dropout draws one random number per two neighbouring elements: positions are kept or dropped in pairs.

Real bug class: a vectorised kernel that takes one random word per vector lane and applies its decision to two
half-precision elements packed in it (or repeats a mask drawn for half the positions). The kept fraction, the
mean and the agreement between rows all stay right. Caught by: neighbouring pairs agree with probability
p^2 + (1 - p)^2 (here: always), an exact binomial test of ``kept_fraction_mean_and_row_independence``.
"""
import numpy as np

from impls._validate import regularization as V
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-dropout-one-draw-per-pair"
DTYPES = ("float16", "float32")
CATCHES = ("dropout:kept_fraction_mean_and_row_independence@float16",
           "dropout:kept_fraction_mean_and_row_independence@float32")


def dropout(x, p, *, training, seed):
    x = np.asarray(x)
    p, seed = V.dropout(x.dtype, p, training=training, seed=seed)
    if not training:
        return x
    scale = 1.0 / (1.0 - p) if p < 1.0 else 0.0
    draws = np.random.default_rng(seed).random(x.shape[:-1] + ((x.shape[-1] + 1) // 2,))
    keep = np.repeat(draws, 2, axis=-1)[..., : x.shape[-1]] >= p  # BUG: one draw for two neighbours
    return np.where(keep, x.astype(np.float32) * np.float32(scale), 0).astype(x.dtype)
