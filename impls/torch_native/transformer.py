"""``transformer_block`` as ``torch.nn.TransformerEncoderLayer`` (SPEC 3.10), weights copied from the contract's.

The layer is built per call (``batch_first=True``, ``dropout=0.0``, ``norm_first = norm_position == "pre"``,
``activation`` gelu/relu, ``layer_norm_eps=eps``) in the input's dtype, and its parameters are set from the
contract's: ``self_attn.in_proj_weight (3d, d) = [wq | wk | wv]ᵀ`` (torch multiplies from the left),
``out_proj.weight = woᵀ``, ``linear1.weight = w1ᵀ``, ``linear2.weight = w2ᵀ``, ``norm1 = attn_norm``,
``norm2 = ffn_norm``; absent biases are the zero biases torch's layer always carries. The contract's mask (True =
may attend) and its causal triangle (square: top-left and bottom-right alignment agree) become torch's boolean
``src_mask`` (True = *not* allowed) of shape ``(B * H, L, L)``. PyTorch's layer has no form of RMSNorm, SwiGLU,
grouped K/V heads, RoPE or an additive attention bias, nor of ``num_heads * head_dim != d_model``: those raise
``NotImplementedError`` (reported *skipped*).
"""
import torch

from impls._validate import attention as A
from impls._validate import transformer as V
from impls._torch_common import DEVICE

from ._util import meta

__all__ = ["transformer_block"]

def _tree_meta(value, name):
    if isinstance(value, dict):
        return {k: _tree_meta(v, f"{name}[{k!r}]") for k, v in value.items()}
    if not isinstance(value, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor, got {type(value).__name__}")
    return meta(value)


def _bias(params, key, size, like):
    return params[key] if key in params else like.new_zeros(size)


def transformer_block(x, params, *, num_heads, num_kv_heads=None, norm="layernorm", norm_position="pre",
                      ffn="gelu", mask=None, is_causal=False, rope_base=None, bias=None, eps=1e-5):
    """``nn.TransformerEncoderLayer(x, src_mask)`` with the contract's parameters copied in."""
    component = "transformer_block"
    eps = V.block(_tree_meta(x, "x"), _tree_meta(params, "params"), norm, norm_position, ffn, eps)
    heads, kv_heads = A._heads(component, num_heads, num_kv_heads)
    if norm != "layernorm":
        raise NotImplementedError("nn.TransformerEncoderLayer has LayerNorm only (no RMSNorm)")
    if ffn == "swiglu":
        raise NotImplementedError("nn.TransformerEncoderLayer's activation is elementwise (no SwiGLU)")
    if kv_heads != heads:
        raise NotImplementedError("nn.TransformerEncoderLayer's attention has no grouped K/V heads (GQA/MQA)")
    if rope_base is not None:
        raise NotImplementedError("nn.TransformerEncoderLayer has no rotary position embedding")
    if bias is not None:
        raise NotImplementedError("nn.TransformerEncoderLayer takes no additive attention bias with a mask")
    attn, mlp = params["attn"], params["ffn"]
    if "w_qkv" in attn:
        raise NotImplementedError("packed w_qkv: give wq, wk, wv")
    batch, length, d = x.shape
    for key in ("wq", "wk", "wv", "wo"):
        if key not in attn:
            raise ValueError(f"{component}: params['attn'] lacks {key!r}")
    if attn["wq"].shape != (d, d) or attn["wk"].shape != (d, d) or attn["wv"].shape != (d, d) or \
            attn["wo"].shape != (d, d) or d % heads:
        raise NotImplementedError("nn.TransformerEncoderLayer needs num_heads * head_dim == d_model")
    if "w1" not in mlp or "w2" not in mlp or mlp["w2"].shape[-1] != d:
        raise ValueError(f"{component}: params['ffn'] needs w1 (d, f) and w2 (f, d)")
    f = mlp["w1"].shape[1]
    layer = torch.nn.TransformerEncoderLayer(d, heads, dim_feedforward=f, dropout=0.0, activation=ffn,
                                             layer_norm_eps=eps, batch_first=True,
                                             norm_first=norm_position == "pre", device=DEVICE, dtype=x.dtype)
    layer.eval()
    with torch.no_grad():
        sa = layer.self_attn
        sa.in_proj_weight.copy_(torch.cat([attn["wq"], attn["wk"], attn["wv"]], dim=1).T)
        sa.in_proj_bias.copy_(torch.cat([_bias(attn, b, d, x) for b in ("bq", "bk", "bv")]))
        sa.out_proj.weight.copy_(attn["wo"].T)
        sa.out_proj.bias.copy_(_bias(attn, "bo", d, x))
        layer.linear1.weight.copy_(mlp["w1"].T)
        layer.linear1.bias.copy_(_bias(mlp, "b1", f, x))
        layer.linear2.weight.copy_(mlp["w2"].T)
        layer.linear2.bias.copy_(_bias(mlp, "b2", d, x))
        for module, key in ((layer.norm1, "attn_norm"), (layer.norm2, "ffn_norm")):
            module.weight.copy_(params[key]["weight"])
            module.bias.copy_(_bias(params[key], "bias", d, x))
        src_mask = None
        if mask is not None or is_causal:
            A._mask(component, meta(mask), (batch, heads, length, length))
            allowed = torch.ones((batch, heads, length, length), dtype=torch.bool, device=x.device)
            if mask is not None:
                allowed = allowed & mask.to(torch.bool)
            if is_causal:
                allowed = allowed & torch.ones((length, length), dtype=torch.bool, device=x.device).tril()
            src_mask = (~allowed).reshape(batch * heads, length, length)
        return layer(x, src_mask=src_mask)
