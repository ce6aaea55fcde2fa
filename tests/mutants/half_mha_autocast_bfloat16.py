"""Multi-head attention and decoding whose float16 path runs in bfloat16: x, the cache, every weight and bias,
and the results (output and extended cache) rounded through bfloat16 (8 significant bits instead of float16's
11), arithmetic in float32.

Real bug class: CPU autocast (``torch.autocast("cpu")`` defaults to bfloat16) wrapped around a float16 model, or
a dispatch that picks the bfloat16 kernels for any 2-byte dtype. Errors of up to ~8 float16 roundings of each
operand and of the output: inside the a-priori budget built on ``|x| @ |W|`` bounds and ``(4 + sqrt n)`` twice,
caught by the derived budget of :mod:`properties.budgets`. float32/float64 are correct.
"""
import ml_dtypes
import numpy as np

from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls.numpy import attention as reference

NAME = "mutant-half-mha-autocast-bfloat16"
DTYPES = ("float16", "float32", "float64")
CATCHES = ("multi_head_attention:matches_oracle@float16", "mha_decode:matches_oracle@float16")


def _bf16(a):
    if a is None:
        return None
    if isinstance(a, tuple):
        return tuple(_bf16(t) for t in a)
    if isinstance(a, dict):
        return {key: _bf16(t) for key, t in a.items()}
    return a.astype(ml_dtypes.bfloat16).astype(a.dtype)  # BUG: the float16 path computes in bfloat16


def multi_head_attention(x, context, params, *, num_heads, num_kv_heads=None, mask=None, is_causal=False,
                         rope_base=None, bias=None):
    kw = dict(num_heads=num_heads, num_kv_heads=num_kv_heads, mask=mask, is_causal=is_causal, rope_base=rope_base,
              bias=bias)
    if x.dtype != np.float16:
        return reference.multi_head_attention(x, context, params, **kw)
    return _bf16(reference.multi_head_attention(_bf16(x), _bf16(context), _bf16(params), **kw))


def mha_decode(x_new, cache, params, *, num_heads, num_kv_heads=None, rope_base=None, bias=None):
    kw = dict(num_heads=num_heads, num_kv_heads=num_kv_heads, rope_base=rope_base, bias=bias)
    if x_new.dtype != np.float16:
        return reference.mha_decode(x_new, cache, params, **kw)
    return _bf16(reference.mha_decode(_bf16(x_new), _bf16(tuple(cache)), _bf16(params), **kw))
