"""BatchNorm taking statistics over the batch axis only, per (channel, position), ignoring spatial axes.

Real bug class: BatchNorm1d-style ``x.mean(0)`` applied to ``(N, C, H, W)`` activations: every pixel gets its own
statistics. Identical for 2-d input, wrong as soon as there is a spatial axis. Caught by: zero mean and unit
variance per channel, and the float64 oracle comparison of y on input with spatial axes.
"""
import numpy as np

from impls._validate import norms as V
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls.numpy._util import upcast
from impls.numpy.norms import _meta

NAME = "mutant-norms-batch-norm-stats-over-batch-only"
DTYPES = ("float32", "float64")


def batch_norm(x, running_mean, running_var, weight=None, bias=None, *, training, momentum=0.1, eps=1e-5):
    training, momentum, eps = V.batch_norm(
        _meta(x), _meta(running_mean), _meta(running_var), _meta(weight), _meta(bias),
        training=training, momentum=momentum, eps=eps)
    xc = upcast(np.asarray(x))
    rm, rv = np.asarray(running_mean), np.asarray(running_var)
    cshape = (1, -1) + (1,) * (xc.ndim - 2)
    axes = (0,) + tuple(range(2, xc.ndim))
    n = xc.shape[0] * int(np.prod(xc.shape[2:]))
    if not training:
        y = (xc - upcast(rm).reshape(cshape)) / np.sqrt(upcast(rv).reshape(cshape) + eps)
        new_rm, new_rv = rm.copy(), rv.copy()
    else:
        b = xc.shape[0]
        mean = xc.mean(axis=0, keepdims=True)  # BUG: per (c, position); spatial axes not reduced
        var = ((xc - mean) ** 2).mean(axis=0, keepdims=True)
        y = (xc - mean) / np.sqrt(var + eps)
        # running stats: the per-position statistics averaged over positions, so their shapes stay (C,)
        pooled_mean = mean.reshape(xc.shape[1], -1).mean(axis=1) if xc.ndim > 2 else mean.reshape(-1)
        pooled_var = var.reshape(xc.shape[1], -1).mean(axis=1) if xc.ndim > 2 else var.reshape(-1)
        new_rm = (1 - momentum) * upcast(rm) + momentum * pooled_mean
        new_rv = (1 - momentum) * upcast(rv) + momentum * pooled_var * (b / max(b - 1, 1))
    if weight is not None:
        y = y * np.asarray(weight, dtype=y.dtype).reshape(cshape)
    if bias is not None:
        y = y + np.asarray(bias, dtype=y.dtype).reshape(cshape)
    return y.astype(x.dtype), new_rm.astype(rm.dtype), new_rv.astype(rv.dtype)
