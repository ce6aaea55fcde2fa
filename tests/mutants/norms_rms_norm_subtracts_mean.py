"""RMSNorm centring its input first: it computes LayerNorm without a bias.

Real bug class: an RMSNorm written by editing a LayerNorm and keeping the ``x - mean``. Agrees on zero-mean
input, so it slips through tests that only use centred data. Caught by: the float64 oracle comparison on input
with a non-zero mean, and the gradient being orthogonal to x.
"""
import numpy as np

from impls._validate import norms as V
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls.numpy._util import upcast
from impls.numpy.norms import _meta

NAME = "mutant-norms-rms-norm-subtracts-mean"
DTYPES = ("float32", "float64")


def rms_norm(x, normalized_ndim, weight=None, *, eps=1e-6):
    k, eps = V.rms_norm(_meta(x), normalized_ndim, _meta(weight), eps=eps)
    xc = upcast(np.asarray(x))
    axes = tuple(range(xc.ndim - k, xc.ndim))
    xc = xc - xc.mean(axis=axes, keepdims=True)  # BUG: RMSNorm does not centre
    y = xc / np.sqrt((xc * xc).mean(axis=axes, keepdims=True) + eps)
    if weight is not None:
        y = y * np.asarray(weight, dtype=y.dtype)
    return y.astype(x.dtype)
