"""Properties of multi_head_attention (SPEC 3.6 and section 4, "Attention").

Sizes, strategies, reference computations and the family's tolerance reasoning: :mod:`properties.attention_common`;
budgets: :mod:`properties.budgets`.
"""
from __future__ import annotations

import math

import numpy as np

from properties import strategies
from properties.assertions import assert_close, assert_rejects
from properties.gradients import assert_vjp_matches
from properties.oracle import expected
from properties.plugin import test_property  # noqa: F401  (the one test, parametrised per check)
from properties.registry import FLOATS, prop
from properties import budgets
from properties.attention_common import (CROSS_LAYOUTS, GRADIENT_MHA_LAYOUTS, GROUPED_MHA_LAYOUTS, LARGE_X,
                                         SELF_LAYOUTS, _bad_inputs, _f32, _hkv, _mha, _mha_budget,
                                         make_params, mha_budget, mha_inputs, pack, unpack)


@prop("multi_head_attention", "matches_oracle", inputs=mha_inputs, dtypes=FLOATS,
      statement="multi_head_attention equals the float64 NumPy oracle within the error propagated through its "
                "float64 intermediates: projections (float32 dot, two roundings stored), RoPE (float32 angles), "
                "attention (logit errors from the projections'), merged heads, output projection, one final "
                "rounding (properties.budgets); self- and cross-attention, packed w_qkv, biases, MHA/MQA/GQA, "
                "every mask form, "
                "causal, RoPE.")
def mha_oracle(subject, case):
    got = _mha(subject, case)
    want = expected("multi_head_attention", case["x"], case["context"], case["params"], num_heads=case["num_heads"],
                    num_kv_heads=case["num_kv_heads"], mask=case["mask"], is_causal=case["is_causal"],
                    rope_base=case["rope_base"])
    tol, floor = budgets.mha_budget(subject.dtype, case["x"], case["context"], case["params"], case["num_heads"],
                                    _hkv(case), mask=case["mask"], is_causal=case["is_causal"],
                                    rope_base=case["rope_base"])
    assert_close(got, want, dtype=subject.dtype, what="multi_head_attention vs float64 oracle", tol=tol, floor=floor)


@strategies.composite
def permutation_inputs(draw, dtype, **kwargs):
    case = draw(mha_inputs(dtype, **kwargs))
    case["perm_seed"] = draw(strategies.seeds, label="perm_seed")
    return case


@prop("multi_head_attention", "self_attention_is_permutation_equivariant",
      inputs=lambda d: permutation_inputs(d, layouts=SELF_LAYOUTS, rope=(None,), masks=("none",),
                                         causal=(False,)),
      statement="Self-attention without mask, causality or positions is equivariant to permuting the sequence: "
                "MHA(x[:, perm]) == MHA(x)[:, perm].")
def mha_permutation(subject, case):
    x = case["x"]
    perm = strategies.rng(case["perm_seed"]).permutation(x.shape[1])
    out = _mha(subject, case)
    out_p = _mha(subject, case, x=np.ascontiguousarray(x[:, perm]))
    tol, floor = _mha_budget(subject, case)
    assert_close(out_p, out.astype(np.float64)[:, perm], dtype=subject.dtype, what="MHA(x[:, perm]) vs MHA(x)[:, perm]",
                 tol=tol, floor=floor)


@prop("multi_head_attention", "cross_attention_ignores_context_order",
      inputs=lambda d: permutation_inputs(d, layouts=CROSS_LAYOUTS, masks=("none", "padding", "keys"),
                                         causal=(False,)),
      statement="Cross-attention returns (B, Lq, d) for a context of any length Lk, and permuting the context "
                "positions (with a key mask permuted alike) does not change it.")
def mha_cross_order(subject, case):
    ctx, mask = case["context"], case["mask"]
    perm = strategies.rng(case["perm_seed"]).permutation(ctx.shape[1])
    out = _mha(subject, case)  # expects shape (B, Lq, d)
    out_p = _mha(subject, case, context=np.ascontiguousarray(ctx[:, perm]),
                 mask=None if mask is None else np.ascontiguousarray(mask[..., perm]))
    tol, floor = _mha_budget(subject, case)
    assert_close(out_p, out.astype(np.float64), dtype=subject.dtype, what="MHA with permuted context vs original",
                 tol=tol, floor=floor)


@prop("multi_head_attention", "masked_context_positions_are_ignored",
      inputs=lambda d: permutation_inputs(d, layouts=CROSS_LAYOUTS, masks=("padding", "keys"), causal=(False,)),
      statement="Cross-attention: replacing the context at key positions the mask excludes (by large random "
                "values) does not change the output.")
def mha_masked_context(subject, case):
    ctx, mask = case["context"], case["mask"]
    masked = ~np.broadcast_to(mask, (ctx.shape[0], 1, 1, ctx.shape[1]))[:, 0, 0, :]  # (B, Lk)
    rng = strategies.rng(case["perm_seed"])
    ctx2 = np.where(masked[..., None], strategies.cast(LARGE_X * rng.standard_normal(ctx.shape), subject.dtype), ctx)
    out = _mha(subject, case)
    out2 = _mha(subject, case, context=ctx2)
    tol, floor = _mha_budget(subject, case)
    assert_close(out2, out.astype(np.float64), dtype=subject.dtype, what="MHA with masked context replaced vs original",
                 tol=tol, floor=floor)


@strategies.composite
def mha_causal_inputs(draw, dtype):
    case = draw(mha_inputs(dtype, layouts=SELF_LAYOUTS, masks=("none", "padding"), causal=(True,)))
    case["cut"] = draw(strategies.integers(0, case["x"].shape[1] - 1), label="cut")
    case["perturb_seed"] = draw(strategies.seeds, label="perturb_seed")
    return case


@prop("multi_head_attention", "causal_ignores_the_future", inputs=mha_causal_inputs,
      statement="Causal self-attention (with or without RoPE and a padding mask): changing x at positions >= c "
                "does not change the outputs at positions < c.")
def mha_causal(subject, case):
    x, cut = case["x"], case["cut"]
    x2 = x.copy()
    rng = strategies.rng(case["perturb_seed"])
    x2[:, cut:] = strategies.cast(3.0 * rng.standard_normal(x2[:, cut:].shape), subject.dtype)
    out = _mha(subject, case)
    out2 = _mha(subject, case, x=x2)
    tol, floor = _mha_budget(subject, case)
    tol2, floor2 = _mha_budget(subject, case, x=x2)
    assert_close(out2[:, :cut], out.astype(np.float64)[:, :cut], dtype=subject.dtype,
                 what=f"outputs before position {cut} after changing x from {cut} on", tol=max(tol, tol2),
                 floor=max(floor, floor2))


def head_params(params, h, g, head_dim, *, with_bo):
    """The single-head projections of query head ``h`` reading K/V head ``g``."""
    q, kv = slice(h * head_dim, (h + 1) * head_dim), slice(g * head_dim, (g + 1) * head_dim)
    out = {"wq": params["wq"][:, q], "wk": params["wk"][:, kv], "wv": params["wv"][:, kv], "wo": params["wo"][q]}
    for key, cols in (("bq", q), ("bk", kv), ("bv", kv)):
        if key in params:
            out[key] = params[key][cols]
    if with_bo and "bo" in params:
        out["bo"] = params["bo"]
    return {key: np.ascontiguousarray(a) for key, a in out.items()}


@prop("multi_head_attention", "heads_are_single_head_attentions",
      inputs=lambda d: mha_inputs(d, projections=("plain", "bias")), max_examples=10,
      statement="H-head attention equals the sum over heads h of single-head attention with head h's columns of "
                "wq, bq and rows of wo and the columns of K/V head h // (H / Hkv) (bo added once); masks, "
                "causal, RoPE and cross-attention included.")
def mha_heads(subject, case):
    params, h, hkv = case["params"], case["num_heads"], _hkv(case)
    head_dim = params["wq"].shape[1] // h
    mask = case["mask"]
    total = 0.0
    for i in range(h):
        m = mask
        if mask is not None and mask.ndim == 4 and mask.shape[1] == h and h > 1:
            m = np.ascontiguousarray(mask[:, i:i + 1])
        total = total + _mha(subject, case, params=head_params(params, i, i // (h // hkv), head_dim, with_bo=i == 0),
                             num_heads=1, num_kv_heads=None, mask=m).astype(np.float64)
    out = _mha(subject, case)
    tol, floor = _mha_budget(subject, case)
    # the H single-head results carry their own rounding: sum_h |out_h| and the sum of their floors are both at
    # most the floor of the whole, hence 3 x floor; and the sum adds H terms
    assert_close(out, total, dtype=subject.dtype, what="H-head attention vs sum of single-head attentions",
                 tol=tol * (1.0 + math.sqrt(h) / (4.0 + math.sqrt(2.0))), floor=3.0 * floor)


def repeat_kv(params, h, hkv):
    """Separate params for MHA (H K/V heads) whose K/V projections repeat each K/V head for its group."""
    params = unpack(params, h, hkv)
    group = h // hkv
    head_dim = params["wq"].shape[1] // h
    out = dict(params)
    for key in ("wk", "wv"):
        w = params[key]
        out[key] = np.repeat(w.reshape(w.shape[0], hkv, head_dim), group, axis=1).reshape(w.shape[0], h * head_dim)
    for key in ("bk", "bv"):
        if key in params:
            out[key] = np.repeat(params[key].reshape(hkv, head_dim), group, axis=0).reshape(h * head_dim)
    return out


@prop("multi_head_attention", "grouped_heads_equal_mha_with_repeated_kv",
      inputs=lambda d: mha_inputs(d, layouts=GROUPED_MHA_LAYOUTS),
      statement="MQA/GQA equals MHA (num_kv_heads = H) whose wk, wv (and bk, bv) repeat each K/V head's block "
                "for the H / Hkv query heads of its group (np.repeat on head blocks); packed, masks, causal, RoPE "
                "and cross-attention included.")
def mha_gqa(subject, case):
    h, hkv = case["num_heads"], _hkv(case)
    out = _mha(subject, case)
    rep = _mha(subject, case, params=repeat_kv(case["params"], h, hkv), num_kv_heads=None)
    tol, floor = _mha_budget(subject, case)
    assert_close(out, rep.astype(np.float64), dtype=subject.dtype, what="GQA vs MHA with repeated K/V projections",
                 tol=tol, floor=floor)


@prop("multi_head_attention", "packed_qkv_equals_separate",
      inputs=lambda d: mha_inputs(d, layouts=SELF_LAYOUTS, projections=("plain", "bias")),
      statement="Self-attention with packed w_qkv = [wq | wk | wv] (and b_qkv = [bq | bk | bv]) equals it with "
                "separate wq, wk, wv (all head layouts, masks, causal, RoPE).")
def mha_packed(subject, case):
    out = _mha(subject, case)
    packed = _mha(subject, case, params=pack(case["params"]))
    tol, floor = _mha_budget(subject, case)
    assert_close(packed, out.astype(np.float64), dtype=subject.dtype, what="packed w_qkv vs separate wq wk wv",
                 tol=tol, floor=floor)


@strategies.composite
def mha_gradient_inputs(draw, dtype):
    case = draw(mha_inputs(dtype, regimes=("normal",), layouts=GRADIENT_MHA_LAYOUTS))
    case["cotangent_seed"] = draw(strategies.seeds, label="cotangent")
    return case


@prop("multi_head_attention", "vjp_matches_finite_differences", inputs=mha_gradient_inputs, needs=("vjp",),
      max_examples=10,
      statement="The VJP of multi_head_attention w.r.t. x agrees with central finite differences of the float64 "
                "oracle (self/cross, packed, grouped heads, masks, causal, RoPE).")
def mha_gradient(subject, case):
    x = case["x"]
    n, cond, _ = mha_budget(subject.dtype, x, case["context"], case["params"], case["num_heads"], _hkv(case),
                            rope_base=case["rope_base"], max_position=x.shape[1])
    kw = {key: case[key] for key in ("num_heads", "num_kv_heads", "mask", "is_causal", "rope_base")}
    cot = strategies.normal(x.shape, subject.dtype, case["cotangent_seed"])
    assert_vjp_matches(subject, "multi_head_attention", (x, case["context"], case["params"]), kw, cot, wrt=(0,),
                       n=n, cond=cond)


@prop("multi_head_attention", "rejects_bad_input", inputs=_bad_inputs, dtypes=("float32",), max_examples=1,
      statement="multi_head_attention raises ValueError/TypeError for H % Hkv != 0, RoPE with cross-attention, "
                "packed w_qkv with cross-attention, unexpected params keys, projections of the wrong shape, x of "
                "rank != 3, context with another model dim, a mask that does not broadcast, a non-bool mask.")
def mha_rejects(subject, case):
    x, ctx = _f32((2, 3, 8)), _f32((2, 5, 8), 1)
    params = make_params("float32", 8, 4, 2, 2, 0, bias=True)
    good = {"num_heads": 4, "num_kv_heads": 2}

    def call(x_, ctx_, p_, *, why, **kw):
        assert_rejects(subject, "multi_head_attention", x_, ctx_, p_, why=why, **{**good, **kw})

    call(x, None, params, num_kv_heads=3, why="num_heads=4 with num_kv_heads=3 (H % Hkv != 0)")
    call(x, ctx, params, rope_base=10000.0, why="rope_base with cross-attention")
    call(x, ctx, pack(params), why="packed w_qkv with cross-attention")
    call(x, None, {**params, "w_extra": _f32((8, 8))}, why="an unexpected params key 'w_extra'")
    call(x, None, {**pack(params), "wq": params["wq"]}, why="both w_qkv and wq")
    call(x, None, {**params, "wk": _f32((8, 6))}, why="wk of width 6 for Hkv * D = 4")
    call(x, None, {**params, "wo": _f32((8, 6))}, why="wo of shape (8, 6) for (H*D, d) = (8, 8)")
    call(x, None, {**params, "bq": _f32((7,))}, why="bq of shape (7,) for H*D = 8")
    call(x[0], None, params, why="x of rank 2")
    call(x, _f32((2, 5, 6)), params, why="context with model dim 6 for d = 8")
    call(x, None, params, mask=np.ones((4, 3), dtype=bool), why="mask (4, 3) for (Lq, Lk) = (3, 3)")
    call(x, None, params, mask=np.ones((3, 3), dtype=np.float32), why="a float mask")
