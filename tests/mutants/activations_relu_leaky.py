"""ReLU with a 0.01 negative slope (LeakyReLU) instead of 0.

Real bug class: a shared activation factory returning LeakyReLU for "relu", or a default slope left in place.
Caught by: ``relu(x) - relu(-x) == x`` (gives 1.01 x), and the oracle comparison on negative inputs.
"""
import numpy as np

from impls import numpy as reference
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-activations-relu-leaky"
DTYPES = ("float32", "float64")
CATCHES = ("relu:matches_oracle", "relu:odd_part_is_identity")


def relu(x):
    """The reference ReLU where ``x > 0``, else ``0.01 x`` (BUG: leaky)."""
    y = reference.relu(x)
    x = np.asarray(x)
    return np.where(x > 0, y, 0.01 * x).astype(x.dtype)
