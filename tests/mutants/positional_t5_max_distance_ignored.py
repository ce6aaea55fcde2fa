"""T5 buckets computed with max_distance=128 whatever the caller passes.

Real bug class: the public function forgets to forward `max_distance` to the bucketing helper, whose default
(128, T5's value) silently takes over. Correct at max_distance=128; otherwise the log-spaced buckets are
stretched or squeezed (bidirectional, 32 buckets, max_distance=20: distance +12 gets bucket 25, not 28).
Caught by: the differential check with a drawn max_distance != 128.
"""
import math

import numpy as np

from impls._validate import positional as check
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-positional-t5-max-distance-ignored"
DTYPES = ("float32", "float64")


def _bucket(rel, bidirectional, num_buckets, max_distance=128):
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
    log_bucket = np.minimum(max_exact + scaled.astype(np.int64), num_buckets - 1)
    return offset + np.where(n < max_exact, n, log_bucket)


def t5_relative_position_bucket(relative_position, *, bidirectional=True, num_buckets=32, max_distance=128):
    rel = np.asarray(relative_position)
    check.t5_relative_position_bucket(rel.dtype, bidirectional, num_buckets, max_distance)
    return _bucket(rel.astype(np.int64), bidirectional, num_buckets)  # BUG: max_distance not passed on
