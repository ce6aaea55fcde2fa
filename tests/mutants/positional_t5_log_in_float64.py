"""T5 bucketing whose logarithmic part is computed in float64 instead of the float32 T5 computes it in.

Real bug class: a port that evaluates ``log(n / max_exact) / log(max_distance / max_exact) * (buckets -
max_exact)`` in double precision (NumPy's default, or a framework with x64 on): wherever that product lies within a
float32 rounding of an integer, truncation puts the distance in the neighbouring bucket, so a model trained with
T5's buckets reads the wrong bias row. It agrees with T5 on every distance of the default configuration (32
buckets, max_distance 128), so only inputs drawn to tell the two precisions apart catch it (for 18 buckets and
max_distance 128, distances 8, 16 and 64). Caught by: the oracle comparison.
"""
import math

import numpy as np

from impls import numpy as reference
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-positional-t5-log-in-float64"
DTYPES = ("float32", "float64")
CATCHES = ("t5_relative_position_bucket:matches_oracle",)


def t5_relative_position_bucket(relative_position, *, bidirectional=True, num_buckets=32, max_distance=128):
    rel = np.asarray(relative_position)
    reference.t5_relative_position_bucket(rel, bidirectional=bidirectional, num_buckets=num_buckets,
                                          max_distance=max_distance)  # validates
    rel = np.clip(rel.astype(np.int64), -2**62, 2**62)
    buckets = num_buckets // 2 if bidirectional else num_buckets
    offset = np.where(rel > 0, buckets, 0) if bidirectional else 0
    n = np.abs(rel) if bidirectional else -np.minimum(rel, 0)
    max_exact = buckets // 2
    ratio = np.maximum(n, max_exact) / max_exact  # BUG: float64 all the way
    scaled = np.log(ratio) / math.log(max_distance / max_exact) * (buckets - max_exact)
    log_bucket = np.minimum(max_exact + scaled.astype(np.int64), buckets - 1)
    return offset + np.where(n < max_exact, n, log_bucket)
