"""Boolean mask read with the opposite polarity: True taken as "masked out" instead of "may attend".

Real bug class: mixing conventions — ``torch.nn.MultiheadAttention``'s ``key_padding_mask``/bool
``attn_mask`` mean True = blocked, while SDPA and this contract mean True = allowed. Caught by: masked
probabilities must be 0, changing masked keys/values must not change the output, and the differential check.
"""
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls.numpy import attention as numpy_attention
from tests.patching import patched

NAME = "mutant-attention-mask-polarity-inverted"
DTYPES = ("float32", "float64")
CATCHES = ("attention_weights:matches_oracle",
           "scaled_dot_product_attention:matches_oracle",
           "attention_weights:fully_masked_rows_are_zero",
           "attention_weights:rows_are_distributions_over_allowed_keys")


def _allowed(mask, is_causal, shape):
    """The reference's mask of ``~mask`` (BUG: True read as "padding, do not attend")."""
    return numpy_attention._allowed(None if mask is None else ~mask, is_causal, shape)


_patched = patched(numpy_attention, _allowed=_allowed)
attention_weights = _patched.attention_weights
scaled_dot_product_attention = _patched.scaled_dot_product_attention
