"""RMSNorm dividing by ``sqrt(mean(x^2)) + eps`` instead of ``sqrt(mean(x^2) + eps)``.

Real bug class: eps added to the norm rather than inside the root (seen in ports of T5/LLaMA). Off by a relative
~eps/(2 ms) for unit-scale rows and far more when mean(x^2) is near eps. Caught by: the float64 oracle
comparison (small-magnitude rows, or any row in float64).
"""
import numpy as np

from impls import numpy as reference
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-norms-rms-norm-eps-outside"
DTYPES = ("float32", "float64")
CATCHES = ("rms_norm:matches_oracle", "rms_norm:zero_mean_unit_variance", "rms_norm:scale_invariant")


def rms_norm(x, normalized_ndim, weight=None, *, eps=1e-6):
    """``x / (sqrt(mean(x^2)) + eps) * weight`` (BUG: eps outside the square root)."""
    reference.rms_norm(x, normalized_ndim, weight, eps=eps)  # validates
    x = np.asarray(x)
    axes = tuple(range(x.ndim - normalized_ndim, x.ndim))
    y = x / (np.sqrt((x * x).mean(axis=axes, keepdims=True)) + eps)
    return (y if weight is None else y * np.asarray(weight, y.dtype)).astype(x.dtype)
