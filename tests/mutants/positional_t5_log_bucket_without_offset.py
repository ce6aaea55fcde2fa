"""T5 bucketing that forgets to add ``max_exact`` to the logarithmic buckets: distance ``max_exact`` maps to
bucket 0 (or ``num_buckets / 2``) instead of ``max_exact``, right after the exact buckets ``0..max_exact - 1``.

Real bug class: a dropped offset when porting T5's ``_relative_position_bucket`` (``val_if_large`` without
``max_exact +``); buckets stay in range and the exact ones are right. Caught by: buckets are monotone in
|distance|, and the oracle comparison.
"""
import math

import numpy as np

from impls import numpy as reference
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-positional-t5-log-bucket-without-offset"
DTYPES = ("float32", "float64")
CATCHES = ("t5_relative_position_bucket:matches_oracle",
           "t5_relative_position_bucket:max_distance_honoured",
           "t5_relative_position_bucket:monotone_in_distance")


def t5_relative_position_bucket(relative_position, *, bidirectional=True, num_buckets=32, max_distance=128):
    rel = np.asarray(relative_position)
    reference.t5_relative_position_bucket(rel, bidirectional=bidirectional, num_buckets=num_buckets,
                                          max_distance=max_distance)  # validates
    rel = np.clip(rel.astype(np.int64), -2**62, 2**62)
    if bidirectional:
        buckets = num_buckets // 2
        offset = np.where(rel > 0, buckets, 0)
        n = np.abs(rel)
    else:
        buckets, offset = num_buckets, 0
        n = -np.minimum(rel, 0)
    max_exact = buckets // 2
    ratio = np.maximum(n, max_exact).astype(np.float32) / np.float32(max_exact)
    log_ratio = np.log(ratio.astype(np.float64)).astype(np.float32)
    scaled = log_ratio / np.float32(math.log(max_distance / max_exact)) * np.float32(buckets - max_exact)
    log_bucket = np.minimum(scaled.astype(np.int64), buckets - 1)  # BUG: max_exact + ... missing
    return offset + np.where(n < max_exact, n, log_bucket)
