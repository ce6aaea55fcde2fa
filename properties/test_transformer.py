"""Properties of the assembled transformer (docs/contract.md 3.10 and section 4, "Blocks and model").

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
from properties.assertions import assert_close, assert_rejects, require
from properties.oracle import expected, widen
from properties.plugin import test_property  # noqa: F401  (the one test, parametrised per check)
from properties.registry import FLOATS, prop
from properties.attention_common import GELU_SLOPE, SILU_SLOPE, mha_budget
from properties.tolerances import TINY, angle_cond, tolerance

# --- shared sizes ---------------------------------------------------------------------------------------------
#: (B, L, d, H, Hkv, d_ff) of a block, first = what shrinking aims for: one head; MHA; GQA with Hkv = 2,
#: H / Hkv = 2; MQA
BLOCK_LAYOUTS = ((1, 1, 4, 1, 1, 8),
                 (2, 4, 8, 2, 2, 16),
                 (1, 5, 8, 4, 2, 12),
                 (2, 3, 16, 4, 1, 16))
GQA_BLOCK_LAYOUTS = tuple(lay for lay in BLOCK_LAYOUTS if lay[4] < lay[3])
#: (d_model, n_heads, n_kv_heads) of a model: MHA, GQA (Hkv = 2, H / Hkv = 2), MQA
MODEL_HEADS = ((8, 2, 2), (8, 4, 2), (16, 4, 1))
GQA_MODEL_HEADS = ((8, 4, 2),)
#: (B, L) of the token ids a model reads; MAX_POSITIONS > every L (learned positions exist for all of them)
MODEL_INPUTS = ((1, 3), (2, 6), (1, 1))
MAX_POSITIONS = 8
#: chunk lengths a sequence of each length is decoded in: all at once, one at a time, uneven chunks
CHUNKINGS = {1: ((1,),), 3: ((3,), (1, 1, 1), (1, 2), (2, 1)), 6: ((6,), (1, 1, 1, 1, 1, 1), (2, 3, 1), (4, 2))}
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


# --- strategies ---------------------------------------------------------------------------------------------------
#: transformer_block's eps: omitted (1e-5) or another value large enough to change the output
BLOCK_EPS = (None, 1e-3, 1e-1)
#: transformer_block's attention bias: none, ALiBi's (H, L, L), or standard normal entries
BLOCK_BIASES = ("none", "alibi", "normal")


@strategies.composite
def block_inputs(draw, dtype, *, layouts=BLOCK_LAYOUTS, positions=("pre", "post"), causal=(False, True),
                 rope=(None, 10000.0), masks=("none", "keys"), eps=(None,), biases=("none",)):
    """One block call. ``eps`` and ``biases`` widen beyond the defaults only for the oracle comparison: the other
    properties state identities of the default block (a bias breaks permutation equivariance, for one)."""
    batch, length, d, h, hkv, f = draw(strategies.sampled_from(layouts), label="(B, L, d, H, Hkv, d_ff)")
    norm = draw(strategies.sampled_from(NORMS), label="norm")
    ffn = draw(strategies.sampled_from(FFNS), label="ffn")
    params = block_params(dtype, d, h, hkv, f, norm=norm, ffn=ffn, bias=draw(strategies.booleans(), label="bias"),
                          seed=draw(strategies.seeds, label="params.seed"))
    x = draw(strategies.arrays((batch, length, d), dtype, regimes=("normal", "integers"), label="x"))
    mask = None
    if draw(strategies.sampled_from(masks), label="mask") == "keys":  # (L,): keys every query may attend; key 0 always
        mask = strategies.rng(draw(strategies.seeds, label="mask.seed")).random(length) < 0.6
        mask[0] = True
    opts = {"num_heads": h, "num_kv_heads": None if hkv == h else hkv, "norm": norm,
            "norm_position": draw(strategies.sampled_from(positions), label="norm_position"), "ffn": ffn, "mask": mask,
            "is_causal": draw(strategies.sampled_from(causal), label="is_causal"),
            "rope_base": draw(strategies.sampled_from(rope), label="rope_base")}
    # eps and an attention bias, each omitted (the catalogue's default) or not: a block that ignores either fails
    eps = draw(strategies.sampled_from(eps), label="eps")
    if eps is not None:
        opts["eps"] = eps
    bias = draw(strategies.sampled_from(biases), label="bias")
    if bias == "alibi":
        opts["bias"] = strategies.cast(expected("alibi_bias", h, length, length), dtype)
    elif bias == "normal":
        opts["bias"] = strategies.normal((h, length, length), dtype, draw(strategies.seeds, label="bias.seed"))
    return {"x": x, "params": params, "opts": opts}


def _block(subject, x, params, opts):
    out = subject.transformer_block(x, params, **opts)
    return subject.expect(out, shape=x.shape, what="transformer_block output")


def _block_budget(subject, case, **override):
    opts = {**case["opts"], **override}
    budget = Budget(subject.dtype)
    trace_block(case["x"], case["params"], opts, budget)
    return budget


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


# --- transformer_block -----------------------------------------------------------------------------------------
@prop("transformer_block", "matches_oracle", dtypes=FLOATS, max_examples=40,
      inputs=lambda dtype: block_inputs(dtype, eps=BLOCK_EPS, biases=BLOCK_BIASES),
      statement="transformer_block equals the float64 NumPy oracle within the dtype's tolerance for its chain of "
                "stages (norms, attention, FFN: see the module docstring), relative to |out| + the largest "
                "magnitude on the way; pre- and post-norm, LayerNorm and RMSNorm, GELU/ReLU/SwiGLU, biases or "
                "none, MHA/GQA/MQA, causal or not, key masks, RoPE, eps omitted or 1e-3/0.1, an ALiBi or random "
                "attention bias or none.")
def block_oracle(subject, case):
    got = _block(subject, case["x"], case["params"], case["opts"])
    want = expected("transformer_block", case["x"], case["params"], **case["opts"])
    budget = _block_budget(subject, case)
    assert_close(got, want, dtype=subject.dtype, what="transformer_block vs float64 oracle", tol=budget.tol,
                 floor=budget.floor)


def _zero_outputs(params):
    """``params`` with the attention and FFN output projections (``wo``, ``w2``) and their biases zero."""
    out = {k: dict(v) for k, v in params.items()}
    for branch, keys in (("attn", ("wo", "bo")), ("ffn", ("w2", "b2"))):
        for key in keys:
            if key in out[branch]:
                out[branch][key] = np.zeros_like(out[branch][key])
    return out


@prop("transformer_block", "zero_output_projections_give_identity_or_norms", inputs=block_inputs, max_examples=20,
      statement="With wo, w2 and their biases zero, a pre-norm block returns x and a post-norm block returns "
                "N_ffn(N_attn(x)) (its two norms, with their own parameters, applied in turn).")
def block_zero_outputs(subject, case):
    params = _zero_outputs(case["params"])
    opts = case["opts"]
    got = _block(subject, case["x"], params, opts)
    budget = Budget(subject.dtype)
    x = case["x"].astype(np.float64)
    budget.stage(magnitude=x)
    if opts["norm_position"] == "pre":
        want = x
    else:
        p = widen(params)
        want = _norm64(_norm64(x, p["attn_norm"], opts["norm"], 1e-5, budget), p["ffn_norm"], opts["norm"], 1e-5,
                       budget)
    assert_close(got, want, dtype=subject.dtype, tol=budget.tol, floor=budget.floor,
                 what=f"{opts['norm_position']}-norm block with zero output projections vs "
                      + ("x" if opts["norm_position"] == "pre" else "N_ffn(N_attn(x))"))


def _unit_norms(params):
    out = {k: dict(v) for k, v in params.items()}
    for key in ("attn_norm", "ffn_norm"):
        out[key] = {"weight": np.ones_like(params[key]["weight"]), "bias": np.zeros_like(params[key]["weight"])}
    return out


@prop("transformer_block", "post_norm_outputs_are_standardised",
      inputs=lambda dtype: block_inputs(dtype, positions=("post",)), max_examples=20,
      statement="A post-norm LayerNorm block with unit norm weights, zero norm biases and eps = 0 outputs, at every "
                "position, values of mean 0 and biased variance 1 (within the norm's tolerance: the dtype's "
                "budget times max|z| / std(z) of the rows z it normalises, from the float64 oracle).")
def block_post_norm_standardised(subject, case):
    params = _unit_norms(case["params"])
    opts = {**case["opts"], "norm": "layernorm", "eps": 0.0}
    got = _block(subject, case["x"], params, opts).astype(np.float64)
    budget = Budget(subject.dtype)
    trace_block(case["x"], params, opts, budget)
    mean = got.mean(axis=-1)
    var = np.mean((got - mean[..., None]) ** 2, axis=-1)
    assert_close(mean, np.zeros_like(mean), dtype=subject.dtype, tol=budget.tol, floor=budget.floor,
                 what="per-position mean of a post-norm block's output")
    assert_close(var, np.ones_like(var), dtype=subject.dtype, tol=budget.tol, floor=budget.floor,
                 what="per-position variance of a post-norm block's output")


@strategies.composite
def block_causal_inputs(draw, dtype):
    case = draw(block_inputs(dtype, causal=(True,), masks=("none",)))
    length = case["x"].shape[1]
    case["cut"] = draw(strategies.integers(0, length - 1), label="last kept position")
    future = draw(strategies.arrays(case["x"].shape, dtype, regimes=("normal", "integers"), label="future"))
    changed = case["x"].copy()
    changed[:, case["cut"] + 1:] = future[:, case["cut"] + 1:]
    case["changed"] = changed
    return case


@prop("transformer_block", "causal_ignores_the_future", inputs=block_causal_inputs, max_examples=20,
      statement="With is_causal=True the block's outputs at positions 0..i do not change when the inputs after "
                "position i change (pre- and post-norm, with and without RoPE).")
def block_causal(subject, case):
    cut = case["cut"] + 1
    a = _block(subject, case["x"], case["params"], case["opts"])[:, :cut]
    b = _block(subject, case["changed"], case["params"], case["opts"])[:, :cut]
    budget = _block_budget(subject, case)
    assert_close(b, a.astype(np.float64), dtype=subject.dtype, tol=budget.tol, floor=budget.floor,
                 what=f"causal block outputs at positions 0..{cut - 1} after changing later inputs")


@strategies.composite
def block_permutation_inputs(draw, dtype):
    case = draw(block_inputs(dtype, causal=(False,), rope=(None,), masks=("none",)))
    case["perm"] = strategies.rng(draw(strategies.seeds, label="perm.seed")).permutation(case["x"].shape[1])
    return case


@prop("transformer_block", "permutation_equivariant_without_mask_and_positions", inputs=block_permutation_inputs,
      max_examples=20,
      statement="Without mask, causality or RoPE, permuting the sequence of a block's input permutes its output "
                "the same way (pre- and post-norm).")
def block_permutation(subject, case):
    x, perm = case["x"], case["perm"]
    out = _block(subject, x, case["params"], case["opts"])
    permuted = _block(subject, np.ascontiguousarray(x[:, perm]), case["params"], case["opts"])
    budget = _block_budget(subject, case)
    assert_close(permuted, out[:, perm].astype(np.float64), dtype=subject.dtype, tol=budget.tol, floor=budget.floor,
                 what=f"block(x[:, {perm.tolist()}]) vs block(x)[:, perm]")


# --- decoder_forward ---------------------------------------------------------------------------------------------
@prop("decoder_forward", "matches_oracle", inputs=model_inputs, dtypes=FLOATS, max_examples=15,
      statement="decoder_forward's logits equal the float64 NumPy oracle's within the dtype's tolerance for the "
                "model's chain of stages (embeddings, every block's stages, final norm, LM head), relative to "
                "|logit| + the largest magnitude on the way; learned/sinusoidal/RoPE positions, tied or untied "
                "head, MHA/GQA/MQA, 1-2 layers.")
def forward_oracle(subject, case):
    ids, params, cfg = case["ids"], case["params"], case["config"]
    got = _forward(subject, ids, params, cfg)
    want = expected("decoder_forward", ids, params, cfg)
    budget = model_budget(subject.dtype, ids, params, cfg)
    assert_close(got, want, dtype=subject.dtype, what="decoder_forward vs float64 oracle", tol=budget.tol,
                 floor=budget.floor)


@strategies.composite
def model_causal_inputs(draw, dtype):
    case = draw(model_inputs(dtype, inputs=((1, 3), (2, 6))))
    ids = case["ids"]
    case["cut"] = draw(strategies.integers(0, ids.shape[1] - 2), label="last kept position")
    other = strategies.rng(draw(strategies.seeds, label="future.seed")).integers(0, case["config"]["vocab_size"],
                                                                                 ids.shape)
    changed = ids.copy()
    changed[:, case["cut"] + 1:] = other[:, case["cut"] + 1:]
    case["changed"] = changed
    return case


@prop("decoder_forward", "causal_ignores_the_future", inputs=model_causal_inputs, max_examples=10,
      statement="decoder_forward's logits at positions 0..i do not change when the tokens after position i "
                "change.")
def forward_causal(subject, case):
    params, cfg, cut = case["params"], case["config"], case["cut"] + 1
    a = _forward(subject, case["ids"], params, cfg)[:, :cut]
    b = _forward(subject, case["changed"], params, cfg)[:, :cut]
    budget = model_budget(subject.dtype, case["ids"], params, cfg)
    assert_close(b, a.astype(np.float64), dtype=subject.dtype, tol=budget.tol, floor=budget.floor,
                 what=f"logits at positions 0..{cut - 1} after changing later tokens")


def repeat_kv_model(params, cfg):
    """The MHA twin of a GQA model: every layer's wk, wv (bk, bv) repeat each K/V head's columns for its group of
    H / Hkv query heads (query head h reads K/V head h // group, docs/contract.md 3.6); and its config."""
    h, hkv = cfg["n_heads"], cfg["n_kv_heads"]
    head_dim, group = cfg["d_model"] // h, h // hkv
    layers = []
    for layer in params["layers"]:
        attn = dict(layer["attn"])
        for key in ("wk", "wv", "bk", "bv"):
            if key in attn:
                a = attn[key]
                heads = a.reshape(a.shape[:-1] + (hkv, head_dim))
                attn[key] = np.repeat(heads, group, axis=-2).reshape(a.shape[:-1] + (h * head_dim,))
        layers.append({**layer, "attn": attn})
    return {**params, "layers": layers}, {**cfg, "n_kv_heads": h}


@prop("decoder_forward", "grouped_kv_equals_repeated_mha",
      inputs=lambda dtype: model_inputs(dtype, heads=GQA_MODEL_HEADS), max_examples=10,
      statement="A GQA model (n_kv_heads < n_heads) gives the logits of the MHA model whose K/V projections repeat "
                "each K/V head for its group of query heads (repeat_interleave, not tile).")
def forward_gqa(subject, case):
    ids, params, cfg = case["ids"], case["params"], case["config"]
    grouped = _forward(subject, ids, params, cfg)
    twin_params, twin_cfg = repeat_kv_model(params, cfg)
    twin = _forward(subject, ids, twin_params, twin_cfg)
    budget = model_budget(subject.dtype, ids, params, cfg)
    assert_close(grouped, twin.astype(np.float64), dtype=subject.dtype, tol=budget.tol, floor=budget.floor,
                 what="GQA model vs MHA model with repeated K/V heads")


def _dead_by_design(path, cfg) -> bool:
    """The key bias: ``q . bk`` is the same for every key of a query, which softmax ignores (unless RoPE rotates
    it by key position) -- the one tensor of the layout that is provably without effect."""
    return path[-1] == "bk" and cfg["positional"] != "rope"


@prop("decoder_forward", "no_dead_parameters",
      inputs=lambda dtype: model_inputs(dtype, inputs=((1, 3), (2, 6))), max_examples=6,
      statement="Perturbing any one parameter tensor counted by count_parameters (each in turn, by N(0, 1/4) noise) "
                "changes the logits by more than the rounding budget, for sequences of 3-6 tokens (one token "
                "attends only to itself: q and k have no effect) -- except the key bias bk without RoPE, whose "
                "q.bk is constant along the key axis and cancels in softmax.")
def forward_no_dead(subject, case):
    ids, params, cfg = case["ids"], case["params"], case["config"]
    base = _forward(subject, ids, params, cfg).astype(np.float64)
    budget = model_budget(subject.dtype, ids, params, cfg)
    allowance = budget.tol * (float(np.max(np.abs(base))) + budget.floor)
    for i, (path, a) in enumerate(leaves(params)):
        if _dead_by_design(path, cfg):
            continue
        noise = strategies.normal(a.shape, subject.dtype, 1000 + i, 0.5)
        changed = _forward(subject, ids, replace(params, path, (a.astype(np.float64) + noise).astype(a.dtype)), cfg)
        moved = float(np.max(np.abs(changed.astype(np.float64) - base)))
        name = "".join(f"[{p!r}]" for p in path)
        require(moved > allowance, f"perturbing params{name} {a.shape} moved the logits by {moved:.3g}, not beyond "
                                   f"the rounding allowance {allowance:.3g}: a dead parameter")


# --- decoder_decode ----------------------------------------------------------------------------------------------
@strategies.composite
def decode_inputs(draw, dtype):
    case = draw(model_inputs(dtype))
    cfg, length = case["config"], case["ids"].shape[1]
    past = draw(strategies.sampled_from([0, 2]), label="P")
    if past:
        batch = case["ids"].shape[0]
        shape = (batch, cfg["n_kv_heads"], past, cfg["d_model"] // cfg["n_heads"])
        seed = draw(strategies.seeds, label="cache.seed")
        case["cache"] = [(strategies.normal(shape, dtype, seed + 2 * i), strategies.normal(shape, dtype,
                                                                                           seed + 2 * i + 1))
                         for i in range(cfg["n_layers"])]
        case["ids"] = case["ids"][:, :min(length, MAX_POSITIONS - past)]
    else:
        case["cache"] = None
    return case


@prop("decoder_decode", "matches_oracle", inputs=decode_inputs, dtypes=FLOATS, max_examples=15,
      statement="decoder_decode's logits and extended cache equal the float64 NumPy oracle's within the dtype's "
                "tolerance for the model's chain of stages, from an empty cache or one of P = 2 positions "
                "(learned/sinusoidal positions and RoPE at P..P+T-1).")
def decode_oracle(subject, case):
    ids, cache, params, cfg = case["ids"], case["cache"], case["params"], case["config"]
    logits, new_cache = _decode(subject, ids, cache, params, cfg)
    want, want_cache = expected("decoder_decode", ids, cache, params, cfg)
    budget = decode_budget(subject.dtype, ids, cache, params, cfg)
    assert_close(logits, want, dtype=subject.dtype, what="decoder_decode logits vs float64 oracle", tol=budget.tol,
                 floor=budget.floor)
    for i, (got, ref) in enumerate(zip(new_cache, want_cache)):
        for name, g, r in zip("kv", got, ref):
            assert_close(g, r, dtype=subject.dtype, what=f"decoder_decode cache[{i}] {name} vs float64 oracle",
                         tol=budget.tol, floor=budget.floor)


@strategies.composite
def chunk_inputs(draw, dtype):
    case = draw(model_inputs(dtype))
    lengths = draw(strategies.sampled_from(CHUNKINGS[case["ids"].shape[1]]), label="chunk lengths")
    bounds = np.cumsum((0,) + lengths).tolist()
    case["chunks"] = list(zip(bounds[:-1], bounds[1:]))
    return case


@prop("decoder_decode", "chunked_decoding_equals_forward", inputs=chunk_inputs, max_examples=15,
      statement="Decoding a sequence chunk by chunk from an empty cache, the returned cache passed along "
                "(all at once, one token at a time, uneven chunks), gives decoder_forward's logits on the whole "
                "sequence; learned, sinusoidal and RoPE positions.")
def decode_chunks(subject, case):
    ids, params, cfg = case["ids"], case["params"], case["config"]
    cache, outs = None, []
    for a, b in case["chunks"]:
        logits, cache = _decode(subject, np.ascontiguousarray(ids[:, a:b]), cache, params, cfg)
        outs.append(logits.astype(np.float64))
    chunked = np.concatenate(outs, axis=1)
    whole = _forward(subject, ids, params, cfg) if callable(getattr(subject.module, "decoder_forward", None)) \
        else expected("decoder_forward", ids, params, cfg)
    budget = model_budget(subject.dtype, ids, params, cfg)
    assert_close(chunked, np.asarray(whole, dtype=np.float64), dtype=subject.dtype, tol=budget.tol, floor=budget.floor,
                 what=f"decoder_decode over chunks {case['chunks']} vs decoder_forward on the whole")


# --- bad input ---------------------------------------------------------------------------------------------------
def _bad_inputs(dtype):
    return st.just(None)


_CFG = {"vocab_size": 11, "d_model": 8, "n_layers": 2, "n_heads": 4, "n_kv_heads": 2, "d_ff": 12,
        "max_positions": 6, "norm": "layernorm", "ffn": "gelu", "positional": "learned", "bias": False,
        "tie_embeddings": False}


def _f32_model(cfg=None):
    cfg = cfg or _CFG
    return randomise(expected("init_transformer_params", cfg, seed=0), "float32", 0)


@prop("transformer_block", "rejects_bad_input", inputs=_bad_inputs, dtypes=("float32",), max_examples=1,
      statement="transformer_block raises ValueError/TypeError for an unknown norm_position, norm or ffn, params "
                "without one of attn_norm/attn/ffn_norm/ffn, a norm weight of the wrong shape, and H % Hkv != 0.")
def block_rejects(subject, case):
    x = strategies.normal((2, 3, 8), "float32", 0)
    params = block_params("float32", 8, 4, 2, 12, norm="layernorm", ffn="gelu", bias=False, seed=0)
    good = {"num_heads": 4, "num_kv_heads": 2}

    def call(p=params, *, why, **kw):
        assert_rejects(subject, "transformer_block", x, p, why=why, **{**good, **kw})

    call(norm_position="middle", why="norm_position='middle'")
    call(norm_position="Pre", why="norm_position='Pre'")
    call(norm="batchnorm", why="norm='batchnorm'")
    call(ffn="tanh", why="ffn='tanh'")
    call({k: v for k, v in params.items() if k != "ffn_norm"}, why="params without 'ffn_norm'")
    call({**params, "attn_norm": {"weight": strategies.normal((6,), "float32", 1)}},
         why="attn_norm weight (6,) for d = 8")
    call(num_kv_heads=3, why="num_heads=4 with num_kv_heads=3")


def _register_model_rejects(component):
    decoding = component == "decoder_decode"

    @prop(component, "rejects_bad_input", inputs=_bad_inputs, dtypes=("float32",), max_examples=1,
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


for _c in ("decoder_forward", "decoder_decode"):
    _register_model_rejects(_c)
