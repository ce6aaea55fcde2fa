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

from impls import numpy as reference
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-half-attention-probabilities-in-bfloat16"
DTYPES = ("float16", "float32", "float64")
CATCHES = ("attention_weights:matches_oracle@float16", "scaled_dot_product_attention:matches_oracle@float16")


def _float16_probabilities(q, k, bias, **options):
    """The float16 path's probabilities: the reference's float32 ones (float16 computes in float32), rounded
    through a bfloat16 buffer (BUG: the float16 path's buffer is bfloat16)."""
    wide = (lambda a: None if a is None else a.astype(np.float32))
    p = reference.attention_weights(wide(q), wide(k), bias=wide(bias), **options)
    return p.astype(ml_dtypes.bfloat16).astype(np.float32)


def attention_weights(q, k, *, bias=None, **options):
    out = reference.attention_weights(q, k, bias=bias, **options)  # validates
    if q.dtype != np.float16:
        return out
    return _float16_probabilities(q, k, bias, **options).astype(q.dtype)


def scaled_dot_product_attention(q, k, v, *, bias=None, **options):
    out = reference.scaled_dot_product_attention(q, k, v, bias=bias, **options)  # validates
    if q.dtype != np.float16:
        return out
    p = _float16_probabilities(q, k, bias, **options)
    return (p @ np.repeat(v.astype(np.float32), q.shape[1] // v.shape[1], axis=1)).astype(q.dtype)
