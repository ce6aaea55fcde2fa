"""tanh computed as ``(e^x - e^-x) / (e^x + e^-x)``: inf / inf = NaN for |x| above ~89 (float32) / ~710 (float64).

Real bug class: the definition typed in directly (also inaccurate near 0 by cancellation). Caught by: no
overflow for large |x|, ``tanh(x) == 2 sigmoid(2x) - 1``, and the float64 oracle comparison.
"""
import numpy as np

from impls._validate import activations as V
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls.numpy._util import upcast
from impls.numpy.activations import _meta

NAME = "mutant-activations-tanh-via-exp"
DTYPES = ("float32", "float64")


def tanh(x):
    V.elementwise("tanh", _meta(x))
    xc = upcast(np.asarray(x))
    with np.errstate(over="ignore", invalid="ignore"):
        ep, em = np.exp(xc), np.exp(-xc)
        return ((ep - em) / (ep + em)).astype(x.dtype)  # BUG: overflows for large |x|
