"""Properties of the losses (docs/contract.md 3.3 and section 4, "Losses"): cross entropy, BCE with logits, MSE, KL."""
from __future__ import annotations

import math

import numpy as np

from properties import strategies
from properties.assertions import assert_close, assert_rejects, require
from properties.budgets import bce_budget, cross_entropy_budget
from properties.gradients import MAX_FD_ELEMENTS, assert_vjp_matches
from properties.oracle import assert_close_to_oracle, assert_matches_oracle, expected
from properties.plugin import test_property  # noqa: F401  (the one test, parametrised per check)
from properties.registry import FLOATS, prop
from properties.tolerances import EPS, GRADIENT_ULPS, MAX, TINY, gradient_tolerance, tolerance

REDUCTIONS = ("mean", "sum", "none")
SMOOTHING = (0.0, 0.1, 0.3)
#: ignore_index values drawn: PyTorch's default and an in-range class (targets equal to it are ignored too)
IGNORE_INDICES = (-100, 1)


def _bounded(a: np.ndarray, dtype: str, limit: float) -> np.ndarray:
    """``a`` rescaled (in float64, then rounded to ``dtype``) so that ``max |a| <= limit``: the "huge" and
    "specials" regimes reach max/4, where a *reduction* of the losses below overflows the dtype for the true
    value (not the implementation's fault); per-element properties use the unbounded arrays."""
    wide = a.astype(np.float64)
    m = float(np.max(np.abs(wide), initial=0.0))
    return a if m <= limit else strategies.cast(wide * (limit / m), dtype)


def _close_scaled(actual, expected, scale, *, dtype, what, n=1, cond=1.0, tol=None):
    """``|actual - expected| <= tol * (|expected| + scale)`` element-wise, with a per-element ``scale`` (the
    magnitude of the operands whose rounding the result inherits). Checked as ``assert_close`` of both sides
    divided by ``scale`` with floor 1, so figures in a failure message are in units of ``scale``."""
    actual = np.asarray(actual, dtype=np.float64)
    expected = np.asarray(expected, dtype=np.float64)
    scale = np.broadcast_to(np.asarray(scale, dtype=np.float64), expected.shape)
    assert_close(actual / scale, expected / scale, dtype=dtype, what=f"{what} (in units of the operand scale)",
                 n=n, cond=cond, floor=1.0, tol=tol)


def _cotangent(shape, dtype, seed):
    """A standard-normal cotangent of ``shape`` as an ndarray (also for a 0-d, reduced output)."""
    return np.asarray(strategies.normal(shape, dtype, seed), dtype=strategies.np_dtype(dtype))


#: the shapes the gradient properties draw (JAX compiles the backward pass once per shape and option set)
GRADIENT_SHAPES = ((3,), (2, 3), (2, 2, 2))


def _fd_cond(component, args, kwargs, cotangent, dtype, n):
    """The widening a finite-difference check needs for the differences' own rounding: each evaluation of
    ``<c, f(x)>`` in float64 is off by about ``tol64 * sum |c f|``, and the central difference divides two of those
    by ``2 h`` (``h >= 1e-6``); relative to the gradient budget times the cotangent's scale."""
    f = np.asarray(expected(component, *args, **kwargs), dtype=np.float64)
    c = np.asarray(cotangent, dtype=np.float64)
    noise = tolerance("float64", n=f.size) * float(np.sum(np.abs(c * f))) / 1e-6
    scale = max(float(np.max(np.abs(c), initial=0.0)), 1e-12)
    return 1.0 + noise / (gradient_tolerance(dtype, n=n) * scale)


def _reduce64(per_element: np.ndarray, reduction: str):
    if reduction == "mean":
        return np.asarray(per_element.mean())
    if reduction == "sum":
        return np.asarray(per_element.sum())
    return per_element


# ===========================================================================================================
# cross_entropy
# ===========================================================================================================
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


# ===========================================================================================================
# binary_cross_entropy_with_logits
# ===========================================================================================================
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


# ===========================================================================================================
# mse_loss
# ===========================================================================================================
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


# ===========================================================================================================
# kl_divergence
# ===========================================================================================================
def _log_softmax64(a, axis):
    a = a.astype(np.float64)
    z = a - a.max(axis=axis, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=axis, keepdims=True))


@strategies.composite
def kl_inputs(draw, dtype, *, shapes=None, regimes=strategies.REGIMES):
    shape = draw(shapes if shapes is not None else strategies.shapes(1, 3), label="shape")
    axis = draw(strategies.integers(-len(shape), len(shape) - 1), label="axis")
    if draw(strategies.booleans(), label="equal_trailing_extents"):
        # the axes from `axis` on all as long as the last: reducing over another of them (an implementation that
        # ignores `axis`) then gives an output of the right shape with the wrong values
        k = axis % len(shape)
        shape = shape[:k] + (shape[-1],) * (len(shape) - k)
    limit = MAX[dtype] / (8 * int(np.prod(shape)))  # log-probabilities >= -2 limit: KL <= 4 limit
    a = _bounded(draw(strategies.arrays(shape, dtype, regimes=regimes, label="p.logits")), dtype, limit)
    b = _bounded(draw(strategies.arrays(shape, dtype, regimes=regimes, label="q.logits")), dtype, limit)
    return {"log_p": strategies.cast(_log_softmax64(a, axis), dtype), "log_q": strategies.cast(_log_softmax64(b, axis),
                                                                                               dtype),
            "axis": axis}


def kl_reference(log_p, log_q, axis):
    """KL in float64 from the rounded inputs, and each row's error scale ``sum p |log p - log q|`` (the terms
    have both signs; their rounding, not the small total, sets the error)."""
    lp, lq = log_p.astype(np.float64), log_q.astype(np.float64)
    p = np.exp(lp)
    terms = np.where(p == 0, 0.0, p * (lp - lq))
    return terms.sum(axis=axis), np.where(p == 0, 0.0, p * np.abs(lp - lq)).sum(axis=axis)


def _kl_cond(kl, spread):
    return float(max(1.0, np.max(spread / (np.abs(kl) + 1.0), initial=1.0)))


def kl_flush_loss(log_p, log_q, axis, dtype: str):
    """Per row, what flushing subnormal ``p = exp(log p)`` to zero (XLA on CPU, GPUs) can lose:
    ``sum p |log p - log q|`` over the terms whose ``p`` is below the compute dtype's smallest normal number. Small
    as ``p`` is, ``log q`` may be -1e306: the flushed term is then far from negligible."""
    lp, lq = log_p.astype(np.float64), log_q.astype(np.float64)
    p = np.exp(lp)
    compute = "float32" if dtype in ("float16", "bfloat16") else dtype
    with np.errstate(invalid="ignore", over="ignore"):
        lost = np.where((p < TINY[compute]) & (p > 0), p * np.abs(lp - lq), 0.0)
    return lost.sum(axis=axis)


@prop("kl_divergence", "matches_oracle", inputs=kl_inputs, dtypes=FLOATS,
      statement="kl_divergence equals the float64 NumPy oracle within the dtype's tolerance, conditioned by the "
                "sum's condition number sum p |log p - log q| / (KL + 1) plus what flushing subnormal p to zero "
                "can lose, for log-softmax inputs of every regime and any axis.")
def kl_oracle(subject, case):
    lp, lq, axis = case["log_p"], case["log_q"], case["axis"]
    kl, spread = kl_reference(lp, lq, axis)
    n = lp.shape[axis]
    flush = kl_flush_loss(lp, lq, axis, subject.dtype) / tolerance(subject.dtype, n=n)
    assert_matches_oracle(subject, "kl_divergence", (lp, lq), {"axis": axis}, n=n, cond=_kl_cond(kl, spread + flush))


@prop("kl_divergence", "non_negative_and_zero_for_equal", inputs=kl_inputs,
      statement="KL(p || p) == 0 (to eps) and KL(p || q) >= 0 for distributions p, q (to eps; for the rounded "
                "inputs, >= sum p - sum q, Gibbs' inequality log x <= x - 1).")
def kl_gibbs(subject, case):
    lp, lq, axis = case["log_p"], case["log_q"], case["axis"]
    out_shape = np.delete(lp.shape, axis % lp.ndim)
    n = lp.shape[axis]
    same = subject.expect(subject.kl_divergence(lp, lp, axis=axis), shape=out_shape, what="KL(p || p)")
    assert_close(same.astype(np.float64), np.zeros(out_shape), dtype=subject.dtype, what="KL(p || p)", n=n)
    got = subject.expect(subject.kl_divergence(lp, lq, axis=axis), shape=out_shape, what="KL(p || q)")
    got = got.astype(np.float64)
    kl, spread = kl_reference(lp, lq, axis)
    lower = (np.exp(lp.astype(np.float64)).sum(axis=axis) - np.exp(lq.astype(np.float64)).sum(axis=axis))
    slack = tolerance(subject.dtype, n=n) * (spread + 1.0)
    bad = got < np.minimum(lower, 0.0) - slack
    require(not bool(np.any(bad)), f"KL(p || q) is negative: {got[bad].min() if bad.any() else 0:.6g} "
                                   f"(below -{float(np.max(slack)):.3g}, the rounding allowance)")


#: Bernoulli pairs per example, laid out as rows (axis -1) and as columns (axis 0)
KL_PAIRS = 8


@strategies.composite
def bernoulli_inputs(draw, dtype):
    rng = strategies.rng(draw(strategies.seeds, label="probabilities.seed"))
    lo = draw(strategies.sampled_from((0.02, 0.3)), label="lowest probability")
    a, b = rng.uniform(lo, 1 - lo, KL_PAIRS), rng.uniform(lo, 1 - lo, KL_PAIRS)
    return {"a": a, "b": b, "columns": draw(strategies.booleans(), label="along axis 0")}


def _bernoulli_logs(a):
    return np.stack([np.log(a), np.log1p(-a)], axis=-1)


@prop("kl_divergence", "matches_bernoulli_closed_form", inputs=bernoulli_inputs, dtypes=FLOATS,
      statement="For p = Bernoulli(a), q = Bernoulli(b): kl_divergence(log p, log q) == a log(a/b) + "
                "(1 - a) log((1 - a)/(1 - b)) and kl_divergence(log q, log p) == b log(b/a) + (1 - b) "
                "log((1 - b)/(1 - a)) (KL is not symmetric: the first argument is the distribution the "
                "expectation is over), pairs laid out along the last axis or axis 0, within the dtype's "
                "tolerance plus the effect of rounding log p, log q to the dtype.")
def kl_bernoulli(subject, case):
    a, b = case["a"], case["b"]
    la, lb = _bernoulli_logs(a), _bernoulli_logs(b)
    pa, pb = np.stack([a, 1 - a], -1), np.stack([b, 1 - b], -1)
    axis = 0 if case["columns"] else -1
    for name, (l1, l2, p1) in {"KL(Ber(a) || Ber(b))": (la, lb, pa),
                               "KL(Ber(b) || Ber(a))": (lb, la, pb)}.items():
        want = (p1 * (l1 - l2)).sum(-1)  # a log(a/b) + (1 - a) log((1 - a)/(1 - b)), and the reverse
        # rounding log p and log q to the dtype moves them by up to eps/2 |log|; the KL moves by
        # |dKL/dlog p_c| = p_c |log p_c - log q_c + 1| and |dKL/dlog q_c| = p_c times that
        input_err = 0.5 * EPS[subject.dtype] * (p1 * (np.abs(l1 - l2 + 1) * np.abs(l1) + np.abs(l2))).sum(-1)
        tol = tolerance(subject.dtype, n=2)
        x1, x2 = strategies.cast(l1, subject.dtype), strategies.cast(l2, subject.dtype)
        if case["columns"]:
            x1, x2 = np.ascontiguousarray(x1.T), np.ascontiguousarray(x2.T)
        got = subject.expect(subject.kl_divergence(x1, x2, axis=axis), shape=(KL_PAIRS,), what=name)
        _close_scaled(got, want, 1.0 + 2 * input_err / tol, dtype=subject.dtype, tol=tol,
                      what=f"{name} vs the closed form")


@strategies.composite
def kl_gradient_inputs(draw, dtype):
    case = draw(kl_inputs(dtype, shapes=strategies.sampled_from(GRADIENT_SHAPES), regimes=strategies.BENIGN))
    out_shape = tuple(np.delete(case["log_p"].shape, case["axis"] % case["log_p"].ndim))
    case["cotangent"] = _cotangent(out_shape, dtype, draw(strategies.seeds, label="cotangent.seed"))
    return case


@prop("kl_divergence", "vjp_matches_finite_differences", inputs=kl_gradient_inputs, needs=("vjp",),
      statement="The VJP of kl_divergence w.r.t. log_p and log_q agrees with central finite differences of the "
                "float64 oracle.")
def kl_gradient(subject, case):
    lp, lq, axis = case["log_p"], case["log_q"], case["axis"]
    assert lp.size * 2 <= MAX_FD_ELEMENTS
    # d/dlog p_c = p_c (log p_c - log q_c + 1): relative to 1 + max |log p - log q|
    cond = 1.0 + float(np.max(np.abs(lp.astype(np.float64) - lq.astype(np.float64)), initial=0.0))
    cond *= _fd_cond("kl_divergence", (lp, lq), {"axis": axis}, case["cotangent"], subject.dtype, lp.shape[axis])
    assert_vjp_matches(subject, "kl_divergence", (lp, lq), {"axis": axis}, case["cotangent"], wrt=(0, 1),
                       n=lp.shape[axis], cond=cond)


@prop("kl_divergence", "rejects_bad_input",
      inputs=lambda d: kl_inputs(d, shapes=strategies.sampled_from([(2, 3), (4, 8)]), regimes=("normal",)),
      dtypes=("float32",), max_examples=5,
      statement="kl_divergence raises ValueError/TypeError for log_p and log_q of different shapes (no "
                "broadcasting), an axis out of range and integer inputs.")
def kl_rejects(subject, case):
    lp, lq, axis = case["log_p"], case["log_q"], case["axis"]
    fn = "kl_divergence"
    assert_rejects(subject, fn, lp, lq[:1], why=f"log_p {lp.shape} vs log_q {lq[:1].shape}", axis=axis)
    assert_rejects(subject, fn, lp, lq[..., :1], why=f"log_p {lp.shape} vs log_q {lq[..., :1].shape}", axis=axis)
    assert_rejects(subject, fn, lp, lq, why=f"axis={lp.ndim} for {lp.ndim}-D inputs", axis=lp.ndim)
    assert_rejects(subject, fn, np.round(lp).astype(np.int64), lq, why="an int64 log_p", axis=axis)
