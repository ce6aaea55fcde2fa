"""SiLU computed as ``x * sigmoid(1.702 x)`` (QuickGELU) instead of ``x * sigmoid(x)``.

Real bug class: confusing the two sigmoid-gated activations (CLIP's QuickGELU is ``x * sigmoid(1.702 x)``); both
look alike on a plot. Differs by up to ~0.2 near |x| ~ 1.5. Caught by: the float64 oracle comparison.
"""
import numpy as np

from impls import numpy as reference
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-activations-silu-quick-gelu"
DTYPES = ("float32", "float64")
CATCHES = ("silu:matches_oracle",)


def silu(x):
    """``x * sigmoid(1.702 x)`` (BUG: QuickGELU's gate, not ``sigmoid(x)``)."""
    reference.silu(x)  # validates
    x = np.asarray(x)
    return (x * reference.sigmoid(1.702 * x)).astype(x.dtype)
