"""ALiBi slopes `2**(-8(h+1)/H)` for every H, skipping the paper's rule for H not a power of two.

Real bug class: the closed form from the paper's main text applied to 12, 24, 40 or 96 heads; the official
`get_slopes` interleaves the slopes of the neighbouring powers of two instead. Identical for H = 1, 2, 4, 8, ...;
differs for every other H (e.g. H = 3: head 1 slope 2**(-16/3) instead of 2**(-8)). Caught by: the differential
check against the oracle with H not a power of two.
"""
import numpy as np

from impls import numpy as reference
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-positional-alibi-pow2-formula-everywhere"
DTYPES = ("float32", "float64")
CATCHES = ("alibi_bias:matches_oracle", "alibi_bias:slopes_follow_paper_rule")


def alibi_bias(num_heads, q_len, k_len):
    reference.alibi_bias(num_heads, q_len, k_len)  # validates
    slopes = 2.0 ** (-8.0 * np.arange(1, num_heads + 1) / num_heads)  # BUG: only right for powers of two
    distance = np.abs(np.arange(q_len)[:, None] + (k_len - q_len) - np.arange(k_len)[None, :])
    return -slopes[:, None, None] * distance
