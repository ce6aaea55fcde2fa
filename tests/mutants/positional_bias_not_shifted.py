"""T5 relative-position bias built from `j - i`, ignoring that queries are the last q_len of k_len positions.

Real bug class: computing the bias for a decoding step as if the new queries sat at positions 0..q_len-1
(the `query_length` / `key_length` mix-up of incremental decoding). Correct when q_len == k_len; with a KV cache
(q_len < k_len) every query sees the bias of a position k_len - q_len too early. Caught by: relative bias
depends only on key position - query position, and the differential check with q_len < k_len.
"""
from impls import numpy as reference
from impls.numpy import asarray, t5_relative_position_bucket, to_numpy  # noqa: F401  (plug-in interface)

NAME = "mutant-positional-bias-not-shifted"
DTYPES = ("float32", "float64")
CATCHES = ("relative_position_bias:matches_oracle", "relative_position_bias:depends_on_key_minus_query")


def relative_position_bias(q_len, k_len, table, **options):
    """The T5 bias of ``j - i`` (BUG: query ``i`` sits at ``i + k_len - q_len``): the reference's square
    bias, cropped to its top-left ``(q_len, k_len)``."""
    reference.relative_position_bias(q_len, k_len, table, **options)  # validates
    n = max(q_len, k_len)
    return reference.relative_position_bias(n, n, table, **options)[:, :q_len, :k_len]
