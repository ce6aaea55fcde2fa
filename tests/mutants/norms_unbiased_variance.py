"""LayerNorm normalising with the unbiased (n - 1) variance instead of the biased one.

Real bug class: ``x.var(dim)`` in PyTorch (and ``np.var(ddof=1)``) is unbiased by default, so a hand-written
LayerNorm that calls it is off by ``sqrt(n / (n - 1))``. Caught by: unit (biased) variance over the normalised
axes, and the float64 oracle comparison (worst for short rows; a row of length 1 gives NaN).
"""
import numpy as np

from impls._validate import norms as V
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls.numpy._util import upcast
from impls.numpy.norms import _meta

NAME = "mutant-norms-unbiased-variance"
DTYPES = ("float32", "float64")


def layer_norm(x, normalized_ndim, weight=None, bias=None, *, eps=1e-5):
    k, eps = V.layer_norm(_meta(x), normalized_ndim, _meta(weight), _meta(bias), eps=eps)
    xc = upcast(np.asarray(x))
    axes = tuple(range(xc.ndim - k, xc.ndim))
    mean = xc.mean(axis=axes, keepdims=True)
    var = xc.var(axis=axes, ddof=1, keepdims=True)  # BUG: unbiased
    y = (xc - mean) / np.sqrt(var + eps)
    if weight is not None:
        y = y * np.asarray(weight, dtype=y.dtype)
    if bias is not None:
        y = y + np.asarray(bias, dtype=y.dtype)
    return y.astype(x.dtype)
