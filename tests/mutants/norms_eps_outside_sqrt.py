"""LayerNorm dividing by ``sqrt(var) + eps`` instead of ``sqrt(var + eps)``.

Real bug class: a common hand-written normaliser (and some older TF/Keras code paths). Off by a relative
~eps/(2 var) for unit-variance rows and by a large factor when var is comparable to eps. Caught by: the float64
oracle comparison (rows with a small spread, or any row in float64).
"""
import numpy as np

from impls._validate import norms as V
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls.numpy._util import upcast
from impls.numpy.norms import _meta

NAME = "mutant-norms-eps-outside-sqrt"
DTYPES = ("float32", "float64")


def layer_norm(x, normalized_ndim, weight=None, bias=None, *, eps=1e-5):
    k, eps = V.layer_norm(_meta(x), normalized_ndim, _meta(weight), _meta(bias), eps=eps)
    xc = upcast(np.asarray(x))
    axes = tuple(range(xc.ndim - k, xc.ndim))
    mean = xc.mean(axis=axes, keepdims=True)
    var = ((xc - mean) ** 2).mean(axis=axes, keepdims=True)
    y = (xc - mean) / (np.sqrt(var) + eps)  # BUG: eps outside the square root
    if weight is not None:
        y = y * np.asarray(weight, dtype=y.dtype)
    if bias is not None:
        y = y + np.asarray(bias, dtype=y.dtype)
    return y.astype(x.dtype)
