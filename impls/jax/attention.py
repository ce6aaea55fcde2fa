"""Attention (SPEC 3.6) for the JAX implementation, from einsum/exp/where/max only (never ``jax.nn``).

Conventions: query head ``h`` reads key/value head ``h // (H // Hkv)`` (queries are grouped as
``(Hkv, H // Hkv)``, so no K/V copy is made); ``mask`` True = may attend; ``is_causal`` is bottom-right
aligned (query ``i`` sees key ``j`` iff ``j <= i + Lk - Lq``); a query with no allowed key gets probabilities
0 and output 0; ``bias`` is added to the scaled logits before masking and a ``-inf`` logit (from the bias) is a
masked key. Arguments are validated in Python, then a kernel jitted with the options static runs; absent
biases are passed as zeros and a packed ``w_qkv`` is split into ``wq wk wv`` before the call, so a kernel
compiles once per geometry whichever biases and layout of the projections are given (an attention ``bias`` is
broadcast to its full shape before the call, for the same reason, and passed as zeros when absent, with a flag
``given`` that keeps a ``-inf`` logit a masked key only where a bias was given); the feed-forward runs
on ``(positions, d)``, whatever the leading axes.
"""
import math

import jax
import jax.numpy as jnp
import numpy as np

from .._validate import attention as V
from ._util import _on_host, as_rows, asarray, filled, reshape, take, upcast
from ._jit import jit

__all__ = ["attention_weights", "scaled_dot_product_attention", "multi_head_attention", "mha_decode",
           "feed_forward"]

# XLA on GPUs may run float32 matmuls in TF32 (10-bit mantissa) by default; the contract is float32.
_HIGHEST = jax.lax.Precision.HIGHEST


def _meta(a, name):
    if not isinstance(a, jax.Array):
        raise TypeError(f"{name} must be a jax.Array, got {type(a).__name__}")
    return tuple(a.shape), a.dtype


def _opt_meta(a, name):
    return None if a is None else _meta(a, name)


def _params_meta(params, component):
    if not isinstance(params, dict):
        raise TypeError(f"{component}: params must be a dict of arrays, got {type(params).__name__}")
    return {key: _meta(value, f"{component}: params[{key!r}]") for key, value in params.items()}


def _allowed(mask, is_causal, shape):
    """Boolean ``(B, H, Lq, Lk)`` on the host: mask AND the bottom-right causal triangle.

    Built outside the jitted kernels and always of the full shape, so a kernel compiles once per geometry,
    not once per mask layout (None, ``(Lk,)``, ``(B, 1, 1, Lk)``, ...) and causal flag.
    """
    if isinstance(mask, jax.core.Tracer):  # called under a caller's jit/grad with a traced mask
        allowed = jnp.broadcast_to(mask, shape)
        if is_causal:
            q_len, k_len = shape[-2:]
            allowed = allowed & (jnp.arange(k_len)[None, :] <= jnp.arange(q_len)[:, None] + (k_len - q_len))
        return allowed
    allowed = np.ones(shape, dtype=bool) if mask is None else np.broadcast_to(np.asarray(mask), shape)
    if is_causal:
        q_len, k_len = shape[-2:]
        allowed = allowed & (np.arange(k_len)[None, :] <= np.arange(q_len)[:, None] + (k_len - q_len))
    return asarray(allowed)


#: the ``given`` flag of the kernels (a bias was passed), made once: an array keeps a call on the kernels' fast path
_GIVEN = {flag: asarray(np.array(flag)) for flag in (False, True)}


def _full_bias(bias, shape, dtype):
    """``(bias, given)``: ``bias`` broadcast to the full logits' shape outside the jitted kernels (on the host when
    it is concrete), or zeros of ``dtype`` when it is None, and whether one was given. A kernel then compiles once
    per geometry whether a bias is given or not (``logits + 0`` is ``logits``), not once per broadcast form of it."""
    if bias is None:
        return asarray(np.zeros(shape, dtype=dtype)), _GIVEN[False]
    if tuple(bias.shape) == tuple(shape):
        return bias, _GIVEN[True]
    if _on_host(bias):
        return asarray(np.ascontiguousarray(np.broadcast_to(np.asarray(bias), shape))), _GIVEN[True]
    return jnp.broadcast_to(bias, shape), _GIVEN[True]


def _masked_softmax(logits, allowed):
    """Softmax over the allowed entries of each row; rows with no allowed entry are all 0."""
    any_allowed = allowed.any(axis=-1, keepdims=True)
    row_max = jnp.max(jnp.where(allowed, logits, -jnp.inf), axis=-1, keepdims=True, initial=-jnp.inf)
    # the shift cancels in the ratio, so it carries no gradient; no -inf enters the arithmetic below
    row_max = jax.lax.stop_gradient(jnp.where(any_allowed, row_max, 0.0))
    e = jnp.where(allowed, jnp.exp(jnp.where(allowed, logits - row_max, 0.0)), 0.0)
    return e / jnp.where(any_allowed, e.sum(axis=-1, keepdims=True), 1.0)


def _weights(q, k, allowed, scale, bias, given):
    """Probabilities ``(B, H, Lq, Lk)`` from q ``(B, H, Lq, D)``, k ``(B, Hkv, Lk, D)`` (compute dtype);
    ``bias`` ``(B, H, Lq, Lk)`` is added to the scaled logits, and where a bias was ``given`` a ``-inf`` logit
    is not allowed (like a masked key); without one (zeros) the logits are left as they are."""
    batch, heads, q_len, head_dim = q.shape
    kv_heads, k_len = k.shape[1], k.shape[2]
    grouped = q.reshape(batch, kv_heads, heads // kv_heads, q_len, head_dim)  # head h = (h // group, h % group)
    logits = jnp.einsum("bkgqd,bksd->bkgqs", grouped, k, precision=_HIGHEST)
    logits = logits.reshape(batch, heads, q_len, k_len) * scale
    logits = logits + bias
    allowed = allowed & ((logits > -jnp.inf) | ~given)
    return _masked_softmax(logits, allowed)


def _attend(q, k, v, allowed, scale, bias, given):
    """``weights @ v``, each query head reading its group's v head: ``(B, H, Lq, Dv)``."""
    p = _weights(q, k, allowed, scale, bias, given)
    batch, heads, q_len, k_len = p.shape
    kv_heads = v.shape[1]
    grouped = p.reshape(batch, kv_heads, heads // kv_heads, q_len, k_len)
    out = jnp.einsum("bkgqs,bksd->bkgqd", grouped, v, precision=_HIGHEST)
    return out.reshape(batch, heads, q_len, v.shape[-1])


@jit
def _weights_kernel(q, k, allowed, scale, bias, given):
    return _weights(upcast(q), upcast(k), allowed, scale, upcast(bias), given).astype(q.dtype)


@jit
def _sdpa_kernel(q, k, v, allowed, scale, bias, given):
    return _attend(upcast(q), upcast(k), upcast(v), allowed, scale, upcast(bias), given).astype(q.dtype)


def _logit_shape(q, k):
    return (q.shape[0], q.shape[1], q.shape[2], k.shape[2])


def attention_weights(q, k, *, mask=None, is_causal=False, scale=None, bias=None):
    """``P = softmax_j(scale * q_i . k_j + bias_ij)`` over allowed keys ``j`` (mask AND causal AND a finite
    logit), 0 where not allowed.

    q ``(B, H, Lq, D)``, k ``(B, Hkv, Lk, D)`` -> ``(B, H, Lq, Lk)``; ``scale`` defaults to ``1/sqrt(D)``.
    """
    name = "attention_weights"
    dims = V.attention(name, _meta(q, "q"), _meta(k, "k"), None, _opt_meta(mask, "mask"), is_causal, scale,
                       _opt_meta(bias, "bias"))
    shape = _logit_shape(q, k)
    return _weights_kernel(q, k, _allowed(mask, is_causal, shape), dims.scale, *_full_bias(bias, shape, q.dtype))


def scaled_dot_product_attention(q, k, v, *, mask=None, is_causal=False, scale=None, bias=None):
    """``out_i = sum_j P_ij v_j`` with ``P = attention_weights(q, k)``: ``(B, H, Lq, Dv)``."""
    name = "scaled_dot_product_attention"
    dims = V.attention(name, _meta(q, "q"), _meta(k, "k"), _meta(v, "v"), _opt_meta(mask, "mask"),
                       is_causal, scale, _opt_meta(bias, "bias"))
    shape = _logit_shape(q, k)
    return _sdpa_kernel(q, k, v, _allowed(mask, is_causal, shape), dims.scale, *_full_bias(bias, shape, q.dtype))


def _matmul(a, b):
    return jnp.matmul(a, b, precision=_HIGHEST)


def _linear(x, params, w, b):
    y = _matmul(x, upcast(params[w]))
    return y + upcast(params[b]) if b in params else y


def _split_heads(t, heads):
    """``(B, L, heads*D) -> (B, heads, L, D)``; columns ``h*D:(h+1)*D`` are head ``h``."""
    batch, length, width = t.shape
    return t.reshape(batch, length, heads, width // heads).transpose(0, 2, 1, 3)


def _merge_heads(t):
    """``(B, H, L, D) -> (B, L, H*D)``, the inverse of ``_split_heads``."""
    batch, heads, length, head_dim = t.shape
    return t.transpose(0, 2, 1, 3).reshape(batch, length, heads * head_dim)


def _project(x, context, params, heads, kv_heads):
    """q ``(B, H, Lq, D)``, k and v ``(B, Hkv, Lk, D)`` in the compute dtype."""
    q = _linear(x, params, "wq", "bq")
    k = _linear(context, params, "wk", "bk")
    v = _linear(context, params, "wv", "bv")
    return _split_heads(q, heads), _split_heads(k, kv_heads), _split_heads(v, kv_heads)


def _unpacked(params, heads, kv_heads):
    """``params`` with a packed ``w_qkv`` (columns q | k | v) and ``b_qkv`` split into ``wq wk wv bq bk bv``:
    column ``j`` of ``x @ w_qkv`` is column ``j`` of one of ``x @ wq``, ``x @ wk``, ``x @ wv``."""
    if "w_qkv" not in params:
        return params
    out = {key: value for key, value in params.items() if key not in ("w_qkv", "b_qkv")}
    head_dim = params["w_qkv"].shape[-1] // (heads + 2 * kv_heads)
    cuts = (0, heads * head_dim, (heads + kv_heads) * head_dim, (heads + 2 * kv_heads) * head_dim)
    for name, start, stop in zip("qkv", cuts[:-1], cuts[1:]):
        out[f"w{name}"] = take(params["w_qkv"], (slice(None), slice(start, stop)))
        if "b_qkv" in params:
            out[f"b{name}"] = take(params["b_qkv"], slice(start, stop))
    return out


def _rope(t, positions, base):
    from .positional import rope
    return rope(t, positions, base=base, interleaved=False)


#: the bias of each weight (the projections' and the feed-forward's; swiglu has none)
_BIAS_OF = {"wq": "bq", "wk": "bk", "wv": "bv", "wo": "bo"}
_FFN_BIAS_OF = {"w1": "b1", "w2": "b2"}


def _with_zero_biases(params, bias_of):
    """``params`` with an all-zero bias for every weight that has none: ``y + 0`` is ``y``, and a kernel then
    compiles once per geometry, not once more per combination of given biases (a dict's keys are static)."""
    missing = {b: filled(None, 0, params[w].shape[-1:], params[w].dtype)
               for w, b in bias_of.items() if w in params and b not in params}
    return {**params, **missing} if missing else params


def _upcast_params(params):
    return {key: upcast(value) for key, value in params.items()}


@jit(static_argnames=("heads", "kv_heads", "rope_base"))
def _mha_kernel(x, context, params, allowed, bias, given, *, heads, kv_heads, rope_base):
    xc, params = upcast(x), _upcast_params(params)
    q, k, v = _project(xc, xc if context is None else upcast(context), params, heads, kv_heads)
    if rope_base is not None:
        positions = jnp.arange(x.shape[1])
        q, k = _rope(q, positions, rope_base), _rope(k, positions, rope_base)
    out = _attend(q, k, v, allowed, 1.0 / math.sqrt(q.shape[-1]), upcast(bias), given)
    return _linear(_merge_heads(out), params, "wo", "bo").astype(x.dtype)


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
    k_len = x.shape[1] if context is None else context.shape[1]
    shape = (x.shape[0], dims.heads, x.shape[1], k_len)
    allowed = _allowed(mask, is_causal, shape)
    params = _with_zero_biases(_unpacked(params, dims.heads, dims.kv_heads), _BIAS_OF)
    return _mha_kernel(x, context, params, allowed, *_full_bias(bias, shape, x.dtype), heads=dims.heads,
                       kv_heads=dims.kv_heads, rope_base=base)


@jit(static_argnames=("heads", "kv_heads", "rope_base"))
def _decode_kernel(x_new, k_past, v_past, params, bias, given, *, heads, kv_heads, rope_base):
    xc, params = upcast(x_new), _upcast_params(params)
    q, k, v = _project(xc, xc, params, heads, kv_heads)
    past, new = k_past.shape[2], x_new.shape[1]
    if rope_base is not None:
        positions = jnp.arange(past, past + new)
        q, k = _rope(q, positions, rope_base), _rope(k, positions, rope_base)
    k = jnp.concatenate([upcast(k_past), k], axis=2)                # (B, Hkv, P+T, D), oldest first
    v = jnp.concatenate([upcast(v_past), v], axis=2)
    allowed = jnp.arange(past + new)[None, :] <= jnp.arange(new)[:, None] + past  # bottom-right causal
    out = _attend(q, k, v, allowed, 1.0 / math.sqrt(q.shape[-1]), upcast(bias), given)
    out = _linear(_merge_heads(out), params, "wo", "bo")
    dtype = x_new.dtype
    return out.astype(dtype), (k.astype(dtype), v.astype(dtype))


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
    params = _with_zero_biases(_unpacked(params, dims.heads, dims.kv_heads), _BIAS_OF)
    bias = _full_bias(bias, (dims.batch, dims.heads, dims.q_len, dims.k_len), x_new.dtype)
    return _decode_kernel(x_new, k_past, v_past, params, *bias, heads=dims.heads, kv_heads=dims.kv_heads,
                          rope_base=base)


def _sigmoid(x):
    z = jnp.exp(-jnp.abs(x))  # never overflows, unlike exp(-x) for very negative x
    return jnp.where(x >= 0, 1.0 / (1.0 + z), z / (1.0 + z))


@jit(static_argnames=("activation",))
def _ffn_kernel(x, params, *, activation):
    xc, params = upcast(x), _upcast_params(params)
    if activation == "swiglu":
        gate = _matmul(xc, params["w1"])
        hidden = gate * _sigmoid(gate) * _matmul(xc, params["w3"])
    else:
        pre = _linear(xc, params, "w1", "b1")
        if activation == "relu":
            hidden = jnp.maximum(pre, 0.0)
        else:
            hidden = 0.5 * pre * (1.0 + jax.lax.erf(pre / math.sqrt(2.0)))
    return _linear(hidden, params, "w2", "b2").astype(x.dtype)


def feed_forward(x, params, *, activation="gelu"):
    """relu/gelu: ``act(x @ w1 + b1) @ w2 + b2`` (biases optional, exact erf GELU);
    swiglu: ``(silu(x @ w1) * (x @ w3)) @ w2`` with ``silu(z) = z * sigmoid(z)``."""
    activation = V.feed_forward(_meta(x, "x"), _params_meta(params, "feed_forward"), activation)
    if activation != "swiglu":
        params = _with_zero_biases(params, _FFN_BIAS_OF)
    positions, _ = as_rows(x, 1)  # position-wise: one row per position
    out = _ffn_kernel(positions, params, activation=activation)
    return reshape(out, x.shape[:-1] + out.shape[-1:])
