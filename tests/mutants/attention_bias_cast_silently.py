"""Any bias is cast to the inputs' float dtype before it is checked: a boolean mask passed as ``bias`` adds
1.0 to the allowed logits (and 0 to the others) instead of masking, an integer bias is taken as is.

Real bug class: a convenience ``bias = bias.to(q.dtype)`` / ``astype`` at the top of the function, so the
mix-up of the two attention arguments (``bias=mask``) runs without an error and almost without an effect.
Caught by: the bad-input checks of the bias (a non-float bias must raise TypeError).
"""
import numpy as np

from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls.numpy import attention as _A

NAME = "mutant-attention-bias-cast-silently"
DTYPES = ("float32", "float64")
CATCHES = ("attention_weights:rejects_bad_bias", "scaled_dot_product_attention:rejects_bad_bias",
           "multi_head_attention:rejects_bad_bias", "mha_decode:rejects_bad_bias")


def _cast(bias, like):
    return None if bias is None else np.asarray(bias).astype(like.dtype)  # BUG: bool and int accepted


def attention_weights(q, k, *, mask=None, is_causal=False, scale=None, bias=None):
    return _A.attention_weights(q, k, mask=mask, is_causal=is_causal, scale=scale, bias=_cast(bias, q))


def scaled_dot_product_attention(q, k, v, *, mask=None, is_causal=False, scale=None, bias=None):
    return _A.scaled_dot_product_attention(q, k, v, mask=mask, is_causal=is_causal, scale=scale,
                                           bias=_cast(bias, q))


def multi_head_attention(x, context, params, *, num_heads, num_kv_heads=None, mask=None, is_causal=False,
                         rope_base=None, bias=None):
    return _A.multi_head_attention(x, context, params, num_heads=num_heads, num_kv_heads=num_kv_heads, mask=mask,
                                   is_causal=is_causal, rope_base=rope_base, bias=_cast(bias, x))


def mha_decode(x_new, cache, params, *, num_heads, num_kv_heads=None, rope_base=None, bias=None):
    return _A.mha_decode(x_new, cache, params, num_heads=num_heads, num_kv_heads=num_kv_heads, rope_base=rope_base,
                         bias=_cast(bias, x_new))
