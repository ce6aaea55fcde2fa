"""``multi_head_attention`` as ``nn.MultiheadAttention(d, H, bias, batch_first=True)`` in ``eval()`` mode,
called ``mha(x, c, c, attn_mask=..., need_weights=False)`` as inference code calls it.

The catalogue's weights multiply from the right (x @ w), torch's from the left, so they are loaded transposed:
``in_proj_weight (3d, d) = [wq | wk | wv]ᵀ`` (or ``w_qkvᵀ``), ``out_proj.weight = woᵀ``. The module has one
``bias`` flag for all four projections: with any of ``bq bk bv bo`` (or ``b_qkv``) given it carries biases and
the missing ones are zero, the bias they stand for. Self-attention (``context=None``) passes the same tensor as
query, key and value: in eval mode under ``no_grad`` with an even number of heads and no float mask (the
catalogue's ``bias``) the module then takes its fused fast path, ``torch._native_multi_head_attention``. Masks:
see ``_masks.py``. ``nn.MultiheadAttention`` has no grouped K/V heads, no RoPE and needs H * D == d: those raise
``NotImplementedError``.
"""
import torch
from torch import nn

from impls._validate import attention as check

from ._masks import attn_mask
from ._module import build_on, call, meta

__all__ = ["multi_head_attention"]

_BIASES = ("bq", "bk", "bv", "bo", "b_qkv")


def _state(params, d, like):
    """The module's state dict for the catalogue's ``params`` (and whether it has biases)."""
    w_in = params["w_qkv"] if "w_qkv" in params else torch.cat([params["wq"], params["wk"], params["wv"]], dim=1)
    state = {"in_proj_weight": w_in.T, "out_proj.weight": params["wo"].T}
    if not any(key in params for key in _BIASES):
        return state, False
    zero = like.new_zeros(d)
    b_in = params.get("b_qkv")
    if b_in is None:
        b_in = torch.cat([params.get(key, zero) for key in ("bq", "bk", "bv")])
    state.update({"in_proj_bias": b_in, "out_proj.bias": params.get("bo", zero)})
    return state, True


def multi_head_attention(x, context, params, *, num_heads, num_kv_heads=None, mask=None, is_causal=False,
                         rope_base=None, bias=None):
    """``nn.MultiheadAttention``: concat_h attn(x wq_h, c wk_h, c wv_h) wo + bo, c = context or x."""
    dims, base = check.multi_head_attention(meta(x), meta(context), {key: meta(a) for key, a in params.items()},
                                            num_heads, num_kv_heads, meta(mask), is_causal, rope_base, meta(bias))
    if dims.kv_heads != dims.heads:
        raise NotImplementedError("torch.nn.MultiheadAttention has no grouped-query (GQA/MQA) variant")
    if base is not None:
        raise NotImplementedError("torch.nn.MultiheadAttention has no rotary position embedding")
    d = dims.d_model
    if dims.heads * dims.head_dim != d:
        raise NotImplementedError(f"torch.nn.MultiheadAttention needs num_heads * head_dim == d_model, got "
                                  f"{dims.heads * dims.head_dim} != {d}")
    state, has_bias = _state(params, d, x)
    module = build_on(nn.MultiheadAttention, d, dims.heads, bias=has_bias, batch_first=True, dtype=x.dtype)
    module.eval()
    mask_, hint = attn_mask(mask, is_causal, bias, batch=dims.batch, heads=dims.heads, lq=dims.q_len,
                            lk=dims.k_len, like=x, float_causal=False)
    source = x if context is None else context  # the same tensor for self-attention: the fast path's condition
    out, _ = call(module, state, x, source, source, attn_mask=mask_, is_causal=hint, need_weights=False)
    return out
