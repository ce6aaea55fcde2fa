"""LayerNorm applying the affine parameters in the wrong order: ``(y + bias) * weight``.

Real bug class: a fused affine written as ``(y + b) * w`` (or the bias folded before the scale). Agrees whenever
weight is 1 or bias is 0, so default-initialised parameters hide it. Caught by: weight/bias act as a per-feature
affine map after normalisation, and the oracle comparison with random weight and bias.
"""
import numpy as np

from impls._validate import norms as V
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls.numpy._util import upcast
from impls.numpy.norms import _meta

NAME = "mutant-norms-bias-before-weight"
DTYPES = ("float32", "float64")


def layer_norm(x, normalized_ndim, weight=None, bias=None, *, eps=1e-5):
    k, eps = V.layer_norm(_meta(x), normalized_ndim, _meta(weight), _meta(bias), eps=eps)
    xc = upcast(np.asarray(x))
    axes = tuple(range(xc.ndim - k, xc.ndim))
    mean = xc.mean(axis=axes, keepdims=True)
    var = ((xc - mean) ** 2).mean(axis=axes, keepdims=True)
    y = (xc - mean) / np.sqrt(var + eps)
    if bias is not None:  # BUG: bias before weight
        y = y + np.asarray(bias, dtype=y.dtype)
    if weight is not None:
        y = y * np.asarray(weight, dtype=y.dtype)
    return y.astype(x.dtype)
