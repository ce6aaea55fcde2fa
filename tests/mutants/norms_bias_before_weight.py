"""LayerNorm applying the affine parameters in the wrong order: ``(y + bias) * weight``.

Real bug class: a fused affine written as ``(y + b) * w`` (or the bias folded before the scale). Agrees whenever
weight is 1 or bias is 0, so default-initialised parameters hide it. Caught by: weight/bias act as a per-feature
affine map after normalisation, and the oracle comparison with random weight and bias.
"""
import numpy as np

from impls import numpy as reference
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-norms-bias-before-weight"
DTYPES = ("float32", "float64")
CATCHES = ("layer_norm:matches_oracle", "layer_norm:weight_bias_are_affine")


def layer_norm(x, normalized_ndim, weight=None, bias=None, *, eps=1e-5):
    """The reference's standardised ``y``, then ``(y + bias) * weight`` (BUG: the bias is scaled too)."""
    reference.layer_norm(x, normalized_ndim, weight, bias, eps=eps)  # validates
    y = reference.layer_norm(x, normalized_ndim, eps=eps)
    y = y if bias is None else y + np.asarray(bias, y.dtype)
    return y if weight is None else y * np.asarray(weight, y.dtype)
