"""LayerNorm computing its statistics in the input's float16 instead of float32.

Real bug class: a custom kernel or ``x.float()`` forgotten under autocast: squared deviations above 256 overflow
float16 (variance inf, output 0) and sums above 65504 overflow the mean (output NaN). Caught by: half-precision
inputs with large magnitudes stay finite, and the oracle comparison in float16.
"""
import numpy as np

from impls import numpy as reference
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-norms-stats-in-half-precision"
DTYPES = ("float16", "float32")
CATCHES = ("layer_norm:finite_for_large_half_inputs",
           "layer_norm:matches_oracle",
           "layer_norm:zero_mean_unit_variance")


def layer_norm(x, normalized_ndim, weight=None, bias=None, *, eps=1e-5):
    reference.layer_norm(x, normalized_ndim, weight, bias, eps=eps)  # validates
    k = normalized_ndim
    x = np.asarray(x)  # BUG: no upcast; every intermediate is rounded to the input dtype
    axes = tuple(range(x.ndim - k, x.ndim))
    count = np.prod([x.shape[a] for a in axes])
    with np.errstate(over="ignore", invalid="ignore"):
        mean = (np.sum(x, axis=axes, keepdims=True, dtype=x.dtype) / count).astype(x.dtype)
        dev = x - mean
        var = (np.sum(dev * dev, axis=axes, keepdims=True, dtype=x.dtype) / count).astype(x.dtype)
        y = dev / np.sqrt(var + np.asarray(eps, x.dtype))
    if weight is not None:
        y = y * np.asarray(weight).astype(x.dtype)
    if bias is not None:
        y = y + np.asarray(bias).astype(x.dtype)
    return y.astype(x.dtype)
