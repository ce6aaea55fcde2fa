"""RMS norm dividing by the L2 norm ``sqrt(sum(x**2) + eps)`` instead of the root *mean* square; layer norm
correct.

Real bug class: ``F.normalize`` (unit L2 norm) used for RMSNorm, off by ``sqrt(n)``. The module also provides a
correct layer norm, so the RMS-norm identity can be checked against it. Caught by: RMS norm equals layer norm
(no bias) on zero-mean input, and the oracle comparison.
"""
import math

import numpy as np

from impls import numpy as reference
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls.numpy import layer_norm  # noqa: F401  (correct: the reference)

NAME = "mutant-norms-rms-norm-l2-normalize"
DTYPES = ("float32", "float64")
CATCHES = ("rms_norm:equals_layer_norm_on_zero_mean",)


def rms_norm(x, normalized_ndim, weight=None, *, eps=1e-6):
    """``x / sqrt(sum(x^2) + eps) * weight`` (BUG: the sum, not the mean): with ``n`` normalised elements
    that is the reference with ``eps / n``, divided by ``sqrt(n)``."""
    reference.rms_norm(x, normalized_ndim, weight, eps=eps)  # validates
    n = max(math.prod(np.shape(x)[np.ndim(x) - normalized_ndim:]), 1)
    y = reference.rms_norm(x, normalized_ndim, weight, eps=eps / n)
    return (y / np.sqrt(n)).astype(y.dtype)
