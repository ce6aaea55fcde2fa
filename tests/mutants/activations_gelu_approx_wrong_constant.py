"""tanh-GELU with the cubic coefficient truncated to 0.0447 instead of 0.044715.

Real bug class: a constant typed from memory. The output moves by up to ~1e-5 absolute (relative ~5e-6, far
above float64 rounding and ~40 float32 ULPs) around |x| ~ 2. Caught by: the float64 oracle comparison of
``gelu(approximate=True)``.
"""
import numpy as np

from impls._validate import activations as V
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls.numpy._util import upcast
from impls.numpy.activations import _meta
from impls.numpy.activations import gelu as _gelu  # (correct exact form)

NAME = "mutant-activations-gelu-approx-wrong-constant"
DTYPES = ("float32", "float64")


def gelu(x, *, approximate=False):
    approximate = V.gelu(_meta(x), approximate)
    if not approximate:
        return _gelu(x)
    xc = upcast(np.asarray(x))
    with np.errstate(over="ignore"):
        inner = np.sqrt(2.0 / np.pi) * (xc + 0.0447 * xc ** 3)  # BUG: 0.044715
        return (0.5 * xc * (1.0 + np.tanh(inner))).astype(x.dtype)
