"""``transformer_block`` as ``nn.TransformerEncoderLayer`` in ``eval()`` mode, the way inference code runs it.

The layer is built with ``d_model, nhead, dim_feedforward, dropout=0.0, activation="gelu"/"relu",
layer_norm_eps=eps, batch_first=True, norm_first = norm_position == "pre"`` and ``bias`` (False when the
catalogue's params carry no bias at all; otherwise every bias the params lack is the zero bias it stands for),
then loaded: ``self_attn.in_proj_weight = [wq | wk | wv]ᵀ`` (or ``w_qkvᵀ``; torch multiplies from the left),
``out_proj.weight = woᵀ``, ``linear1.weight = w1ᵀ``, ``linear2.weight = w2ᵀ``, ``norm1 = attn_norm``,
``norm2 = ffn_norm``. It is called ``layer(x, src_mask=..., is_causal=...)`` under ``no_grad``: with biases, an
even number of heads and no forward hooks, that takes the fused fast path ``torch._transformer_encoder_layer_fwd``
rather than the module's Python forward. Masks, causality and the additive ``bias`` (a float ``src_mask``): see
``_masks.py``. The layer has no RMSNorm, SwiGLU, grouped K/V heads, RoPE, nor ``num_heads * head_dim !=
d_model``: those raise ``NotImplementedError`` (reported *skipped*).
"""
import torch
from torch import nn

from impls._validate import attention as A
from impls._validate import transformer as V

from ._masks import attn_mask
from ._module import build_on, call, meta

__all__ = ["transformer_block"]

_ATTN_BIASES = ("bq", "bk", "bv", "bo", "b_qkv")


def _tree_meta(value, name):
    if isinstance(value, dict):
        return {k: _tree_meta(v, f"{name}[{k!r}]") for k, v in value.items()}
    if not isinstance(value, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor, got {type(value).__name__}")
    return meta(value)


def _has_bias(params):
    return (any(k in params["attn"] for k in _ATTN_BIASES) or any(k in params["ffn"] for k in ("b1", "b2"))
            or any("bias" in params[k] for k in ("attn_norm", "ffn_norm")))


def _state(params, d, f, with_bias, like):
    """The layer's state dict for the catalogue's block params."""
    attn, mlp = params["attn"], params["ffn"]
    w_in = attn["w_qkv"] if "w_qkv" in attn else torch.cat([attn["wq"], attn["wk"], attn["wv"]], dim=1)
    state = {"self_attn.in_proj_weight": w_in.T, "self_attn.out_proj.weight": attn["wo"].T,
             "linear1.weight": mlp["w1"].T, "linear2.weight": mlp["w2"].T,
             "norm1.weight": params["attn_norm"]["weight"], "norm2.weight": params["ffn_norm"]["weight"]}
    if not with_bias:
        return state
    zero_d, zero_f = like.new_zeros(d), like.new_zeros(f)
    b_in = attn.get("b_qkv")
    if b_in is None:
        b_in = torch.cat([attn.get(key, zero_d) for key in ("bq", "bk", "bv")])
    state.update({"self_attn.in_proj_bias": b_in, "self_attn.out_proj.bias": attn.get("bo", zero_d),
                  "linear1.bias": mlp.get("b1", zero_f), "linear2.bias": mlp.get("b2", zero_d),
                  "norm1.bias": params["attn_norm"].get("bias", zero_d),
                  "norm2.bias": params["ffn_norm"].get("bias", zero_d)})
    return state


def transformer_block(x, params, *, num_heads, num_kv_heads=None, norm="layernorm", norm_position="pre",
                      ffn="gelu", mask=None, is_causal=False, rope_base=None, bias=None, eps=1e-5):
    """``nn.TransformerEncoderLayer``: pre: h = x + MHA(N1(x)), y = h + FFN(N2(h)); post: h = N1(x + MHA(x)),
    y = N2(h + FFN(h))."""
    eps = V.block(_tree_meta(x, "x"), _tree_meta(params, "params"), norm, norm_position, ffn, eps)
    dims, base = A.multi_head_attention(meta(x), None, _tree_meta(params["attn"], "params['attn']"), num_heads,
                                        num_kv_heads, meta(mask), is_causal, rope_base, meta(bias))
    A.feed_forward(meta(x), _tree_meta(params["ffn"], "params['ffn']"), ffn)
    batch, length, d = x.shape
    if params["ffn"]["w2"].shape[1] != d:
        raise ValueError(f"transformer_block: params['ffn']['w2'] must map back to d_model={d}, got "
                         f"{tuple(params['ffn']['w2'].shape)}")
    if norm != "layernorm":
        raise NotImplementedError("nn.TransformerEncoderLayer has LayerNorm only (no RMSNorm)")
    if ffn == "swiglu":
        raise NotImplementedError("nn.TransformerEncoderLayer's activation is elementwise (no SwiGLU)")
    if dims.kv_heads != dims.heads:
        raise NotImplementedError("nn.TransformerEncoderLayer's attention has no grouped K/V heads (GQA/MQA)")
    if base is not None:
        raise NotImplementedError("nn.TransformerEncoderLayer has no rotary position embedding")
    if dims.heads * dims.head_dim != d:
        raise NotImplementedError("nn.TransformerEncoderLayer needs num_heads * head_dim == d_model")
    f = params["ffn"]["w1"].shape[1]
    with_bias = _has_bias(params)
    layer = build_on(nn.TransformerEncoderLayer, d, dims.heads, dim_feedforward=f, dropout=0.0, activation=ffn,
                     layer_norm_eps=eps, batch_first=True, norm_first=norm_position == "pre", bias=with_bias,
                     dtype=x.dtype)
    layer.eval()
    src_mask, hint = attn_mask(mask, is_causal, bias, batch=batch, heads=dims.heads, lq=length, lk=length, like=x,
                               float_causal=True)
    return call(layer, _state(params, d, f, with_bias, x), x, src_mask=src_mask, is_causal=hint)
