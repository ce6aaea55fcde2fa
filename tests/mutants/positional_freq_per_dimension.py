"""Sinusoidal table whose frequency exponent uses the column index j/dim, not the pair index 2i/dim.

Real bug class: `div_term = base ** (arange(dim) / dim)` computed over every column, then sin written to the even
and cos to the odd columns, so a (sin, cos) pair no longer shares one frequency. Differs in every odd column at
k >= 1. Caught by: `pe[k+Δ]` is a fixed rotation of `pe[k]` and `pe[k] · pe[k+Δ]` depends only on Δ (and the
differential check).
"""
import numpy as np

from impls import numpy as reference
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-positional-freq-per-dimension"
DTYPES = ("float32", "float64")
CATCHES = ("sinusoidal_positions:matches_oracle",
           "sinusoidal_positions:bounded_on_unit_circle",
           "sinusoidal_positions:dot_depends_only_on_offset",
           "sinusoidal_positions:shift_is_fixed_rotation")


def sinusoidal_positions(num_positions, dim, *, base=10000.0):
    reference.sinusoidal_positions(num_positions, dim, base=base)  # validates
    k = np.arange(num_positions, dtype=np.float64)[:, None]
    angles = k / base ** (np.arange(dim) / dim)  # BUG: column j gets exponent j/dim, pairs split in two
    pe = np.empty((num_positions, dim))
    pe[:, 0::2] = np.sin(angles[:, 0::2])
    pe[:, 1::2] = np.cos(angles[:, 1::2])
    return pe
