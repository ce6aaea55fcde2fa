"""T5 relative-position bias built from `j - i`, ignoring that queries are the last q_len of k_len positions.

Real bug class: computing the bias for a decoding step as if the new queries sat at positions 0..q_len-1
(the `query_length` / `key_length` mix-up of incremental decoding). Correct when q_len == k_len; with a KV cache
(q_len < k_len) every query sees the bias of a position k_len - q_len too early. Caught by: relative bias
depends only on key position - query position, and the differential check with q_len < k_len.
"""
import numpy as np

from impls._validate import positional as check
from impls.numpy import asarray, t5_relative_position_bucket, to_numpy  # noqa: F401  (plug-in interface)

NAME = "mutant-positional-bias-not-shifted"
DTYPES = ("float32", "float64")


def relative_position_bias(q_len, k_len, table, *, bidirectional=True, max_distance=128):
    table = np.asarray(table)
    q_len, k_len = check.relative_position_bias(q_len, k_len, table.shape, table.dtype, bidirectional,
                                                max_distance)
    rel = np.arange(k_len)[None, :] - np.arange(q_len)[:, None]  # BUG: query i sits at i + k_len - q_len
    buckets = t5_relative_position_bucket(rel, bidirectional=bidirectional, num_buckets=table.shape[0],
                                          max_distance=max_distance)
    return np.moveaxis(table[buckets], -1, 0)
