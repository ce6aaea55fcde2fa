"""LayerNorm normalising over the last axis only, whatever ``normalized_ndim`` says.

Real bug class: ``mean(dim=-1)`` hard-coded in a LayerNorm that accepts a multi-axis ``normalized_shape``
(e.g. (C, H, W) in vision models). Caught by: zero mean and unit variance over the normalised axes, and the
float64 oracle comparison, whenever ``normalized_ndim >= 2``.
"""
import numpy as np

from impls import numpy as reference
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-norms-layer-norm-wrong-axes"
DTYPES = ("float32", "float64")
CATCHES = ("layer_norm:matches_oracle", "layer_norm:zero_mean_unit_variance")


def layer_norm(x, normalized_ndim, weight=None, bias=None, *, eps=1e-5):
    """Statistics over the last axis only (BUG: ``normalized_ndim`` ignored); the affine part is right."""
    reference.layer_norm(x, normalized_ndim, weight, bias, eps=eps)  # validates
    y = reference.layer_norm(x, 1, eps=eps)
    y = y if weight is None else y * np.asarray(weight, y.dtype)
    return y if bias is None else y + np.asarray(bias, y.dtype)
