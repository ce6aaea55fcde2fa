"""RoPE pairs interleaved by default (GPT-J's layout; the catalogue's default is half-split, LLaMA's).

Real bug class: the two RoPE layouts both called 'rotary'; the default silently picks the other one. Every other property passes this argument, so only the default is wrong: caught by
``defaults_are_the_catalogue_defaults`` in float32 (the dtype a plug-in declares by default).
"""
from impls import numpy as reference
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-defaults-rope-interleaved-by-default"
DTYPES = ("float32",)
CATCHES = ("rope:defaults_are_the_catalogue_defaults@float32",)


def rope(x, positions, *, base=10000.0, interleaved=True):  # BUG: the default
    return reference.rope(x, positions, base=base, interleaved=interleaved)
