"""SiLU gated by a softmax over the last axis instead of the element's own sigmoid: ``x * softmax(x)``.

Real bug class: ``torch.softmax`` typed for ``torch.sigmoid`` (auto-completion, or a gate "normalised" over the
features); the output has the right shape and sign, but each element depends on its whole row. Caught by: the
element-wise property (changing one element changes the others), and the oracle comparison.
"""
import numpy as np

from impls import numpy as reference
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-activations-silu-softmax-gate"
DTYPES = ("float32", "float64")
CATCHES = ("silu:elementwise", "silu:matches_oracle")


def silu(x):
    """``x * softmax(x, axis=-1)`` (BUG: a softmax gate, not the element-wise sigmoid)."""
    reference.silu(x)  # validates
    x = np.asarray(x)
    if x.ndim == 0:
        return x.copy()  # a softmax over a single element is 1
    return (x * reference.softmax(x, axis=-1)).astype(x.dtype)
