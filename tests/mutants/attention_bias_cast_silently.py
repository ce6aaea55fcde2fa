"""Any bias is cast to the inputs' float dtype before it is checked: a boolean mask passed as ``bias`` adds
1.0 to the allowed logits (and 0 to the others) instead of masking, an integer bias is taken as is.

Real bug class: a convenience ``bias = bias.to(q.dtype)`` / ``astype`` at the top of the function, so the
mix-up of the two attention arguments (``bias=mask``) runs without an error and almost without an effect.
Caught by: the bad-input checks of the bias (a non-float bias must raise TypeError).
"""
import numpy as np

from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls import numpy as reference

NAME = "mutant-attention-bias-cast-silently"
DTYPES = ("float32", "float64")
CATCHES = ("attention_weights:rejects_bad_bias", "scaled_dot_product_attention:rejects_bad_bias",
           "multi_head_attention:rejects_bad_bias", "mha_decode:rejects_bad_bias")


def _cast(bias, like):
    """``bias`` cast to ``like``'s dtype (BUG: bool and int accepted, the check then sees a float)."""
    return None if bias is None else np.asarray(bias).astype(like.dtype)


def attention_weights(q, k, *, bias=None, **options):
    return reference.attention_weights(q, k, bias=_cast(bias, q), **options)


def scaled_dot_product_attention(q, k, v, *, bias=None, **options):
    return reference.scaled_dot_product_attention(q, k, v, bias=_cast(bias, q), **options)


def multi_head_attention(x, context, params, *, bias=None, **options):
    return reference.multi_head_attention(x, context, params, bias=_cast(bias, x), **options)


def mha_decode(x_new, cache, params, *, bias=None, **options):
    return reference.mha_decode(x_new, cache, params, bias=_cast(bias, x_new), **options)
