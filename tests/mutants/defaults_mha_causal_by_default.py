"""Multi-head attention causal by default.

Real bug class: a layer written for a decoder-only model, reused in an encoder. Every other property passes this argument, so only the default is wrong: caught by
``defaults_are_the_catalogue_defaults`` in float32 (the dtype a plug-in declares by default).
"""
from impls import numpy as reference
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-defaults-mha-causal-by-default"
DTYPES = ("float32",)
CATCHES = ("multi_head_attention:defaults_are_the_catalogue_defaults@float32",)


def multi_head_attention(x, context, params, *, num_heads, num_kv_heads=None, mask=None, is_causal=True, rope_base=None, bias=None):  # BUG: the default
    return reference.multi_head_attention(x, context, params, num_heads=num_heads, num_kv_heads=num_kv_heads, mask=mask, is_causal=is_causal, rope_base=rope_base, bias=bias)
