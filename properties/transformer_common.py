"""Shared sizes, parameters, budgets, strategies and helpers of the assembled transformer's property modules
(``properties/test_transformer_block.py``, ``test_decoder_forward.py``, ``test_decoder_decode.py``;
docs/contract.md 3.10 and section 4, "Blocks and model"). Not a ``test_`` module: it registers no property itself
(:func:`_register_model_rejects` registers one in the module that calls it).

Where the bugs of an assembled model hide, and so what the strategies draw: the wiring of a block (pre- vs
post-norm, where the residual is taken, which norm's parameters are used), the model's glue (position offsets,
the final norm, the tied LM head), the KV cache of a decoder (per layer, across chunks, positions continuing at
``P``) and the grouping of K/V heads. Sizes are tiny (d <= 16, <= 2 layers, V <= 17, L <= 6) and come from small
fixed sets: JAX compiles each component once per geometry, and a model is a dozen component calls.

Tolerances (:func:`properties.budgets.block_core`, ``model_core``, ``decode_core``). A block or a model is a chain
of stages (embedding, norm, attention, FFN, residual sums, LM head), each carried as its float64 value and a
per-element error bound: a stage adds its own rounding (the derived allowance of that component for its actual
float64 inputs: the norms' group statistics, attention's logits and probabilities, the FFN's hidden values) and
carries the error it was handed through itself (a projection through ``W``, a norm through ``1 / s`` and its mean
terms, a residual sum adds both and rounds once; the handed-on errors of independent elements add in
quadrature). Positions in float32 (the contract's narrowest angle dtype) add ``|pos| eps_32`` radians. The
comparison is element by element against the float64 oracle; an implementation against itself (permuted,
changed in its future, decoded in chunks, grouped vs repeated K/V heads) allows each side its allowance.
"""
from __future__ import annotations

import math

import numpy as np
from hypothesis import strategies as st

from properties import budgets, strategies
from properties.assertions import assert_rejects, require
from properties.oracle import expected
from properties.registry import prop_in


# --- shared sizes ---------------------------------------------------------------------------------------------
#: (d_model, n_heads, n_kv_heads) of a model: MHA, GQA (Hkv = 2, H / Hkv = 2), MQA
MODEL_HEADS = ((8, 2, 2), (8, 4, 2), (16, 4, 1))
GQA_MODEL_HEADS = ((8, 4, 2),)
#: (B, L) of the token ids a model reads; MAX_POSITIONS > every L (learned positions exist for all of them)
MODEL_INPUTS = ((1, 3), (2, 6), (1, 1))
MAX_POSITIONS = 8
NORMS = ("layernorm", "rmsnorm")
FFNS = ("gelu", "relu", "swiglu")
POSITIONALS = ("learned", "sinusoidal", "rope")


# --- parameters -------------------------------------------------------------------------------------------------
def _leaf(path: tuple, shape, dtype: str, seed: int) -> np.ndarray:
    """A random parameter of the role its path names: projections N(0, 1/fan_in) (they keep magnitudes), token
    and position embeddings N(0, 1) and N(0, 1/4), norm weights 1 + N(0, 0.1^2), biases N(0, 0.1^2)."""
    name = path[-1]
    if len(shape) == 2:
        scale = 1.0 if name == "tokens" else 0.5 if name == "positions" else 1.0 / math.sqrt(shape[0])
        return strategies.normal(shape, dtype, seed, scale)
    if name == "weight":
        return strategies.cast(1.0 + 0.1 * strategies.normal(shape, "float64", seed), dtype)
    return strategies.normal(shape, dtype, seed, 0.1)


def randomise(tree, dtype: str, seed: int, path=()):
    """``tree`` (a parameter layout) with every array replaced by a random one of its shape (see :func:`_leaf`)."""
    if isinstance(tree, dict):
        return {k: randomise(v, dtype, seed + 101 * i, path + (k,)) for i, (k, v) in enumerate(tree.items())}
    if isinstance(tree, (list, tuple)):
        return type(tree)(randomise(v, dtype, seed + 7919 * (i + 1), path + (i,)) for i, v in enumerate(tree))
    return _leaf(path, np.shape(tree), dtype, seed)


def leaves(tree, path=()):
    """``(path, array)`` of every array of a nested dict/list."""
    if isinstance(tree, dict):
        for k, v in tree.items():
            yield from leaves(v, path + (k,))
    elif isinstance(tree, (list, tuple)):
        for i, v in enumerate(tree):
            yield from leaves(v, path + (i,))
    else:
        yield path, tree


def replace(tree, path, value):
    """A copy of ``tree`` with the array at ``path`` replaced by ``value``."""
    if not path:
        return value
    if isinstance(tree, dict):
        return {k: (replace(v, path[1:], value) if k == path[0] else v) for k, v in tree.items()}
    return [replace(v, path[1:], value) if i == path[0] else v for i, v in enumerate(tree)]


def block_params(dtype, d, h, hkv, f, *, norm, ffn, bias, seed):
    """One block's params as ``init_transformer_params`` lays them out, random (see :func:`_leaf`)."""
    head_dim = d // h
    norm_p = {"weight": (d,), "bias": (d,)} if norm == "layernorm" else {"weight": (d,)}
    attn = {"wq": (d, h * head_dim), "wk": (d, hkv * head_dim), "wv": (d, hkv * head_dim), "wo": (h * head_dim, d)}
    if bias:
        attn.update(bq=(h * head_dim,), bk=(hkv * head_dim,), bv=(hkv * head_dim,), bo=(d,))
    mlp = {"w1": (d, f), "w3": (d, f), "w2": (f, d)} if ffn == "swiglu" else {"w1": (d, f), "w2": (f, d)}
    if bias and ffn != "swiglu":
        mlp.update(b1=(f,), b2=(d,))
    layout = {"attn_norm": norm_p, "attn": attn, "ffn_norm": dict(norm_p), "ffn": mlp}
    return randomise(_shapes_as_arrays(layout), dtype, seed)


def _shapes_as_arrays(tree):
    if isinstance(tree, dict):
        return {k: _shapes_as_arrays(v) for k, v in tree.items()}
    return np.zeros(tree)


# --- budgets ----------------------------------------------------------------------------------------------------
def _model_opts(cfg):
    return {"num_heads": cfg["n_heads"], "num_kv_heads": cfg["n_kv_heads"], "norm": cfg["norm"],
            "norm_position": "pre", "ffn": cfg["ffn"], "is_causal": True,
            "rope_base": 10000.0 if cfg["positional"] == "rope" else None, "eps": cfg.get("norm_eps", 1e-5)}


def block_budget(dtype, x, params, opts) -> budgets.ChainBudget:
    """transformer_block(x, params, **opts)'s float64 output and per-element allowance."""
    return budgets.ChainBudget(dtype, *budgets.block_core(dtype, x, params, opts))


def model_budget(dtype, ids, params, cfg) -> budgets.ChainBudget:
    """decoder_forward(ids)'s (and decoding the same ids in chunks: the same stages) float64 logits and their
    per-element allowance."""
    return budgets.ChainBudget(dtype, *budgets.model_core(dtype, ids, params, cfg, _model_opts(cfg)))


def decode_budget(dtype, ids, cache, params, cfg):
    """decoder_decode(ids, cache): the logits' :class:`properties.budgets.ChainBudget` and, per layer, the
    extended cache's ``(k, v)`` ones."""
    logits, allowance, caches = budgets.decode_core(dtype, ids, cache, params, cfg, _model_opts(cfg))
    return budgets.ChainBudget(dtype, logits, allowance), [
        (budgets.ChainBudget(dtype, k, dk), budgets.ChainBudget(dtype, v, dv)) for k, dk, v, dv in caches]


# --- the models' strategies and calls -------------------------------------------------------------------------
@strategies.composite
def configs(draw, *, heads=MODEL_HEADS, positionals=POSITIONALS):
    d, h, hkv = draw(strategies.sampled_from(heads), label="(d_model, n_heads, n_kv_heads)")
    return {"vocab_size": draw(strategies.sampled_from([11, 17]), label="vocab_size"), "d_model": d,
            "n_layers": draw(strategies.sampled_from([1, 2]), label="n_layers"), "n_heads": h, "n_kv_heads": hkv,
            "d_ff": 12, "max_positions": MAX_POSITIONS,
            "norm": draw(strategies.sampled_from(NORMS), label="norm"),
            "ffn": draw(strategies.sampled_from(FFNS), label="ffn"),
            "positional": draw(strategies.sampled_from(positionals), label="positional"),
            "bias": draw(strategies.booleans(), label="bias"),
            "tie_embeddings": draw(strategies.booleans(), label="tie_embeddings")}


@strategies.composite
def model_inputs(draw, dtype, *, heads=MODEL_HEADS, positionals=POSITIONALS, inputs=MODEL_INPUTS):
    cfg = draw(configs(heads=heads, positionals=positionals))
    batch, length = draw(strategies.sampled_from(inputs), label="(B, L)")
    layout = expected("init_transformer_params", cfg, seed=0)
    params = randomise(layout, dtype, draw(strategies.seeds, label="params.seed"))
    ids = strategies.rng(draw(strategies.seeds, label="ids.seed")).integers(0, cfg["vocab_size"], (batch, length))
    return {"config": cfg, "params": params, "ids": ids.astype(np.int64)}


def _forward(subject, ids, params, cfg):
    out = subject.decoder_forward(ids, params, cfg)
    return subject.expect(out, shape=ids.shape + (cfg["vocab_size"],), what="decoder_forward logits")


def _decode(subject, ids, cache, params, cfg):
    result = subject.decoder_decode(ids, cache, params, cfg)
    require(isinstance(result, tuple) and len(result) == 2, "decoder_decode must return (logits, cache)")
    logits, new_cache = result
    require(isinstance(new_cache, (list, tuple)) and len(new_cache) == cfg["n_layers"],
            f"decoder_decode must return a cache of n_layers={cfg['n_layers']} (k, v) pairs")
    past = 0 if cache is None else cache[0][0].shape[2]
    want = (ids.shape[0], cfg["n_kv_heads"], past + ids.shape[1], cfg["d_model"] // cfg["n_heads"])
    out = []
    for i, pair in enumerate(new_cache):
        require(isinstance(pair, (list, tuple)) and len(pair) == 2, f"decoder_decode cache[{i}] is not a (k, v) pair")
        out.append(tuple(subject.expect(a, shape=want, what=f"decoder_decode cache[{i}]") for a in pair))
    return subject.expect(logits, shape=ids.shape + (cfg["vocab_size"],), what="decoder_decode logits"), out


# --- bad input ---------------------------------------------------------------------------------------------------
def _bad_inputs(dtype):
    return st.just(None)


_CFG = {"vocab_size": 11, "d_model": 8, "n_layers": 2, "n_heads": 4, "n_kv_heads": 2, "d_ff": 12,
        "max_positions": 6, "norm": "layernorm", "ffn": "gelu", "positional": "learned", "bias": False,
        "tie_embeddings": False}


def _f32_model(cfg=None):
    cfg = cfg or _CFG
    return randomise(expected("init_transformer_params", cfg, seed=0), "float32", 0)


def _register_model_rejects(component, module):
    """Register ``rejects_bad_input`` of ``component`` (decoder_forward or decoder_decode), filed under the
    component's module ``module`` (its ``__name__``)."""
    decoding = component == "decoder_decode"

    @prop_in(module, component, "rejects_bad_input", inputs=_bad_inputs, dtypes=("float32",), max_examples=1,
              statement=f"{component} raises ValueError/TypeError for token ids outside [0, vocab_size) (negative or "
                        "too large), float token ids, more positions than max_positions with learned positions, an "
                        "unknown norm or ffn in the config"
                        + (", and a cache whose layer count, K/V head count, head dim or batch does not fit."
                           if decoding else "."))
    def rejects(subject, case):
        params = _f32_model()
        ids = np.array([[1, 2, 3], [4, 5, 6]], dtype=np.int64)

        def call(ids_=ids, cache=None, cfg=_CFG, p=params, *, why):
            args = (ids_, cache, p, cfg) if decoding else (ids_, p, cfg)
            assert_rejects(subject, component, *args, why=why)

        call(np.array([[1, -1, 3]]), why="token id -1")
        call(np.array([[1, 11, 3]]), why="token id 11 for vocab_size 11")
        call(ids.astype(np.float32), why="float32 token ids")
        call(np.zeros((1, 7), dtype=np.int64), why="7 positions with max_positions 6 (learned)")
        call(cfg={**_CFG, "norm": "batchnorm"}, why="config norm='batchnorm'")
        call(cfg={**_CFG, "ffn": "tanh"}, why="config ffn='tanh'")
        if decoding:
            def cache(layers=2, b=2, hkv=2, p=2, d=2):
                return [(strategies.normal((b, hkv, p, d), "float32", 2 * i), strategies.normal((b, hkv, p, d),
                                                                                                "float32", 2 * i + 1))
                        for i in range(layers)]
            call(cache=cache(layers=1), why="a cache of 1 layer for n_layers=2")
            call(cache=cache(hkv=4), why="a cache with 4 K/V heads for n_kv_heads=2")
            call(cache=cache(d=4), why="a cache with head dim 4 for head_dim=2")
            call(cache=cache(b=1), why="a cache with batch 1 for 2 sequences")
            call(cache=cache(p=4), why="a cache of 4 positions + 3 new with max_positions 6 (learned)")
