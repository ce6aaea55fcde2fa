"""log_softmax subtracting the row max from x but not inside the log-sum-exp: ``x - max - log(sum(exp(x)))``
(it equals ``log_softmax(x) - max``); softmax correct.

Real bug class: the max-shift trick applied to one term only when hand-inlining logsumexp. Exact for rows
whose max is 0, which is what many hand-made test rows look like. The module also provides a correct softmax,
so the identity between the two can be checked. Caught by: ``log_softmax == log(softmax)``, and the oracle
comparison.
"""
import numpy as np

from impls import numpy as reference
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls.numpy import softmax  # noqa: F401  (correct: the reference)

NAME = "mutant-activations-log-softmax-shift-once"
DTYPES = ("float32", "float64")
CATCHES = ("log_softmax:equals_log_of_softmax", "log_softmax:matches_oracle",
           "log_softmax:finite_for_large_inputs")


def log_softmax(x, *, axis=-1):
    """``x - m - log(sum(exp(x)))`` (BUG: the max is subtracted outside the sum only, not inside the exp)."""
    reference.log_softmax(x, axis=axis)  # validates
    x = np.asarray(x)
    m = np.max(x, axis=axis, keepdims=True)
    with np.errstate(over="ignore"):
        return (x - m - np.log(np.sum(np.exp(x), axis=axis, keepdims=True))).astype(x.dtype)
