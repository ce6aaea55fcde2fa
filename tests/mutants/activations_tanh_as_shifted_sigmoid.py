"""tanh computed as ``2 sigmoid(x) - 1`` (which is ``tanh(x / 2)``) instead of ``2 sigmoid(2x) - 1``; sigmoid
correct.

Real bug class: half of the identity ``tanh(x) = 2 sigmoid(2x) - 1`` remembered; odd, bounded in (-1, 1) and
right at 0, so sign and range checks pass. The module also provides a correct sigmoid, so the identity can be
checked. Caught by: ``tanh(x) == 2 sigmoid(2x) - 1``, and the oracle comparison.
"""
import numpy as np

from impls._validate import activations as V
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls.numpy import sigmoid  # noqa: F401  (correct: the reference)
from impls.numpy._util import upcast
from impls.numpy.activations import _meta, _sigmoid

NAME = "mutant-activations-tanh-as-shifted-sigmoid"
DTYPES = ("float32", "float64")


def tanh(x):
    V.elementwise("tanh", _meta(x))
    x = np.asarray(x)
    return (2.0 * _sigmoid(upcast(x)) - 1.0).astype(x.dtype)  # BUG: sigmoid(x), not sigmoid(2x)
