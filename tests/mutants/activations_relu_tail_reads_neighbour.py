"""ReLU whose vectorised remainder loop reads the neighbouring element: the last element's output is
``relu(x[i-1])``.

Real bug class: a SIMD kernel's tail (the elements after the last full vector) indexed off by one; the main
loop is right, so every output but one is correct. Caught by: the element-wise property (changing x_i changes
another output; permuting the input does not permute the output), and the oracle comparison.
"""
import numpy as np

from impls._validate import activations as V
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls.numpy._util import upcast
from impls.numpy.activations import _meta

NAME = "mutant-activations-relu-tail-reads-neighbour"
DTYPES = ("float32", "float64")


def relu(x):
    V.elementwise("relu", _meta(x))
    x = np.asarray(x)
    flat = upcast(x).reshape(-1).copy()
    if flat.size > 1:
        flat[-1] = flat[-2]  # BUG: the tail element reads its neighbour's input
    return np.where(flat <= 0, 0.0, flat).reshape(x.shape).astype(x.dtype)
