"""Properties of the activations (SPEC 3.2 and section 4, "Activations")."""
from __future__ import annotations

import numpy as np

from properties import strategies
from properties.assertions import assert_close, assert_equal, require
from properties.gradients import MAX_FD_ELEMENTS, assert_vjp_matches
from properties.oracle import assert_close_to_oracle, expected
from properties.plugin import test_property  # noqa: F401  (the one test, parametrised per check)
from properties.registry import FLOATS, prop
from properties.budgets import activation_budget, log_softmax_budget, softmax_budget
from properties.tolerances import tolerance

ELEMENTWISE = ("relu", "sigmoid", "tanh", "silu", "gelu")
ROWWISE = ("softmax", "log_softmax")


@strategies.composite
def elementwise_inputs(draw, dtype, regimes=strategies.REGIMES):
    shape = draw(strategies.shapes(1, 3))
    return {"x": draw(strategies.arrays(shape, dtype, regimes=regimes)),
            "approximate": draw(strategies.booleans(), label="approximate")}


@strategies.composite
def row_inputs(draw, dtype, regimes=strategies.REGIMES):
    shape = draw(strategies.shapes(1, 3))
    axis = draw(strategies.axes(len(shape)), label="axis")
    return {"x": draw(strategies.arrays(shape, dtype, regimes=regimes, const_axes=(axis,))), "axis": axis}


def benign_rows(dtype):
    return row_inputs(dtype, regimes=strategies.BENIGN + ("constant",))


def _kwargs(component, case):
    if component == "gelu":
        return {"approximate": case["approximate"]}
    if component in ROWWISE:
        return {"axis": case["axis"]}
    return {}


# --- every activation: the float64 oracle ------------------------------------------------------------------
#: the budgets of the row-wise activations (properties/budgets.py), relative to each output
ROW_BUDGETS = {"softmax": softmax_budget, "log_softmax": log_softmax_budget}


def _register_row_oracle(component):
    @prop(component, "matches_oracle", inputs=row_inputs, dtypes=FLOATS,
          statement=f"{component} equals the float64 NumPy oracle relative to each output, within what the "
                    f"shifted logits' roundings move it by (the function's relative condition) plus the kernel's "
                    f"own exp, sum and final rounding, for any finite input (large offsets, huge magnitudes, "
                    f"constant rows included); absolute error counts only where the output is subnormal"
                    + (" (log_softmax's max element, -log1p(sum of the others' exp), ~0 when it dominates, is "
                       "judged relatively too)" if component == "log_softmax" else "")
                    + f" (properties/budgets.py, {ROW_BUDGETS[component].__name__}).")
    def matches_oracle(subject, case):
        x, axis = case["x"], case["axis"]
        want = np.asarray(expected(component, x, axis=axis), dtype=np.float64)
        tol, floor = ROW_BUDGETS[component](subject.dtype, x, want, axis)
        got = subject.call(component, x, axis=axis)
        subject.expect(got, shape=x.shape, finite=bool(np.isfinite(want).all()), what=f"{component} output")
        assert_close_to_oracle(subject, component, (x,), {"axis": axis}, got, want, tol=tol, floor=floor,
                               what=f"{component} vs float64 oracle (relative)")


def _register_relative_oracle(component):
    @prop(component, "matches_oracle", inputs=elementwise_inputs, dtypes=FLOATS,
          statement=f"{component} equals the float64 NumPy oracle to a relative error of one rounding to the dtype "
                    f"plus a few roundings of the compute dtype (float32 for half precision) times 1 + kappa(x), "
                    f"kappa(x) = |x f'(x) / f(x)| the function's relative condition number, for any finite input: "
                    f"small values in the tails are judged relatively (a tail computed through a cancelling "
                    f"difference fails); absolute error counts only where the result is subnormal "
                    f"(properties/budgets.py, activation_budget).")
    def matches_oracle(subject, case):
        x, kw = case["x"], _kwargs(component, case)
        want = np.asarray(expected(component, x, **kw), dtype=np.float64)
        tol, floor = activation_budget(subject.dtype, component, x, want, **kw)
        got = subject.call(component, x, **kw)
        subject.expect(got, shape=x.shape, finite=bool(np.isfinite(want).all()), what=f"{component} output")
        assert_close_to_oracle(subject, component, (x,), kw, got, want, tol=tol, floor=floor,
                               what=f"{component} vs float64 oracle (relative)")


for _c in ELEMENTWISE:
    _register_relative_oracle(_c)
for _c in ROWWISE:
    _register_row_oracle(_c)


# --- element-wise activations: identities and independence ---------------------------------------------------
@prop("relu", "odd_part_is_identity", inputs=elementwise_inputs,
      statement="relu(x) - relu(-x) == x exactly.")
def relu_odd_part(subject, case):
    x = case["x"]
    assert_equal(subject.relu(x) - subject.relu(-x), x, what="relu(x) - relu(-x)")


@prop("sigmoid", "symmetric", inputs=elementwise_inputs, dtypes=FLOATS,
      statement="sigmoid(x) + sigmoid(-x) == 1, and sigmoid(x) lies in [0, 1], for every finite x.")
def sigmoid_symmetric(subject, case):
    x = case["x"]
    y = subject.expect(subject.sigmoid(x), shape=x.shape)
    z = subject.expect(subject.sigmoid(-x), shape=x.shape)
    require(bool(np.all((y.astype(np.float64) >= 0) & (y.astype(np.float64) <= 1))), "sigmoid left [0, 1]")
    assert_close(y.astype(np.float64) + z.astype(np.float64), np.ones(x.shape), dtype=subject.dtype,
                 what="sigmoid(x) + sigmoid(-x)", n=2)


@prop("tanh", "equals_scaled_sigmoid", inputs=lambda d: elementwise_inputs(d, strategies.BENIGN), needs=("sigmoid",),
      statement="tanh(x) == 2 sigmoid(2x) - 1 (within the dtype's tolerance; absolute near 0), and tanh is odd.")
def tanh_sigmoid(subject, case):
    x = case["x"]
    t = subject.expect(subject.tanh(x), shape=x.shape).astype(np.float64)
    s = subject.expect(subject.sigmoid(x * np.asarray(2, x.dtype)), shape=x.shape).astype(np.float64)
    assert_close(t, 2 * s - 1, dtype=subject.dtype, what="tanh(x) vs 2 sigmoid(2x) - 1", n=4)
    assert_close(subject.tanh(-x).astype(np.float64), -t, dtype=subject.dtype, what="tanh(-x) vs -tanh(x)")


@strategies.composite
def perturbation_inputs(draw, dtype):
    case = draw(elementwise_inputs(dtype))
    x = case["x"]
    case["index"] = draw(strategies.integers(0, x.size - 1), label="index")
    case["perm_seed"] = draw(strategies.seeds, label="perm_seed")
    return case


def _register_elementwise(component):
    @prop(component, "elementwise", inputs=perturbation_inputs,
          statement=f"{component} acts on each element independently: changing x_i changes only y_i, and "
                    "applying it to a permuted array gives the permuted result.")
    def elementwise(subject, case):
        x, kw = case["x"], _kwargs(component, case)
        y = subject.expect(subject.call(component, x, **kw), shape=x.shape)
        x2 = x.copy().reshape(-1)
        x2[case["index"]] = x2[case["index"]] * np.asarray(-2, x.dtype) + np.asarray(1, x.dtype)
        y2 = subject.expect(subject.call(component, x2.reshape(x.shape), **kw), shape=x.shape).reshape(-1)
        others = np.arange(x.size) != case["index"]
        assert_close(y2[others], y.reshape(-1)[others], dtype=subject.dtype, what="outputs of unchanged elements",
                     floor=tolerance(subject.dtype))
        perm = strategies.rng(case["perm_seed"]).permutation(x.size)
        yp = subject.expect(subject.call(component, x.reshape(-1)[perm].reshape(x.shape), **kw), shape=x.shape)
        assert_close(yp.reshape(-1), y.reshape(-1)[perm], dtype=subject.dtype, what="f(permuted x) vs permuted f(x)",
                     floor=tolerance(subject.dtype))


for _c in ELEMENTWISE:
    _register_elementwise(_c)


# --- softmax and log-softmax ---------------------------------------------------------------------------------
@prop("softmax", "rows_are_distributions", inputs=row_inputs, dtypes=FLOATS,
      statement="Softmax outputs are finite, non-negative and sum to 1 along the axis, for any finite input "
                "(including |x| up to the dtype's max/4).")
def softmax_distribution(subject, case):
    x, axis = case["x"], case["axis"]
    y = subject.expect(subject.softmax(x, axis=axis), shape=x.shape).astype(np.float64)
    require(bool(np.all(y >= 0)), f"softmax has negative entries (min {y.min():.3g})")
    n = x.shape[axis]
    assert_close(y.sum(axis=axis), np.ones(np.delete(x.shape, axis % x.ndim)), dtype=subject.dtype,
                 what="softmax row sums", n=n)


@strategies.composite
def shifted_rows(draw, dtype):
    case = draw(row_inputs(dtype, regimes=("integers",)))
    case["shift"] = draw(strategies.sampled_from([1.0, -3.0, 64.0, -512.0]), label="shift")
    return case


@prop("softmax", "shift_invariant", inputs=shifted_rows,
      statement="softmax(x + c) == softmax(x) for a constant c per row (checked with integer x and c, where x + c "
                "is exact).")
def softmax_shift(subject, case):
    x, axis = case["x"], case["axis"]
    c = np.asarray(case["shift"], x.dtype)
    a = subject.expect(subject.softmax(x, axis=axis), shape=x.shape)
    b = subject.expect(subject.softmax(x + c, axis=axis), shape=x.shape)
    assert_close(b, a.astype(np.float64), dtype=subject.dtype, what="softmax(x + c) vs softmax(x)", n=x.shape[axis])


@prop("log_softmax", "equals_log_of_softmax", inputs=benign_rows, needs=("softmax",),
      statement="log_softmax(x) == log(softmax(x)) wherever softmax(x) is a normal number.")
def log_softmax_vs_softmax(subject, case):
    x, axis = case["x"], case["axis"]
    ls = subject.expect(subject.log_softmax(x, axis=axis), shape=x.shape).astype(np.float64)
    sm = subject.expect(subject.softmax(x, axis=axis), shape=x.shape).astype(np.float64)
    ok = sm > 1e-30
    with np.errstate(divide="ignore"):
        logs = np.log(np.where(ok, sm, 1.0))
    assert_close(ls[ok], logs[ok], dtype=subject.dtype, what="log_softmax vs log(softmax)", n=x.shape[axis])


@strategies.composite
def huge_rows(draw, dtype):
    return draw(row_inputs(dtype, regimes=("huge", "specials")))


@prop("log_softmax", "finite_for_large_inputs", inputs=huge_rows, dtypes=FLOATS,
      statement="log_softmax is finite and <= 0 for inputs up to the dtype's max/4 in magnitude.")
def log_softmax_finite(subject, case):
    x, axis = case["x"], case["axis"]
    y = subject.expect(subject.log_softmax(x, axis=axis), shape=x.shape).astype(np.float64)
    require(bool(np.all(y <= tolerance(subject.dtype))), f"log_softmax has positive entries (max {y.max():.3g})")


@strategies.composite
def gradient_rows(draw, dtype):
    shape = draw(strategies.shapes(1, 2, hi=5))
    axis = draw(strategies.axes(len(shape)), label="axis")
    x = draw(strategies.arrays(shape, dtype, regimes=strategies.GRADIENT))
    return {"x": x, "axis": axis, "cotangent": strategies.normal(shape, dtype, draw(strategies.seeds, label="cot"))}


def _register_row_gradient(component):
    @prop(component, "vjp_rows_sum_to_zero", inputs=gradient_rows, needs=("vjp",),
          statement=f"The {component} VJP agrees with finite differences of the oracle, and each of its rows sums "
                    f"to 0 ({component} is invariant to adding a constant per row).")
    def row_gradient(subject, case):
        x, axis = case["x"], case["axis"]
        (g,) = assert_vjp_matches(subject, component, (x,), {"axis": axis}, case["cotangent"], n=x.shape[axis])
        scale = float(np.max(np.abs(g.astype(np.float64)))) + 1.0
        assert_close(g.astype(np.float64).sum(axis=axis), np.zeros(np.delete(x.shape, axis % x.ndim)),
                     dtype=subject.dtype, what=f"row sums of the {component} VJP", n=x.shape[axis], floor=scale)


for _c in ROWWISE:
    _register_row_gradient(_c)


@strategies.composite
def gradient_elementwise(draw, dtype):
    shape = draw(strategies.shapes(1, 2, hi=5))
    x = draw(strategies.arrays(shape, dtype, regimes=strategies.GRADIENT))
    return {"x": x, "approximate": draw(strategies.booleans()), "cotangent": strategies.normal(shape, dtype,
                                                                                               draw(strategies.seeds))}


def _register_gradient(component):
    @prop(component, "vjp_matches_finite_differences", inputs=gradient_elementwise, needs=("vjp",),
          statement=f"The VJP of {component} agrees with central finite differences of the float64 oracle.")
    def gradient(subject, case):
        assert case["x"].size <= MAX_FD_ELEMENTS
        assert_vjp_matches(subject, component, (case["x"],), _kwargs(component, case), case["cotangent"])


for _c in ("sigmoid", "tanh", "silu", "gelu"):
    _register_gradient(_c)
