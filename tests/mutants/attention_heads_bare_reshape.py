"""Heads split with a bare ``reshape(B, H, L, D)`` (and merged back with ``reshape(B, L, H*D)``), no transpose.

Real bug class: ``q.view(B, n_heads, T, head_dim)`` instead of ``q.view(B, T, n_heads, head_dim).transpose(1, 2)``:
shapes are right, but each "head" mixes features of different tokens. Same as correct only for H = 1 or
L = 1. Caught by: permutation equivariance of self-attention, the causal future-independence check, and
the differential check of ``multi_head_attention``.
"""
import math

import numpy as np

from impls._validate import attention as V
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls.numpy._util import upcast
from impls.numpy.attention import _attend, _linear, _meta, _opt_meta, _params_meta, _rope

NAME = "mutant-attention-heads-bare-reshape"
DTYPES = ("float32", "float64")



def _bare_split(t, heads):
    batch, length, width = t.shape
    return t.reshape(batch, heads, length, width // heads)  # BUG: no (B, L, H, D) -> (B, H, L, D) transpose


def multi_head_attention(x, context, params, *, num_heads, num_kv_heads=None, mask=None, is_causal=False,
                         rope_base=None):
    dims, base = V.multi_head_attention(_meta(x, "x"), _opt_meta(context, "context"),
                                        _params_meta(params, "multi_head_attention"), num_heads, num_kv_heads,
                                        _opt_meta(mask, "mask"), is_causal, rope_base)
    xc = upcast(x)
    c = xc if context is None else upcast(context)
    if dims.packed:
        h, hkv, d = dims.heads, dims.kv_heads, dims.head_dim
        qkv = _linear(xc, params, "w_qkv", "b_qkv")
        q, k, v = qkv[..., :h * d], qkv[..., h * d:(h + hkv) * d], qkv[..., (h + hkv) * d:]
    else:
        q, k, v = _linear(xc, params, "wq", "bq"), _linear(c, params, "wk", "bk"), _linear(c, params, "wv", "bv")
    q, k, v = _bare_split(q, dims.heads), _bare_split(k, dims.kv_heads), _bare_split(v, dims.kv_heads)
    if base is not None:
        positions = np.arange(dims.q_len)
        q, k = _rope(q, positions, base), _rope(k, positions, base)
    out = _attend(q, k, v, mask, is_causal, 1.0 / math.sqrt(dims.head_dim))
    merged = out.reshape(dims.batch, dims.q_len, dims.heads * dims.head_dim)  # BUG: the matching bare merge
    return _linear(merged, params, "wo", "bo").astype(x.dtype)
