"""Exact GELU as ``x/2 * (1 + erf(x))``, missing the ``1/sqrt(2)`` inside erf.

Real bug class: Phi(x) = (1 + erf(x / sqrt 2)) / 2 remembered without the scaling; the curve is steeper but looks
plausible (differs by up to ~0.08 near x ~ -1). Caught by: the float64 oracle comparison of
``gelu(approximate=False)``.
"""
import math

import numpy as np

from impls._validate import activations as V
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls.numpy._util import upcast
from impls.numpy.activations import _meta
from impls.numpy.activations import gelu as _gelu  # (correct tanh form)

NAME = "mutant-activations-gelu-erf-missing-sqrt2"
DTYPES = ("float32", "float64")

_erf = np.vectorize(math.erf, otypes=[np.float64])


def gelu(x, *, approximate=False):
    approximate = V.gelu(_meta(x), approximate)
    if approximate:
        return _gelu(x, approximate=True)
    xc = upcast(np.asarray(x))
    return (0.5 * xc * (1.0 + _erf(xc))).astype(x.dtype)  # BUG: erf(x / sqrt(2))
