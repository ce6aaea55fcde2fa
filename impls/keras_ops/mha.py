"""Multi-head attention: ``keras.layers.MultiHeadAttention`` (H == Hkv) or ``keras.layers.GroupQueryAttention``
(grouped K/V heads), built once per configuration and run by ``layer.stateless_call`` with the drawn weights.

Converted here (layout and conventions only): the catalogue's ``wq (d, H*D)`` is the layer's ``query/kernel
(d, H, D)`` (head h's D contiguous columns), ``wo (H*D, d)`` its ``attention_output/kernel (H, D, d)``, the biases
``(H, D)`` / ``(d,)``; a packed ``w_qkv`` is split into its q, k, v columns. Keras' ``use_bias`` is all or none: a
projection without its bias gets zeros (the same values). The layers take one ``(B, Lq, Lk)`` mask for every head,
and their causal mask is top-left aligned, which agrees with the catalogue's bottom-right one when Lq == Lk; for
cross-attention with Lq != Lk the bottom-right triangle is folded into the mask. Keras has no rotary embedding and
no additive attention bias in these layers: those options raise NotImplementedError.
"""
import functools

import numpy as np

from impls._validate import attention as check

from ._util import asarray, keras, meta

__all__ = ["multi_head_attention"]


@functools.lru_cache(maxsize=None)
def _layer(heads, kv_heads, head_dim, d_model, use_bias, dtype):
    """The built Keras layer (its variables in ``dtype``: the layer's dtype policy)."""
    if kv_heads == heads:
        layer = keras.layers.MultiHeadAttention(num_heads=heads, key_dim=head_dim, value_dim=head_dim,
                                                use_bias=use_bias, dtype=dtype)
    else:
        layer = keras.layers.GroupQueryAttention(head_dim=head_dim, num_query_heads=heads,
                                                 num_key_value_heads=kv_heads, use_bias=use_bias, dtype=dtype)
    layer.build((1, 1, d_model), (1, 1, d_model))
    return layer


def _separate(params, dims):
    """``wq wk wv`` (and ``bq bk bv``) from a packed ``w_qkv`` (``b_qkv``): its q, k, v column blocks."""
    if not dims.packed:
        return params
    q, kv = dims.heads * dims.head_dim, dims.kv_heads * dims.head_dim
    out = {k: v for k, v in params.items() if k in ("wo", "bo")}
    for name, start, width in (("q", 0, q), ("k", q, kv), ("v", q + kv, kv)):
        out["w" + name] = params["w_qkv"][:, start:start + width]
        if "b_qkv" in params:
            out["b" + name] = params["b_qkv"][start:start + width]
    return out


def _variables(layer, params, dims, use_bias, dtype):
    """The drawn weights in the order of ``layer.trainable_variables``, reshaped to the layer's layout."""
    d, dh = dims.d_model, dims.head_dim
    heads = {"q": dims.heads, "k": dims.kv_heads, "v": dims.kv_heads}
    names = {"query": "q", "key": "k", "value": "v"}
    values = {}
    for layer_name, p in names.items():
        values[f"{layer_name}/kernel"] = params["w" + p].reshape(d, heads[p], dh)
        if use_bias:
            bias = params.get("b" + p)
            values[f"{layer_name}/bias"] = (asarray(np.zeros((heads[p], dh), dtype)) if bias is None
                                            else bias.reshape(heads[p], dh))
    values["attention_output/kernel"] = params["wo"].reshape(dims.heads, dh, d)
    if use_bias:
        values["attention_output/bias"] = params.get("bo", asarray(np.zeros((d,), dtype)))
    return [values["/".join(v.path.split("/")[-2:])] for v in layer.trainable_variables]


def _attention_mask(mask, is_causal, dims):
    """The layers' ``(B, Lq, Lk)`` mask (None when absent) and whether to ask for their causal mask."""
    b, h, lq, lk = dims.batch, dims.heads, dims.q_len, dims.k_len
    causal_by_mask = is_causal and lq != lk  # Keras aligns its causal mask top-left
    if mask is None and not causal_by_mask:
        return None, is_causal
    allowed = np.ones((b, h, lq, lk), bool) if mask is None else np.broadcast_to(np.asarray(mask), (b, h, lq, lk))
    if not (allowed == allowed[:, :1]).all():
        raise NotImplementedError("keras attention layers take one mask for every head")
    allowed = allowed[:, 0]
    if causal_by_mask:
        allowed = allowed & (np.arange(lk)[None, :] <= np.arange(lq)[:, None] + (lk - lq))
    return asarray(np.ascontiguousarray(allowed)), is_causal and not causal_by_mask


def multi_head_attention(x, context, params, *, num_heads, num_kv_heads=None, mask=None, is_causal=False,
                         rope_base=None, bias=None):
    """``keras.layers.MultiHeadAttention(num_heads=H, key_dim=D)`` (or ``GroupQueryAttention(head_dim=D,
    num_query_heads=H, num_key_value_heads=Hkv)``) called on ``(x, context or x)``:
    concat_h softmax((x Wq_h + bq_h)(c Wk_g + bk_g)^T / sqrt(D), masked) (c Wv_g + bv_g) Wo + bo, g = h // (H/Hkv)."""
    dims, base = check.multi_head_attention(meta(x), meta(context), {k: meta(v) for k, v in params.items()},
                                            num_heads, num_kv_heads, meta(mask), is_causal, rope_base, meta(bias))
    if base is not None:
        raise NotImplementedError("keras attention layers have no rotary position embedding")
    if bias is not None:
        raise NotImplementedError("keras attention layers have no additive attention bias")
    params = _separate(params, dims)
    use_bias = any(k in params for k in ("bq", "bk", "bv", "bo"))
    layer = _layer(dims.heads, dims.kv_heads, dims.head_dim, dims.d_model, use_bias, str(x.dtype))
    attention_mask, use_causal_mask = _attention_mask(mask, bool(is_causal), dims)
    out, _ = layer.stateless_call(_variables(layer, params, dims, use_bias, x.dtype), [], x,
                                  x if context is None else context, attention_mask=attention_mask,
                                  use_causal_mask=use_causal_mask)
    return out
