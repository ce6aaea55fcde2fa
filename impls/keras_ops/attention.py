"""Attention: ``keras.ops.dot_product_attention`` under the catalogue's conventions.

Converted here: layout (the catalogue's (B, H, L, D), Keras' (B, L, H, D)) and causal alignment. Keras'
``is_causal`` is top-left aligned (``tril`` of the (Lq, Lk) logits): it is passed as such when Lq == Lk, where
both alignments agree; when Lq != Lk the catalogue's bottom-right triangle (query i sees key j iff
j <= i + Lk - Lq, what a KV cache needs) is passed as an explicit boolean mask ANDed with the given one, as a
Keras user decoding with a cache does. The mask polarity already agrees (True = may attend), Keras reads K/V
head h // (H / Hkv) for grouped queries, and its ``bias`` is the catalogue's (added to the scaled logits,
laid out (B, H, Lq, Lk)). The call is eager, as in a Keras user's eager code: on the JAX backend
``keras.ops.dot_product_attention`` tries ``jax.nn.dot_product_attention`` and falls back to its own XLA
code when that raises, which only an eager call can catch.
"""
import jax
import jax.numpy as jnp
import numpy as np

from impls._validate import attention as check

from ._util import asarray, keras, meta

__all__ = ["scaled_dot_product_attention"]


def _bottom_right(mask, shape):
    """The given mask AND the catalogue's bottom-right causal triangle, as a boolean ``shape`` array."""
    q_len, k_len = shape[-2:]
    causal = np.arange(k_len)[None, :] <= np.arange(q_len)[:, None] + (k_len - q_len)
    if isinstance(mask, jax.core.Tracer):  # called under a caller's jit with a traced mask
        return jnp.broadcast_to(mask, shape) & causal
    allowed = np.ones(shape, dtype=bool) if mask is None else np.broadcast_to(np.asarray(mask), shape)
    return asarray(np.ascontiguousarray(allowed & causal))


def scaled_dot_product_attention(q, k, v, *, mask=None, is_causal=False, scale=None, bias=None):
    """``keras.ops.dot_product_attention(q, k, v, bias, mask, scale, is_causal)`` on (B, L, H, D) views:
    softmax(q k^T * scale + bias, masked) v, query head h reading K/V head h // (H / Hkv)."""
    dims = check.attention("scaled_dot_product_attention", meta(q), meta(k), meta(v), meta(mask), is_causal, scale,
                           meta(bias))
    if dims.v_dim != dims.head_dim:
        raise NotImplementedError("keras.ops.dot_product_attention needs value head dim Dv == query head dim D")
    if is_causal and dims.q_len != dims.k_len:  # Keras aligns top-left: the bottom-right triangle as a mask
        mask, is_causal = _bottom_right(mask, (dims.batch, dims.heads, dims.q_len, dims.k_len)), False
    out = keras.ops.dot_product_attention(jnp.swapaxes(q, 1, 2), jnp.swapaxes(k, 1, 2), jnp.swapaxes(v, 1, 2),
                                          bias=bias, mask=mask, scale=scale, is_causal=bool(is_causal))
    return jnp.swapaxes(out, 1, 2)  # (B, H, Lq, D)
