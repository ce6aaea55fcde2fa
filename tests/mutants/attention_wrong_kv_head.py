"""Grouped-query attention in which query head h reads K/V head ``h % Hkv`` instead of ``h // (H // Hkv)``.

Real bug class: indexing K/V heads with ``head_idx % num_kv_heads`` in a hand-written GQA loop (the layout
``tile`` would give), while checkpoints group consecutive query heads per K/V head. Identical for MHA
and MQA. Caught by: MQA/GQA equals MHA whose K/V projections repeat each K/V head for its group, and the
differential check with 1 < Hkv < H.
"""
import numpy as np

from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls.numpy import attention as numpy_attention
from tests.patching import patched

NAME = "mutant-attention-wrong-kv-head"
DTYPES = ("float32", "float64")
CATCHES = ("multi_head_attention:grouped_heads_equal_mha_with_repeated_kv",
           "multi_head_attention:matches_oracle",
           "multi_head_attention:heads_are_single_head_attentions")


def _attend(q, k, v, mask, is_causal, scale, bias=None):
    """The reference's attention with query head ``h`` reading kv head ``h % Hkv`` (BUG: should be
    ``h // (H / Hkv)``)."""
    kv_of = np.arange(q.shape[1]) % k.shape[1]
    return numpy_attention._attend(q, k[:, kv_of], v[:, kv_of], mask, is_causal, scale, bias)


multi_head_attention = patched(numpy_attention, _attend=_attend).multi_head_attention
