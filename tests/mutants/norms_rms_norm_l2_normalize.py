"""RMS norm dividing by the L2 norm ``sqrt(sum(x**2) + eps)`` instead of the root *mean* square; layer norm
correct.

Real bug class: ``F.normalize`` (unit L2 norm) used for RMSNorm, off by ``sqrt(n)``. The module also provides a
correct layer norm, so the RMS-norm identity can be checked against it. Caught by: RMS norm equals layer norm
(no bias) on zero-mean input, and the oracle comparison.
"""
import numpy as np

from impls._validate import norms as V
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls.numpy import layer_norm  # noqa: F401  (correct: the reference)
from impls.numpy._util import upcast
from impls.numpy.norms import _affine, _meta

NAME = "mutant-norms-rms-norm-l2-normalize"
DTYPES = ("float32", "float64")


def rms_norm(x, normalized_ndim, weight=None, *, eps=1e-6):
    k, eps = V.rms_norm(_meta(x), normalized_ndim, _meta(weight), eps=eps)
    x = np.asarray(x)
    xc = upcast(x)
    axes = tuple(range(x.ndim - k, x.ndim))
    y = xc / np.sqrt(np.sum(xc * xc, axis=axes, keepdims=True) + eps)  # BUG: sum, not mean
    return _affine(y, weight, None, x.shape[x.ndim - k:]).astype(x.dtype)
