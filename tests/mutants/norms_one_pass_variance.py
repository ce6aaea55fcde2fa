"""LayerNorm with the one-pass variance ``E[x^2] - E[x]^2``.

Real bug class: the "fast" single-reduction formula: catastrophic cancellation when the mean is large against
the spread (offset 1e4 with spread 1 in float32 loses every digit; the difference can even go negative and give
NaN). Caught by: the float64 oracle comparison and unit variance on inputs with a large offset.
"""
import numpy as np

from impls._validate import norms as V
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls.numpy._util import upcast
from impls.numpy.norms import _meta

NAME = "mutant-norms-one-pass-variance"
DTYPES = ("float32", "float64")


def layer_norm(x, normalized_ndim, weight=None, bias=None, *, eps=1e-5):
    k, eps = V.layer_norm(_meta(x), normalized_ndim, _meta(weight), _meta(bias), eps=eps)
    xc = upcast(np.asarray(x))
    axes = tuple(range(xc.ndim - k, xc.ndim))
    mean = xc.mean(axis=axes, keepdims=True)
    var = (xc * xc).mean(axis=axes, keepdims=True) - mean * mean  # BUG: cancels for large offsets
    with np.errstate(invalid="ignore"):
        y = (xc - mean) / np.sqrt(var + eps)
    if weight is not None:
        y = y * np.asarray(weight, dtype=y.dtype)
    if bias is not None:
        y = y + np.asarray(bias, dtype=y.dtype)
    return y.astype(x.dtype)
