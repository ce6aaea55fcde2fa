"""RMS norm multiplying the input by the weight before normalising: ``rms_norm(x * w)`` instead of
``rms_norm(x) * w``.

Real bug class: the gain folded into the input (a "fused" pre-scale), which makes the weight's overall scale
cancel out and mixes features into the statistic. Identical for weight 1. Caught by: rms_norm
``weight_bias_are_affine``, and the oracle comparison.
"""
import numpy as np

from impls import numpy as reference
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-norms-rms-weight-before-normalising"
DTYPES = ("float32", "float64")
CATCHES = ("rms_norm:weight_bias_are_affine",)


def rms_norm(x, normalized_ndim, weight=None, *, eps=1e-6):
    """The reference RMS norm of ``x * weight`` (BUG: the gain is applied to the input, where it mixes into the
    statistic), with no gain after."""
    reference.rms_norm(x, normalized_ndim, weight, eps=eps)  # validates
    x = np.asarray(x)
    return reference.rms_norm(x if weight is None else (x * np.asarray(weight, x.dtype)), normalized_ndim, eps=eps)
