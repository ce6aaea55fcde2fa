"""Softmax without max subtraction: exp overflows for logits above ~88 (float32) / ~709 (float64).

Real bug class: the textbook ``exp(x) / sum(exp(x))``: inf / inf gives NaN for large logits and 0 / 0 for very
negative rows. Caught by: softmax finite for any finite input (|x| up to max/4), rows summing to 1, invariance to
adding a constant per row.
"""
import numpy as np

from impls._validate import activations as V
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls.numpy._util import upcast
from impls.numpy.activations import _meta

NAME = "mutant-activations-softmax-no-max-subtraction"
DTYPES = ("float32", "float64")


def softmax(x, *, axis=-1):
    axis = V.softmax("softmax", _meta(x), axis)
    xc = upcast(np.asarray(x))
    with np.errstate(over="ignore", invalid="ignore"):
        e = np.exp(xc)  # BUG: no max subtraction
        return (e / e.sum(axis=axis, keepdims=True)).astype(x.dtype)
