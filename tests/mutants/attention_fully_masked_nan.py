"""Masked logits set to -inf before a max-subtracted softmax: a row with no allowed key becomes NaN.

Real bug class: ``masked_fill(~mask, float("-inf"))`` then softmax; with left padding or a causal mask
with Lq > Lk, ``-inf - (-inf)`` gives NaN that spreads through the network. Caught by: a query with no
allowed key must give probabilities 0 and output 0 (NaN is an error).
"""
import numpy as np

from impls._validate import attention as V
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls.numpy._util import upcast
from impls.numpy.attention import _meta, _opt_meta

NAME = "mutant-attention-fully-masked-nan"
DTYPES = ("float32", "float64")


def _weights(q, k, mask, is_causal, scale):
    k = np.repeat(k, q.shape[1] // k.shape[1], axis=1)
    logits = (q @ np.swapaxes(k, -1, -2)) * scale
    allowed = np.ones(logits.shape, dtype=bool) if mask is None else np.broadcast_to(mask, logits.shape)
    if is_causal:
        q_len, k_len = logits.shape[-2:]
        i = np.arange(q_len)[:, None]
        j = np.arange(k_len)[None, :]
        allowed = allowed & (j <= i + (k_len - q_len))
    logits = np.where(allowed, logits, -np.inf)
    with np.errstate(invalid="ignore"):
        # BUG: an all -inf row gives max = -inf and -inf - (-inf) = NaN
        e = np.exp(logits - logits.max(axis=-1, keepdims=True, initial=-np.inf))
        return e / e.sum(axis=-1, keepdims=True)


def attention_weights(q, k, *, mask=None, is_causal=False, scale=None):
    dims = V.attention("attention_weights", _meta(q, "q"), _meta(k, "k"), None, _opt_meta(mask, "mask"),
                       is_causal, scale)
    return _weights(upcast(q), upcast(k), mask, is_causal, dims.scale).astype(q.dtype)


def scaled_dot_product_attention(q, k, v, *, mask=None, is_causal=False, scale=None):
    dims = V.attention("scaled_dot_product_attention", _meta(q, "q"), _meta(k, "k"), _meta(v, "v"),
                       _opt_meta(mask, "mask"), is_causal, scale)
    p = _weights(upcast(q), upcast(k), mask, is_causal, dims.scale)
    return (p @ np.repeat(upcast(v), q.shape[1] // v.shape[1], axis=1)).astype(q.dtype)
