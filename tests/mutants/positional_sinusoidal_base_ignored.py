"""Sinusoidal table that always uses base 10000, whatever `base` says.

Real bug class: a hard-coded 10000.0 left in a helper after `base` became a parameter (long-context models
raise it). Differs for every base != 10000 at k >= 1 in every pair but the first. Caught by: the differential
check against the oracle with a drawn base.
"""
from impls import numpy as reference
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-positional-sinusoidal-base-ignored"
DTYPES = ("float32", "float64")
CATCHES = ("sinusoidal_positions:matches_oracle",)


def sinusoidal_positions(num_positions, dim, *, base=10000.0):
    """The reference table for base 10000 (BUG: ``base`` validated, then ignored)."""
    reference.sinusoidal_positions(num_positions, dim, base=base)  # validates
    return reference.sinusoidal_positions(num_positions, dim)
