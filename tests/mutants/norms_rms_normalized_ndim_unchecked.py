"""RMS norm that does not check ``normalized_ndim``: 0 normalises over no axis at all, so every element is
divided by its own magnitude (``x / sqrt(x**2 + eps)``, about ``sign(x)``).

Real bug class: a missing range check on an axis-count argument; ``axis=()`` is a valid (empty) reduction in
NumPy and PyTorch, so the call runs and returns garbage of the right shape. Correct for every valid
``normalized_ndim``. Caught by: rms_norm ``rejects_bad_input`` (normalized_ndim 0).
"""
import math

import numpy as np

from impls._validate import norms as V
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls.numpy._util import upcast
from impls.numpy.norms import _affine, _meta, _pow2_scale, _scaled_eps

NAME = "mutant-norms-rms-normalized-ndim-unchecked"
DTYPES = ("float32", "float64")


def rms_norm(x, normalized_ndim, weight=None, *, eps=1e-6):
    shape = V.check_x("rms_norm", _meta(x), 1, "(..., *normalized_shape)")
    k = int(normalized_ndim)  # BUG: no 1 <= normalized_ndim <= x.ndim check
    V.check_param("rms_norm", "weight", _meta(weight), shape[len(shape) - k:])
    eps = V.check_eps("rms_norm", eps)
    x = np.asarray(x)
    xc = upcast(x)
    axes = tuple(range(x.ndim - k, x.ndim))
    s = _pow2_scale(xc, axes)
    xs = xc / s
    count = max(math.prod(x.shape[x.ndim - k:]), 1)
    mean_sq = np.sum(xs * xs, axis=axes, keepdims=True) / count
    y = xs / np.sqrt(mean_sq + _scaled_eps(eps, s))
    return _affine(y, weight, None, x.shape[x.ndim - k:]).astype(x.dtype)
