"""RMSNorm centring its input first: it computes LayerNorm without a bias.

Real bug class: an RMSNorm written by editing a LayerNorm and keeping the ``x - mean``. Agrees on zero-mean
input, so it slips through tests that only use centred data. Caught by: the float64 oracle comparison on input
with a non-zero mean, and the gradient being orthogonal to x.
"""
from impls import numpy as reference
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-norms-rms-norm-subtracts-mean"
DTYPES = ("float32", "float64")
CATCHES = ("rms_norm:matches_oracle",)


def rms_norm(x, normalized_ndim, weight=None, *, eps=1e-6):
    """RMS norm of the centred input (BUG: RMSNorm does not centre): layer norm without a bias."""
    reference.rms_norm(x, normalized_ndim, weight, eps=eps)  # validates
    return reference.layer_norm(x, normalized_ndim, weight, eps=eps)
