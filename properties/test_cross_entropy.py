"""Properties of cross_entropy (docs/contract.md 3.3 and section 4, "Losses").

The family's shared reductions and helpers: :mod:`properties.losses_common`.
"""
from __future__ import annotations

import math

import numpy as np

from properties import strategies
from properties.assertions import assert_close, assert_rejects, require
from properties.budgets import cross_entropy_budget
from properties.losses_common import REDUCTIONS, _bounded, _cotangent
from properties.oracle import assert_close_to_oracle, expected
from properties.plugin import test_property  # noqa: F401  (the one test, parametrised per check)
from properties.registry import FLOATS, prop
from properties.tolerances import EPS, GRADIENT_ULPS, MAX, TINY, tolerance


SMOOTHING = (0.0, 0.1, 0.3)
#: ignore_index values drawn: PyTorch's default and an in-range class (targets equal to it are ignored too)
IGNORE_INDICES = (-100, 1)


@strategies.composite
def ce_inputs(draw, dtype, *, smoothing=SMOOTHING, reductions=REDUCTIONS, min_rows=1, need_ignored=False,
              regimes=strategies.REGIMES, shapes=None):
    shapes = shapes or [s for s in strategies.SHAPES if len(s) == 2 and s[0] >= min_rows]
    n, c = draw(strategies.sampled_from(shapes), label="(N, C)")
    logits = draw(strategies.arrays((n, c), dtype, regimes=regimes, const_axes=(1,), label="logits"))
    # a mean/sum of N rows, each <= log C + 2 max|z|, must stay representable
    logits = _bounded(logits, dtype, MAX[dtype] / (8 * n * c))
    ignore_index = draw(strategies.sampled_from(IGNORE_INDICES), label="ignore_index")
    rng = strategies.rng(draw(strategies.seeds, label="target.seed"))
    target = rng.integers(0, c, n).astype(np.int64)
    ignored = rng.random(n) < 0.4
    if need_ignored:
        ignored[rng.integers(n)] = True
    target = np.where(ignored, ignore_index, target)
    kept = target != ignore_index
    if not kept.any():  # at least one row counts, so "mean" is defined
        i = int(rng.integers(n))
        target[i] = 0 if ignore_index != 0 else 2
    case = {"logits": logits, "target": target, "ignore_index": ignore_index,
            "label_smoothing": draw(strategies.sampled_from(smoothing), label="label_smoothing"),
            "reduction": draw(strategies.sampled_from(reductions), label="reduction")}
    if draw(strategies.booleans(), label="confident"):
        case["logits"] = _confident(logits, target, dtype)
    return case


def _confident(logits, target, dtype):
    """Each counted row's target logit raised to its row's maximum plus ``-log(eps) + 2``: a confident correct
    prediction, whose loss (~ (C - 1) e^-margin) is below the rounding of 1, where lse(z) - z_t cancels and only a
    log1p-accurate log-sum-exp keeps its relative accuracy."""
    out = logits.astype(np.float64)
    margin = -math.log(EPS[dtype]) + 2.0
    rows = np.flatnonzero((target >= 0) & (target < logits.shape[1]))
    out[rows, target[rows]] = out[rows].max(axis=1) + margin
    return strategies.cast(out, dtype)


def _ce_kwargs(case, **over):
    kw = {k: case[k] for k in ("ignore_index", "label_smoothing", "reduction")}
    kw.update(over)
    return kw


def ce_formula(logits, target, ignore_index, label_smoothing):
    """Per-row cross entropy in float64 written out: ``(1 - ls) (lse - z_t) + ls mean_c (lse - z_c)``, 0 on
    ignored rows; also the softmax (for the gradient) and the smoothed one-hot target ``q``."""
    z = logits.astype(np.float64)
    zs = z - z.max(axis=1, keepdims=True)
    e = np.exp(zs)
    lse = np.log(e.sum(axis=1))
    soft = e / e.sum(axis=1, keepdims=True)
    n, c = z.shape
    kept = target != ignore_index
    safe = np.where(kept, target, 0)
    onehot = np.zeros((n, c))
    onehot[np.arange(n), safe] = 1.0
    q = (1.0 - label_smoothing) * onehot + label_smoothing / c
    per_row = (1.0 - label_smoothing) * (lse - zs[np.arange(n), safe])
    if label_smoothing:
        per_row = per_row + label_smoothing * (lse - zs.mean(axis=1))
    return np.where(kept, per_row, 0.0), soft, q, kept


@prop("cross_entropy", "matches_oracle", inputs=ce_inputs, dtypes=FLOATS,
      statement="cross_entropy equals the float64 NumPy oracle relative to the loss (a sum of non-negative terms "
                "per row), within what the shifted logits' and the log-sum-exp's roundings move it by plus a few "
                "roundings of the compute dtype: a confident correct row's loss log1p(sum of the others' exp) is "
                "judged relatively; absolute error counts only where the loss is subnormal (properties/budgets.py, "
                "cross_entropy_budget). For logits of every regime (large offsets and spreads included), "
                "label_smoothing in {0, 0.1, 0.3}, targets equal to ignore_index (-100 or the in-range class 1) "
                "and every reduction.")
def ce_oracle(subject, case):
    z, t, kw = case["logits"], case["target"], _ce_kwargs(case)
    got = subject.call("cross_entropy", z, t, **kw)
    want = np.asarray(expected("cross_entropy", z, t, **kw), dtype=np.float64)
    subject.expect(got, shape=want.shape, finite=bool(np.isfinite(want).all()), what="cross_entropy output")
    tol, floor = cross_entropy_budget(subject.dtype, z, t, want, ignore_index=case["ignore_index"],
                                      label_smoothing=case["label_smoothing"], how=case["reduction"])
    assert_close_to_oracle(subject, "cross_entropy", (z, t), kw, got, want, tol=tol, floor=floor,
                           what="cross_entropy vs float64 oracle (relative)")


@prop("cross_entropy", "equals_logsumexp_minus_logit",
      inputs=lambda d: ce_inputs(d, smoothing=(0.0,), reductions=("none",)),
      statement="With label_smoothing 0 and reduction 'none', cross_entropy(z, t)_i == logsumexp(z_i) - z_i[t_i] "
                "(computed here in float64 with the max shift) and is >= 0 for every row; ignored rows give 0.")
def ce_lse(subject, case):
    z, t = case["logits"], case["target"]
    want, _, _, _ = ce_formula(z, t, case["ignore_index"], 0.0)
    got = subject.expect(subject.cross_entropy(z, t, **_ce_kwargs(case)), shape=(z.shape[0],)).astype(np.float64)
    require(bool(np.all(got >= 0)), f"cross entropy is negative: {got.min():.6g} (logsumexp >= every logit)")
    assert_close(got, want, dtype=subject.dtype, what="cross_entropy vs logsumexp(z) - z[t]", n=z.shape[1])


@strategies.composite
def ce_gradient_inputs(draw, dtype):
    case = draw(ce_inputs(dtype, shapes=((2, 3), (4, 8)), smoothing=(0.0, 0.1)))
    n = case["logits"].shape[0]
    shape = (n,) if case["reduction"] == "none" else ()
    case["cotangent"] = _cotangent(shape, dtype, draw(strategies.seeds, label="cotangent.seed"))
    return case


@prop("cross_entropy", "gradient_is_softmax_minus_target", inputs=ce_gradient_inputs, needs=("vjp",),
      statement="The autodiff gradient of cross_entropy w.r.t. the logits is w_i (softmax(z_i) - q_i) with "
                "q = (1 - ls) one_hot(t) + ls / C, where w_i is the cotangent (reduction 'none'), the cotangent "
                "(sum) or the cotangent / number of non-ignored rows (mean); ignored rows get gradient 0.")
def ce_gradient(subject, case):
    z, t, cot = case["logits"], case["target"], case["cotangent"]
    _, soft, q, kept = ce_formula(z, t, case["ignore_index"], case["label_smoothing"])
    c64 = cot.astype(np.float64)
    if case["reduction"] == "none":
        w = c64
    elif case["reduction"] == "sum":
        w = np.full(z.shape[0], float(c64))
    else:
        w = np.full(z.shape[0], float(c64) / kept.sum())
    w = np.where(kept, w, 0.0)
    want = w[:, None] * (soft - q)
    (g,) = subject.vjp("cross_entropy", (z, t), cot, wrt=(0,), **_ce_kwargs(case))
    g = subject.expect(np.asarray(g), shape=z.shape, what="gradient of cross_entropy")
    # entries of softmax - q lie in [-1, 1]: absolute error relative to the row's weight
    scale = float(np.max(np.abs(w), initial=0.0)) + TINY[subject.dtype]
    assert_close(g.astype(np.float64), want, dtype=subject.dtype, what="d cross_entropy / d logits vs softmax - q",
                 floor=scale, tol=tolerance(subject.dtype, n=z.shape[1], ulps=GRADIENT_ULPS))


@prop("cross_entropy", "ignored_rows_do_not_contribute",
      inputs=lambda d: ce_inputs(d, min_rows=2, need_ignored=True),
      statement="Dropping the rows whose target is ignore_index leaves the 'mean' and 'sum' losses unchanged "
                "(the mean averages over non-ignored rows only, label smoothing included) and, for 'none', the "
                "kept rows' losses unchanged while ignored rows give exactly 0.")
def ce_ignored(subject, case):
    z, t = case["logits"], case["target"]
    kept = t != case["ignore_index"]
    full = subject.cross_entropy(z, t, **_ce_kwargs(case))
    part = subject.cross_entropy(np.ascontiguousarray(z[kept]), np.ascontiguousarray(t[kept]), **_ce_kwargs(case))
    n, c = z.shape
    if case["reduction"] == "none":
        subject.expect(full, shape=(n,))
        subject.expect(part, shape=(int(kept.sum()),))
        require(bool(np.all(full[~kept] == 0)), f"ignored rows have loss {full[~kept]}, not 0")
        assert_close(full[kept], part.astype(np.float64), dtype=subject.dtype, what="losses of the kept rows "
                     "with and without the ignored rows", n=c)
    else:
        subject.expect(full, shape=())
        subject.expect(part, shape=())
        floor = float(kept.sum()) if case["reduction"] == "sum" else 1.0
        assert_close(full, part.astype(np.float64), dtype=subject.dtype, floor=floor, n=n + c,
                     what=f"reduction={case['reduction']!r} loss with vs without the ignored rows")


@prop("cross_entropy", "rejects_bad_input", inputs=lambda d: ce_inputs(d, regimes=("normal",)),
      dtypes=("float32",), max_examples=5,
      statement="cross_entropy raises ValueError/TypeError for an unknown reduction, 1-D or 3-D logits, a "
                "target whose length differs from N, a target outside [0, C) that is not ignore_index, a float "
                "target and label_smoothing outside [0, 1].")
def ce_rejects(subject, case):
    z, t, kw = case["logits"], case["target"], _ce_kwargs(case)
    n, c = z.shape
    fn = "cross_entropy"
    assert_rejects(subject, fn, z, t, why="reduction='avg'", **dict(kw, reduction="avg"))
    assert_rejects(subject, fn, z.reshape(-1), np.zeros(1, np.int64), why="1-D logits", **kw)
    assert_rejects(subject, fn, z[None], t[None], why="3-D logits (1, N, C) with a (1, N) target", **kw)
    assert_rejects(subject, fn, z, np.concatenate([t, t[:1]]), why=f"a target of length {n + 1} for N={n}", **kw)
    big = t.copy()
    big[0] = c
    assert_rejects(subject, fn, z, big, why=f"target {c} outside [0, C={c})", **kw)
    neg = t.copy()
    neg[0] = -5
    assert_rejects(subject, fn, z, neg, why="target -5 (not ignore_index)", **kw)
    assert_rejects(subject, fn, z, np.where(t < 0, 0, t).astype(np.float32), why="a float target", **kw)
    assert_rejects(subject, fn, z, t, why="label_smoothing=1.5", **dict(kw, label_smoothing=1.5))
