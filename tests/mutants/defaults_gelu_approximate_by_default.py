"""GELU's tanh approximation by default (`approximate=True`).

Real bug class: copying `jax.nn.gelu`'s default (`approximate=True`) into a kernel whose contract, like `torch.nn.functional.gelu`, is the exact erf form unless asked. Every other property passes this argument, so only the default is wrong: caught by
``defaults_are_the_catalogue_defaults`` in float32 (the dtype a plug-in declares by default).
"""
from impls import numpy as reference
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-defaults-gelu-approximate-by-default"
DTYPES = ("float32",)
CATCHES = ("gelu:defaults_are_the_catalogue_defaults@float32",)


def gelu(x, *, approximate=True):  # BUG: the default
    return reference.gelu(x, approximate=approximate)
