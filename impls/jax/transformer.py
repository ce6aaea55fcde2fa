"""The assembled transformer (SPEC 3.10) for the JAX implementation, built from its own components.

A block is ``multi_head_attention``, ``layer_norm``/``rms_norm`` and ``feed_forward`` of this package wired as
pre-norm (``h = x + MHA(N(x))``, ``y = h + FFN(N(h))``) or post-norm (``h = N(x + MHA(x))``,
``y = N(h + FFN(h))``); the decoder embeds tokens (plus learned or sinusoidal positions, or RoPE inside
attention), runs ``n_layers`` causal pre-norm blocks, the final norm and the LM head. ``decoder_decode`` is the
same model over a KV cache (``mha_decode`` per layer) for tokens at positions ``P..P+T-1``.

Compilations: the components run their own jitted kernels (shared with the attention, norm and positional
checks, one per geometry); the glue here (embedding lookup, residual sums, LM head) is three small kernels of
this module, so a model compiles nothing per configuration beyond its components' geometries. Half precision is
computed in float32 and rounded once (the package wraps these functions in ``half_in_float32``).
"""
import jax
import jax.numpy as jnp
import numpy as np

from .._validate import transformer as V
from ._jit import jit
from ._util import asarray, convert, take, upcast
from .attention import feed_forward, mha_decode, multi_head_attention
from .norms import layer_norm, rms_norm
from .positional import sinusoidal_positions

__all__ = ["transformer_block", "decoder_forward", "decoder_decode"]


def _meta_tree(value, name):
    """``(shape, dtype)`` for every array of a nested dict/list/tuple (arrays only: others raise TypeError)."""
    if isinstance(value, dict):
        return {k: _meta_tree(v, f"{name}[{k!r}]") for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_meta_tree(v, f"{name}[{i}]") for i, v in enumerate(value))
    if not isinstance(value, jax.Array):
        raise TypeError(f"{name} must be a jax.Array, got {type(value).__name__}")
    return tuple(value.shape), value.dtype


def _norm(x, params, kind, eps):
    if kind == "layernorm":
        return layer_norm(x, 1, params["weight"], params.get("bias"), eps=eps)
    return rms_norm(x, 1, params["weight"], eps=eps)


def _block(x, params, attend, *, norm, norm_position, ffn, eps):
    """One block around ``attend(u) -> MHA(u)`` (self-attention with the block's options)."""
    def n_attn(t):
        return _norm(t, params["attn_norm"], norm, eps)

    def n_ffn(t):
        return _norm(t, params["ffn_norm"], norm, eps)

    def mlp(t):
        return feed_forward(t, params["ffn"], activation=ffn)

    if norm_position == "pre":
        h = _add(x, attend(n_attn(x)))
        return _add(h, mlp(n_ffn(h)))
    h = n_attn(_add(x, attend(x)))
    return n_ffn(_add(h, mlp(h)))


def _bias_kw(bias):
    """``bias=`` only when given: attention without the ``bias`` option still serves every other call."""
    return {} if bias is None else {"bias": bias}


def transformer_block(x, params, *, num_heads, num_kv_heads=None, norm="layernorm", norm_position="pre",
                      ffn="gelu", mask=None, is_causal=False, rope_base=None, bias=None, eps=1e-5):
    """A pre- or post-norm transformer block of self-attention and a position-wise FFN: ``(B, L, d)``."""
    eps = V.block(_meta_tree(x, "x"), _meta_tree(params, "params"), norm, norm_position, ffn, eps)

    def attend(u):
        return multi_head_attention(u, None, params["attn"], num_heads=num_heads, num_kv_heads=num_kv_heads,
                                    mask=mask, is_causal=is_causal, rope_base=rope_base, **_bias_kw(bias))

    return _block(x, params, attend, norm=norm, norm_position=norm_position, ffn=ffn, eps=eps)


def _ids_meta(component, input_ids):
    if not isinstance(input_ids, jax.Array):
        raise TypeError(f"{component}: input_ids must be a jax.Array, got {type(input_ids).__name__}")
    host = np.asarray(input_ids)
    ints = host.dtype.kind in "iu" and host.size > 0
    lowest, highest = (int(host.min()), int(host.max())) if ints else (None, None)
    return (tuple(input_ids.shape), input_ids.dtype), lowest, highest


def _check(component, input_ids, params, config, cache=None):
    ids, lowest, highest = _ids_meta(component, input_ids)
    cache_meta = None if cache is None else _meta_tree(cache, "cache")
    return V.model(component, ids, lowest, highest, _meta_tree(params, "params"), config, cache_meta)


@jit
def _embed_kernel(tokens, ids, positions):
    return tokens[ids] + positions[None]                            # (B, T, d); positions (T, d), zeros for RoPE


@jit
def _add(a, b):
    return a + b


@jit(static_argnames=("tied",))
def _lm_head(h, weight, *, tied):
    w = upcast(weight).T if tied else upcast(weight)              # tied: embed.tokens (V, d) transposed
    return jnp.matmul(upcast(h), w, precision=jax.lax.Precision.HIGHEST).astype(h.dtype)


def _embed(input_ids, params, dims, past):
    """Token embeddings of the ids at positions ``past .. past+T-1`` (plus learned or sinusoidal positions)."""
    cfg = dims.cfg
    tokens = params["embed"]["tokens"]
    span = slice(past, past + dims.new_len)
    if cfg.positional == "learned":
        positions = take(params["embed"]["positions"], span)
    elif cfg.positional == "sinusoidal":
        positions = convert(take(sinusoidal_positions(past + dims.new_len, cfg.d_model), span), tokens.dtype)
    else:
        positions = asarray(np.zeros((dims.new_len, cfg.d_model), dtype=tokens.dtype))
    return _embed_kernel(tokens, input_ids, positions)


def _head(x, params, dims):
    """Final norm and the LM head (``embed.tokens`` transposed when tied): logits ``(B, T, V)``."""
    cfg = dims.cfg
    h = _norm(x, params["final_norm"], cfg.norm, dims.eps)
    weight = params["embed"]["tokens"] if cfg.tie_embeddings else params["lm_head"]["weight"]
    return _lm_head(h, weight, tied=cfg.tie_embeddings)


def _block_options(cfg, eps):
    return {"norm": cfg.norm, "norm_position": "pre", "ffn": cfg.ffn, "eps": eps}


def decoder_forward(input_ids, params, config):
    """Logits ``(B, L, vocab_size)`` of the decoder-only pre-norm transformer of SPEC 3.9/3.10."""
    dims = _check("decoder_forward", input_ids, params, config)
    cfg = dims.cfg
    x = _embed(input_ids, params, dims, 0)
    for layer in params["layers"]:
        x = transformer_block(x, layer, num_heads=cfg.n_heads, num_kv_heads=cfg.n_kv_heads, norm=cfg.norm,
                              norm_position="pre", ffn=cfg.ffn, is_causal=True, rope_base=dims.rope_base,
                              eps=dims.eps)
    return _head(x, params, dims)


def decoder_decode(input_ids, cache, params, config):
    """``(logits (B, T, V), cache)`` for new tokens at positions ``P..P+T-1``; ``cache`` None or one ``(k, v)``
    per layer, each ``(B, Hkv, P, D)``, returned extended to ``P + T``."""
    dims = _check("decoder_decode", input_ids, params, config, cache)
    cfg = dims.cfg
    x = _embed(input_ids, params, dims, dims.past)
    new_cache = []
    for i, layer in enumerate(params["layers"]):
        if cache is None:
            empty = asarray(np.zeros((dims.batch, cfg.n_kv_heads, 0, cfg.head_dim), dtype=x.dtype))
            past = (empty, empty)
        else:
            past = tuple(cache[i])
        V.block(_meta_tree(x, "x"), _meta_tree(layer, f"params['layers'][{i}]"), cfg.norm, "pre", cfg.ffn,
                dims.eps, component="decoder_decode")
        out = {}

        def attend(u, past=past, layer=layer, out=out):
            y, out["cache"] = mha_decode(u, past, layer["attn"], num_heads=cfg.n_heads,
                                         num_kv_heads=cfg.n_kv_heads, rope_base=dims.rope_base)
            return y

        x = _block(x, layer, attend, **_block_options(cfg, dims.eps))
        new_cache.append(out["cache"])
    return _head(x, params, dims), new_cache
