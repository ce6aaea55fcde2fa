"""KV-cache decoding with a top-left causal mask ``tril(ones(T, P+T))``: new tokens cannot see most of the cache.

Real bug class: calling an attention kernel with ``is_causal=True`` (top-left in PyTorch SDPA) for a chunk
of T > 1 new tokens over a cache, or building the mask without the ``P`` offset. Caught by: ``mha_decode``
over chunks equals ``multi_head_attention(is_causal=True)`` on the whole sequence.
"""
import math

import numpy as np

from impls._validate import attention as V
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls.numpy._util import upcast
from impls.numpy.attention import _attend, _linear, _merge_heads, _meta, _params_meta, _project, _rope

NAME = "mutant-attention-decode-mask-not-offset"
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
    k = np.concatenate([upcast(k_past), k], axis=2)
    v = np.concatenate([upcast(v_past), v], axis=2)
    causal = np.tri(dims.q_len, dims.k_len, dtype=bool)  # BUG: top-left, should allow j <= i + past
    out = _attend(q, k, v, causal, False, 1.0 / math.sqrt(dims.head_dim))
    out = _linear(_merge_heads(out), params, "wo", "bo")
    dtype = x_new.dtype
    return out.astype(dtype), (k.astype(dtype), v.astype(dtype))
