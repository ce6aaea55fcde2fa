"""Properties of transformer_block (docs/contract.md 3.10 and section 4, "Blocks and model").

Where the bugs hide, the tolerance reasoning (a chain of stages, each adding its rounding and amplifying what it
was handed), and the family's shared sizes, parameters, budgets and strategies: :mod:`properties.transformer_common`.
"""
from __future__ import annotations

import numpy as np

from properties import strategies
from properties.assertions import assert_close, assert_rejects
from properties.budgets import as_floor
from properties.catalogue import optional_parameters
from properties.oracle import expected, widen
from properties.plugin import test_property  # noqa: F401  (the one test, parametrised per check)
from properties.registry import FLOATS, prop
from properties.transformer_common import FFNS, NORMS, _bad_inputs, block_budget, block_params


# --- sizes and strategies --------------------------------------------------------------------------------------
#: (B, L, d, H, Hkv, d_ff) of a block, first = what shrinking aims for: one head; MHA; GQA with Hkv = 2,
#: H / Hkv = 2; MQA
BLOCK_LAYOUTS = ((1, 1, 4, 1, 1, 8),
                 (2, 4, 8, 2, 2, 16),
                 (1, 5, 8, 4, 2, 12),
                 (2, 3, 16, 4, 1, 16))
GQA_BLOCK_LAYOUTS = tuple(lay for lay in BLOCK_LAYOUTS if lay[4] < lay[3])


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


def _block_budget(subject, case):
    return block_budget(subject.dtype, case["x"], case["params"], case["opts"])


# --- transformer_block -----------------------------------------------------------------------------------------
@prop("transformer_block", "matches_oracle", dtypes=FLOATS, max_examples=40,
      inputs=lambda dtype: block_inputs(dtype, eps=BLOCK_EPS, biases=BLOCK_BIASES),
      statement="transformer_block equals the float64 NumPy oracle within the allowance derived element by element "
                "for its chain of stages (each norm, attention and FFN's own rounding for its actual inputs, and "
                "the error handed on through the stages: properties.budgets.block_core); pre- and post-norm, LayerNorm and RMSNorm, GELU/ReLU/SwiGLU, biases or "
                "none, MHA/GQA/MQA, causal or not, key masks, RoPE, eps omitted or 1e-3/0.1, an ALiBi or random "
                "attention bias or none.")
def block_oracle(subject, case):
    got = _block(subject, case["x"], case["params"], case["opts"])
    want = expected("transformer_block", case["x"], case["params"], **case["opts"])
    tol, floor = _block_budget(subject, case).oracle()
    assert_close(got, want, dtype=subject.dtype, what="transformer_block vs float64 oracle", tol=tol, floor=floor)


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
    x = case["x"].astype(np.float64)
    if opts["norm_position"] == "pre":
        want = x
    else:
        p = widen(params)
        eps = opts.get("eps", optional_parameters("transformer_block")["eps"])
        want = _norm(_norm(x, p["attn_norm"], opts["norm"], eps), p["ffn_norm"], opts["norm"], eps)
    # the block's own chain with the zero projections: its roundings on the way to x or N_ffn(N_attn(x))
    tol, floor = block_budget(subject.dtype, case["x"], params, opts).oracle()
    assert_close(got, want, dtype=subject.dtype, tol=tol, floor=floor,
                 what=f"{opts['norm_position']}-norm block with zero output projections vs "
                      + ("x" if opts["norm_position"] == "pre" else "N_ffn(N_attn(x))"))


def _norm(z, p, norm, eps):
    """The float64 oracle's LayerNorm or RMSNorm of ``z`` over its last axis, with ``p``'s weight (and bias)."""
    if norm == "layernorm":
        return expected("layer_norm", z, 1, p["weight"], p.get("bias"), eps=eps)
    return expected("rms_norm", z, 1, p["weight"], eps=eps)


def _unit_norms(params):
    out = {k: dict(v) for k, v in params.items()}
    for key in ("attn_norm", "ffn_norm"):
        out[key] = {"weight": np.ones_like(params[key]["weight"]), "bias": np.zeros_like(params[key]["weight"])}
    return out


@prop("transformer_block", "post_norm_outputs_are_standardised",
      inputs=lambda dtype: block_inputs(dtype, positions=("post",)), max_examples=20,
      statement="A post-norm LayerNorm block with unit norm weights, zero norm biases and eps = 0 outputs, at every "
                "position, values of mean 0 and biased variance 1 (within what the block's derived per-element "
                "allowance moves a row's mean and variance by).")
def block_post_norm_standardised(subject, case):
    params = _unit_norms(case["params"])
    opts = {**case["opts"], "norm": "layernorm", "eps": 0.0}
    got = _block(subject, case["x"], params, opts).astype(np.float64)
    budget = block_budget(subject.dtype, case["x"], params, opts)
    mean = got.mean(axis=-1)
    var = np.mean((got - mean[..., None]) ** 2, axis=-1)
    # each output is off by up to its allowance a: the row's mean by mean(a), its variance by
    # mean(2 |y - mean| (a + mean(a)) + (a + mean(a))^2) (y the float64 output, variance 1)
    a = budget.allowance
    shift = a + a.mean(axis=-1, keepdims=True)
    spread = np.abs(budget.value - budget.value.mean(axis=-1, keepdims=True))
    tol, floor = as_floor(a.mean(axis=-1), np.zeros_like(mean), subject.dtype)
    assert_close(mean, np.zeros_like(mean), dtype=subject.dtype, tol=tol, floor=floor,
                 what="per-position mean of a post-norm block's output")
    tol, floor = as_floor(np.mean(2.0 * spread * shift + shift ** 2, axis=-1), np.ones_like(var), subject.dtype)
    assert_close(var, np.ones_like(var), dtype=subject.dtype, tol=tol, floor=floor,
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
    tol, floor = _block_budget(subject, case).pair(np.s_[:, :cut])
    assert_close(b, a.astype(np.float64), dtype=subject.dtype, tol=tol, floor=floor,
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
    tol, floor = _block_budget(subject, case).pair(np.s_[:, perm])
    assert_close(permuted, out[:, perm].astype(np.float64), dtype=subject.dtype, tol=tol, floor=floor,
                 what=f"block(x[:, {perm.tolist()}]) vs block(x)[:, perm]")


# --- bad input -------------------------------------------------------------------------------------------------
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
