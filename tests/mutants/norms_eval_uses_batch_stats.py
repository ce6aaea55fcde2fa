"""BatchNorm in eval mode normalising with the batch statistics instead of the running ones.

Real bug class: forgetting ``model.eval()`` / a ``training`` flag that is not threaded through, so inference
output depends on the other samples in the batch. Caught by: batch norm eval is an affine map of x per channel
and ignores the batch, and the float64 oracle comparison in eval mode.
"""
import numpy as np

from impls._validate import norms as V
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls.numpy._util import upcast
from impls.numpy.norms import _meta

NAME = "mutant-norms-eval-uses-batch-stats"
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
    y = (xc - mean.reshape(cshape)) / np.sqrt(var.reshape(cshape) + eps)  # BUG: also in eval
    if training:
        new_rm = (1 - momentum) * upcast(rm) + momentum * mean
        new_rv = (1 - momentum) * upcast(rv) + momentum * var * (n / max(n - 1, 1))
    else:
        new_rm, new_rv = rm.copy(), rv.copy()
    if weight is not None:
        y = y * np.asarray(weight, dtype=y.dtype).reshape(cshape)
    if bias is not None:
        y = y + np.asarray(bias, dtype=y.dtype).reshape(cshape)
    return y.astype(x.dtype), new_rm.astype(rm.dtype), new_rv.astype(rv.dtype)
