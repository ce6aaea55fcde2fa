"""log_softmax as ``x - log(sum(exp(x)))`` without the max: exp overflows for logits above ~88 (float32).

Real bug class: an unshifted logsumexp: the sum becomes inf and every output -inf (or NaN for very negative
rows, where the sum underflows to 0). Caught by: log_softmax finite for any finite input, and the oracle
comparison on large logits.
"""
import numpy as np

from impls._validate import activations as V
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls.numpy._util import upcast
from impls.numpy.activations import _meta

NAME = "mutant-activations-log-softmax-no-max"
DTYPES = ("float32", "float64")


def log_softmax(x, *, axis=-1):
    axis = V.softmax("log_softmax", _meta(x), axis)
    xc = upcast(np.asarray(x))
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        return (xc - np.log(np.exp(xc).sum(axis=axis, keepdims=True))).astype(x.dtype)  # BUG: no max
