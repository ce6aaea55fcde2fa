"""GELU ignoring ``approximate``: the tanh approximation is returned for the exact (erf) form too.

Real bug class: a flag not threaded through (or the default flipped, as between libraries: ``jax.nn.gelu``
defaults to the tanh form, PyTorch to erf). Differs by up to ~5e-4 around |x| ~ 2. Caught by: the float64 oracle
comparison of ``gelu(approximate=False)``.
"""
import numpy as np

from impls._validate import activations as V
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls.numpy._util import upcast
from impls.numpy.activations import _meta

NAME = "mutant-activations-gelu-tanh-for-exact"
DTYPES = ("float32", "float64")


def gelu(x, *, approximate=False):
    V.gelu(_meta(x), approximate)  # BUG: the flag is validated, then ignored
    xc = upcast(np.asarray(x))
    with np.errstate(over="ignore"):
        inner = np.sqrt(2.0 / np.pi) * (xc + 0.044715 * xc ** 3)
        return (0.5 * xc * (1.0 + np.tanh(inner))).astype(x.dtype)
