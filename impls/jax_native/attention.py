"""Attention: ``jax.nn.dot_product_attention`` under the contract's conventions.

Converted here: layout (the contract's (B, H, L, D), JAX's (B, L, H, D)); causality, which JAX aligns
top-left (``tril`` of the (Lq, Lk) logits) while the contract aligns it bottom-right (query i sees key j
iff j <= i + Lk - Lq), so it is passed as an explicit mask. The mask polarity already agrees
(True = may attend) and JAX reads K/V head h // (H / Hkv) for grouped queries as the contract does.
The mask (with causality folded in) is built on the host at its full ``(B, H, Lq, Lk)`` shape, so the kernel
compiles once per geometry with a mask and once without, not once per mask layout and causal flag.
"""

import jax

from impls._validate import attention as check

from ._util import meta
from ..jax._jit import jit
from ..jax.attention import _allowed

__all__ = ["scaled_dot_product_attention"]


@jit
def _sdpa(q, k, v, mask, scale):
    out = jax.nn.dot_product_attention(q.swapaxes(1, 2), k.swapaxes(1, 2), v.swapaxes(1, 2),  # (B, L, H, D)
                                       mask=mask, scale=scale)
    return out.swapaxes(1, 2)  # (B, H, Lq, D)


def scaled_dot_product_attention(q, k, v, *, mask=None, is_causal=False, scale=None):
    """``jax.nn.dot_product_attention``: softmax(q k^T * scale, masked) v, query head h reading
    K/V head h // (H / Hkv)."""
    dims = check.attention("scaled_dot_product_attention", meta(q), meta(k), meta(v), meta(mask), is_causal, scale)
    if dims.v_dim != dims.head_dim:
        raise NotImplementedError("jax.nn.dot_product_attention needs value head dim Dv == query head dim D")
    if mask is not None or is_causal:  # mask AND the bottom-right causal triangle, (B, H, Lq, Lk)
        mask = _allowed(mask, is_causal, (q.shape[0], q.shape[1], q.shape[2], k.shape[2]))
    return _sdpa(q, k, v, mask, scale)
