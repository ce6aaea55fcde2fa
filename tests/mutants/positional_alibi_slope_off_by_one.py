"""ALiBi slopes `2**(-8h/n)` counting heads from 0: head 0 gets slope 1 and the last head loses 2**(-8).

Real bug class: `range(n)` for `range(1, n + 1)` in the slope geometric series (start ratio**0 instead of
ratio**1). Differs for every H: each slope is 2**(8/n) times too large (2**(4/n) for the extra heads of a
non-power-of-two H, n the largest power of two <= H). Caught by: the differential
check against the oracle.
"""
import numpy as np

from impls import numpy as reference
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-positional-alibi-slope-off-by-one"
DTYPES = ("float32", "float64")
CATCHES = ("alibi_bias:matches_oracle",
           "alibi_bias:slopes_follow_paper_rule",
           "alibi_bias:slopes_geometric_for_powers_of_two")


def _slopes(num_heads):
    def power_of_two_slopes(n):
        return [2.0 ** (-8.0 * h / n) for h in range(n)]  # BUG: exponent should use h + 1

    n = 1 << (num_heads.bit_length() - 1)
    return np.array(power_of_two_slopes(n) + power_of_two_slopes(2 * n)[0::2][: num_heads - n])


def alibi_bias(num_heads, q_len, k_len):
    reference.alibi_bias(num_heads, q_len, k_len)  # validates
    distance = np.abs(np.arange(q_len)[:, None] + (k_len - q_len) - np.arange(k_len)[None, :])
    return -_slopes(num_heads)[:, None, None] * distance
