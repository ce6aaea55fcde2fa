"""GELU whose vectorised tail reads the neighbouring element: the last element's output uses x[i-1].

Real bug class: a SIMD kernel's remainder loop indexed off by one (the main loop is right, the tail is not).
Caught by: the element-wise property (changing x_i changes another output) and the oracle comparison.
"""
import numpy as np

from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls.numpy import gelu as reference_gelu

NAME = "mutant-activations-gelu-tail-reads-neighbour"
DTYPES = ("float32", "float64")
CATCHES = ("gelu:elementwise", "gelu:matches_oracle")


def gelu(x, *, approximate=False):
    flat = np.array(x, copy=True).reshape(-1)
    if flat.size > 1:
        flat[-1] = flat[-2]  # BUG: the tail element reads its neighbour's input
    return reference_gelu(flat.reshape(np.shape(x)), approximate=approximate)
