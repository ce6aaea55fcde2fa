"""Shared sizes, parameters, budgets, strategies and helpers of the assembled transformer's property modules
(``properties/test_transformer_block.py``, ``test_decoder_forward.py``, ``test_decoder_decode.py``;
docs/contract.md 3.10 and section 4, "Blocks and model"). Not a ``test_`` module: it registers no property itself
(:func:`_register_model_rejects` registers one in the module that calls it).

Where the bugs of an assembled model hide, and so what the strategies draw: the wiring of a block (pre- vs
post-norm, where the residual is taken, which norm's parameters are used), the model's glue (position offsets,
the final norm, the tied LM head), the KV cache of a decoder (per layer, across chunks, positions continuing at
``P``) and the grouping of K/V heads. Sizes are tiny (d <= 16, <= 2 layers, V <= 17, L <= 6) and come from small
fixed sets: JAX compiles each component once per geometry, and a model is a dozen component calls.

Tolerances. A block or a model is a chain of stages (norm, attention, FFN, residual sums, LM head). Measured
against the largest magnitude met on the way (the ``floor``), each stage adds its own rounding (a reduction of
``n`` terms: ``eps (4 + sqrt n)``) and amplifies the error it was handed by its condition: a norm by
``max|z| / std(z)`` of its input rows (an error relative to ``max|z|`` becomes one relative to the unit-scale
output), attention by the logits' condition of :func:`properties.attention_common.mha_budget`, the FFN by its
activation's slope. The projections are drawn with ``1/sqrt(fan_in)`` scales, so a stage passes the error it is
handed on with a gain of about one and the stages' contributions add up: the budget is ``tolerance(dtype,
n = sum of the stages' n, cond = sum of their conditions)`` (the product, a worst-case bound, is ~1e5 for two
layers and would let a float32 model be off in the fourth digit), with the stages' inputs taken from a float64
run of the oracle's own components (:func:`trace_block`); positions in float32 (the contract's narrowest angle
dtype) add :func:`angle_cond`.
"""
from __future__ import annotations

import math

import numpy as np
from hypothesis import strategies as st

from properties import strategies
from properties.assertions import assert_rejects, require
from properties.oracle import expected, widen
from properties.registry import prop_in
from properties.attention_common import GELU_SLOPE, SILU_SLOPE, mha_budget
from properties.tolerances import TINY, angle_cond, tolerance


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
#: the FFN's largest slope (its error amplification), per kind
FFN_SLOPE = {"gelu": GELU_SLOPE, "relu": 1.0, "swiglu": 2.0 * SILU_SLOPE}


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
class Budget:
    """Accumulates ``n``, the summed conditions and the largest magnitude of a chain of stages."""

    def __init__(self, dtype: str):
        self.dtype, self.n, self.cond, self.floor = dtype, 0, 0.0, TINY[dtype]

    def stage(self, *, n: int = 0, cond: float = 1.0, magnitude=0.0):
        if n or cond > 1.0:  # a stage that computes something (not only a magnitude seen on the way)
            self.n += n
            self.cond += max(cond, 1.0)
        self.floor = max(self.floor, float(np.max(np.abs(magnitude), initial=0.0)))

    @property
    def tol(self) -> float:
        return tolerance(self.dtype, n=self.n, cond=self.cond)


def _norm64(z, p, norm, eps, budget):
    """The oracle's norm of ``z`` (float64), its stage in ``budget``: condition ``max|z| / std`` per row."""
    z = np.asarray(z, dtype=np.float64)
    centred = z - z.mean(axis=-1, keepdims=True) if norm == "layernorm" else z
    spread = np.sqrt(np.mean(centred ** 2, axis=-1) + eps)
    cond = float(np.max(np.max(np.abs(z), axis=-1) / np.maximum(spread, TINY["float64"]), initial=1.0))
    if norm == "layernorm":
        out = expected("layer_norm", z, 1, p["weight"], p.get("bias"), eps=eps)
    else:
        out = expected("rms_norm", z, 1, p["weight"], eps=eps)
    budget.stage(n=z.shape[-1], cond=cond, magnitude=out)
    return out


def _ffn64(u, p, ffn, budget):
    out = expected("feed_forward", u, p, activation=ffn)
    pa = {k: np.abs(np.asarray(v, dtype=np.float64)) for k, v in p.items()}
    hidden = np.abs(u) @ pa["w1"] + pa.get("b1", 0.0)
    if ffn == "swiglu":
        hidden = hidden * (np.abs(u) @ pa["w3"])
    budget.stage(n=u.shape[-1] + pa["w1"].shape[1], cond=1.0 + FFN_SLOPE[ffn],
                 magnitude=hidden @ pa["w2"] + pa.get("b2", 0.0))
    return out


def _attn_stage(budget, u, p, h, hkv, rope_base, max_position, cache=None):
    n, cond, floor = mha_budget(budget.dtype, u, None, p, h, hkv, rope_base=rope_base, max_position=max_position,
                                cache=cache)
    budget.stage(n=n, cond=cond, magnitude=floor)


def trace_block(x, params, opts, budget, *, attend=None, max_position=None):
    """The float64 oracle's block output for ``x``, every stage recorded in ``budget``. ``attend(u)`` replaces
    self-attention (decoding); ``opts`` are transformer_block's keyword options."""
    x = np.asarray(x, dtype=np.float64)
    p = widen(params)
    h, hkv = opts["num_heads"], opts.get("num_kv_heads") or opts["num_heads"]
    norm, eps, ffn = opts.get("norm", "layernorm"), opts.get("eps", 1e-5), opts.get("ffn", "gelu")
    rope_base = opts.get("rope_base")
    max_position = x.shape[1] if max_position is None else max_position

    def mha(u):
        if attend is not None:
            return attend(u)
        _attn_stage(budget, u, p["attn"], h, hkv, rope_base, max_position)
        return expected("multi_head_attention", u, None, p["attn"], num_heads=h, num_kv_heads=opts.get("num_kv_heads"),
                        mask=opts.get("mask"), is_causal=opts.get("is_causal", False), rope_base=rope_base,
                        bias=opts.get("bias"))

    budget.stage(magnitude=x)
    if opts.get("norm_position", "pre") == "pre":
        hid = x + mha(_norm64(x, p["attn_norm"], norm, eps, budget))
        budget.stage(magnitude=hid)
        y = hid + _ffn64(_norm64(hid, p["ffn_norm"], norm, eps, budget), p["ffn"], ffn, budget)
    else:
        hid = _norm64(x + mha(x), p["attn_norm"], norm, eps, budget)
        y = _norm64(hid + _ffn64(hid, p["ffn"], ffn, budget), p["ffn_norm"], norm, eps, budget)
    budget.stage(magnitude=y)
    return y


def _embed64(ids, params, cfg, past, budget):
    p = widen(params)
    x = p["embed"]["tokens"][ids]
    if cfg["positional"] == "learned":
        x = x + p["embed"]["positions"][past:past + ids.shape[1]]
    elif cfg["positional"] == "sinusoidal":
        x = x + expected("sinusoidal_positions", past + ids.shape[1], cfg["d_model"])[past:]
    if cfg["positional"] != "learned":  # position tables may be float32 (tolerances.ANGLE_DTYPE)
        budget.stage(cond=angle_cond(budget.dtype, past + ids.shape[1]))
    budget.stage(magnitude=x)
    return x


def _head64(x, params, cfg, budget):
    p = widen(params)
    eps = cfg.get("norm_eps", 1e-5)
    h = _norm64(x, p["final_norm"], cfg["norm"], eps, budget)
    w = p["embed"]["tokens"].T if cfg["tie_embeddings"] else p["lm_head"]["weight"]
    budget.stage(n=h.shape[-1], magnitude=np.abs(h) @ np.abs(w))  # the LM head's reduction
    return h @ w


def _model_opts(cfg):
    return {"num_heads": cfg["n_heads"], "num_kv_heads": cfg["n_kv_heads"], "norm": cfg["norm"],
            "norm_position": "pre", "ffn": cfg["ffn"], "is_causal": True,
            "rope_base": 10000.0 if cfg["positional"] == "rope" else None, "eps": cfg.get("norm_eps", 1e-5)}


def model_budget(dtype, ids, params, cfg) -> Budget:
    """The budget of ``decoder_forward(ids)`` (and of decoding the same ids in chunks: the same stages)."""
    budget = Budget(dtype)
    x = _embed64(ids, params, cfg, 0, budget)
    for layer in params["layers"]:
        x = trace_block(x, layer, _model_opts(cfg), budget)
    _head64(x, params, cfg, budget)
    return budget


def decode_budget(dtype, ids, cache, params, cfg) -> Budget:
    """The budget of ``decoder_decode(ids, cache)``: per layer the attention runs over the cache as well."""
    budget = Budget(dtype)
    past = 0 if cache is None else cache[0][0].shape[2]
    x = _embed64(ids, params, cfg, past, budget)
    opts = _model_opts(cfg)
    for i, layer in enumerate(params["layers"]):
        p = widen(layer["attn"])
        c = None if cache is None else widen(tuple(cache[i]))

        def attend(u, p=p, c=c):
            _attn_stage(budget, u, p, cfg["n_heads"], cfg["n_kv_heads"], opts["rope_base"], past + ids.shape[1],
                        cache=c)
            empty = np.zeros((u.shape[0], cfg["n_kv_heads"], 0, cfg["d_model"] // cfg["n_heads"]))
            return expected("mha_decode", u, c if c is not None else (empty, empty), p, num_heads=cfg["n_heads"],
                            num_kv_heads=cfg["n_kv_heads"], rope_base=opts["rope_base"])[0]

        x = trace_block(x, layer, opts, budget, attend=attend)
    _head64(x, params, cfg, budget)
    return budget


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
