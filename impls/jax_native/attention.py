"""Attention: ``jax.nn.dot_product_attention`` under the contract's conventions.

Converted here: layout (the contract's (B, H, L, D), JAX's (B, L, H, D)); causality, which JAX aligns
top-left (``tril`` of the (Lq, Lk) logits) while the contract aligns it bottom-right (query i sees key j
iff j <= i + Lk - Lq), so it is passed as an explicit mask. The mask polarity already agrees
(True = may attend) and JAX reads K/V head h // (H / Hkv) for grouped queries as the contract does; the
contract's additive ``bias`` is JAX's ``bias`` (added to the scaled logits, laid out (B, H, Lq, Lk) in both).
The mask (with causality folded in) and the bias are built on the host at their full ``(B, H, Lq, Lk)`` shape,
so the kernel compiles once per geometry with and without each, not once per broadcast form and causal flag.
An omitted ``scale`` stays omitted: the native is called as its users call it, JAX's own default included.
"""

import jax
import jax.numpy as jnp
import numpy as np

from impls._jax_common import asarray
from impls._jax_jit import jit
from impls._validate import attention as check

from ._util import meta

__all__ = ["scaled_dot_product_attention"]


def _allowed(mask, is_causal, shape):
    """Boolean ``shape`` = ``(B, H, Lq, Lk)``: the contract's mask AND its bottom-right causal triangle."""
    q_len, k_len = shape[-2:]
    if isinstance(mask, jax.core.Tracer):  # called under a caller's jit/grad with a traced mask
        allowed = jnp.broadcast_to(mask, shape)
        if is_causal:
            allowed = allowed & (jnp.arange(k_len)[None, :] <= jnp.arange(q_len)[:, None] + (k_len - q_len))
        return allowed
    allowed = np.ones(shape, dtype=bool) if mask is None else np.broadcast_to(np.asarray(mask), shape)
    if is_causal:
        allowed = allowed & (np.arange(k_len)[None, :] <= np.arange(q_len)[:, None] + (k_len - q_len))
    return asarray(np.ascontiguousarray(allowed))


def _full(bias, shape):
    """``bias`` broadcast to ``shape`` (on the host when it is concrete), or None."""
    if bias is None or tuple(bias.shape) == tuple(shape):
        return bias
    if isinstance(bias, jax.core.Tracer):
        return jnp.broadcast_to(bias, shape)
    return asarray(np.ascontiguousarray(np.broadcast_to(np.asarray(bias), shape)))


@jit
def _sdpa(q, k, v, mask, bias, scale):
    out = jax.nn.dot_product_attention(q.swapaxes(1, 2), k.swapaxes(1, 2), v.swapaxes(1, 2),  # (B, L, H, D)
                                       bias=bias, mask=mask, scale=scale)
    return out.swapaxes(1, 2)  # (B, H, Lq, D)


def scaled_dot_product_attention(q, k, v, *, mask=None, is_causal=False, scale=None, bias=None):
    """``jax.nn.dot_product_attention``: softmax(q k^T * scale + bias, masked) v, query head h reading
    K/V head h // (H / Hkv)."""
    dims = check.attention("scaled_dot_product_attention", meta(q), meta(k), meta(v), meta(mask), is_causal, scale,
                           meta(bias))
    if dims.v_dim != dims.head_dim:
        raise NotImplementedError("jax.nn.dot_product_attention needs value head dim Dv == query head dim D")
    shape = (dims.batch, dims.heads, dims.q_len, dims.k_len)
    if mask is not None or is_causal:  # mask AND the bottom-right causal triangle, (B, H, Lq, Lk)
        mask = _allowed(mask, is_causal, shape)
    return _sdpa(q, k, v, mask, _full(bias, shape), scale)
