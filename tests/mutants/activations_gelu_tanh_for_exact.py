"""GELU ignoring ``approximate``: the tanh approximation is returned for the exact (erf) form too.

Real bug class: a flag not threaded through (or the default flipped, as between libraries: ``jax.nn.gelu``
defaults to the tanh form, PyTorch to erf). Differs by up to ~5e-4 around |x| ~ 2. Caught by: the float64 oracle
comparison of ``gelu(approximate=False)``.
"""
from impls import numpy as reference
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-activations-gelu-tanh-for-exact"
DTYPES = ("float32", "float64")
CATCHES = ("gelu:matches_oracle",)


def gelu(x, *, approximate=False):
    """The tanh form whatever ``approximate`` says (BUG: the flag is validated, then ignored)."""
    reference.gelu(x, approximate=approximate)  # validates the flag
    return reference.gelu(x, approximate=True)
