"""T5 bucketing that casts the relative positions to int64 without checking their dtype: float distances
(``0.5``, ``-1.5``) are truncated toward zero.

Real bug class: a silent ``astype(int)`` / ``.long()`` on what should already be integer positions; a float
distance (positions computed in float, or a fractional offset) lands in a bucket without an error. Correct
for integer input. Caught by: t5_relative_position_bucket ``rejects_bad_input`` (float distances).
"""
import numpy as np

from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls.numpy import t5_relative_position_bucket as reference_t5_relative_position_bucket

NAME = "mutant-positional-t5-float-distances-truncated"
DTYPES = ("float32", "float64")
CATCHES = ("t5_relative_position_bucket:rejects_bad_input",)


def t5_relative_position_bucket(relative_position, *, bidirectional=True, num_buckets=32, max_distance=128):
    rel = np.asarray(relative_position).astype(np.int64)  # BUG: no integer-dtype check, floats truncated
    return reference_t5_relative_position_bucket(rel, bidirectional=bidirectional, num_buckets=num_buckets,
                                                 max_distance=max_distance)
