"""Sinusoidal table that always uses base 10000, whatever `base` says.

Real bug class: a hard-coded 10000.0 left in a helper after `base` became a parameter (long-context models
raise it). Differs for every base != 10000 at k >= 1 in every pair but the first. Caught by: the differential
check against the oracle with a drawn base.
"""
import numpy as np

from impls._validate import positional as check
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-positional-sinusoidal-base-ignored"
DTYPES = ("float32", "float64")


def sinusoidal_positions(num_positions, dim, *, base=10000.0):
    num_positions, dim, base = check.sinusoidal_positions(num_positions, dim, base)
    k = np.arange(num_positions, dtype=np.float64)[:, None]
    angles = k / 10000.0 ** (np.arange(0, dim, 2) / dim)  # BUG: should be base
    pe = np.empty((num_positions, dim))
    pe[:, 0::2] = np.sin(angles)
    pe[:, 1::2] = np.cos(angles)
    return pe
