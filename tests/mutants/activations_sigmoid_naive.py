"""Sigmoid written as ``exp(x) / (1 + exp(x))``: inf / inf = NaN for x above ~88.7 (float32) / ~709.8 (float64).

Real bug class: the algebraically equal form of the logistic function, chosen without checking the overflow
side. Caught by: no overflow for large |x|, ``sigmoid(x) + sigmoid(-x) == 1``, and the oracle comparison.
"""
import numpy as np

from impls import numpy as reference
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-activations-sigmoid-naive"
DTYPES = ("float32", "float64")
CATCHES = ("sigmoid:matches_oracle", "sigmoid:symmetric", "sigmoid:elementwise")


def sigmoid(x):
    """``e^x / (1 + e^x)`` (BUG: NaN for large positive x, where both overflow)."""
    reference.sigmoid(x)  # validates
    x = np.asarray(x)
    with np.errstate(over="ignore", invalid="ignore"):
        e = np.exp(x)
        return (e / (1.0 + e)).astype(x.dtype)
