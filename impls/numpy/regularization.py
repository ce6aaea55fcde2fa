"""Dropout (SPEC 3.5) for the NumPy implementation, drawing from ``np.random.default_rng(seed)``."""
import numpy as np

from .._validate import regularization as V
from ._util import upcast

__all__ = ["dropout"]


def dropout(x, p, *, training, seed):
    """Inverted dropout: ``y = x * keep / (1 - p)`` with ``keep ~ Bernoulli(1 - p)`` i.i.d. per element;
    ``p == 1`` gives zeros, ``training=False`` returns ``x``."""
    x = np.asarray(x)
    p, seed = V.dropout(x.dtype, p, training=training, seed=seed)
    if not training:
        return x
    # u ~ U[0, 1), so P(u >= p) = 1 - p; p == 1 keeps nothing, p == 0 keeps everything
    keep = np.random.default_rng(seed).random(x.shape) >= p
    scale = 1.0 / (1.0 - p) if p < 1.0 else 0.0
    xc = upcast(x)
    # where(), not keep * x: a dropped inf must give 0, not NaN
    return np.where(keep, xc * scale, 0).astype(x.dtype)
