"""Properties of binary_cross_entropy_with_logits (docs/contract.md 3.3 and section 4, "Losses").

The family's shared reductions and helpers: :mod:`properties.losses_common`.
"""
from __future__ import annotations

import numpy as np

from properties import strategies
from properties.assertions import assert_rejects
from properties.budgets import bce_budget
from properties.gradients import MAX_FD_ELEMENTS, assert_vjp_matches
from properties.losses_common import GRADIENT_SHAPES, REDUCTIONS, _bounded, _close_scaled, _cotangent, _fd_cond
from properties.oracle import assert_close_to_oracle, expected
from properties.plugin import test_property  # noqa: F401  (the one test, parametrised per check)
from properties.registry import FLOATS, prop
from properties.tolerances import MAX


@strategies.composite
def bce_inputs(draw, dtype, *, shapes=None, regimes=strategies.REGIMES, reductions=REDUCTIONS, bound=True):
    shape = draw(shapes if shapes is not None else strategies.shapes(1, 3), label="shape")
    x = draw(strategies.arrays(shape, dtype, regimes=regimes, label="logits"))
    reduction = draw(strategies.sampled_from(reductions), label="reduction")
    if bound and reduction != "none":  # each element's loss is <= |x| + log 2; the sum must stay representable
        x = _bounded(x, dtype, MAX[dtype] / (8 * x.size))
    rng = strategies.rng(draw(strategies.seeds, label="target.seed"))
    kind = draw(strategies.sampled_from(("hard", "soft", "mixed")), label="target kind")
    hard = rng.integers(0, 2, shape).astype(np.float64)
    soft = rng.uniform(0.0, 1.0, shape)
    t = {"hard": hard, "soft": soft, "mixed": np.where(rng.random(shape) < 0.5, hard, soft)}[kind]
    return {"logits": x, "target": strategies.cast(t, dtype), "reduction": reduction}


def bce_reference(x, t):
    """Per element (float64): the loss by the stable formula, and its error scale: ``1`` (absolute error eps
    next to 0) plus, for soft targets, ``|x|`` (``max(x, 0) - x t`` cancels to ``|x| (1 - t)``, and any formula
    inherits the rounding of ``x t``, i.e. eps |x|)."""
    x, t = x.astype(np.float64), t.astype(np.float64)
    loss = np.maximum(x, 0) - x * t + np.log1p(np.exp(-np.abs(x)))
    soft = (t > 0) & (t < 1)
    return loss, 1.0 + np.where(soft, np.abs(x), 0.0)


@prop("binary_cross_entropy_with_logits", "matches_oracle", inputs=bce_inputs, dtypes=FLOATS,
      statement="binary_cross_entropy_with_logits equals the float64 NumPy oracle relative to the loss, within "
                "one rounding to the dtype plus a few roundings of the compute dtype times 1 + kappa, kappa = "
                "|x (sigmoid(x) - t)| / loss its relative condition number (and the rounding of x t for soft "
                "targets): a tail computed through a cancelling difference fails; absolute error counts only "
                "where the loss is subnormal (properties/budgets.py, bce_budget). For logits of every regime, "
                "hard, soft and mixed targets and every reduction.")
def bce_oracle(subject, case):
    x, t, red = case["logits"], case["target"], case["reduction"]
    got = subject.expect(subject.binary_cross_entropy_with_logits(x, t, reduction=red),
                         shape=x.shape if red == "none" else ())
    want = np.asarray(expected("binary_cross_entropy_with_logits", x, t, reduction=red), dtype=np.float64)
    tol, floor = bce_budget(subject.dtype, x, t, want, red)
    assert_close_to_oracle(subject, "binary_cross_entropy_with_logits", (x, t), {"reduction": red}, got, want,
                           tol=tol, floor=floor, what="binary_cross_entropy_with_logits vs float64 oracle (relative)")


@prop("binary_cross_entropy_with_logits", "finite_and_equals_bce_of_sigmoid",
      inputs=lambda d: bce_inputs(d, reductions=("none",), bound=False), dtypes=FLOATS,
      statement="For every finite logit (up to the dtype's max/4) the loss is finite, and it equals BCE of the "
                "sigmoid, -t log(sigmoid(x)) - (1 - t) log(sigmoid(-x)) computed in float64, wherever that is "
                "finite (|x| below ~700).")
def bce_sigmoid(subject, case):
    x, t = case["logits"], case["target"]
    got = subject.expect(subject.binary_cross_entropy_with_logits(x, t, reduction="none"), shape=x.shape,
                      what="binary_cross_entropy_with_logits")
    x64, t64 = x.astype(np.float64), t.astype(np.float64)
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        sig, sig_neg = 1.0 / (1.0 + np.exp(-x64)), 1.0 / (1.0 + np.exp(x64))
        naive = -t64 * np.log(sig) - (1.0 - t64) * np.log(sig_neg)
    ok = np.isfinite(naive)
    _, scale = bce_reference(x, t)
    _close_scaled(got[ok], naive[ok], scale[ok], dtype=subject.dtype, what="BCE-with-logits vs BCE of sigmoid")


@strategies.composite
def bce_gradient_inputs(draw, dtype):
    case = draw(bce_inputs(dtype, shapes=strategies.sampled_from(GRADIENT_SHAPES), regimes=strategies.BENIGN))
    x = case["logits"]
    shape = x.shape if case["reduction"] == "none" else ()
    case["cotangent"] = _cotangent(shape, dtype, draw(strategies.seeds, label="cotangent.seed"))
    return case


@prop("binary_cross_entropy_with_logits", "vjp_matches_finite_differences", inputs=bce_gradient_inputs,
      needs=("vjp",),
      statement="The VJP of binary_cross_entropy_with_logits w.r.t. logits and target agrees with central finite "
                "differences of the float64 oracle (every reduction).")
def bce_gradient(subject, case):
    x, t, kw = case["logits"], case["target"], {"reduction": case["reduction"]}
    assert x.size * 2 <= MAX_FD_ELEMENTS
    cond = _fd_cond("binary_cross_entropy_with_logits", (x, t), kw, case["cotangent"], subject.dtype, x.size)
    assert_vjp_matches(subject, "binary_cross_entropy_with_logits", (x, t), kw, case["cotangent"], wrt=(0, 1),
                       n=x.size, cond=cond)


@prop("binary_cross_entropy_with_logits", "rejects_bad_input",
      inputs=lambda d: bce_inputs(d, shapes=strategies.sampled_from([(3,), (8,), (16,)]), regimes=("normal",)),
      dtypes=("float32",), max_examples=5,
      statement="binary_cross_entropy_with_logits raises ValueError/TypeError for logits (N, 1) against a "
                "target (N,) (no silent broadcast to (N, N)), targets of another length, an unknown reduction and "
                "an integer target.")
def bce_rejects(subject, case):
    x, t, red = case["logits"], case["target"], case["reduction"]
    fn = "binary_cross_entropy_with_logits"
    assert_rejects(subject, fn, x[:, None], t, why=f"logits {x[:, None].shape} vs target {t.shape}", reduction=red)
    assert_rejects(subject, fn, x, t[:, None], why=f"logits {x.shape} vs target {t[:, None].shape}", reduction=red)
    assert_rejects(subject, fn, x, np.concatenate([t, t[:1]]), why="a target one element longer", reduction=red)
    assert_rejects(subject, fn, x, t, why="reduction='avg'", reduction="avg")
    assert_rejects(subject, fn, x, np.round(t).astype(np.int64), why="an int64 target", reduction=red)
