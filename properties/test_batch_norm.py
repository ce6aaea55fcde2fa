"""Properties of batch_norm (docs/contract.md 3.1 and section 4, "Norms").

The family's groups, strategies, condition numbers and shared properties: :mod:`properties.norms_common`.
"""
from __future__ import annotations

import numpy as np

from properties import strategies
from properties.assertions import assert_close, assert_equal, assert_rejects, require
from properties.oracle import expected
from properties.plugin import test_property  # noqa: F401  (the one test, parametrised per check)
from properties.registry import FLOATS, prop
from properties.tolerances import MAX, TINY, tolerance
from properties.norms_common import (_bn_eval_condition, _in_range, affine_floor, args_of, call, condition, eps_of,
                                     feature_shape, inputs_for, kwargs_of, moments, norm_inputs, rows)
from properties.norms_properties import (_bad_inputs, _f32, _register_affine, _register_finite,
                                         _register_gradient_invariance, _register_invariance, _register_oracle,
                                         _register_standardises, _register_vjp)


# --- batch norm's statistics and its three results --------------------------------------------------------
def _bn_stats(case: dict):
    """Per channel, in float64: batch mean, biased variance (batch norm's rows)."""
    r = rows("batch_norm", case, case["x"])
    mean, var, _, scale = moments(r, 0.0)
    with np.errstate(over="ignore"):  # a variance beyond float64's range is inf
        return mean * scale, var * scale * scale


def _eval_standardised(case: dict) -> np.ndarray:
    """Eval-mode ``(x - running_mean) / sqrt(running_var + eps)`` in float64 (before weight and bias)."""
    x = case["x"]
    fshape = feature_shape("batch_norm", case, x.ndim)
    rm = case["running_mean"].astype(np.float64).reshape(fshape)
    sd = np.sqrt(case["running_var"].astype(np.float64).reshape(fshape) + eps_of("batch_norm", case))
    with np.errstate(over="ignore"):  # beyond float64's range: inf, as the implementation must give
        return (x.astype(np.float64) - rm) / sd


def _check_batch_norm(subject, case: dict, got, want, what: str):
    """Compare batch norm's three results with ``want`` (the float64 formula or oracle)."""
    dtype, x = subject.dtype, case["x"]
    c = x.shape[1]
    y, rm, rv = (subject.expect(g, shape=s, finite=False, what=f"{what}[{i}]")
                 for i, (g, s) in enumerate(zip(got, (x.shape, (c,), (c,)))))
    n = x.size // c
    cond = condition("batch_norm", case) if case["training"] else _bn_eval_condition(case)
    want_y = _in_range(np.asarray(want[0], dtype=np.float64), dtype)
    if not case["training"]:
        # (x - running_mean) / sqrt(running_var + eps) beyond the dtype's range may overflow before the weight
        # brings it back: such elements are not compared (the final value is, wherever the intermediate fits)
        fits = np.abs(_eval_standardised(case)) <= MAX[dtype]
        y, want_y = np.where(fits, y.astype(np.float64), 0.0), np.where(fits, want_y, 0.0)
    assert_close(y, want_y, dtype=dtype, what=f"{what}: y", n=n, cond=cond, floor=affine_floor(case))
    if not case["training"]:
        assert_equal(rm, case["running_mean"], what=f"{what}: running_mean returned in eval mode")
        assert_equal(rv, case["running_var"], what=f"{what}: running_var returned in eval mode")
        return
    m = 0.1 if case.get("momentum") is None else case["momentum"]
    mean, var = _bn_stats(case)
    unbiased = var * n / (n - 1)
    old_m, old_v = case["running_mean"].astype(np.float64), case["running_var"].astype(np.float64)
    peak = np.max(np.abs(rows("batch_norm", case, x)), axis=1, initial=0.0)
    # The batch mean is a sum of values up to `peak` (its rounding is relative to peak, not to the mean); the
    # two-pass variance carries the mean's error d ~ u sqrt(n) peak as 2 sd d + d^2: the floors are those
    # scales (at least the smallest normal number: subnormal results have a fixed absolute spacing). A one-pass
    # E[x^2] - E[x]^2 is off by ~u peak^2, which is >> tol * (2 sd peak + tol peak^2) once peak >> sd.
    floor_m = max(float(np.max((1 - m) * np.abs(old_m) + m * peak, initial=0.0)), TINY[dtype])
    assert_close(rm, _in_range(np.asarray(want[1], dtype=np.float64), dtype), dtype=dtype,
                 what=f"{what}: new running_mean", n=n, floor=floor_m)
    # a channel whose batch variance is beyond the dtype's range has no representable statistic: not compared
    fits = unbiased <= MAX[dtype]
    with np.errstate(over="ignore", invalid="ignore"):
        scale_v = (1 - m) * old_v + m * (unbiased + 2 * np.sqrt(unbiased) * peak + tolerance(dtype, n=n) * peak ** 2)
    floor_v = max(float(np.max(np.where(fits, scale_v, 0.0), initial=0.0)), TINY[dtype])
    rv = np.where(fits, rv.astype(np.float64), 0.0)
    assert_close(rv, np.where(fits, _in_range(np.asarray(want[2], dtype=np.float64), dtype), 0.0), dtype=dtype,
                 what=f"{what}: new running_var", n=n, floor=floor_v)


def _oracle_results(subject, case, got, want):
    """matches_oracle of batch norm compares all three results (y and the running statistics)."""
    require(isinstance(got, tuple) and len(got) == 3, "batch_norm must return (y, running_mean, running_var)")
    _check_batch_norm(subject, case, got, want, "batch_norm vs float64 oracle")


# --- the family's properties (properties.norms_properties) ------------------------------------------------------
_register_oracle("batch_norm", __name__, compare=_oracle_results)
_register_standardises("batch_norm", __name__)
_register_invariance("batch_norm", __name__)
_register_affine("batch_norm", __name__)


# --- batch norm: eval mode and the running statistics -------------------------------------------------------
@strategies.composite
def eval_inputs(draw, dtype):
    case = draw(norm_inputs(dtype, "batch_norm", training=False, shapes=strategies.shapes(2, 4, lo=2)))
    case["other"] = draw(strategies.arrays(case["x"].shape, dtype, regimes=strategies.REGIMES, label="other"))
    return case


@prop("batch_norm", "eval_is_per_channel_affine", inputs=eval_inputs,
      statement="In eval mode batch_norm is the per-channel affine map y = (x - running_mean) / sqrt(running_var "
                "+ eps) * weight + bias: it uses the running statistics (not the batch's), the output for one "
                "sample does not change when the other samples change, and the running statistics come back "
                "unchanged (bit for bit).")
def batch_norm_eval(subject, case):
    x = case["x"]
    fshape = feature_shape("batch_norm", case, x.ndim)
    want = _eval_standardised(case)
    with np.errstate(over="ignore"):  # beyond float64's range: inf
        if case.get("weight") is not None:
            want = want * case["weight"].astype(np.float64).reshape(fshape)
        if case.get("bias") is not None:
            want = want + case["bias"].astype(np.float64).reshape(fshape)
    got = call(subject, "batch_norm", case)
    require(isinstance(got, tuple) and len(got) == 3, "batch_norm must return (y, running_mean, running_var)")
    _check_batch_norm(subject, case, got, (want, case["running_mean"], case["running_var"]),
                      "batch_norm eval vs (x - running_mean) / sqrt(running_var + eps) * w + b")
    x2 = x.copy()
    x2[1:] = case["other"][1:]
    y2 = subject.expect(call(subject, "batch_norm", case, x=x2)[0], shape=x.shape, finite=False)
    assert_close(y2[0], np.asarray(got[0], dtype=np.float64)[0], dtype=subject.dtype, floor=affine_floor(case),
                 what="eval-mode output for sample 0 after changing the other samples")


@prop("batch_norm", "running_stats_update", inputs=inputs_for("batch_norm", training=True, affine=False),
      dtypes=FLOATS,
      statement="In training mode the new running statistics are (1 - momentum) * old + momentum * stat, with the "
                "batch mean and the UNBIASED batch variance (count / (count - 1) times the biased one) per channel "
                "(momentum 0 keeps the old ones, 1 takes the batch's); values beyond the dtype's range are inf.")
def batch_norm_running_stats(subject, case):
    m = 0.1 if case.get("momentum") is None else case["momentum"]
    mean, var = _bn_stats(case)
    n = case["x"].size // case["x"].shape[1]
    old_m, old_v = case["running_mean"].astype(np.float64), case["running_var"].astype(np.float64)
    got = call(subject, "batch_norm", case)
    require(isinstance(got, tuple) and len(got) == 3, "batch_norm must return (y, running_mean, running_var)")
    # y is checked against the oracle by matches_oracle; here the formula for the running statistics
    want_y = expected("batch_norm", *args_of("batch_norm", case), **kwargs_of("batch_norm", case))[0]
    # a batch variance beyond float64's range is inf, and with momentum 0 the formula's 0 * inf is NaN (PyTorch's too)
    with np.errstate(over="ignore", invalid="ignore"):
        want = (want_y, (1 - m) * old_m + m * mean, (1 - m) * old_v + m * var * n / (n - 1))
    _check_batch_norm(subject, case, got, want,
                      "batch_norm running statistics vs (1 - momentum) * old + momentum * batch stat")


# --- half precision and gradients (properties.norms_properties) -------------------------------------------------
_register_finite("batch_norm", __name__)
_register_vjp("batch_norm", __name__)
_register_gradient_invariance("batch_norm", __name__)


# --- bad input -------------------------------------------------------------------------------------------------
@prop("batch_norm", "rejects_bad_input", inputs=_bad_inputs, dtypes=("float32",), max_examples=1,
      statement="batch_norm raises ValueError/TypeError for x of rank < 2, running statistics or weight/bias "
                "whose shape is not (C,), and training with a single value per channel.")
def batch_norm_rejects(subject, case):
    x, c = _f32((2, 3, 4)), _f32((3,))
    v = np.abs(c) + 1
    assert_rejects(subject, "batch_norm", _f32((3,)), c, v, training=True, why="x of rank 1")
    assert_rejects(subject, "batch_norm", x, _f32((4,)), v, training=True, why="running_mean of shape (4,) for C=3")
    assert_rejects(subject, "batch_norm", x, c, np.abs(_f32((1,))) + 1, training=False,
                   why="running_var of shape (1,) for C=3")
    assert_rejects(subject, "batch_norm", x, c, v, _f32((4,)), training=True, why="weight of shape (4,) for C=3")
    assert_rejects(subject, "batch_norm", x, c, v, None, _f32((3, 1)), training=True, why="bias of shape (3, 1)")
    assert_rejects(subject, "batch_norm", _f32((1, 3)), c, v, training=True,
                   why="training with one value per channel (x of shape (1, 3))")
