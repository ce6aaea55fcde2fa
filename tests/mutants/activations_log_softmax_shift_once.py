"""log_softmax subtracting the row max from x but not inside the log-sum-exp: ``x - max - log(sum(exp(x)))``
(it equals ``log_softmax(x) - max``); softmax correct.

Real bug class: the max-shift trick applied to one term only when hand-inlining logsumexp. Exact for rows
whose max is 0, which is what many hand-made test rows look like. The module also provides a correct softmax,
so the identity between the two can be checked. Caught by: ``log_softmax == log(softmax)``, and the oracle
comparison.
"""
import numpy as np

from impls._validate import activations as V
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls.numpy import softmax  # noqa: F401  (correct: the reference)
from impls.numpy._util import upcast
from impls.numpy.activations import _meta

NAME = "mutant-activations-log-softmax-shift-once"
DTYPES = ("float32", "float64")


def log_softmax(x, *, axis=-1):
    V.softmax("log_softmax", _meta(x), axis)
    x = np.asarray(x)
    xc = upcast(x)
    m = np.max(xc, axis=axis, keepdims=True)
    with np.errstate(over="ignore"):
        return (xc - m - np.log(np.sum(np.exp(xc), axis=axis, keepdims=True))).astype(x.dtype)  # BUG
