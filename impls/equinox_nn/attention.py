"""Multi-head attention as Equinox users call it: ``eqx.nn.MultiheadAttention`` built for one example with the
drawn projections set by ``eqx.tree_at``, ``jax.vmap``-ed over the batch.

Conventions converted (never the arithmetic): Equinox's ``Linear`` weights are ``(out, in)``, the catalogue's
projections ``(in, out)`` (transposed); the packed ``w_qkv`` is split into the three projections; the mask,
True = may attend in both, is broadcast to ``(B, H, Lq, Lk)`` and handed to each example as the per-head
``(H, Lq, Lk)`` mask Equinox takes; Equinox has no causal flag, so ``is_causal`` is the catalogue's bottom-right
triangle ANDed into that mask (how Equinox users write causal attention). RoPE is applied the way Equinox
documents it: ``eqx.nn.RotaryPositionalEmbedding(D, theta=rope_base)`` on the query and key heads through
``process_heads`` (positions 0..L-1 of each sequence, as in the catalogue). Equinox has no grouped K/V heads and
no additive bias: those raise ``NotImplementedError``.
"""
import equinox as eqx
import jax
import jax.numpy as jnp

from impls._validate import attention as check

from ._util import kernel, meta

__all__ = ["multi_head_attention"]


def _unpack(p):
    """``w_qkv``/``b_qkv`` (columns q, k, v; H heads each here) as ``wq wk wv``/``bq bk bv``."""
    p = dict(p)
    w = p.pop("w_qkv")
    n = w.shape[1] // 3
    p["wq"], p["wk"], p["wv"] = w[:, :n], w[:, n:2 * n], w[:, 2 * n:]
    b = p.pop("b_qkv", None)
    if b is not None:
        p["bq"], p["bk"], p["bv"] = b[:n], b[n:2 * n], b[2 * n:]
    return p


def _set_linear(layer, where, w, b):
    """The ``eqx.nn.Linear`` at ``where(layer)`` with weight ``w.T`` (and bias ``b`` when given)."""
    layer = eqx.tree_at(lambda m: where(m).weight, layer, w.T)
    if b is not None:
        layer = eqx.tree_at(lambda m: where(m).bias, layer, b)
    return layer


def _build(p, heads, dtype):
    """``eqx.nn.MultiheadAttention`` with the catalogue's projections (biases where given)."""
    d, width = p["wq"].shape
    layer = eqx.nn.MultiheadAttention(heads, d, qk_size=width // heads, vo_size=width // heads,
                                      output_size=p["wo"].shape[1], use_query_bias="bq" in p,
                                      use_key_bias="bk" in p, use_value_bias="bv" in p,
                                      use_output_bias="bo" in p, dtype=dtype, key=jax.random.key(0))
    for name, where in (("q", lambda m: m.query_proj), ("k", lambda m: m.key_proj),
                        ("v", lambda m: m.value_proj), ("o", lambda m: m.output_proj)):
        layer = _set_linear(layer, where, p["w" + name], p.get("b" + name))
    return layer


def _rope_heads(base, head_dim, dtype):
    """``process_heads`` rotating q and k heads ``(L, H, D)`` by ``eqx.nn.RotaryPositionalEmbedding``."""
    rope = eqx.nn.RotaryPositionalEmbedding(head_dim, theta=base, dtype=dtype)

    def process_heads(q, k, v):
        per_head = jax.vmap(rope, in_axes=1, out_axes=1)
        return per_head(q), per_head(k), v
    return process_heads


@kernel("heads", "causal", "base")
def _mha(x, context, p, mask, heads, causal, base):
    if "w_qkv" in p:
        p = _unpack(p)
    layer = _build(p, heads, x.dtype)
    c = x if context is None else context
    q_len, k_len = x.shape[1], c.shape[1]
    allowed = jnp.ones((x.shape[0], heads, q_len, k_len), bool)
    if mask is not None:
        allowed = allowed & mask
    if causal:  # the catalogue's bottom-right triangle
        allowed = allowed & (jnp.arange(k_len)[None, :] <= jnp.arange(q_len)[:, None] + (k_len - q_len))
    use_mask = mask is not None or causal
    process = None if base is None else _rope_heads(base, p["wq"].shape[1] // heads, x.dtype)

    def one(xb, cb, mb):
        return layer(xb, cb, cb, mask=mb if use_mask else None, process_heads=process, inference=True)
    return jax.vmap(one)(x, c, allowed)


def multi_head_attention(x, context, params, *, num_heads, num_kv_heads=None, mask=None, is_causal=False,
                         rope_base=None, bias=None):
    """``jax.vmap`` of ``eqx.nn.MultiheadAttention(num_heads, d, qk_size=D, vo_size=D, output_size=d)``:
    concat_h softmax(x Wq_h (c Wk_h)^T / sqrt(D), masked) c Wv_h, then Wo; RoPE through ``process_heads``."""
    dims, base = check.multi_head_attention(meta(x), meta(context), {k: meta(v) for k, v in params.items()},
                                            num_heads, num_kv_heads, meta(mask), is_causal, rope_base, meta(bias))
    if dims.kv_heads != dims.heads:
        raise NotImplementedError("eqx.nn.MultiheadAttention has no grouped key/value heads (MQA/GQA)")
    if bias is not None:
        raise NotImplementedError("eqx.nn.MultiheadAttention has no additive attention bias")
    return _mha(x, context, params, mask, heads=dims.heads, causal=bool(is_causal), base=base)
