"""Properties of feed_forward (SPEC 3.6 and section 4, "Attention").

Sizes, strategies, reference computations and the family's tolerance reasoning: :mod:`properties.attention_common`;
budgets: :mod:`properties.budgets`.
"""
from __future__ import annotations

import math

import numpy as np
from hypothesis import assume

from properties import strategies
from properties.assertions import assert_close, assert_rejects
from properties.gradients import assert_vjp_matches
from properties.oracle import expected
from properties.plugin import test_property  # noqa: F401  (the one test, parametrised per check)
from properties.registry import FLOATS, prop
from properties import budgets
from properties.attention_common import ACTIVATIONS, _bad_inputs, _f32, ffn_budget, ffn_tolerance


# --- feed_forward ---------------------------------------------------------------------------------------------
#: (x shape, hidden f, output d_out) drawn together, first = what shrinking aims for: JAX compiles once per
#: geometry (and activation, dtype), so the properties share these instead of paying one per example. They reach
#: one position and one feature, d_out = d and d_out != d, f < d and f > d, ranks 1 to 3.
FFN_LAYOUTS = (((1,), 4, 1),
               ((2, 3), 8, 3),
               ((4, 8), 4, 8),
               ((2, 2, 5), 8, 3),
               ((3,), 4, 3),
               ((1, 4, 8), 8, 8))
#: geometries small enough for finite differences (x.size <= 24)
FFN_GRADIENT_LAYOUTS = (((1,), 4, 1), ((2, 3), 4, 3), ((2, 2, 4), 8, 4))


@strategies.composite
def ffn_inputs(draw, dtype, *, layouts=FFN_LAYOUTS):
    shape, f, d_out = draw(strategies.sampled_from(layouts), label="(x.shape, f, d_out)")
    d = shape[-1]
    activation = draw(strategies.sampled_from(ACTIVATIONS), label="activation")
    seed = draw(strategies.seeds, label="params.seed")
    params = {"w1": strategies.normal((d, f), dtype, seed, 1.0 / math.sqrt(d)),
              "w2": strategies.normal((f, d_out), dtype, seed + 1, 1.0 / math.sqrt(f))}
    if activation == "swiglu":
        params["w3"] = strategies.normal((d, f), dtype, seed + 2, 1.0 / math.sqrt(d))
    elif draw(strategies.booleans(), label="bias"):
        params["b1"] = strategies.normal((f,), dtype, seed + 3, 0.5)
        params["b2"] = strategies.normal((d_out,), dtype, seed + 4, 0.5)
    x = draw(strategies.arrays(shape, dtype, regimes=("normal", "integers", "tiny", "constant")))
    return {"x": x, "params": params, "activation": activation}


@prop("feed_forward", "matches_oracle", inputs=ffn_inputs, dtypes=FLOATS,
      statement="feed_forward (relu, exact-erf gelu, swiglu; with and without biases) equals the float64 NumPy "
                "oracle within the error propagated through the float64 hidden pre-activations and activations "
                "(float32 dots, two roundings per stored intermediate, the activation's slope) plus one rounding "
                "of the output (properties.budgets).")
def ffn_oracle(subject, case):
    x, params, act = case["x"], case["params"], case["activation"]
    got = subject.feed_forward(x, params, activation=act)
    want = expected("feed_forward", x, params, activation=act)
    got = subject.expect(got, shape=want.shape)
    tol, floor = budgets.ffn_budget(subject.dtype, x, params, act)
    assert_close(got, want, dtype=subject.dtype, what=f"feed_forward({act}) vs float64 oracle", tol=tol, floor=floor)


@strategies.composite
def ffn_position_inputs(draw, dtype):
    case = draw(ffn_inputs(dtype, layouts=tuple(lay for lay in FFN_LAYOUTS if len(lay[0]) >= 2)))
    case["seed"] = draw(strategies.seeds, label="perturb_seed")
    return case


@prop("feed_forward", "position_wise", inputs=ffn_position_inputs,
      statement="feed_forward acts on each position (row of x over the last axis) independently: changing one "
                "position changes only its output, and permuting the positions permutes the outputs "
                "(relu, gelu, swiglu).")
def ffn_position_wise(subject, case):
    x, params, act = case["x"], case["params"], case["activation"]
    d = x.shape[-1]
    rows = x.reshape(-1, d)
    rng = strategies.rng(case["seed"])
    y = subject.expect(subject.feed_forward(x, params, activation=act), shape=x.shape[:-1] + (params["w2"].shape[1],))
    y_rows = y.reshape(rows.shape[0], -1).astype(np.float64)
    i = int(rng.integers(rows.shape[0]))
    x2 = rows.copy()
    x2[i] = strategies.cast(3.0 * rng.standard_normal(d), subject.dtype)
    y2 = subject.expect(subject.feed_forward(x2.reshape(x.shape), params, activation=act), shape=y.shape)
    y2_rows = y2.reshape(y_rows.shape)
    tol, floor = ffn_tolerance(subject.dtype, x, params, act)
    others = np.arange(rows.shape[0]) != i
    assert_close(y2_rows[others], y_rows[others], dtype=subject.dtype, what=f"outputs of positions other than {i}",
                 tol=tol, floor=floor)
    perm = rng.permutation(rows.shape[0])
    yp = subject.expect(subject.feed_forward(np.ascontiguousarray(rows[perm]).reshape(x.shape), params, activation=act),
                     shape=y.shape)
    assert_close(yp.reshape(y_rows.shape), y_rows[perm], dtype=subject.dtype, what="FFN(permuted positions) vs "
                 "permuted FFN", tol=tol, floor=floor)


@strategies.composite
def ffn_gradient_inputs(draw, dtype):
    case = draw(ffn_inputs(dtype, layouts=FFN_GRADIENT_LAYOUTS))
    case["cotangent_seed"] = draw(strategies.seeds, label="cotangent")
    return case


def _away_from_relu_kink(x, params) -> bool:
    """No pre-activation ``x W1 + b1`` lies within reach of a finite-difference step (``h = 1e-6 max(1, |x_i|)``
    on one coordinate of ``x``) of ReLU's kink at 0: there the central difference averages the two one-sided
    slopes and no VJP can match it (0 itself is the convention's point: relu'(0) = 0 on either side)."""
    x64 = x.astype(np.float64).reshape(-1, x.shape[-1])
    w1 = params["w1"].astype(np.float64)
    z = x64 @ w1 + (params["b1"].astype(np.float64) if "b1" in params else 0.0)
    reach = 1e-6 * np.maximum(1.0, np.abs(x64)).max(axis=1, keepdims=True) * np.abs(w1).max(axis=0)
    return bool(np.all(np.abs(z) > 2 * reach))


@prop("feed_forward", "vjp_matches_finite_differences", inputs=ffn_gradient_inputs, needs=("vjp",),
      statement="The VJP of feed_forward w.r.t. x agrees with central finite differences of the float64 oracle "
                "(relu, gelu, swiglu; for relu only where no pre-activation is within a step of the kink at 0).")
def ffn_gradient(subject, case):
    x, params, act = case["x"], case["params"], case["activation"]
    if act == "relu":
        assume(_away_from_relu_kink(x, params))
    out_shape = x.shape[:-1] + (params["w2"].shape[1],)
    cot = strategies.normal(out_shape, subject.dtype, case["cotangent_seed"])
    n, cond, _ = ffn_budget(subject.dtype, x, params, act)
    assert_vjp_matches(subject, "feed_forward", (x, params), {"activation": act}, cot, wrt=(0,), n=n, cond=cond)


@prop("feed_forward", "rejects_bad_input", inputs=_bad_inputs, dtypes=("float32",), max_examples=1,
      statement="feed_forward raises ValueError/TypeError for an unknown activation, w1 whose rows differ from "
                "x's model dim, w2 whose rows differ from w1's width, swiglu without w3, biases with swiglu, and "
                "unexpected params keys.")
def ffn_rejects(subject, case):
    x = _f32((2, 3, 4))
    params = {"w1": _f32((4, 8), 1), "b1": _f32((8,), 2), "w2": _f32((8, 4), 3), "b2": _f32((4,), 4)}
    glu = {"w1": _f32((4, 8), 1), "w3": _f32((4, 8), 5), "w2": _f32((8, 4), 3)}
    assert_rejects(subject, "feed_forward", x, params, activation="tanh", why="activation='tanh'")
    assert_rejects(subject, "feed_forward", x, params, activation="GELU", why="activation='GELU'")
    assert_rejects(subject, "feed_forward", x, {**params, "w1": _f32((5, 8))}, activation="relu",
                   why="w1 with 5 rows for d = 4")
    assert_rejects(subject, "feed_forward", x, {**params, "w2": _f32((6, 4))}, activation="gelu",
                   why="w2 with 6 rows for hidden width 8")
    assert_rejects(subject, "feed_forward", x, {**params, "b1": _f32((7,))}, activation="relu",
                   why="b1 of shape (7,) for hidden width 8")
    assert_rejects(subject, "feed_forward", x, {"w1": glu["w1"], "w2": glu["w2"]}, activation="swiglu",
                   why="swiglu without w3")
    assert_rejects(subject, "feed_forward", x, {**glu, "b1": _f32((8,))}, activation="swiglu",
                   why="a bias b1 with swiglu (no biases)")
    assert_rejects(subject, "feed_forward", x, {**params, "w3": glu["w3"]}, activation="relu",
                   why="an unexpected params key 'w3' for relu")
