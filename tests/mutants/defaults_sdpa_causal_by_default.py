"""Scaled dot-product attention causal by default.

Real bug class: a kernel written for decoding, where every call is causal. Every other property passes this argument, so only the default is wrong: caught by
``defaults_are_the_catalogue_defaults`` in float32 (the dtype a plug-in declares by default).
"""
from impls import numpy as reference
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-defaults-sdpa-causal-by-default"
DTYPES = ("float32",)
CATCHES = ("scaled_dot_product_attention:defaults_are_the_catalogue_defaults@float32",)


def scaled_dot_product_attention(q, k, v, *, mask=None, is_causal=True, scale=None, bias=None):  # BUG: the default
    return reference.scaled_dot_product_attention(q, k, v, mask=mask, is_causal=is_causal, scale=scale, bias=bias)
