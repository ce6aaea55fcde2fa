"""multi_head_attention and mha_decode that drop unknown keys from ``params`` before validating them: a
misspelt or foreign key ('w_extra', 'gamma') is silently ignored.

Real bug class: lenient state-dict loading (``strict=False``): a weight under the wrong name is never used and
nothing complains, so the layer runs with a missing bias or an unloaded projection. Correct for well-formed
params. Caught by: ``rejects_bad_input`` of multi_head_attention and mha_decode (unexpected params keys).
"""
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls.numpy import mha_decode as reference_mha_decode
from impls.numpy import multi_head_attention as reference_multi_head_attention

NAME = "mutant-attention-unknown-params-ignored"
DTYPES = ("float32", "float64")
CATCHES = ("multi_head_attention:rejects_bad_input", "mha_decode:rejects_bad_input")

_KNOWN = ("wq", "wk", "wv", "wo", "bq", "bk", "bv", "bo", "w_qkv", "b_qkv")


def _known(params):
    # BUG: unknown keys are filtered out instead of rejected
    return {k: v for k, v in params.items() if k in _KNOWN} if isinstance(params, dict) else params


def multi_head_attention(x, context, params, *, num_heads, num_kv_heads=None, mask=None, is_causal=False,
                         rope_base=None):
    return reference_multi_head_attention(x, context, _known(params), num_heads=num_heads, num_kv_heads=num_kv_heads,
                                 mask=mask, is_causal=is_causal, rope_base=rope_base)


def mha_decode(x_new, cache, params, *, num_heads, num_kv_heads=None, rope_base=None):
    return reference_mha_decode(x_new, cache, _known(params), num_heads=num_heads, num_kv_heads=num_kv_heads,
                       rope_base=rope_base)
