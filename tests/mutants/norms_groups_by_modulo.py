"""GroupNorm putting channel ``c`` in group ``c % G`` (strided) instead of the contiguous block ``c // (C/G)``.

Real bug class: reshaping ``(N, C, ...)`` to ``(N, C/G, G, ...)`` instead of ``(N, G, C/G, ...)``: shapes line up,
only the grouping is wrong. Caught by: the float64 oracle comparison whenever 1 < G < C, and (through the
statistics) zero mean per contiguous group.
"""
import numpy as np

from impls._validate import norms as V
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls.numpy._util import upcast
from impls.numpy.norms import _meta

NAME = "mutant-norms-groups-by-modulo"
DTYPES = ("float32", "float64")


def group_norm(x, num_groups, weight=None, bias=None, *, eps=1e-5):
    g, eps = V.group_norm(_meta(x), num_groups, _meta(weight), _meta(bias), eps=eps)
    xc = upcast(np.asarray(x))
    n, c = xc.shape[:2]
    cshape = (1, -1) + (1,) * (xc.ndim - 2)
    grouped = xc.reshape((n, c // g, g) + xc.shape[2:])  # BUG: should be (n, g, c // g, ...)
    axes = (1,) + tuple(range(3, grouped.ndim))
    mean = grouped.mean(axis=axes, keepdims=True)
    var = ((grouped - mean) ** 2).mean(axis=axes, keepdims=True)
    y = ((grouped - mean) / np.sqrt(var + eps)).reshape(xc.shape)
    if weight is not None:
        y = y * np.asarray(weight, dtype=y.dtype).reshape(cshape)
    if bias is not None:
        y = y + np.asarray(bias, dtype=y.dtype).reshape(cshape)
    return y.astype(x.dtype)
