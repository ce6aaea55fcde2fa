"""Exact GELU as ``x/2 * (1 + erf(x))``, missing the ``1/sqrt(2)`` inside erf.

Real bug class: Phi(x) = (1 + erf(x / sqrt 2)) / 2 remembered without the scaling; the curve is steeper but looks
plausible (differs by up to ~0.08 near x ~ -1). Caught by: the float64 oracle comparison of
``gelu(approximate=False)``.
"""
import math

import numpy as np

from impls import numpy as reference
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-activations-gelu-erf-missing-sqrt2"
DTYPES = ("float32", "float64")
CATCHES = ("gelu:matches_oracle",)

_erf = np.vectorize(math.erf, otypes=[np.float64])


def gelu(x, *, approximate=False):
    """The reference GELU, except that the exact form is ``x/2 (1 + erf(x))`` (BUG: erf(x / sqrt 2))."""
    y = reference.gelu(x, approximate=approximate)  # validates; the tanh form stays right
    if approximate:
        return y
    x = np.asarray(x)
    return (0.5 * x * (1.0 + _erf(x))).astype(x.dtype)
