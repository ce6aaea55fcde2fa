"""LayerNorm dividing by ``sqrt(var) + eps`` instead of ``sqrt(var + eps)``.

Real bug class: a common hand-written normaliser (and some older TF/Keras code paths). Off by a relative
~eps/(2 var) for unit-variance rows and by a large factor when var is comparable to eps. Caught by: the float64
oracle comparison (rows with a small spread, or any row in float64).
"""
import numpy as np

from impls import numpy as reference
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-norms-eps-outside-sqrt"
DTYPES = ("float32", "float64")
CATCHES = ("layer_norm:matches_oracle", "layer_norm:affine_invariant")


def layer_norm(x, normalized_ndim, weight=None, bias=None, *, eps=1e-5):
    """``(x - mean) / (sqrt(var) + eps) * weight + bias`` (BUG: eps outside the square root)."""
    reference.layer_norm(x, normalized_ndim, weight, bias, eps=eps)  # validates
    x = np.asarray(x)
    axes = tuple(range(x.ndim - normalized_ndim, x.ndim))
    y = (x - x.mean(axis=axes, keepdims=True)) / (x.std(axis=axes, keepdims=True) + eps)
    y = y if weight is None else y * np.asarray(weight, y.dtype)
    return (y if bias is None else y + np.asarray(bias, y.dtype)).astype(x.dtype)
