"""ReLU with a 0.01 negative slope (LeakyReLU) instead of 0.

Real bug class: a shared activation factory returning LeakyReLU for "relu", or a default slope left in place.
Caught by: ``relu(x) - relu(-x) == x`` (gives 1.01 x), and the oracle comparison on negative inputs.
"""
import numpy as np

from impls._validate import activations as V
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls.numpy._util import upcast
from impls.numpy.activations import _meta

NAME = "mutant-activations-relu-leaky"
DTYPES = ("float32", "float64")


def relu(x):
    V.elementwise("relu", _meta(x))
    xc = upcast(np.asarray(x))
    return np.where(xc > 0, xc, 0.01 * xc).astype(x.dtype)  # BUG: leaky
