"""Sinusoidal table with cos in the even and sin in the odd columns.

Real bug class: filling `pe[:, 0::2]` and `pe[:, 1::2]` in the wrong order (or copying a `cat([cos, sin])`
layout). Still bounded, still a rotation, dot products still depend only on Δ; differs everywhere, e.g. row 0 is
[1, 0, 1, 0, ...] instead of [0, 1, 0, 1, ...]. Caught by: the differential check against the oracle.
"""
import numpy as np

from impls._validate import positional as check
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-positional-sin-cos-swapped"
DTYPES = ("float32", "float64")


def sinusoidal_positions(num_positions, dim, *, base=10000.0):
    num_positions, dim, base = check.sinusoidal_positions(num_positions, dim, base)
    k = np.arange(num_positions, dtype=np.float64)[:, None]
    angles = k / base ** (np.arange(0, dim, 2) / dim)
    pe = np.empty((num_positions, dim))
    pe[:, 0::2] = np.cos(angles)  # BUG: sin belongs in the even columns
    pe[:, 1::2] = np.sin(angles)
    return pe
