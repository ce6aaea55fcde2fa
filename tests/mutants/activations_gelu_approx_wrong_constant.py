"""tanh-GELU with the cubic coefficient truncated to 0.0447 instead of 0.044715.

Real bug class: a constant typed from memory. The output moves by up to ~1e-5 absolute (relative ~5e-6, far
above float64 rounding and ~40 float32 ULPs) around |x| ~ 2. Caught by: the float64 oracle comparison of
``gelu(approximate=True)``.
"""
import numpy as np

from impls import numpy as reference
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-activations-gelu-approx-wrong-constant"
DTYPES = ("float32", "float64")
CATCHES = ("gelu:matches_oracle",)


def gelu(x, *, approximate=False):
    """The reference GELU, except that the tanh form uses ``0.0447 x^3`` (BUG: 0.044715)."""
    y = reference.gelu(x, approximate=approximate)  # validates; the exact form stays right
    if not approximate:
        return y
    x = np.asarray(x)
    with np.errstate(over="ignore"):
        return (0.5 * x * (1.0 + np.tanh(np.sqrt(2.0 / np.pi) * (x + 0.0447 * x ** 3)))).astype(x.dtype)
