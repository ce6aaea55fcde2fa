"""T5 buckets without the final clamp to the last bucket: distances beyond max_distance overflow.

Real bug class: dropping the `torch.min(..., num_buckets - 1)` line of `_relative_position_bucket` in a port;
an embedding lookup with the bucket then reads past the table (or wraps, with negative indexing). Differs for
distances beyond max_distance (defaults: distance +128 gets bucket 32 of 0..31, -128 gets 16, which belongs
to the other half). Caught by: T5 buckets are in range, sign-separated, and the differential check.
"""
import math

import numpy as np

from impls import numpy as reference
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-positional-t5-no-clamp"
DTYPES = ("float32", "float64")
CATCHES = ("t5_relative_position_bucket:matches_oracle",
           "t5_relative_position_bucket:in_range",
           "t5_relative_position_bucket:max_distance_honoured",
           "t5_relative_position_bucket:sign_separated")


def t5_relative_position_bucket(relative_position, *, bidirectional=True, num_buckets=32, max_distance=128):
    rel = np.asarray(relative_position)
    reference.t5_relative_position_bucket(rel, bidirectional=bidirectional, num_buckets=num_buckets,
                                          max_distance=max_distance)  # validates
    rel = rel.astype(np.int64)
    if bidirectional:
        num_buckets //= 2
        offset = np.where(rel > 0, num_buckets, 0)
        n = np.abs(rel)
    else:
        offset = 0
        n = -np.minimum(rel, 0)
    max_exact = num_buckets // 2
    ratio = np.maximum(n, max_exact).astype(np.float32) / np.float32(max_exact)
    log_ratio = np.log(ratio.astype(np.float64)).astype(np.float32)
    scaled = log_ratio / np.float32(math.log(max_distance / max_exact)) * np.float32(num_buckets - max_exact)
    log_bucket = max_exact + scaled.astype(np.int64)  # BUG: no min(..., num_buckets - 1)
    return offset + np.where(n < max_exact, n, log_bucket)
