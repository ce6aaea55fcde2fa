"""Attention as LLaMA's model code runs it: ``eager_attention_forward`` (``repeat_kv`` for grouped K/V heads,
``softmax(q k^T * scaling + attention_mask)`` in float32, cast to q's dtype), ``LlamaAttention`` and ``LlamaMLP``.

Conventions converted here. transformers carries every mask as an *additive* float mask built by
``masking_utils.eager_mask``: 0 where a key may be attended and ``torch.finfo(dtype).min`` where not (never
-inf). The catalogue's boolean ``mask`` (True = may attend) AND its bottom-right causal mask become that float
mask: the causal part is ``masking_utils.sdpa_mask`` with ``q_offset = Lk - Lq`` (the queries sit after Lk - Lq
cached positions, as with a KV cache), combined with the catalogue's mask as booleans and then turned into 0 /
finfo.min exactly as ``eager_mask`` does. An additive ``bias`` is added to that mask, as T5 adds its
``position_bias`` to the scores (``modeling_t5.T5Attention.forward``: ``position_bias + causal_mask``).
"""
from functools import lru_cache

import torch
from transformers import LlamaConfig
from transformers.masking_utils import sdpa_mask
from transformers.models.llama import modeling_llama as llama

from impls._validate import attention as check

from ._util import call_with, meta

__all__ = ["attention_weights", "scaled_dot_product_attention", "multi_head_attention", "feed_forward"]


def _config(d_model, heads, kv_heads, head_dim, bias=False, d_ff=1):
    """A LlamaConfig of the given sizes (eager attention, no dropout)."""
    config = LlamaConfig(hidden_size=d_model, num_attention_heads=heads, num_key_value_heads=kv_heads,
                         head_dim=head_dim, attention_bias=bias, intermediate_size=d_ff, hidden_act="silu",
                         mlp_bias=False, attention_dropout=0.0)
    config._attn_implementation = "eager"
    return config


@lru_cache(maxsize=64)
def _llama_attention(heads, kv_heads, head_dim, d_model=None, bias=False):
    """A ``LlamaAttention`` in eval mode: the module ``eager_attention_forward`` reads its
    ``num_key_value_groups`` and ``training`` from, and the projections ``multi_head_attention`` calls."""
    config = _config(d_model or heads * head_dim, heads, kv_heads, head_dim, bias)
    return llama.LlamaAttention(config, layer_idx=0).eval()


def _allowed(mask, is_causal, lq, lk, device):
    """The catalogue's boolean mask AND transformers' causal mask with the queries at ``Lk - Lq..Lk - 1``
    (``sdpa_mask``, shape (1, 1, Lq, Lk)), or None for neither."""
    if mask is not None:
        mask = mask.reshape((1,) * (4 - mask.ndim) + tuple(mask.shape))
    if not is_causal:
        return mask
    causal = sdpa_mask(batch_size=1, q_length=lq, kv_length=lk, q_offset=lk - lq, allow_is_causal_skip=False,
                       device=device)
    return causal if mask is None else mask & causal


def _additive_mask(mask, is_causal, bias, dims, like):
    """The float ``attention_mask`` transformers' eager path adds to the scaled scores: 0 / ``finfo.min`` from the
    allowed keys (as ``masking_utils.eager_mask``), plus the bias (as T5 adds its position bias)."""
    allowed = _allowed(mask, is_causal, dims.q_len, dims.k_len, like.device)
    additive = None
    if allowed is not None:
        zero = torch.zeros((), dtype=like.dtype, device=like.device)
        additive = torch.where(allowed, zero, torch.finfo(like.dtype).min)
    if bias is not None:
        bias = bias.reshape((1,) * (4 - bias.ndim) + tuple(bias.shape))
        additive = bias if additive is None else bias + additive
    return additive


def _eager(q, k, v, mask, is_causal, scale, bias, component):
    """``eager_attention_forward`` on the catalogue's layouts; returns (output (B, H, Lq, Dv), probabilities)."""
    dims = check.attention(component, meta(q), meta(k), None if v is None else meta(v), meta(mask), is_causal,
                           scale, meta(bias))
    module = _llama_attention(dims.heads, dims.kv_heads, dims.head_dim)
    scaling = module.scaling if scale is None else dims.scale  # None: the module's own head_dim ** -0.5
    values = k[..., :1] if v is None else v  # the probabilities do not depend on the values
    additive = _additive_mask(mask, is_causal, bias, dims, q)
    out, weights = llama.eager_attention_forward(module, q, k, values, additive, scaling=scaling, dropout=0.0)
    return out.transpose(1, 2), weights  # its output is (B, Lq, H, Dv)


def attention_weights(q, k, *, mask=None, is_causal=False, scale=None, bias=None):
    """The probabilities ``eager_attention_forward`` returns: softmax(q k^T * scale + attention_mask)."""
    return _eager(q, k, None, mask, is_causal, scale, bias, "attention_weights")[1]


def scaled_dot_product_attention(q, k, v, *, mask=None, is_causal=False, scale=None, bias=None):
    """``eager_attention_forward``'s output: probabilities @ repeat_kv(v), query head h reading K/V head
    h // (H / Hkv)."""
    return _eager(q, k, v, mask, is_causal, scale, bias, "scaled_dot_product_attention")[0]



def _projections(params, dims):
    """``LlamaAttention``'s parameters from the catalogue's ``(d, width)`` weights (nn.Linear holds ``W^T``): a
    packed ``w_qkv``/``b_qkv`` is split into its q, k, v columns; a bias the params lack is the zero bias (the
    module has biases on all four projections or on none)."""
    q_width, kv_width = dims.heads * dims.head_dim, dims.kv_heads * dims.head_dim
    weights, biases = dict(params), {}
    if "w_qkv" in params:
        weights["wq"], weights["wk"], weights["wv"] = params["w_qkv"].split([q_width, kv_width, kv_width], dim=1)
        if "b_qkv" in params:
            biases["bq"], biases["bk"], biases["bv"] = params["b_qkv"].split([q_width, kv_width, kv_width])
    biases.update({key: params[key] for key in ("bq", "bk", "bv", "bo") if key in params})
    out = {f"{name}_proj.weight": weights["w" + name].T for name in ("q", "k", "v", "o")}
    if biases:
        like = params["wo"]
        widths = {"q": q_width, "k": kv_width, "v": kv_width, "o": dims.d_model}
        for name, width in widths.items():
            bias = biases.get("b" + name)
            out[f"{name}_proj.bias"] = like.new_zeros(width) if bias is None else bias
    return out, bool(biases)


def _position_embeddings(x, dims, base):
    """``(cos, sin)`` for positions 0..L-1 from ``LlamaRotaryEmbedding(rope_theta=base)``; without RoPE the
    angle-0 pair (cos 1, sin 0), which apply_rotary_pos_emb turns into the identity (LlamaAttention always
    applies the position embeddings it is given)."""
    if base is None:
        shape = (1, dims.q_len, dims.head_dim)
        return x.new_ones(shape), x.new_zeros(shape)
    from .positional import _llama_rotary  # one rotary module per (D, base), shared with ``rope``
    positions = torch.arange(dims.q_len, device=x.device)[None, :]
    return _llama_rotary(dims.head_dim, base)(x, positions)


def multi_head_attention(x, context, params, *, num_heads, num_kv_heads=None, mask=None, is_causal=False,
                         rope_base=None, bias=None):
    """``LlamaAttention`` (eager): ``o_proj(attn(q_proj(x), k_proj(x), v_proj(x)))`` with RoPE on q and k at
    positions 0..L-1 when ``rope_base`` is given, grouped K/V heads (``num_key_value_heads``), and the additive
    mask built as for ``scaled_dot_product_attention``. Self-attention only: LlamaAttention has no context."""
    dims, base = check.multi_head_attention(meta(x), meta(context), {key: meta(a) for key, a in params.items()},
                                            num_heads, num_kv_heads, meta(mask), is_causal, rope_base, meta(bias))
    if context is not None:
        raise NotImplementedError("transformers' LlamaAttention is self-attention only (no cross-attention)")
    if dims.d_model % dims.heads:
        raise NotImplementedError("transformers' LlamaConfig requires hidden_size to be a multiple of "
                                  "num_attention_heads, even with an explicit head_dim")
    weights, has_bias = _projections(params, dims)
    module = _llama_attention(dims.heads, dims.kv_heads, dims.head_dim, dims.d_model, has_bias)
    additive = _additive_mask(mask, is_causal, bias, dims, x)
    out, _ = call_with(module, weights, x, position_embeddings=_position_embeddings(x, dims, base),
                       attention_mask=additive)
    return out

@lru_cache(maxsize=32)
def _llama_mlp(d_model, d_ff):
    """A ``LlamaMLP`` (SiLU gate, no biases: ``mlp_bias=False``) of the given sizes."""
    return llama.LlamaMLP(_config(d_model, 1, 1, 1, d_ff=d_ff)).eval()


def feed_forward(x, params, *, activation="gelu"):
    """``LlamaMLP``: ``down_proj(silu(gate_proj(x)) * up_proj(x))`` with gate = w1, up = w3, down = w2 (nn.Linear
    holds ``W^T``). transformers has no MLP module of the catalogue's plain ``act(x w1 + b1) w2 + b2`` form
    (BERT's and GPT-2's add a residual and a norm, or use Conv1D), so only ``swiglu`` is provided."""
    activation = check.feed_forward(meta(x), {key: meta(a) for key, a in params.items()}, activation)
    if activation != "swiglu":
        raise NotImplementedError(f"transformers has no MLP module computing act(x w1 + b1) w2 + b2 "
                                  f"(activation={activation!r})")
    w1, w3, w2 = params["w1"], params["w3"], params["w2"]
    weights = {"gate_proj.weight": w1.T, "up_proj.weight": w3.T, "down_proj.weight": w2.T}
    return call_with(_llama_mlp(w1.shape[0], w1.shape[1]), weights, x)
