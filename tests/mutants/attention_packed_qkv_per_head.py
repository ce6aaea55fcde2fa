"""Packed ``w_qkv`` read as per-head interleaved blocks ``[q_h, k_h, v_h]`` (per K/V group
``[q_g0 .. q_g(n-1), k_g, v_g]`` under GQA) instead of all q columns, then k, then v.

Real bug class: loading a checkpoint in one fused-QKV layout (Megatron/NeoX interleave per head) with code
for another (q | k | v, as in GPT-2/LLaMA conversions). Same as correct only for one head. Caught by:
packed ``w_qkv`` equals separate ``wq wk wv``, and the differential check with a packed projection.
"""
import math

import numpy as np

from impls._validate import attention as V
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls.numpy._util import upcast
from impls.numpy.attention import (_attend, _linear, _merge_heads, _meta,
                                   _opt_meta, _params_meta, _project, _rope, _split_heads)

NAME = "mutant-attention-packed-qkv-per-head"
DTYPES = ("float32", "float64")



def _project_packed_per_head(x, params, dims):
    batch, length, _ = x.shape
    h, hkv, d = dims.heads, dims.kv_heads, dims.head_dim
    # BUG: columns taken as blocks per kv group: [q heads of the group..., k, v]
    qkv = _linear(x, params, "w_qkv", "b_qkv").reshape(batch, length, hkv, h // hkv + 2, d)
    q = qkv[..., :-2, :].reshape(batch, length, h * d)
    k = qkv[..., -2, :].reshape(batch, length, hkv * d)
    v = qkv[..., -1, :].reshape(batch, length, hkv * d)
    return _split_heads(q, h), _split_heads(k, hkv), _split_heads(v, hkv)


def multi_head_attention(x, context, params, *, num_heads, num_kv_heads=None, mask=None, is_causal=False,
                         rope_base=None):
    dims, base = V.multi_head_attention(_meta(x, "x"), _opt_meta(context, "context"),
                                        _params_meta(params, "multi_head_attention"), num_heads, num_kv_heads,
                                        _opt_meta(mask, "mask"), is_causal, rope_base)
    xc = upcast(x)
    if dims.packed:
        q, k, v = _project_packed_per_head(xc, params, dims)
    else:
        q, k, v = _project(xc, xc if context is None else upcast(context), params, dims)
    if base is not None:
        positions = np.arange(dims.q_len)
        q, k = _rope(q, positions, base), _rope(k, positions, base)
    out = _attend(q, k, v, mask, is_causal, 1.0 / math.sqrt(dims.head_dim))
    return _linear(_merge_heads(out), params, "wo", "bo").astype(x.dtype)
