"""RoPE rotating position ``m`` by the angle of ``m + 1`` (positions treated as 1-based).

Real bug class: an off-by-one in position ids (1-based ids, or a padding offset carried over from learned
position tables as in OPT's ``+ 2``); relative properties still hold, since every position shifts by one, so
``<rope(q, m), rope(k, n)>`` still depends only on ``m - n``. Caught by: identity at position 0, and the oracle
comparison.
"""
import numpy as np

from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls.numpy import rope as reference_rope

NAME = "mutant-positional-rope-positions-one-based"
DTYPES = ("float32", "float64")
CATCHES = ("rope:matches_oracle", "rope:composes_additively", "rope:identity_at_position_zero")


def rope(x, positions, *, base=10000.0, interleaved=False):
    positions = np.asarray(positions)
    if positions.dtype.kind in "iu":
        positions = positions + 1  # BUG: position m rotated by (m + 1) * theta
    return reference_rope(x, positions, base=base, interleaved=interleaved)
