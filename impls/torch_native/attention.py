"""Attention: ``F.scaled_dot_product_attention`` and ``F.multi_head_attention_forward`` (the functional
core of ``torch.nn.MultiheadAttention``) under the contract's conventions.

Conventions converted here: the contract's ``is_causal`` is bottom-right aligned (query i sees key j iff
j <= i + Lk - Lq) whereas torch's is top-left aligned when Lq != Lk, so causality is passed as an
explicit boolean mask; ``nn.MultiheadAttention``'s boolean mask marks positions *not* allowed, the
contract's those allowed; the contract's weights multiply from the right (x @ w), torch's from the left.
The contract's additive ``bias`` is torch's float ``attn_mask`` (added to the scaled logits); with a boolean
mask or causality as well, the disallowed entries of the bias are set to ``-inf``, the conversion torch itself
makes of a boolean mask.
"""
import math

import torch
import torch.nn.functional as F

from impls._validate import attention as check

from ._util import meta

__all__ = ["scaled_dot_product_attention", "multi_head_attention"]


def _allowed(mask, is_causal, lq, lk, device):
    """The contract's mask AND its bottom-right causal mask (True = may attend), or None for neither."""
    if mask is not None:
        # torch wants at least (Lq, Lk); the contract allows any shape that broadcasts, e.g. (Lk,).
        mask = mask.reshape((1,) * (4 - mask.ndim) + tuple(mask.shape))
    if not is_causal:
        return mask
    causal = torch.ones(lq, lk, dtype=torch.bool, device=device).tril(lk - lq)  # (Lq, Lk)
    return causal if mask is None else mask & causal


def _additive(bias, allowed):
    """The float ``attn_mask`` for ``bias`` (the contract's, any broadcastable shape) with the disallowed
    entries of the boolean ``allowed`` (None: all allowed) at ``-inf``; ``allowed`` itself without a bias."""
    if bias is None:
        return allowed
    bias = bias.reshape((1,) * (4 - bias.ndim) + tuple(bias.shape))  # torch wants at least (Lq, Lk)
    return bias if allowed is None else torch.where(allowed, bias, -math.inf)


def scaled_dot_product_attention(q, k, v, *, mask=None, is_causal=False, scale=None, bias=None):
    """``F.scaled_dot_product_attention``: softmax(q k^T * scale + bias, masked) v, query head h reading
    K/V head h // (H / Hkv) (``enable_gqa``)."""
    dims = check.attention("scaled_dot_product_attention", meta(q), meta(k), meta(v), meta(mask), is_causal, scale,
                           meta(bias))
    allowed = _allowed(mask, bool(is_causal), dims.q_len, dims.k_len, q.device)
    return F.scaled_dot_product_attention(q, k, v, attn_mask=_additive(bias, allowed), scale=scale,
                                          enable_gqa=dims.kv_heads != dims.heads)


def _in_bias(params, width, like):
    """``nn.MultiheadAttention``'s packed (3E,) input bias from the contract's optional bq, bk, bv."""
    if "b_qkv" in params:
        return params["b_qkv"]
    parts = [params.get(name) for name in ("bq", "bk", "bv")]
    if all(b is None for b in parts):
        return None
    # torch has one packed bias: a missing one is the zero bias it stands for.
    return torch.cat([like.new_zeros(width) if b is None else b for b in parts])


def multi_head_attention(x, context, params, *, num_heads, num_kv_heads=None, mask=None, is_causal=False,
                         rope_base=None, bias=None):
    """``F.multi_head_attention_forward``: concat_h attn(x wq_h, c wk_h, c wv_h) wo + bo, c = context or x.
    Multi-head only: torch has no grouped K/V heads and no RoPE here."""
    dims, base = check.multi_head_attention(meta(x), meta(context), {key: meta(a) for key, a in params.items()},
                                            num_heads, num_kv_heads, meta(mask), is_causal, rope_base, meta(bias))
    if dims.kv_heads != dims.heads:
        raise NotImplementedError("torch.nn.MultiheadAttention has no grouped-query (GQA/MQA) variant")
    if base is not None:
        raise NotImplementedError("torch.nn.MultiheadAttention has no rotary position embedding")
    d, width = dims.d_model, dims.heads * dims.head_dim
    if width != d:
        raise NotImplementedError(
            f"torch.nn.MultiheadAttention needs num_heads * head_dim == d_model, got {width} != {d}")
    source = x if context is None else context
    lq, lk = dims.q_len, dims.k_len
    query, key = x.transpose(0, 1), source.transpose(0, 1)  # (L, B, d): torch's sequence-first layout
    allowed = _allowed(mask, bool(is_causal), lq, lk, x.device)
    attn_mask = None
    batch_heads = dims.batch * dims.heads
    if bias is not None:
        # a float (B*H, Lq, Lk) mask is added to the scaled logits: the bias, -inf where not allowed
        attn_mask = _additive(bias, allowed).expand(dims.batch, dims.heads, lq, lk).reshape(batch_heads, lq, lk)
    elif allowed is not None:
        # torch takes a (B*H, Lq, Lk) boolean mask whose True entries are the *forbidden* positions.
        attn_mask = ~allowed.expand(dims.batch, dims.heads, lq, lk).reshape(batch_heads, lq, lk)
    packed = dims.packed
    out, _ = F.multi_head_attention_forward(
        query, key, key, d, dims.heads,
        in_proj_weight=params["w_qkv"].T if packed else None,
        in_proj_bias=_in_bias(params, width, x),
        bias_k=None, bias_v=None, add_zero_attn=False, dropout_p=0.0,
        out_proj_weight=params["wo"].T, out_proj_bias=params.get("bo"),
        training=False, need_weights=False, attn_mask=attn_mask,
        use_separate_proj_weight=not packed,
        q_proj_weight=None if packed else params["wq"].T,
        k_proj_weight=None if packed else params["wk"].T,
        v_proj_weight=None if packed else params["wv"].T)
    return out.transpose(0, 1)  # (B, Lq, d)
