"""ALiBi measuring distances from the top-left corner, ``|i - j|``, instead of ``|i + (k_len - q_len) - j|``:
with a KV cache (q_len < k_len) query i is treated as sitting at position i, not at the end of the keys.

Real bug class: the bias built for the square (training) case and sliced for decoding without the cache
offset. Identical when q_len == k_len. Caught by: rows decrease away from the (bottom-right) diagonal, bias
depends only on key - query position, and the oracle comparison.
"""
import numpy as np

from impls._validate import positional as check
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls.numpy.positional import _alibi_slopes

NAME = "mutant-positional-alibi-top-left"
DTYPES = ("float32", "float64")


def alibi_bias(num_heads, q_len, k_len):
    num_heads, q_len, k_len = check.alibi_bias(num_heads, q_len, k_len)
    distance = np.abs(np.arange(k_len)[None, :] - np.arange(q_len)[:, None]).astype(np.float64)  # BUG
    return -_alibi_slopes(num_heads)[:, None, None] * distance
