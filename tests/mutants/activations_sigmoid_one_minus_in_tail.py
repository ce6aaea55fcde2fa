"""Sigmoid's left half as ``1 - sigmoid(-x)``: the difference cancels in the tail.

Real bug class: computing only the stable right half and reflecting it by symmetry. For x << 0 the difference
1 - sigmoid(-x) keeps only the digits left after 1, so sigmoid(-20) = 2.06e-9 comes out 0 in float32 (100%
relative error, 2e-9 absolute: within any absolute tolerance). Caught by: ``sigmoid:matches_oracle``, judged
relative to sigmoid's condition number |x| (1 - sigmoid(x)).
"""
import numpy as np

from impls import numpy as reference
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-activations-sigmoid-one-minus-in-tail"
DTYPES = ("float32", "float64")
CATCHES = ("sigmoid:matches_oracle@float32", "sigmoid:matches_oracle@float64")


def sigmoid(x):
    x = np.asarray(x)
    right = reference.sigmoid(np.abs(x))
    return np.where(x >= 0, right, np.asarray(1, x.dtype) - right).astype(x.dtype)  # BUG: cancels for x << 0
