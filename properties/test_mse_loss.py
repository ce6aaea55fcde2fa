"""Properties of mse_loss (docs/contract.md 3.3 and section 4, "Losses").

The family's shared reductions and helpers: :mod:`properties.losses_common`.
"""
from __future__ import annotations

import math

import numpy as np

from properties import strategies
from properties.assertions import assert_close, assert_rejects
from properties.gradients import MAX_FD_ELEMENTS, assert_vjp_matches
from properties.losses_common import GRADIENT_SHAPES, REDUCTIONS, _bounded, _cotangent, _fd_cond
from properties.oracle import assert_matches_oracle
from properties.plugin import test_property  # noqa: F401  (the one test, parametrised per check)
from properties.registry import FLOATS, prop
from properties.tolerances import MAX, TINY, tolerance


def _reduce64(per_element: np.ndarray, reduction: str):
    if reduction == "mean":
        return np.asarray(per_element.mean())
    if reduction == "sum":
        return np.asarray(per_element.sum())
    return per_element


@strategies.composite
def mse_inputs(draw, dtype, *, shapes=None, regimes=strategies.REGIMES, reductions=REDUCTIONS):
    shape = draw(shapes if shapes is not None else strategies.shapes(1, 3), label="shape")
    # squares of max/4 overflow for the true value; bound so that the sum of squares is representable
    limit = math.sqrt(MAX[dtype] / (8 * int(np.prod(shape))))
    pred = _bounded(draw(strategies.arrays(shape, dtype, regimes=regimes, label="pred")), dtype, limit)
    # the target: independent, or the prediction plus a small perturbation (differences far below the values)
    kind = draw(strategies.sampled_from(("independent", "close", "equal")), label="target kind")
    if kind == "independent":
        target = _bounded(draw(strategies.arrays(shape, dtype, regimes=regimes, label="target")), dtype, limit)
    else:
        rng = strategies.rng(draw(strategies.seeds, label="target.seed"))
        noise = 0.0 if kind == "equal" else 1e-2 * rng.standard_normal(shape) * np.abs(pred.astype(np.float64))
        target = strategies.cast(pred.astype(np.float64) + noise, dtype)
    return {"pred": pred, "target": target, "reduction": draw(strategies.sampled_from(reductions), label="reduction")}


def _mse_floor(dtype, n):
    """Squares that land among the dtype's subnormals are right only to about TINY absolute (flush-to-zero
    kernels, e.g. XLA on CPU, give 0): a floor making the absolute allowance TINY per element."""
    return n * TINY[dtype] / tolerance(dtype, n=n)


@prop("mse_loss", "matches_oracle", inputs=mse_inputs, dtypes=FLOATS,
      statement="mse_loss equals the float64 NumPy oracle within the dtype's tolerance for every reduction (the "
                "difference of the exact inputs is one rounding, so the result is relative-accurate).")
def mse_oracle(subject, case):
    p, t = case["pred"], case["target"]
    assert_matches_oracle(subject, "mse_loss", (p, t), {"reduction": case["reduction"]}, n=p.size,
                          floor=_mse_floor(subject.dtype, p.size))


@prop("mse_loss", "equals_mean_squared_difference", inputs=lambda d: mse_inputs(d, reductions=("mean",)),
      statement="mse_loss(pred, target) with reduction 'none' == (pred - target)^2 element-wise, 'sum' == the sum "
                "of those and 'mean' == their mean over every element (computed here in float64).")
def mse_formula(subject, case):
    p, t = case["pred"], case["target"]
    sq = (p.astype(np.float64) - t.astype(np.float64)) ** 2
    for red in REDUCTIONS:
        want = _reduce64(sq, red)
        got = subject.expect(subject.mse_loss(p, t, reduction=red), shape=want.shape, what=f"mse_loss({red!r})")
        assert_close(got.astype(np.float64), want, dtype=subject.dtype, what=f"mse_loss(reduction={red!r}) vs "
                     "the mean squared difference", n=p.size, floor=_mse_floor(subject.dtype, p.size))


@strategies.composite
def mse_gradient_inputs(draw, dtype):
    case = draw(mse_inputs(dtype, shapes=strategies.sampled_from(GRADIENT_SHAPES), regimes=strategies.BENIGN))
    shape = case["pred"].shape if case["reduction"] == "none" else ()
    case["cotangent"] = _cotangent(shape, dtype, draw(strategies.seeds, label="cotangent.seed"))
    return case


@prop("mse_loss", "vjp_matches_finite_differences", inputs=mse_gradient_inputs, needs=("vjp",),
      statement="The VJP of mse_loss w.r.t. pred and target agrees with central finite differences of the "
                "float64 oracle (every reduction).")
def mse_gradient(subject, case):
    p, t, kw = case["pred"], case["target"], {"reduction": case["reduction"]}
    assert p.size * 2 <= MAX_FD_ELEMENTS
    # the gradient 2 (p - t) / n: the difference of the exact inputs is one rounding, so no extra condition
    cond = _fd_cond("mse_loss", (p, t), kw, case["cotangent"], subject.dtype, p.size)
    assert_vjp_matches(subject, "mse_loss", (p, t), kw, case["cotangent"], wrt=(0, 1), n=p.size, cond=cond)


@prop("mse_loss", "rejects_bad_input",
      inputs=lambda d: mse_inputs(d, shapes=strategies.sampled_from([(3,), (8,), (16,)]), regimes=("normal",)),
      dtypes=("float32",), max_examples=5,
      statement="mse_loss raises ValueError/TypeError for pred (N, 1) against target (N,) and vice versa (no "
                "silent broadcast to (N, N)), targets of another length, an unknown reduction and integer "
                "arrays.")
def mse_rejects(subject, case):
    p, t, red = case["pred"], case["target"], case["reduction"]
    assert_rejects(subject, "mse_loss", p[:, None], t, why=f"pred {p[:, None].shape} vs target {t.shape}",
                   reduction=red)
    assert_rejects(subject, "mse_loss", p, t[:, None], why=f"pred {p.shape} vs target {t[:, None].shape}",
                   reduction=red)
    assert_rejects(subject, "mse_loss", p, np.concatenate([t, t[:1]]), why="a target one element longer",
                   reduction=red)
    assert_rejects(subject, "mse_loss", p, t, why="reduction='avg'", reduction="avg")
    assert_rejects(subject, "mse_loss", np.round(p).astype(np.int64), t, why="an int64 pred", reduction=red)
