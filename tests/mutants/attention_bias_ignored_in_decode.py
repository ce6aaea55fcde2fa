"""``mha_decode`` accepts ``bias`` and drops it; the other attention components apply it.

Real bug class: a KV-cache decoding path written before position biases and never threaded through (the
keyword is accepted for signature compatibility), so generation with T5/ALiBi biases silently differs from the
full forward pass that training and evaluation use.
Caught by: the decoding bias differential check and chunked decoding with T5/ALiBi against
``multi_head_attention(is_causal=True, bias=...)``.
"""
from impls.numpy import alibi_bias, relative_position_bias  # noqa: F401  (the decoding property needs them)
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls.numpy.attention import attention_weights, multi_head_attention, scaled_dot_product_attention  # noqa: F401
from impls.numpy.attention import mha_decode as reference_mha_decode

NAME = "mutant-attention-bias-ignored-in-decode"
DTYPES = ("float32", "float64")
CATCHES = ("mha_decode:bias_matches_oracle",
           "mha_decode:chunked_decoding_with_position_bias_equals_causal_attention")


def mha_decode(x_new, cache, params, *, num_heads, num_kv_heads=None, rope_base=None, bias=None):
    # BUG: bias is accepted and never used
    return reference_mha_decode(x_new, cache, params, num_heads=num_heads, num_kv_heads=num_kv_heads,
                                rope_base=rope_base)
