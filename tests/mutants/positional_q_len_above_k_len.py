"""Relative-position bias and ALiBi that accept ``q_len > k_len``: the first queries get keys "before the
start" (negative offsets) instead of an error.

Real bug class: a missing length check in KV-cache code paths, where ``q_len <= k_len`` always holds in the
author's tests; a caller who swaps the two lengths gets a bias of the right shape and wrong meaning. Correct
for q_len <= k_len. Caught by: ``rejects_bad_input`` of relative_position_bias and alibi_bias.
"""
import numpy as np

from impls._validate import positional as check
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls.numpy.positional import _alibi_slopes, _key_minus_query, t5_relative_position_bucket

NAME = "mutant-positional-q-len-above-k-len"
DTYPES = ("float32", "float64")


def relative_position_bias(q_len, k_len, table, *, bidirectional=True, max_distance=128):
    table = np.asarray(table)
    # BUG: the lengths are checked in the order that always passes (min first)
    check.relative_position_bias(min(q_len, k_len), max(q_len, k_len), table.shape, table.dtype, bidirectional,
                                 max_distance)
    buckets = t5_relative_position_bucket(_key_minus_query(q_len, k_len), bidirectional=bidirectional,
                                          num_buckets=table.shape[0], max_distance=max_distance)
    return np.moveaxis(table[buckets], -1, 0)


def alibi_bias(num_heads, q_len, k_len):
    num_heads, _, _ = check.alibi_bias(num_heads, min(q_len, k_len), max(q_len, k_len))  # BUG: same
    distance = np.abs(_key_minus_query(q_len, k_len)).astype(np.float64)
    return -_alibi_slopes(num_heads)[:, None, None] * distance
