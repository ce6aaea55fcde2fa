"""ReLU whose vectorised remainder loop reads the neighbouring element: the last element's output is
``relu(x[i-1])``.

Real bug class: a SIMD kernel's tail (the elements after the last full vector) indexed off by one; the main
loop is right, so every output but one is correct. Caught by: the element-wise property (changing x_i changes
another output; permuting the input does not permute the output), and the oracle comparison.
"""
import numpy as np

from impls import numpy as reference
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-activations-relu-tail-reads-neighbour"
DTYPES = ("float32", "float64")
CATCHES = ("relu:elementwise", "relu:matches_oracle")


def relu(x):
    """The reference ReLU of ``x`` whose last element reads its neighbour's input (BUG)."""
    reference.relu(x)  # validates the input as given
    flat = np.array(x, copy=True).reshape(-1)
    if flat.size > 1:
        flat[-1] = flat[-2]  # BUG: the tail element reads its neighbour's input
    return reference.relu(flat.reshape(np.shape(x)))
