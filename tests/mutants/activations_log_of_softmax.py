"""log_softmax computed as ``log(softmax(x))``: -inf once a logit trails the max by more than ~104 (float32).

Real bug class: composing two correct functions: the probability underflows to 0 before the log, so losses built
on it become inf and gradients NaN. Caught by: log_softmax finite for any finite input, and the float64 oracle
comparison on rows with large gaps.
"""
import numpy as np

from impls._validate import activations as V
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls.numpy.activations import _meta
from impls.numpy.activations import softmax as _softmax  # (correct, stable)

NAME = "mutant-activations-log-of-softmax"
DTYPES = ("float32", "float64")


def log_softmax(x, *, axis=-1):
    V.softmax("log_softmax", _meta(x), axis)
    with np.errstate(divide="ignore"):
        return np.log(_softmax(x, axis=axis))  # BUG: log of an underflowed probability is -inf
