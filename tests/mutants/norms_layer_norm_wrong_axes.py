"""LayerNorm normalising over the last axis only, whatever ``normalized_ndim`` says.

Real bug class: ``mean(dim=-1)`` hard-coded in a LayerNorm that accepts a multi-axis ``normalized_shape``
(e.g. (C, H, W) in vision models). Caught by: zero mean and unit variance over the normalised axes, and the
float64 oracle comparison, whenever ``normalized_ndim >= 2``.
"""
import numpy as np

from impls._validate import norms as V
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls.numpy._util import upcast
from impls.numpy.norms import _meta

NAME = "mutant-norms-layer-norm-wrong-axes"
DTYPES = ("float32", "float64")


def layer_norm(x, normalized_ndim, weight=None, bias=None, *, eps=1e-5):
    k, eps = V.layer_norm(_meta(x), normalized_ndim, _meta(weight), _meta(bias), eps=eps)
    xc = upcast(np.asarray(x))
    axes = tuple(range(xc.ndim - k, xc.ndim))
    mean = xc.mean(axis=-1, keepdims=True)  # BUG: ignores axes
    var = ((xc - mean) ** 2).mean(axis=-1, keepdims=True)
    y = (xc - mean) / np.sqrt(var + eps)
    if weight is not None:
        y = y * np.asarray(weight, dtype=y.dtype)
    if bias is not None:
        y = y + np.asarray(bias, dtype=y.dtype)
    return y.astype(x.dtype)
