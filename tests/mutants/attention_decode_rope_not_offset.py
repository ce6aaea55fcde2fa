"""KV-cache decoding that rotates the new tokens at positions ``0..T-1`` instead of ``P..P+T-1``.

Real bug class: ``position_ids = arange(seq_len)`` recomputed from the chunk instead of offset by the cache
length, so every decoded token looks like position 0 to RoPE. Caught by: ``mha_decode`` over a split of a
sequence into chunks equals ``multi_head_attention(is_causal=True)`` on the whole (with RoPE).
"""
import math

import numpy as np

from impls._validate import attention as V
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls.numpy._util import upcast
from impls.numpy.attention import _attend, _linear, _merge_heads, _meta, _params_meta, _project, _rope

NAME = "mutant-attention-decode-rope-not-offset"
DTYPES = ("float32", "float64")


def mha_decode(x_new, cache, params, *, num_heads, num_kv_heads=None, rope_base=None):
    k_past, v_past = V.cache_pair("mha_decode", cache)
    dims, base = V.mha_decode(_meta(x_new, "x_new"), _meta(k_past, "cache k"), _meta(v_past, "cache v"),
                              _params_meta(params, "mha_decode"), num_heads, num_kv_heads, rope_base)
    xc = upcast(x_new)
    q, k, v = _project(xc, xc, params, dims)
    past = dims.k_len - dims.q_len
    if base is not None:
        positions = np.arange(dims.q_len)  # BUG: should be arange(past, past + T)
        q, k = _rope(q, positions, base), _rope(k, positions, base)
    k = np.concatenate([upcast(k_past), k], axis=2)
    v = np.concatenate([upcast(v_past), v], axis=2)
    out = _attend(q, k, v, None, True, 1.0 / math.sqrt(dims.head_dim))
    out = _linear(_merge_heads(out), params, "wo", "bo")
    dtype = x_new.dtype
    return out.astype(dtype), (k.astype(dtype), v.astype(dtype))
