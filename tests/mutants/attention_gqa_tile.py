"""Grouped-query attention expanding K/V heads with ``tile`` (query head h reads kv head ``h % Hkv``)
instead of repeat-interleave (``h // (H // Hkv)``).

Real bug class: ``k.repeat(1, H // Hkv, 1, 1)`` (torch's ``repeat`` tiles) where ``repeat_interleave`` was
meant; identical for MHA and MQA, wrong for 1 < Hkv < H. Caught by: GQA equals MHA whose K/V projections
repeat each K/V head for its group, and the differential check with 1 < Hkv < H.
"""
import numpy as np

from impls import numpy as reference
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-attention-gqa-tile"
DTYPES = ("float32", "float64")
CATCHES = ("attention_weights:matches_oracle",
           "scaled_dot_product_attention:matches_oracle",
           "scaled_dot_product_attention:convex_combination_of_allowed_values",
           "scaled_dot_product_attention:grouped_heads_equal_repeated_kv")


def _tiled(kv, heads):
    """``kv``'s heads tiled to ``heads`` (BUG: query head h reads kv head ``h % Hkv``, not ``h // (H / Hkv)``)."""
    return np.tile(kv, (1, heads // kv.shape[1], 1, 1))  # shapes validated by the reference first


def attention_weights(q, k, **options):
    """The reference on tiled keys."""
    reference.attention_weights(q, k, **options)  # validates
    return reference.attention_weights(q, _tiled(k, q.shape[1]), **options)


def scaled_dot_product_attention(q, k, v, **options):
    """The reference on tiled keys and values."""
    reference.scaled_dot_product_attention(q, k, v, **options)  # validates
    return reference.scaled_dot_product_attention(q, _tiled(k, q.shape[1]), _tiled(v, q.shape[1]), **options)
