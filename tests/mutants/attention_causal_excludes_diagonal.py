"""Causal mask with a strict inequality (``j < i + Lk - Lq``): a query cannot see its own key.

Real bug class: ``triu(ones, diagonal=0)`` where ``diagonal=1`` was meant when building the blocked set.
With Lq == Lk the first query has no allowed key at all. Caught by: the differential check against the
oracle with ``is_causal``, and rows-sum-to-1 over allowed keys (the oracle says row 0 may attend key 0).
"""
import numpy as np

from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls.numpy import attention as numpy_attention
from tests.patching import patched

NAME = "mutant-attention-causal-excludes-diagonal"
DTYPES = ("float32", "float64")
CATCHES = ("attention_weights:matches_oracle",
           "scaled_dot_product_attention:matches_oracle",
           "attention_weights:rows_are_distributions_over_allowed_keys",
           "scaled_dot_product_attention:convex_combination_of_allowed_values")


def _allowed(mask, is_causal, shape):
    """The reference's mask; causal as ``j < i + Lk - Lq`` (BUG: ``<``, so a query cannot see itself)."""
    allowed = numpy_attention._allowed(mask, False, shape)
    if not is_causal:
        return allowed
    q_len, k_len = shape[-2:]
    return allowed & (np.arange(k_len)[None, :] < np.arange(q_len)[:, None] + (k_len - q_len))


_patched = patched(numpy_attention, _allowed=_allowed)
attention_weights = _patched.attention_weights
scaled_dot_product_attention = _patched.scaled_dot_product_attention
