"""A float16 attention kernel whose probability buffer is bfloat16: the probabilities are rounded through
bfloat16 (8 significant bits instead of float16's 11) before they are returned or multiply the values.

Real bug class: a fused kernel that allocates its scratch buffers with "the" 2-byte float type for any 2-byte
input (``torch.bfloat16 if x.element_size() == 2``), or CPU autocast (whose default is bfloat16) around a
float16 model. The result is off by up to 2**-9 relative, 8 float16 roundings: well inside the a-priori budget
``eps16 (4 + sqrt n) cond`` relative to ``|out| + max|v|`` (about 40 roundings and more), caught by the derived
budget of :mod:`properties.budgets` (two roundings of a stored probability). float32/float64 are correct.
"""
import ml_dtypes
import numpy as np

from impls._validate import attention as V
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls.numpy import attention as reference
from impls.numpy._util import upcast
from impls.numpy.attention import _meta, _opt_meta, _weights

NAME = "mutant-half-attention-probabilities-in-bfloat16"
DTYPES = ("float16", "float32", "float64")
CATCHES = ("attention_weights:matches_oracle@float16", "scaled_dot_product_attention:matches_oracle@float16")


def _buffer(p):
    return p.astype(ml_dtypes.bfloat16).astype(np.float32)  # BUG: the float16 path's buffer is bfloat16


def attention_weights(q, k, *, mask=None, is_causal=False, scale=None, bias=None):
    if q.dtype != np.float16:
        return reference.attention_weights(q, k, mask=mask, is_causal=is_causal, scale=scale, bias=bias)
    dims = V.attention("attention_weights", _meta(q, "q"), _meta(k, "k"), None, _opt_meta(mask, "mask"),
                       is_causal, scale, _opt_meta(bias, "bias"))
    p = _weights(upcast(q), upcast(k), mask, is_causal, dims.scale, None if bias is None else upcast(bias))
    return _buffer(p).astype(q.dtype)


def scaled_dot_product_attention(q, k, v, *, mask=None, is_causal=False, scale=None, bias=None):
    if q.dtype != np.float16:
        return reference.scaled_dot_product_attention(q, k, v, mask=mask, is_causal=is_causal, scale=scale,
                                                      bias=bias)
    dims = V.attention("scaled_dot_product_attention", _meta(q, "q"), _meta(k, "k"), _meta(v, "v"),
                       _opt_meta(mask, "mask"), is_causal, scale, _opt_meta(bias, "bias"))
    p = _buffer(_weights(upcast(q), upcast(k), mask, is_causal, dims.scale, None if bias is None else upcast(bias)))
    vc = upcast(v)
    return (p @ np.repeat(vc, q.shape[1] // vc.shape[1], axis=1)).astype(q.dtype)
