"""LayerNorm with the one-pass variance ``E[x^2] - E[x]^2``.

Real bug class: the "fast" single-reduction formula: catastrophic cancellation when the mean is large against
the spread (offset 1e4 with spread 1 in float32 loses every digit; the difference can even go negative and give
NaN). Caught by: the float64 oracle comparison and unit variance on inputs with a large offset.
"""
import numpy as np

from impls import numpy as reference
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-norms-one-pass-variance"
DTYPES = ("float32", "float64")
CATCHES = ("layer_norm:matches_oracle",)


def layer_norm(x, normalized_ndim, weight=None, bias=None, *, eps=1e-5):
    """``var = mean(x^2) - mean(x)^2`` (BUG: cancels catastrophically for inputs with a large offset)."""
    reference.layer_norm(x, normalized_ndim, weight, bias, eps=eps)  # validates
    x = np.asarray(x)
    axes = tuple(range(x.ndim - normalized_ndim, x.ndim))
    mean = x.mean(axis=axes, keepdims=True)
    var = (x * x).mean(axis=axes, keepdims=True) - mean * mean
    with np.errstate(invalid="ignore"):
        y = (x - mean) / np.sqrt(var + eps)
    y = y if weight is None else y * np.asarray(weight, y.dtype)
    return (y if bias is None else y + np.asarray(bias, y.dtype)).astype(x.dtype)
