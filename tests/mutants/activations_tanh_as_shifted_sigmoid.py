"""tanh computed as ``2 sigmoid(x) - 1`` (which is ``tanh(x / 2)``) instead of ``2 sigmoid(2x) - 1``; sigmoid
correct.

Real bug class: half of the identity ``tanh(x) = 2 sigmoid(2x) - 1`` remembered; odd, bounded in (-1, 1) and
right at 0, so sign and range checks pass. The module also provides a correct sigmoid, so the identity can be
checked. Caught by: ``tanh(x) == 2 sigmoid(2x) - 1``, and the oracle comparison.
"""
import numpy as np

from impls import numpy as reference
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls.numpy import sigmoid  # noqa: F401  (correct: the reference)

NAME = "mutant-activations-tanh-as-shifted-sigmoid"
DTYPES = ("float32", "float64")
CATCHES = ("tanh:equals_scaled_sigmoid", "tanh:matches_oracle")


def tanh(x):
    """``2 sigmoid(x) - 1`` (BUG: ``sigmoid(2x)``, the argument's factor 2 forgotten)."""
    reference.tanh(x)  # validates
    x = np.asarray(x)
    return (2.0 * reference.sigmoid(x) - 1.0).astype(x.dtype)
