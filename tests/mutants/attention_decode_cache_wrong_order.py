"""KV-cache decoding that prepends the new keys/values to the cache instead of appending them.

Real bug class: ``torch.cat([k_new, k_cache], dim=2)``: with one new token and RoPE the attention output is
unchanged (attention is order-free over allowed keys), but the causal mask now points at the wrong keys for
T > 1 and the returned cache is out of order for every later step. Caught by: ``mha_decode`` over chunks
equals ``multi_head_attention(is_causal=True)`` on the whole, and the differential check of the cache.
"""
import math

import numpy as np

from impls._validate import attention as V
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls.numpy._util import upcast
from impls.numpy.attention import _attend, _linear, _merge_heads, _meta, _params_meta, _project, _rope

NAME = "mutant-attention-decode-cache-wrong-order"
DTYPES = ("float32", "float64")


def mha_decode(x_new, cache, params, *, num_heads, num_kv_heads=None, rope_base=None):
    k_past, v_past = V.cache_pair("mha_decode", cache)
    dims, base = V.mha_decode(_meta(x_new, "x_new"), _meta(k_past, "cache k"), _meta(v_past, "cache v"),
                              _params_meta(params, "mha_decode"), num_heads, num_kv_heads, rope_base)
    xc = upcast(x_new)
    q, k, v = _project(xc, xc, params, dims)
    past = dims.k_len - dims.q_len
    if base is not None:
        positions = np.arange(past, dims.k_len)
        q, k = _rope(q, positions, base), _rope(k, positions, base)
    k = np.concatenate([k, upcast(k_past)], axis=2)  # BUG: new keys first
    v = np.concatenate([v, upcast(v_past)], axis=2)
    out = _attend(q, k, v, None, True, 1.0 / math.sqrt(dims.head_dim))
    out = _linear(_merge_heads(out), params, "wo", "bo")
    dtype = x_new.dtype
    return out.astype(dtype), (k.astype(dtype), v.astype(dtype))
