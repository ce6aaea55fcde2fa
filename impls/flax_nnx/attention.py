"""Attention as flax.nnx users call it: ``nnx.dot_product_attention``, ``dot_product_attention_weights`` (of
``flax.nnx.nn.attention``) and ``nnx.MultiHeadAttention``.

Conventions converted (never the arithmetic): layout, the catalogue's ``(B, H, L, D)`` to flax's ``(B, L, H, D)``
and back; the mask polarity already agrees (True = may attend) and the mask is broadcast to its full
``(B, H, Lq, Lk)`` shape (flax broadcasts its causal triangle to the mask's shape); causality, which flax aligns
top-left (``tril`` of the logits), is passed as ``is_causal=True`` when Lq == Lk (the alignments agree) and folded
into the mask as the catalogue's bottom-right triangle otherwise. Grouped heads are flax's own (query head h reads
K/V head h // (H / Hkv), as in the catalogue). The catalogue's additive ``bias`` is flax's ``bias`` for the
functions. What flax has no form of raises ``NotImplementedError``: a ``scale`` other than 1/sqrt(D) (flax
divides q by sqrt(D)), Dv != D in ``nnx.dot_product_attention``, and for ``nnx.MultiHeadAttention`` an additive
bias and RoPE.
"""
import math

import jax.numpy as jnp
from flax import nnx
from flax.nnx.nn.attention import dot_product_attention_weights

from impls._validate import attention as check

from ._util import kernel, meta

__all__ = ["attention_weights", "scaled_dot_product_attention", "multi_head_attention"]


def _no_scale(component, scale, head_dim):
    """flax has no scale argument: only the default 1/sqrt(D) can be given."""
    if scale is not None and scale != 1.0 / math.sqrt(head_dim):
        raise NotImplementedError(f"flax.nnx {component} has no scale argument (it always divides q by sqrt(D))")


def _mask(mask, causal, q_len, k_len, shape):
    """``(mask at full shape or None, is_causal for flax)``: the bottom-right causal triangle is folded into the
    mask when Lq != Lk (flax's triangle is top-left), passed as flax's ``is_causal`` when the two agree."""
    full = None if mask is None else jnp.broadcast_to(mask, shape)
    if causal and q_len != k_len:
        tri = jnp.arange(k_len)[None, :] <= jnp.arange(q_len)[:, None] + (k_len - q_len)
        full = jnp.broadcast_to(tri, shape) if full is None else full & tri
        causal = False
    return full, causal


def _bhld(x):
    """(B, H, L, D) <-> (B, L, H, D)."""
    return jnp.swapaxes(x, 1, 2)


@kernel("causal")
def _weights(q, k, mask, bias, causal):
    shape = q.shape[:2] + (q.shape[2], k.shape[2])
    mask, causal = _mask(mask, causal, q.shape[2], k.shape[2], shape)
    return dot_product_attention_weights(_bhld(q), _bhld(k), bias=bias, mask=mask, deterministic=True,
                                         is_causal=causal)


def attention_weights(q, k, *, mask=None, is_causal=False, scale=None, bias=None):
    """``dot_product_attention_weights``: softmax(q k^T / sqrt(D) + bias, masked) as (B, H, Lq, Lk)."""
    dims = check.attention("attention_weights", meta(q), meta(k), None, meta(mask), is_causal, scale, meta(bias))
    _no_scale("dot_product_attention_weights", scale, dims.head_dim)
    return _weights(q, k, mask, bias, causal=bool(is_causal))


@kernel("causal")
def _sdpa(q, k, v, mask, bias, causal):
    shape = q.shape[:2] + (q.shape[2], k.shape[2])
    mask, causal = _mask(mask, causal, q.shape[2], k.shape[2], shape)
    return _bhld(nnx.dot_product_attention(_bhld(q), _bhld(k), _bhld(v), bias=bias, mask=mask, is_causal=causal))


def scaled_dot_product_attention(q, k, v, *, mask=None, is_causal=False, scale=None, bias=None):
    """``nnx.dot_product_attention``: softmax(q k^T / sqrt(D) + bias, masked) v, query head h reading K/V head
    h // (H / Hkv)."""
    dims = check.attention("scaled_dot_product_attention", meta(q), meta(k), meta(v), meta(mask), is_causal, scale,
                           meta(bias))
    _no_scale("dot_product_attention", scale, dims.head_dim)
    if dims.v_dim != dims.head_dim:
        raise NotImplementedError("nnx.dot_product_attention (jax.nn.dot_product_attention) needs Dv == D")
    return _sdpa(q, k, v, mask, bias, causal=bool(is_causal))


def _split_packed(params, heads, kv_heads):
    """``w_qkv``/``b_qkv`` as ``wq wk wv``/``bq bk bv`` (columns q, k, v): flax has separate projections."""
    params = dict(params)
    w = params.pop("w_qkv")
    head_dim = w.shape[1] // (heads + 2 * kv_heads)
    cuts = (heads * head_dim, (heads + kv_heads) * head_dim)
    params["wq"], params["wk"], params["wv"] = w[:, :cuts[0]], w[:, cuts[0]:cuts[1]], w[:, cuts[1]:]
    b = params.pop("b_qkv", None)
    if b is not None:
        params["bq"], params["bk"], params["bv"] = b[:cuts[0]], b[cuts[0]:cuts[1]], b[cuts[1]:]
    return params


def _set_projection(proj, w, b, shape):
    """A ``LinearGeneral``'s kernel (reshaped to ``shape``) and bias (zeros when the catalogue has none)."""
    proj.kernel[...] = w.reshape(shape)
    if proj.bias is not None:
        proj.bias[...] = jnp.zeros(proj.bias.shape, w.dtype) if b is None else b.reshape(proj.bias.shape)


@kernel("heads", "kv_heads", "causal")
def _mha(x, context, p, mask, heads, kv_heads, causal):
    if "w_qkv" in p:
        p = _split_packed(p, heads, kv_heads)
    d = x.shape[-1]
    head_dim = p["wq"].shape[1] // heads
    use_bias = any(key in p for key in ("bq", "bk", "bv", "bo"))
    layer = nnx.MultiHeadAttention(heads, d, qkv_features=heads * head_dim, out_features=p["wo"].shape[1],
                                   num_kv_heads=kv_heads, use_bias=use_bias, decode=False, param_dtype=x.dtype,
                                   rngs=nnx.Rngs(0))
    _set_projection(layer.query, p["wq"], p.get("bq"), (d, heads, head_dim))
    _set_projection(layer.key, p["wk"], p.get("bk"), (d, kv_heads, head_dim))
    _set_projection(layer.value, p["wv"], p.get("bv"), (d, kv_heads, head_dim))
    layer.out.kernel[...] = p["wo"].reshape(heads, head_dim, -1)
    if use_bias:
        layer.out.bias[...] = p["bo"] if "bo" in p else jnp.zeros(p["wo"].shape[1:], x.dtype)
    k_len = x.shape[1] if context is None else context.shape[1]
    mask, causal = _mask(mask, causal, x.shape[1], k_len, (x.shape[0], heads, x.shape[1], k_len))
    return layer(x, context, mask=mask, is_causal=causal, decode=False, deterministic=True)


def multi_head_attention(x, context, params, *, num_heads, num_kv_heads=None, mask=None, is_causal=False,
                         rope_base=None, bias=None):
    """``nnx.MultiHeadAttention(num_heads, d, qkv_features=H*D, num_kv_heads=Hkv)`` with the drawn projections:
    concat_h attention(x Wq_h, c Wk_(h // g), c Wv_(h // g)) Wo. flax's ``use_bias`` covers all four
    projections, so an absent bias among given ones is set to zeros (the same values)."""
    dims, base = check.multi_head_attention(meta(x), meta(context), {k: meta(v) for k, v in params.items()},
                                            num_heads, num_kv_heads, meta(mask), is_causal, rope_base, meta(bias))
    if base is not None:
        raise NotImplementedError("nnx.MultiHeadAttention has no rotary position embedding")
    if bias is not None:
        raise NotImplementedError("nnx.MultiHeadAttention has no additive attention bias")
    return _mha(x, context, params, mask, heads=dims.heads, kv_heads=dims.kv_heads, causal=bool(is_causal))
