"""log_softmax computed as ``log(softmax(x))``: -inf once a logit trails the max by more than ~104 (float32).

Real bug class: composing two correct functions: the probability underflows to 0 before the log, so losses built
on it become inf and gradients NaN. Caught by: log_softmax finite for any finite input, and the float64 oracle
comparison on rows with large gaps.
"""
import numpy as np

from impls import numpy as reference
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-activations-log-of-softmax"
DTYPES = ("float32", "float64")
CATCHES = ("log_softmax:matches_oracle", "log_softmax:finite_for_large_inputs")


def log_softmax(x, *, axis=-1):
    """``log(softmax(x))`` (BUG: the log of an underflowed probability is -inf)."""
    reference.log_softmax(x, axis=axis)  # validates as log_softmax
    with np.errstate(divide="ignore"):
        return np.log(reference.softmax(x, axis=axis))
