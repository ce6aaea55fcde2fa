"""Exact GELU as ``x/2 (1 + erf(x / sqrt 2))``: the sum cancels in the left tail.

Real bug class: the textbook formula (PyTorch's docs write it this way) evaluated as written. For x below about
-3 the sum 1 + erf(...) loses its digits, and below about -5.5 (float32) it is 0, where the true value is
~1e-9 to 1e-20: a 100% relative error that an absolute tolerance of eps (|y| + 1) never sees. ``erfc(-x /
sqrt 2)`` has no cancellation. Caught by: ``gelu:matches_oracle``, judged relative to GELU's condition number.
"""
import math

import numpy as np

from impls import numpy as reference
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-activations-gelu-erf-cancels-in-tail"
DTYPES = ("float32", "float64")
CATCHES = ("gelu:matches_oracle@float32", "gelu:matches_oracle@float64")

_erf = np.vectorize(math.erf, otypes=[np.float64])


def gelu(x, *, approximate=False):
    if approximate:
        return reference.gelu(x, approximate=True)
    x = np.asarray(x)
    xc = x.astype(np.float64) if x.dtype == np.float64 else x.astype(np.float32)
    return (xc * 0.5 * (1 + _erf(xc / math.sqrt(2)).astype(xc.dtype))).astype(x.dtype)  # BUG: 1 + erf cancels
