"""RoPE with LLaMA 3's base 500000 by default.

Real bug class: a kernel written for one model family keeps its `rope_theta` as the default. Every other property passes this argument, so only the default is wrong: caught by
``defaults_are_the_catalogue_defaults`` in float32 (the dtype a plug-in declares by default).
"""
from impls import numpy as reference
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-defaults-rope-llama3-base-by-default"
DTYPES = ("float32",)
CATCHES = ("rope:defaults_are_the_catalogue_defaults@float32",)


def rope(x, positions, *, base=500000.0, interleaved=False):  # BUG: the default
    return reference.rope(x, positions, base=base, interleaved=interleaved)
