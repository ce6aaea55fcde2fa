"""Heads split with a bare ``reshape(B, H, L, D)`` (and merged back with ``reshape(B, L, H*D)``), no transpose.

Real bug class: ``q.view(B, n_heads, T, head_dim)`` instead of ``q.view(B, T, n_heads, head_dim).transpose(1, 2)``:
shapes are right, but each "head" mixes features of different tokens. Same as correct only for H = 1 or
L = 1. Caught by: permutation equivariance of self-attention, the causal future-independence check, and
the differential check of ``multi_head_attention``.
"""
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls.numpy import attention as numpy_attention
from tests.patching import patched

NAME = "mutant-attention-heads-bare-reshape"
DTYPES = ("float32", "float64")
CATCHES = ("multi_head_attention:self_attention_is_permutation_equivariant",
           "multi_head_attention:cross_attention_ignores_context_order",
           "multi_head_attention:causal_ignores_the_future",
           "multi_head_attention:heads_are_single_head_attentions")


def _split_heads(t, heads):
    """``(B, L, H*D) -> (B, H, L, D)`` by a bare reshape (BUG: no ``(B, L, H, D) -> (B, H, L, D)``
    transpose)."""
    batch, length, width = t.shape
    return t.reshape(batch, heads, length, width // heads)


def _merge_heads(t):
    """The matching bare merge ``(B, H, L, D) -> (B, L, H*D)`` (BUG: no transpose back)."""
    batch, heads, length, head_dim = t.shape
    return t.reshape(batch, length, heads * head_dim)


# the bug is the pair: a split and its inverse, both without the transpose
multi_head_attention = patched(numpy_attention, _split_heads=_split_heads,
                               _merge_heads=_merge_heads).multi_head_attention
