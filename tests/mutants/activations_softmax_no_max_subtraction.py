"""Softmax without max subtraction: exp overflows for logits above ~88 (float32) / ~709 (float64).

Real bug class: the textbook ``exp(x) / sum(exp(x))``: inf / inf gives NaN for large logits and 0 / 0 for very
negative rows. Caught by: softmax finite for any finite input (|x| up to max/4), rows summing to 1, invariance to
adding a constant per row.
"""
import numpy as np

from impls import numpy as reference
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-activations-softmax-no-max-subtraction"
DTYPES = ("float32", "float64")
CATCHES = ("softmax:shift_invariant", "softmax:matches_oracle", "softmax:rows_are_distributions")


def softmax(x, *, axis=-1):
    """``exp(x) / sum(exp(x))`` (BUG: no max subtracted, so ``exp`` overflows for large inputs)."""
    reference.softmax(x, axis=axis)  # validates
    x = np.asarray(x)
    with np.errstate(over="ignore", invalid="ignore"):
        e = np.exp(x)
        return (e / e.sum(axis=axis, keepdims=True)).astype(x.dtype)
