"""``is_causal`` honoured only when a mask is also given: with ``mask=None`` attention sees the future.

Real bug class: the causal triangle is folded into the mask inside ``if mask is not None:``, so the plain
``is_causal=True`` path silently attends every key. Caught by: causal output at position i does not change
when inputs after i change, and the differential check with ``is_causal`` and no mask.
"""
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls.numpy import attention as numpy_attention
from tests.patching import patched

NAME = "mutant-attention-causal-dropped-without-mask"
DTYPES = ("float32", "float64")
CATCHES = ("scaled_dot_product_attention:convex_combination_of_allowed_values",
           "scaled_dot_product_attention:matches_oracle",
           "attention_weights:fully_masked_rows_are_zero",
           "attention_weights:rows_are_distributions_over_allowed_keys")


def _allowed(mask, is_causal, shape):
    """The reference's mask, causal only when a mask is given (BUG: the causal part lives in the masked
    branch)."""
    return numpy_attention._allowed(mask, is_causal and mask is not None, shape)


_patched = patched(numpy_attention, _allowed=_allowed)
attention_weights = _patched.attention_weights
scaled_dot_product_attention = _patched.scaled_dot_product_attention
