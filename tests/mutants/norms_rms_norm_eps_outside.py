"""RMSNorm dividing by ``sqrt(mean(x^2)) + eps`` instead of ``sqrt(mean(x^2) + eps)``.

Real bug class: eps added to the norm rather than inside the root (seen in ports of T5/LLaMA). Off by a relative
~eps/(2 ms) for unit-scale rows and far more when mean(x^2) is near eps. Caught by: the float64 oracle
comparison (small-magnitude rows, or any row in float64).
"""
import numpy as np

from impls._validate import norms as V
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls.numpy._util import upcast
from impls.numpy.norms import _meta

NAME = "mutant-norms-rms-norm-eps-outside"
DTYPES = ("float32", "float64")


def rms_norm(x, normalized_ndim, weight=None, *, eps=1e-6):
    k, eps = V.rms_norm(_meta(x), normalized_ndim, _meta(weight), eps=eps)
    xc = upcast(np.asarray(x))
    axes = tuple(range(xc.ndim - k, xc.ndim))
    y = xc / (np.sqrt((xc * xc).mean(axis=axes, keepdims=True)) + eps)  # BUG: eps outside the root
    if weight is not None:
        y = y * np.asarray(weight, dtype=y.dtype)
    return y.astype(x.dtype)
