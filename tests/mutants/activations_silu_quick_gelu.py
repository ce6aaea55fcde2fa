"""SiLU computed as ``x * sigmoid(1.702 x)`` (QuickGELU) instead of ``x * sigmoid(x)``.

Real bug class: confusing the two sigmoid-gated activations (CLIP's QuickGELU is ``x * sigmoid(1.702 x)``); both
look alike on a plot. Differs by up to ~0.2 near |x| ~ 1.5. Caught by: the float64 oracle comparison.
"""
import numpy as np

from impls._validate import activations as V
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls.numpy._util import upcast
from impls.numpy.activations import _meta
from impls.numpy.activations import sigmoid as _sigmoid  # (correct, stable)

NAME = "mutant-activations-silu-quick-gelu"
DTYPES = ("float32", "float64")


def silu(x):
    V.elementwise("silu", _meta(x))
    xc = upcast(np.asarray(x))
    return (xc * upcast(_sigmoid(1.702 * xc))).astype(x.dtype)  # BUG: QuickGELU's gate
