"""Properties of kl_divergence (docs/contract.md 3.3 and section 4, "Losses").

The family's shared reductions and helpers: :mod:`properties.losses_common`.
"""
from __future__ import annotations

import numpy as np

from properties import strategies
from properties.assertions import assert_close, assert_rejects, require
from properties.gradients import MAX_FD_ELEMENTS, assert_vjp_matches
from properties.losses_common import GRADIENT_SHAPES, _bounded, _close_scaled, _cotangent, _fd_cond
from properties.oracle import assert_matches_oracle
from properties.plugin import test_property  # noqa: F401  (the one test, parametrised per check)
from properties.registry import FLOATS, prop
from properties.tolerances import EPS, MAX, TINY, tolerance


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
