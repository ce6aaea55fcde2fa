"""log_softmax as ``x - log(sum(exp(x)))`` without the max: exp overflows for logits above ~88 (float32).

Real bug class: an unshifted logsumexp: the sum becomes inf and every output -inf (or NaN for very negative
rows, where the sum underflows to 0). Caught by: log_softmax finite for any finite input, and the oracle
comparison on large logits.
"""
import numpy as np

from impls import numpy as reference
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-activations-log-softmax-no-max"
DTYPES = ("float32", "float64")
CATCHES = ("log_softmax:matches_oracle", "log_softmax:finite_for_large_inputs")


def log_softmax(x, *, axis=-1):
    """``x - log(sum(exp(x)))`` (BUG: no max subtracted, so ``exp`` overflows for large inputs)."""
    reference.log_softmax(x, axis=axis)  # validates
    x = np.asarray(x)
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        return (x - np.log(np.exp(x).sum(axis=axis, keepdims=True))).astype(x.dtype)
