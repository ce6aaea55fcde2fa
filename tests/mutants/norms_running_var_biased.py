"""BatchNorm updating ``running_var`` with the biased batch variance instead of the unbiased one.

Real bug class: reusing the variance that normalised the batch for the running estimate (the one PyTorch
updates with ``n / (n - 1)`` applied). Caught by: the running-stat update matches its formula, and the float64
oracle comparison of ``new_running_var`` (clearest for small batches).
"""
import numpy as np

from impls._validate import norms as V
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls.numpy._util import upcast
from impls.numpy.norms import _meta

NAME = "mutant-norms-running-var-biased"
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
    mean = xc.mean(axis=axes)
    var = ((xc - mean.reshape(cshape)) ** 2).mean(axis=axes)
    if not training:
        y = (xc - upcast(rm).reshape(cshape)) / np.sqrt(upcast(rv).reshape(cshape) + eps)
        new_rm, new_rv = rm.copy(), rv.copy()
    else:
        y = (xc - mean.reshape(cshape)) / np.sqrt(var.reshape(cshape) + eps)
        new_rm = (1 - momentum) * upcast(rm) + momentum * mean
        new_rv = (1 - momentum) * upcast(rv) + momentum * var  # BUG: biased variance
    if weight is not None:
        y = y * np.asarray(weight, dtype=y.dtype).reshape(cshape)
    if bias is not None:
        y = y + np.asarray(bias, dtype=y.dtype).reshape(cshape)
    return y.astype(x.dtype), new_rm.astype(rm.dtype), new_rv.astype(rv.dtype)
