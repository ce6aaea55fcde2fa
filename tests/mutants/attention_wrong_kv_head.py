"""Grouped-query attention in which query head h reads K/V head ``h % Hkv`` instead of ``h // (H // Hkv)``.

Real bug class: indexing K/V heads with ``head_idx % num_kv_heads`` in a hand-written GQA loop (the layout
``tile`` would give), while checkpoints group consecutive query heads per K/V head. Identical for MHA
and MQA. Caught by: MQA/GQA equals MHA whose K/V projections repeat each K/V head for its group, and the
differential check with 1 < Hkv < H.
"""
import math

import numpy as np

from impls._validate import attention as V
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls.numpy._util import upcast
from impls.numpy.attention import (_attend, _linear, _merge_heads, _meta,
                                   _opt_meta, _params_meta, _project, _rope)

NAME = "mutant-attention-wrong-kv-head"
DTYPES = ("float32", "float64")


def multi_head_attention(x, context, params, *, num_heads, num_kv_heads=None, mask=None, is_causal=False,
                         rope_base=None):
    dims, base = V.multi_head_attention(_meta(x, "x"), _opt_meta(context, "context"),
                                        _params_meta(params, "multi_head_attention"), num_heads, num_kv_heads,
                                        _opt_meta(mask, "mask"), is_causal, rope_base)
    xc = upcast(x)
    q, k, v = _project(xc, xc if context is None else upcast(context), params, dims)
    if base is not None:
        positions = np.arange(dims.q_len)
        q, k = _rope(q, positions, base), _rope(k, positions, base)
    kv_of = np.arange(dims.heads) % dims.kv_heads  # BUG: should be arange(H) // (H // Hkv)
    out = _attend(q, k[:, kv_of], v[:, kv_of], mask, is_causal, 1.0 / math.sqrt(dims.head_dim))
    return _linear(_merge_heads(out), params, "wo", "bo").astype(x.dtype)
