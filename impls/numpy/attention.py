"""Attention (SPEC 3.6) for the NumPy implementation: the float64 oracle, written to be obviously right.

Conventions: query head ``h`` reads key/value head ``h // (H // Hkv)``; ``mask`` True = may attend;
``is_causal`` is bottom-right aligned (query ``i`` sees key ``j`` iff ``j <= i + Lk - Lq``); a query with no
allowed key gets probabilities 0 and output 0. ``bias`` is added to the scaled logits before masking; a ``-inf``
logit (from the bias) is a masked key.
"""
import math

import numpy as np

from .._validate import attention as V
from ._util import upcast

__all__ = ["attention_weights", "scaled_dot_product_attention", "multi_head_attention", "mha_decode",
           "feed_forward"]


def _meta(a, name):
    if not isinstance(a, np.ndarray):
        raise TypeError(f"{name} must be a numpy.ndarray, got {type(a).__name__}")
    return a.shape, a.dtype


def _opt_meta(a, name):
    return None if a is None else _meta(a, name)


def _params_meta(params, component):
    if not isinstance(params, dict):
        raise TypeError(f"{component}: params must be a dict of arrays, got {type(params).__name__}")
    return {key: _meta(value, f"{component}: params[{key!r}]") for key, value in params.items()}


def _allowed(mask, is_causal, shape):
    """Boolean ``(B, H, Lq, Lk)``: mask AND the bottom-right causal triangle."""
    allowed = np.ones(shape, dtype=bool) if mask is None else np.broadcast_to(mask, shape)
    if is_causal:
        q_len, k_len = shape[-2:]
        i = np.arange(q_len)[:, None]
        j = np.arange(k_len)[None, :]
        allowed = allowed & (j <= i + (k_len - q_len))
    return allowed


def _masked_softmax(logits, allowed):
    """Softmax over the allowed entries of each row; rows with no allowed entry are all 0."""
    any_allowed = allowed.any(axis=-1, keepdims=True)
    row_max = np.max(np.where(allowed, logits, -np.inf), axis=-1, keepdims=True, initial=-np.inf)
    row_max = np.where(any_allowed, row_max, 0.0)  # no -inf enters the arithmetic below
    e = np.where(allowed, np.exp(np.where(allowed, logits - row_max, 0.0)), 0.0)
    return e / np.where(any_allowed, e.sum(axis=-1, keepdims=True), 1.0)


def _weights(q, k, mask, is_causal, scale, bias=None):
    """Probabilities ``(B, H, Lq, Lk)`` from q ``(B, H, Lq, D)``, k ``(B, Hkv, Lk, D)`` (compute dtype);
    ``bias`` (broadcastable to ``(B, H, Lq, Lk)``) is added to the scaled logits, and a ``-inf`` logit is not
    allowed (like a masked key)."""
    k = np.repeat(k, q.shape[1] // k.shape[1], axis=1)          # (B, H, Lk, D): head h reads h // group
    logits = (q @ np.swapaxes(k, -1, -2)) * scale                # (B, H, Lq, Lk)
    allowed = _allowed(mask, is_causal, logits.shape)
    if bias is not None:
        logits = logits + bias                                   # broadcasts to (B, H, Lq, Lk)
        allowed = allowed & (logits > -np.inf)
    return _masked_softmax(logits, allowed)


def _attend(q, k, v, mask, is_causal, scale, bias=None):
    """``weights @ v`` with v's heads repeated like k's: ``(B, H, Lq, Dv)``."""
    p = _weights(q, k, mask, is_causal, scale, bias)
    return p @ np.repeat(v, q.shape[1] // v.shape[1], axis=1)


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
    return _weights(upcast(q), upcast(k), mask, is_causal, dims.scale, _opt_upcast(bias)).astype(q.dtype)


def scaled_dot_product_attention(q, k, v, *, mask=None, is_causal=False, scale=None, bias=None):
    """``out_i = sum_j P_ij v_j`` with ``P = attention_weights(q, k)``: ``(B, H, Lq, Dv)``."""
    name = "scaled_dot_product_attention"
    dims = V.attention(name, _meta(q, "q"), _meta(k, "k"), _meta(v, "v"), _opt_meta(mask, "mask"),
                       is_causal, scale, _opt_meta(bias, "bias"))
    return _attend(upcast(q), upcast(k), upcast(v), mask, is_causal, dims.scale,
                   _opt_upcast(bias)).astype(q.dtype)


def _linear(x, params, w, b):
    y = x @ upcast(params[w])
    return y + upcast(params[b]) if b in params else y


def _split_heads(t, heads):
    """``(B, L, heads*D) -> (B, heads, L, D)``; columns ``h*D:(h+1)*D`` are head ``h``."""
    batch, length, width = t.shape
    return t.reshape(batch, length, heads, width // heads).transpose(0, 2, 1, 3)


def _merge_heads(t):
    """``(B, H, L, D) -> (B, L, H*D)``, the inverse of ``_split_heads``."""
    batch, heads, length, head_dim = t.shape
    return t.transpose(0, 2, 1, 3).reshape(batch, length, heads * head_dim)


def _project(x, context, params, dims):
    """q ``(B, H, Lq, D)``, k and v ``(B, Hkv, Lk, D)`` in the compute dtype."""
    h, hkv, d = dims.heads, dims.kv_heads, dims.head_dim
    if dims.packed:
        qkv = _linear(x, params, "w_qkv", "b_qkv")               # columns: q | k | v
        q, k, v = qkv[..., :h * d], qkv[..., h * d:(h + hkv) * d], qkv[..., (h + hkv) * d:]
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
        positions = np.arange(dims.q_len)
        q, k = _rope(q, positions, base), _rope(k, positions, base)
    out = _attend(q, k, v, mask, is_causal, 1.0 / math.sqrt(dims.head_dim), _opt_upcast(bias))
    return _linear(_merge_heads(out), params, "wo", "bo").astype(x.dtype)


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
        positions = np.arange(past, dims.k_len)
        q, k = _rope(q, positions, base), _rope(k, positions, base)
    k = np.concatenate([upcast(k_past), k], axis=2)               # (B, Hkv, P+T, D), oldest first
    v = np.concatenate([upcast(v_past), v], axis=2)
    out = _attend(q, k, v, None, True, 1.0 / math.sqrt(dims.head_dim), _opt_upcast(bias))
    out = _linear(_merge_heads(out), params, "wo", "bo")
    dtype = x_new.dtype
    return out.astype(dtype), (k.astype(dtype), v.astype(dtype))


def _sigmoid(x):
    z = np.exp(-np.abs(x))  # never overflows, unlike exp(-x) for very negative x
    return np.where(x >= 0, 1.0 / (1.0 + z), z / (1.0 + z))


def _gelu(x):
    erf = np.vectorize(math.erf, otypes=[np.float64])  # NumPy has no erf; math.erf is exact to float64
    return (0.5 * x * (1.0 + erf(x.astype(np.float64) / math.sqrt(2.0)))).astype(x.dtype)


def feed_forward(x, params, *, activation="gelu"):
    """relu/gelu: ``act(x @ w1 + b1) @ w2 + b2`` (biases optional, exact erf GELU);
    swiglu: ``(silu(x @ w1) * (x @ w3)) @ w2`` with ``silu(z) = z * sigmoid(z)``."""
    activation = V.feed_forward(_meta(x, "x"), _params_meta(params, "feed_forward"), activation)
    xc = upcast(x)
    if activation == "swiglu":
        gate = xc @ upcast(params["w1"])
        hidden = gate * _sigmoid(gate) * (xc @ upcast(params["w3"]))
    else:
        pre = _linear(xc, params, "w1", "b1")
        hidden = np.maximum(pre, 0.0) if activation == "relu" else _gelu(pre)
    return _linear(hidden, params, "w2", "b2").astype(x.dtype)
