"""RMS norm multiplying the input by the weight before normalising: ``rms_norm(x * w)`` instead of
``rms_norm(x) * w``.

Real bug class: the gain folded into the input (a "fused" pre-scale), which makes the weight's overall scale
cancel out and mixes features into the statistic. Identical for weight 1. Caught by: rms_norm
``weight_bias_are_affine``, and the oracle comparison.
"""
import math

import numpy as np

from impls._validate import norms as V
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls.numpy._util import upcast
from impls.numpy.norms import _meta, _pow2_scale, _scaled_eps

NAME = "mutant-norms-rms-weight-before-normalising"
DTYPES = ("float32", "float64")


def rms_norm(x, normalized_ndim, weight=None, *, eps=1e-6):
    k, eps = V.rms_norm(_meta(x), normalized_ndim, _meta(weight), eps=eps)
    x = np.asarray(x)
    xc = upcast(x)
    if weight is not None:
        xc = xc * upcast(np.asarray(weight))  # BUG: the gain is applied to the input
    axes = tuple(range(x.ndim - k, x.ndim))
    s = _pow2_scale(xc, axes)
    xs = xc / s
    count = max(math.prod(x.shape[x.ndim - k:]), 1)
    mean_sq = np.sum(xs * xs, axis=axes, keepdims=True) / count
    return (xs / np.sqrt(mean_sq + _scaled_eps(eps, s))).astype(x.dtype)
