"""Properties of scaled_dot_product_attention (SPEC 3.6 and section 4, "Attention").

Sizes, strategies, reference computations and the family's tolerance reasoning: :mod:`properties.attention_common`;
budgets: :mod:`properties.budgets`.
"""
from __future__ import annotations

import numpy as np

from properties import strategies
from properties.assertions import assert_close, require
from properties.gradients import assert_vjp_matches
from properties.oracle import expected
from properties.plugin import test_property  # noqa: F401  (the one test, parametrised per check)
from properties.registry import FLOATS, prop
from properties import budgets
from properties.attention_common import (GROUPED_SDPA_LAYOUTS, _allowed, _kw, _large, _o_shape,
                                         _register_attention_rejects, _register_fully_masked, _scale,
                                         _value_floor, _weights_tol, attention_inputs, gradient_inputs,
                                         logit_cond)
from properties.tolerances import tolerance


@prop("scaled_dot_product_attention", "matches_oracle", inputs=attention_inputs, dtypes=FLOATS,
      statement="scaled_dot_product_attention equals the float64 NumPy oracle within one rounding of the output, "
                "two of each stored probability times sum_j p_j |v_j|, and the probabilities' error from the "
                "logits' times the value rows' spread sum_j p_j |v_j - out| (properties.budgets; every mask "
                "form, bottom-right causal masks "
                "with Lq != Lk, grouped heads, Dv != D, explicit scales, logits up to ~1e4).")
def sdpa_oracle(subject, case):
    q, k, v = case["q"], case["k"], case["v"]
    got = subject.expect(subject.scaled_dot_product_attention(q, k, v, **_kw(case)), shape=_o_shape(case))
    want = expected("scaled_dot_product_attention", q, k, v, **_kw(case))
    tol, floor = budgets.sdpa_budget(subject.dtype, q, k, v, _allowed(case), _scale(case["scale"], q.shape[-1]))
    assert_close(got, want, dtype=subject.dtype, what="scaled_dot_product_attention vs float64 oracle", tol=tol,
                 floor=floor)


_register_fully_masked("scaled_dot_product_attention", __name__)


def _rows_close(subject, a, b, rows, tol, floor, what):
    """``a`` and ``b`` (B, H, Lq, Dv) agree on the query rows selected by ``rows`` (B, H, Lq)."""
    assert_close(a.astype(np.float64)[rows], b.astype(np.float64)[rows], dtype=subject.dtype, what=what,
                 tol=tol, floor=floor)


@strategies.composite
def masked_perturbation_inputs(draw, dtype):
    case = draw(attention_inputs(dtype, masks=("padding", "random", "matrix", "keys")))
    case["perturb_seed"] = draw(strategies.seeds, label="perturb_seed")
    return case


@prop("scaled_dot_product_attention", "masked_keys_and_values_are_ignored", inputs=masked_perturbation_inputs,
      statement="Replacing keys/values by large random ones (|k| up to ~100, |v| ~100) at positions that a "
                "query row may not attend (mask AND causal) does not change that row's output.")
def sdpa_masked_ignored(subject, case):
    q, k, v = case["q"], case["k"], case["v"]
    allowed = _allowed(case)
    rng = strategies.rng(case["perturb_seed"])
    hit = rng.random(k.shape[:3]) < 0.5                                  # (B, Hkv, Lk): the keys replaced
    big = _large(subject.dtype, k.shape[-1])
    k2 = np.where(hit[..., None], strategies.cast(big * rng.standard_normal(k.shape), subject.dtype), k)
    v2 = np.where(hit[..., None], strategies.cast(100.0 * rng.standard_normal(v.shape), subject.dtype), v)
    hit_q = np.repeat(hit, q.shape[1] // k.shape[1], axis=1)[:, :, None, :]  # (B, H, 1, Lk)
    rows = ~np.any(hit_q & allowed, axis=-1)                                # rows that see no replaced key
    out = subject.expect(subject.scaled_dot_product_attention(q, k, v, **_kw(case)), shape=_o_shape(case))
    out2 = subject.expect(subject.scaled_dot_product_attention(q, k2, v2, **_kw(case)), shape=_o_shape(case))
    _rows_close(subject, out2, out, rows, _weights_tol(subject, case), _value_floor(v, subject.dtype),
                "output of rows whose replaced keys are all masked")


@strategies.composite
def causal_inputs(draw, dtype):
    case = draw(attention_inputs(dtype, masks=("none", "padding"), causal=(True,)))
    case["cut"] = draw(strategies.integers(0, case["k"].shape[2] - 1), label="cut")
    case["perturb_seed"] = draw(strategies.seeds, label="perturb_seed")
    return case


@prop("scaled_dot_product_attention", "causal_ignores_the_future", inputs=causal_inputs,
      statement="With is_causal (bottom-right aligned, Lq != Lk drawn), the output of query i does not change "
                "when keys/values after position i + (Lk - Lq) change.")
def sdpa_causal(subject, case):
    q, k, v, cut = case["q"], case["k"], case["v"], case["cut"]
    rng = strategies.rng(case["perturb_seed"])
    k2, v2 = k.copy(), v.copy()
    k2[:, :, cut:] = strategies.cast(3.0 * rng.standard_normal(k2[:, :, cut:].shape), subject.dtype)
    v2[:, :, cut:] = strategies.cast(3.0 * rng.standard_normal(v2[:, :, cut:].shape), subject.dtype)
    q_len, k_len = q.shape[2], k.shape[2]
    last_seen = np.arange(q_len) + (k_len - q_len)                       # the last key query i may attend
    rows = np.broadcast_to((last_seen < cut)[None, None, :], q.shape[:3])
    out = subject.expect(subject.scaled_dot_product_attention(q, k, v, **_kw(case)), shape=_o_shape(case))
    out2 = subject.expect(subject.scaled_dot_product_attention(q, k2, v2, **_kw(case)), shape=_o_shape(case))
    _rows_close(subject, out2, out, rows, _weights_tol(subject, case), _value_floor(v, subject.dtype),
                f"output of queries whose causal window ends before key {cut}")


@prop("scaled_dot_product_attention", "convex_combination_of_allowed_values", inputs=attention_inputs,
      statement="Each output row with an allowed key lies inside the per-feature [min, max] of the value rows it "
                "may attend (a convex combination), up to the dtype's tolerance times max|v|.")
def sdpa_convex(subject, case):
    q, k, v = case["q"], case["k"], case["v"]
    allowed = _allowed(case)                                             # (B, H, Lq, Lk)
    out = subject.expect(subject.scaled_dot_product_attention(q, k, v, **_kw(case)), shape=_o_shape(case))
    out = out.astype(np.float64)
    vr = np.repeat(v.astype(np.float64), q.shape[1] // k.shape[1], axis=1)[:, :, None, :, :]  # (B, H, 1, Lk, Dv)
    a = allowed[..., None]
    lo = np.min(np.where(a, vr, np.inf), axis=3)
    hi = np.max(np.where(a, vr, -np.inf), axis=3)
    rows = allowed.any(axis=-1)
    slack = tolerance(subject.dtype, n=k.shape[2]) * _value_floor(v, subject.dtype)
    below, above = (lo - out)[rows], (out - hi)[rows]
    worst = float(max(np.max(below, initial=-np.inf), np.max(above, initial=-np.inf)))
    require(worst <= slack, f"an output lies {worst:.3g} outside the [min, max] of its allowed value rows "
                            f"(allowed slack {slack:.3g})")


@strategies.composite
def grouped_inputs(draw, dtype):
    case = draw(attention_inputs(dtype, layouts=GROUPED_SDPA_LAYOUTS))
    case["group"] = draw(strategies.integers(0, case["k"].shape[1] - 1), label="kv_head")
    case["perturb_seed"] = draw(strategies.seeds, label="perturb_seed")
    return case


@prop("scaled_dot_product_attention", "grouped_heads_equal_repeated_kv", inputs=grouped_inputs,
      statement="MQA/GQA (1 <= Hkv < H) equals attention over K/V whose heads are repeat-interleaved to H "
                "(query head h reads K/V head h // (H / Hkv)).")
def sdpa_gqa_repeat(subject, case):
    q, k, v = case["q"], case["k"], case["v"]
    group = q.shape[1] // k.shape[1]
    out = subject.expect(subject.scaled_dot_product_attention(q, k, v, **_kw(case)), shape=_o_shape(case))
    k_rep, v_rep = np.repeat(k, group, axis=1), np.repeat(v, group, axis=1)
    rep = subject.expect(subject.scaled_dot_product_attention(q, k_rep, v_rep, **_kw(case)), shape=_o_shape(case))
    assert_close(out, rep.astype(np.float64), dtype=subject.dtype, what="GQA vs repeated K/V heads",
                 tol=_weights_tol(subject, case), floor=_value_floor(v, subject.dtype))


@prop("scaled_dot_product_attention", "kv_head_reaches_only_its_group", inputs=grouped_inputs,
      statement="Changing K/V head j changes only the outputs of query heads h with h // (H / Hkv) == j.")
def sdpa_kv_group(subject, case):
    q, k, v, j = case["q"], case["k"], case["v"], case["group"]
    rng = strategies.rng(case["perturb_seed"])
    k2, v2 = k.copy(), v.copy()
    k2[:, j] = strategies.cast(2.0 * rng.standard_normal(k2[:, j].shape), subject.dtype)
    v2[:, j] = strategies.cast(2.0 * rng.standard_normal(v2[:, j].shape), subject.dtype)
    others = np.arange(q.shape[1]) // (q.shape[1] // k.shape[1]) != j
    rows = np.broadcast_to(others[None, :, None], q.shape[:3])
    out = subject.expect(subject.scaled_dot_product_attention(q, k, v, **_kw(case)), shape=_o_shape(case))
    out2 = subject.expect(subject.scaled_dot_product_attention(q, k2, v2, **_kw(case)), shape=_o_shape(case))
    _rows_close(subject, out2, out, rows, _weights_tol(subject, case), _value_floor(v, subject.dtype),
                f"output of query heads outside K/V head {j}'s group")


@prop("scaled_dot_product_attention", "vjp_matches_finite_differences", inputs=gradient_inputs, needs=("vjp",),
      statement="The VJP of scaled_dot_product_attention w.r.t. q, k and v agrees with central finite differences "
                "of the float64 oracle (masks, causal, grouped heads).")
def sdpa_gradient(subject, case):
    q, k, v = case["q"], case["k"], case["v"]
    cot = strategies.normal(_o_shape(case), subject.dtype, case["cotangent_seed"])
    assert_vjp_matches(subject, "scaled_dot_product_attention", (q, k, v), _kw(case), cot, wrt=(0, 1, 2),
                       n=q.shape[-1] + k.shape[2], cond=logit_cond(q, k, case["scale"], _allowed(case)))


_register_attention_rejects("scaled_dot_product_attention", __name__)
