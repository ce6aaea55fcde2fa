"""ALiBi measuring distances from the top-left corner, ``|i - j|``, instead of ``|i + (k_len - q_len) - j|``:
with a KV cache (q_len < k_len) query i is treated as sitting at position i, not at the end of the keys.

Real bug class: the bias built for the square (training) case and sliced for decoding without the cache
offset. Identical when q_len == k_len. Caught by: rows decrease away from the (bottom-right) diagonal, bias
depends only on key - query position, and the oracle comparison.
"""
from impls import numpy as reference
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-positional-alibi-top-left"
DTYPES = ("float32", "float64")
CATCHES = ("alibi_bias:matches_oracle",
           "alibi_bias:depends_on_key_minus_query",
           "alibi_bias:rows_decrease_away_from_diagonal",
           "alibi_bias:slopes_follow_paper_rule")


def alibi_bias(num_heads, q_len, k_len):
    """ALiBi with the distance ``|j - i|`` (BUG: top-left aligned, the ``k_len - q_len`` offset dropped): the
    reference's square bias, cropped."""
    reference.alibi_bias(num_heads, q_len, k_len)  # validates
    n = max(q_len, k_len)
    return reference.alibi_bias(num_heads, n, n)[:, :q_len, :k_len]
