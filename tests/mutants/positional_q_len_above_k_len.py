"""Relative-position bias and ALiBi that accept ``q_len > k_len``: the first queries get keys "before the
start" (negative offsets) instead of an error.

Real bug class: a missing length check in KV-cache code paths, where ``q_len <= k_len`` always holds in the
author's tests; a caller who swaps the two lengths gets a bias of the right shape and wrong meaning. Correct
for q_len <= k_len. Caught by: ``rejects_bad_input`` of relative_position_bias and alibi_bias.
"""
from impls import numpy as reference
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls.numpy import t5_relative_position_bucket  # noqa: F401

NAME = "mutant-positional-q-len-above-k-len"
DTYPES = ("float32", "float64")
CATCHES = ("alibi_bias:rejects_bad_input", "relative_position_bias:rejects_bad_input")


def _queries_beyond_keys(q_len, k_len):
    """True where the reference rejects ``q_len > k_len`` (BUG: here it is accepted, the lengths checked as
    ``(min, max)``); the bias is then the last ``k_len`` columns of the square ``(q_len, q_len)`` one, whose
    key-minus-query is ``j - i + (q_len - k_len)``."""
    try:
        return q_len > k_len
    except TypeError:
        return False


def relative_position_bias(q_len, k_len, table, **options):
    if not _queries_beyond_keys(q_len, k_len):
        return reference.relative_position_bias(q_len, k_len, table, **options)
    return reference.relative_position_bias(q_len, q_len, table, **options)[:, :, q_len - k_len:]


def alibi_bias(num_heads, q_len, k_len):
    if not _queries_beyond_keys(q_len, k_len):
        return reference.alibi_bias(num_heads, q_len, k_len)
    return reference.alibi_bias(num_heads, q_len, q_len)[:, :, q_len - k_len:]
