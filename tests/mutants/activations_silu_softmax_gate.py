"""SiLU gated by a softmax over the last axis instead of the element's own sigmoid: ``x * softmax(x)``.

Real bug class: ``torch.softmax`` typed for ``torch.sigmoid`` (auto-completion, or a gate "normalised" over the
features); the output has the right shape and sign, but each element depends on its whole row. Caught by: the
element-wise property (changing one element changes the others), and the oracle comparison.
"""
import numpy as np

from impls._validate import activations as V
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls.numpy._util import upcast
from impls.numpy.activations import _meta

NAME = "mutant-activations-silu-softmax-gate"
DTYPES = ("float32", "float64")


def silu(x):
    V.elementwise("silu", _meta(x))
    x = np.asarray(x)
    xc = upcast(x)
    if xc.ndim == 0:
        return xc.astype(x.dtype)  # a softmax over a single element is 1
    z = xc - np.max(xc, axis=-1, keepdims=True)
    e = np.exp(z)
    return (xc * (e / np.sum(e, axis=-1, keepdims=True))).astype(x.dtype)  # BUG: softmax, not sigmoid
