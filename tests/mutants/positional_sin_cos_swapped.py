"""Sinusoidal table with cos in the even and sin in the odd columns.

Real bug class: filling `pe[:, 0::2]` and `pe[:, 1::2]` in the wrong order (or copying a `cat([cos, sin])`
layout). Still bounded, still a rotation, dot products still depend only on Δ; differs everywhere, e.g. row 0 is
[1, 0, 1, 0, ...] instead of [0, 1, 0, 1, ...]. Caught by: the differential check against the oracle.
"""
from impls import numpy as reference
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-positional-sin-cos-swapped"
DTYPES = ("float32", "float64")
CATCHES = ("sinusoidal_positions:matches_oracle",)


def sinusoidal_positions(num_positions, dim, **options):
    """The reference table with each ``(sin, cos)`` column pair swapped (BUG: sin belongs in the even
    columns)."""
    pe = reference.sinusoidal_positions(num_positions, dim, **options)
    return pe.reshape(pe.shape[0], -1, 2)[..., ::-1].reshape(pe.shape)
