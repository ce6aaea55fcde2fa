"""tanh computed as ``(e^x - e^-x) / (e^x + e^-x)``: inf / inf = NaN for |x| above ~89 (float32) / ~710 (float64).

Real bug class: the definition typed in directly (also inaccurate near 0 by cancellation). Caught by: no
overflow for large |x|, ``tanh(x) == 2 sigmoid(2x) - 1``, and the float64 oracle comparison.
"""
import numpy as np

from impls import numpy as reference
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-activations-tanh-via-exp"
DTYPES = ("float32", "float64")
CATCHES = ("tanh:matches_oracle", "tanh:elementwise")


def tanh(x):
    """``(e^x - e^-x) / (e^x + e^-x)`` (BUG: both overflow for large |x|, giving NaN)."""
    reference.tanh(x)  # validates
    x = np.asarray(x)
    with np.errstate(over="ignore", invalid="ignore"):
        ep, em = np.exp(x), np.exp(-x)
        return ((ep - em) / (ep + em)).astype(x.dtype)
