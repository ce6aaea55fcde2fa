"""Sinusoidal positions with base 1000 by default.

Real bug class: a base changed for short sequences in one experiment left as the default. Every other property passes this argument, so only the default is wrong: caught by
``defaults_are_the_catalogue_defaults`` in float32 (the dtype a plug-in declares by default).
"""
from impls import numpy as reference
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-defaults-sinusoidal-base-1000-by-default"
DTYPES = ("float32",)
CATCHES = ("sinusoidal_positions:defaults_are_the_catalogue_defaults@float32",)


def sinusoidal_positions(num_positions, dim, *, base=1000.0):  # BUG: the default
    return reference.sinusoidal_positions(num_positions, dim, base=base)
