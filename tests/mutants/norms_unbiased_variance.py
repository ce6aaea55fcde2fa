"""LayerNorm normalising with the unbiased (n - 1) variance instead of the biased one.

Real bug class: ``x.var(dim)`` in PyTorch (and ``np.var(ddof=1)``) is unbiased by default, so a hand-written
LayerNorm that calls it is off by ``sqrt(n / (n - 1))``. Caught by: unit (biased) variance over the normalised
axes, and the float64 oracle comparison (worst for short rows; a row of length 1 gives NaN).
"""
import numpy as np

from impls import numpy as reference
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-norms-unbiased-variance"
DTYPES = ("float32", "float64")
CATCHES = ("layer_norm:zero_mean_unit_variance", "layer_norm:matches_oracle")


def layer_norm(x, normalized_ndim, weight=None, bias=None, *, eps=1e-5):
    """``(x - mean) / sqrt(var_unbiased + eps) * weight + bias`` (BUG: ``ddof=1``, off by ``sqrt(n / (n-1))``)."""
    reference.layer_norm(x, normalized_ndim, weight, bias, eps=eps)  # validates
    x = np.asarray(x)
    axes = tuple(range(x.ndim - normalized_ndim, x.ndim))
    with np.errstate(divide="ignore", invalid="ignore"):
        y = (x - x.mean(axis=axes, keepdims=True)) / np.sqrt(x.var(axis=axes, ddof=1, keepdims=True) + eps)
    y = y if weight is None else y * np.asarray(weight, y.dtype)
    return (y if bias is None else y + np.asarray(bias, y.dtype)).astype(x.dtype)
