"""Attention probabilities causal by default.

Real bug class: a probability kernel written for decoding, where every call is causal, reused for an encoder. Every other property passes this argument, so only the default is wrong: caught by
``defaults_are_the_catalogue_defaults`` in float32 (the dtype a plug-in declares by default).
"""
from impls import numpy as reference
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-defaults-attention-weights-causal-by-default"
DTYPES = ("float32",)
CATCHES = ("attention_weights:defaults_are_the_catalogue_defaults@float32",)


def _bias(bias):
    return {} if bias is None else {"bias": bias}


def attention_weights(q, k, *, mask=None, is_causal=True, scale=None, bias=None):  # BUG: the default
    return reference.attention_weights(q, k, mask=mask, is_causal=is_causal, scale=scale, **_bias(bias))
