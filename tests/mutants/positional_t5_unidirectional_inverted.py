"""Unidirectional T5 buckets measuring the distance to future keys instead of past ones.

Real bug class: `n = max(relative_position, 0)` for `n = -min(relative_position, 0)` (a sign slip over
`relative_position = key - query`): a causal decoder then lumps its whole past into bucket 0 and spreads
buckets over keys it can never see. Bidirectional buckets are unaffected; unidirectional differ for every
non-zero distance. Caught by: T5 buckets are exact for small distances, and the differential check.
"""
import math

import numpy as np

from impls._validate import positional as check
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-positional-t5-unidirectional-inverted"
DTYPES = ("float32", "float64")


def t5_relative_position_bucket(relative_position, *, bidirectional=True, num_buckets=32, max_distance=128):
    rel = np.asarray(relative_position)
    check.t5_relative_position_bucket(rel.dtype, bidirectional, num_buckets, max_distance)
    rel = rel.astype(np.int64)
    if bidirectional:
        num_buckets //= 2
        offset = np.where(rel > 0, num_buckets, 0)
        n = np.abs(rel)
    else:
        offset = 0
        n = np.maximum(rel, 0)  # BUG: the past (key before query, rel < 0) should be counted
    max_exact = num_buckets // 2
    ratio = np.maximum(n, max_exact).astype(np.float32) / np.float32(max_exact)
    log_ratio = np.log(ratio.astype(np.float64)).astype(np.float32)
    scaled = log_ratio / np.float32(math.log(max_distance / max_exact)) * np.float32(num_buckets - max_exact)
    log_bucket = np.minimum(max_exact + scaled.astype(np.int64), num_buckets - 1)
    return offset + np.where(n < max_exact, n, log_bucket)
