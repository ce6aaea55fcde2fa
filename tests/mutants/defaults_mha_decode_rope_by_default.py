"""KV-cache decoding applies RoPE by default (`rope_base=10000.0`; the catalogue's default is no positions).

Real bug class: a decode step written for a LLaMA-style model, where RoPE is always on, reused for a model with learned positions. Every other property passes this argument, so only the default is wrong: caught by
``defaults_are_the_catalogue_defaults`` in float32 (the dtype a plug-in declares by default).
"""
from impls import numpy as reference
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-defaults-mha-decode-rope-by-default"
DTYPES = ("float32",)
CATCHES = ("mha_decode:defaults_are_the_catalogue_defaults@float32",)


def _bias(bias):
    return {} if bias is None else {"bias": bias}


def mha_decode(x_new, cache, params, *, num_heads, num_kv_heads=None, rope_base=10000.0, bias=None):  # BUG: the default
    return reference.mha_decode(x_new, cache, params, num_heads=num_heads, num_kv_heads=num_kv_heads, rope_base=rope_base, **_bias(bias))
