"""Attention (SPEC 3.6) for the PyTorch implementation, from matmul/exp/where/amax only (never
``torch.nn.functional.scaled_dot_product_attention`` or ``torch.softmax``).

Conventions: query head ``h`` reads key/value head ``h // (H // Hkv)``; ``mask`` True = may attend;
``is_causal`` is bottom-right aligned (query ``i`` sees key ``j`` iff ``j <= i + Lk - Lq``); a query with no
allowed key gets probabilities 0 and output 0. ``bias`` is added to the scaled logits before masking; a ``-inf``
logit (from the bias) is a masked key.
"""
import math

import torch

from .._validate import attention as V
from ._util import upcast

__all__ = ["attention_weights", "scaled_dot_product_attention", "multi_head_attention", "mha_decode",
           "feed_forward"]


def _meta(a, name):
    if not isinstance(a, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor, got {type(a).__name__}")
    return tuple(a.shape), a.dtype


def _opt_meta(a, name):
    return None if a is None else _meta(a, name)


def _params_meta(params, component):
    if not isinstance(params, dict):
        raise TypeError(f"{component}: params must be a dict of tensors, got {type(params).__name__}")
    return {key: _meta(value, f"{component}: params[{key!r}]") for key, value in params.items()}


def _allowed(mask, is_causal, shape, device):
    """Boolean ``(B, H, Lq, Lk)``: mask AND the bottom-right causal triangle (None if all allowed)."""
    allowed = None if mask is None else mask.to(device).expand(shape)
    if is_causal:
        q_len, k_len = shape[-2:]
        i = torch.arange(q_len, device=device)[:, None]
        j = torch.arange(k_len, device=device)[None, :]
        causal = (j <= i + (k_len - q_len)).expand(shape)
        allowed = causal if allowed is None else allowed & causal
    return allowed


def _masked_softmax(logits, allowed):
    """Softmax over the allowed entries of each row; rows with no allowed entry are all 0."""
    if allowed is None:
        allowed = torch.ones(logits.shape, dtype=torch.bool, device=logits.device)
    if logits.shape[-1] == 0:  # amax cannot reduce an empty axis; no key means all-zero rows anyway
        return logits
    any_allowed = allowed.any(dim=-1, keepdim=True)
    # the shift cancels in the ratio, so it carries no gradient
    row_max = torch.where(allowed, logits, -math.inf).amax(dim=-1, keepdim=True).detach()
    row_max = torch.where(any_allowed, row_max, 0.0)  # no -inf enters the arithmetic below
    e = torch.where(allowed, torch.exp(torch.where(allowed, logits - row_max, 0.0)), 0.0)
    return e / torch.where(any_allowed, e.sum(dim=-1, keepdim=True), 1.0)


def _expand_kv(t, heads):
    """``(B, Hkv, L, D) -> (B, H, L, D)``: query head ``h`` reads kv head ``h // (H // Hkv)``."""
    index = torch.arange(heads, device=t.device) // (heads // t.shape[1])
    return t.index_select(1, index)


def _weights(q, k, mask, is_causal, scale, bias=None):
    """Probabilities ``(B, H, Lq, Lk)`` from q ``(B, H, Lq, D)``, k ``(B, Hkv, Lk, D)`` (compute dtype);
    ``bias`` (broadcastable to ``(B, H, Lq, Lk)``) is added to the scaled logits, and a ``-inf`` logit is not
    allowed (like a masked key)."""
    k = _expand_kv(k, q.shape[1])                                  # (B, H, Lk, D)
    logits = torch.matmul(q, k.transpose(-1, -2)) * scale          # (B, H, Lq, Lk)
    allowed = _allowed(mask, is_causal, logits.shape, logits.device)
    if bias is not None:
        logits = logits + bias.to(logits.device)                   # broadcasts to (B, H, Lq, Lk)
        finite = logits > -math.inf
        allowed = finite if allowed is None else allowed & finite
    return _masked_softmax(logits, allowed)


def _attend(q, k, v, mask, is_causal, scale, bias=None):
    """``weights @ v`` with v's heads expanded like k's: ``(B, H, Lq, Dv)``."""
    return torch.matmul(_weights(q, k, mask, is_causal, scale, bias), _expand_kv(v, q.shape[1]))


def _opt_upcast(a):
    return None if a is None else upcast(a)


def attention_weights(q, k, *, mask=None, is_causal=False, scale=None, bias=None):
    """``P = softmax_j(scale * q_i . k_j + bias_ij)`` over allowed keys ``j`` (mask AND causal AND a finite
    logit), 0 where not allowed.

    q ``(B, H, Lq, D)``, k ``(B, Hkv, Lk, D)`` -> ``(B, H, Lq, Lk)``; ``scale`` defaults to ``1/sqrt(D)``.
    """
    name = "attention_weights"
    dims = V.attention(name, _meta(q, "q"), _meta(k, "k"), None, _opt_meta(mask, "mask"), is_causal, scale,
                       _opt_meta(bias, "bias"))
    return _weights(upcast(q), upcast(k), mask, is_causal, dims.scale, _opt_upcast(bias)).to(q.dtype)


def scaled_dot_product_attention(q, k, v, *, mask=None, is_causal=False, scale=None, bias=None):
    """``out_i = sum_j P_ij v_j`` with ``P = attention_weights(q, k)``: ``(B, H, Lq, Dv)``."""
    name = "scaled_dot_product_attention"
    dims = V.attention(name, _meta(q, "q"), _meta(k, "k"), _meta(v, "v"), _opt_meta(mask, "mask"),
                       is_causal, scale, _opt_meta(bias, "bias"))
    return _attend(upcast(q), upcast(k), upcast(v), mask, is_causal, dims.scale, _opt_upcast(bias)).to(q.dtype)


def _linear(x, params, w, b):
    y = torch.matmul(x, upcast(params[w]))
    return y + upcast(params[b]) if b in params else y


def _split_heads(t, heads):
    """``(B, L, heads*D) -> (B, heads, L, D)``; columns ``h*D:(h+1)*D`` are head ``h``."""
    batch, length, width = t.shape
    return t.reshape(batch, length, heads, width // heads).permute(0, 2, 1, 3)


def _merge_heads(t):
    """``(B, H, L, D) -> (B, L, H*D)``, the inverse of ``_split_heads``."""
    batch, heads, length, head_dim = t.shape
    return t.permute(0, 2, 1, 3).reshape(batch, length, heads * head_dim)


def _project(x, context, params, dims):
    """q ``(B, H, Lq, D)``, k and v ``(B, Hkv, Lk, D)`` in the compute dtype."""
    h, hkv, d = dims.heads, dims.kv_heads, dims.head_dim
    if dims.packed:
        q, k, v = _linear(x, params, "w_qkv", "b_qkv").split([h * d, hkv * d, hkv * d], dim=-1)
    else:
        q = _linear(x, params, "wq", "bq")
        k = _linear(context, params, "wk", "bk")
        v = _linear(context, params, "wv", "bv")
    return _split_heads(q, h), _split_heads(k, hkv), _split_heads(v, hkv)


def _rope(t, positions, base):
    from .positional import rope
    return rope(t, positions, base=base, interleaved=False)


def multi_head_attention(x, context, params, *, num_heads, num_kv_heads=None, mask=None, is_causal=False,
                         rope_base=None, bias=None):
    """``concat_h(attention(x Wq_h, c Wk_g(h), c Wv_g(h))) Wo + bo`` with ``c = context`` (x when None).

    x ``(B, Lq, d)`` -> ``(B, Lq, d)``; ``rope_base``: half-split RoPE on q and k at positions ``0..L-1``;
    ``bias`` (broadcastable to ``(B, H, Lq, Lk)``) is added to each head's scaled logits.
    """
    name = "multi_head_attention"
    dims, base = V.multi_head_attention(_meta(x, "x"), _opt_meta(context, "context"), _params_meta(params, name),
                                        num_heads, num_kv_heads, _opt_meta(mask, "mask"), is_causal, rope_base,
                                        _opt_meta(bias, "bias"))
    xc = upcast(x)
    q, k, v = _project(xc, xc if context is None else upcast(context), params, dims)
    if base is not None:
        positions = torch.arange(dims.q_len, device=x.device)
        q, k = _rope(q, positions, base), _rope(k, positions, base)
    out = _attend(q, k, v, mask, is_causal, 1.0 / math.sqrt(dims.head_dim), _opt_upcast(bias))
    return _linear(_merge_heads(out), params, "wo", "bo").to(x.dtype)


def mha_decode(x_new, cache, params, *, num_heads, num_kv_heads=None, rope_base=None, bias=None):
    """Causal self-attention of ``x_new (B, T, d)`` at positions ``P..P+T-1`` over ``cache + new`` keys.

    Returns ``(out (B, T, d), (k, v))`` with the cache extended to ``(B, Hkv, P+T, D)``; cached keys are
    stored already rotated when ``rope_base`` is set; ``bias`` (broadcastable to ``(B, H, T, P+T)``: the rows of
    the new tokens) is added to the scaled logits.
    """
    name = "mha_decode"
    k_past, v_past = V.cache_pair(name, cache)
    dims, base = V.mha_decode(_meta(x_new, "x_new"), _meta(k_past, "cache k"), _meta(v_past, "cache v"),
                              _params_meta(params, name), num_heads, num_kv_heads, rope_base,
                              _opt_meta(bias, "bias"))
    xc = upcast(x_new)
    q, k, v = _project(xc, xc, params, dims)
    past = dims.k_len - dims.q_len
    if base is not None:
        positions = torch.arange(past, dims.k_len, device=x_new.device)
        q, k = _rope(q, positions, base), _rope(k, positions, base)
    k = torch.cat([upcast(k_past), k], dim=2)                      # (B, Hkv, P+T, D), oldest first
    v = torch.cat([upcast(v_past), v], dim=2)
    out = _attend(q, k, v, None, True, 1.0 / math.sqrt(dims.head_dim), _opt_upcast(bias))
    out = _linear(_merge_heads(out), params, "wo", "bo")
    dtype = x_new.dtype
    return out.to(dtype), (k.to(dtype), v.to(dtype))


def _sigmoid(x):
    # exp(-|x|) never overflows; -|x| is a where because autograd gives abs slope 0 at 0 (sigmoid'(0) = 1/4)
    z = torch.exp(torch.where(x >= 0, -x, x))
    return torch.where(x >= 0, 1.0 / (1.0 + z), z / (1.0 + z))


def feed_forward(x, params, *, activation="gelu"):
    """relu/gelu: ``act(x @ w1 + b1) @ w2 + b2`` (biases optional, exact erf GELU);
    swiglu: ``(silu(x @ w1) * (x @ w3)) @ w2`` with ``silu(z) = z * sigmoid(z)``."""
    activation = V.feed_forward(_meta(x, "x"), _params_meta(params, "feed_forward"), activation)
    xc = upcast(x)
    if activation == "swiglu":
        gate = torch.matmul(xc, upcast(params["w1"]))
        hidden = gate * _sigmoid(gate) * torch.matmul(xc, upcast(params["w3"]))
    else:
        pre = _linear(xc, params, "w1", "b1")
        if activation == "relu":
            hidden = torch.where(pre > 0, pre, 0.0)
        else:
            hidden = 0.5 * pre * (1.0 + torch.erf(pre / math.sqrt(2.0)))
    return _linear(hidden, params, "w2", "b2").to(x.dtype)
