"""The properties every normalization layer shares, registered for one component at a time: each
``_register_*(component, module)`` files its property under the calling component's module
(``properties/test_batch_norm.py`` ... ``test_instance_norm.py``), so that a component's checks live in its own
module. The groups, strategies and condition numbers they use: :mod:`properties.norms_common`.
"""
from __future__ import annotations

import math

import numpy as np
from hypothesis import strategies as st

from properties import strategies
from properties.assertions import assert_close, require
from properties.budgets import norm_budget
from properties.gradients import FD_MIN_SCALE, MAX_FD_ELEMENTS, assert_vjp_matches
from properties.oracle import assert_close_to_oracle, expected
from properties.norms_common import (CENTERING, HALF, MODERATE, _bn_eval_condition, _in_range, affine_floor, args_of,
                                     call, condition, eps_of, feature_shape, group_size, inputs_for, kwargs_of,
                                     moments, norm_inputs, other_seed, output, rows)
from properties.registry import FLOATS, prop_in
from properties.tolerances import MAX, gradient_tolerance, tolerance


# --- registering a shared property in a component's module -------------------------------------------------
# --- every norm: the float64 oracle -------------------------------------------------------------------------
def _register_oracle(component, module, compare=None):
    """``compare(subject, case, got, want)``, if given, judges a call whose result is more than one array (batch
    norm's three)."""
    @prop_in(module, component, "matches_oracle", inputs=inputs_for(component), dtypes=FLOATS,
              statement=f"{component} equals the float64 NumPy oracle within the budget derived from each "
                        "normalised group's actual statistics (mean |x| / sqrt(var + eps), var / (var + eps): "
                        "properties/budgets.py, norm_budget; batch norm: the condition number 1 + |mean| / "
                        "sqrt(var + eps)), for any finite input "
                        "(large offsets with small spread, constant and near-constant groups, variance below eps, "
                        "magnitudes up to the dtype's max/4), with and without weight/bias.")
    def matches_oracle(subject, case):
        got = call(subject, component, case)
        want = expected(component, *args_of(component, case), **kwargs_of(component, case))
        if compare is not None:
            compare(subject, case, got, want)
            return
        y = subject.expect(got, shape=case["x"].shape, what=f"{component} output")
        tol, floor = norm_budget(subject.dtype, case["x"], want, eps_of(component, case),
                                 to_rows=lambda a: rows(component, case, a), weight=case.get("weight"),
                                 bias=case.get("bias"), feature_shape=feature_shape(component, case, case["x"].ndim),
                                 centering=component in CENTERING)
        assert_close_to_oracle(subject, component, args_of(component, case), kwargs_of(component, case), y, want,
                               tol=tol, floor=floor, what=f"{component} vs float64 oracle")


# --- standardisation: zero mean, (eps-aware) unit variance ---------------------------------------------------
NONCONSTANT = ("normal", "integers", "offset", "tiny", "near_constant", "wide", "huge", "specials")


@strategies.composite
def standard_inputs(draw, dtype, component):
    case = draw(norm_inputs(dtype, component, regimes=NONCONSTANT, affine=False,
                            **({"training": True} if component == "batch_norm" else {})))
    case["explicit_identity"] = draw(strategies.booleans(), label="explicit_identity")
    return case


def _register_standardises(component, module):
    centred = component in CENTERING
    what = "zero mean and biased variance" if centred else "mean square"

    @prop_in(module, component, "zero_mean_unit_variance", inputs=lambda d: standard_inputs(d, component),
              statement=(f"With no weight/bias (or weight 1, bias 0) {component} gives every normalised group "
                         + ("mean 0 and biased variance var / (var + eps)" if centred else
                            "mean square ms / (ms + eps)")
                         + " (1 when eps is negligible), where var is the group's biased input variance"
                         + (" (batch norm: in training mode, per channel)." if component == "batch_norm" else ".")))
    def standardises(subject, case):
        x = case["x"]
        ones = {}
        if case["explicit_identity"]:  # weight 1 / bias 0 passed explicitly
            fshape = tuple(x.shape[x.ndim - case["k"]:]) if "k" in case else (x.shape[1],)
            ones = {"weight": strategies.cast(np.ones(fshape), subject.dtype)}
            if component != "rms_norm":
                ones["bias"] = strategies.cast(np.zeros(fshape), subject.dtype)
        y = rows(component, case, output(subject, component, case, **ones))
        mean, var, eps, _ = moments(rows(component, case, x), eps_of(component, case))
        n, cond = y.shape[1], condition(component, case)
        if centred:
            with np.errstate(invalid="ignore"):  # a constant group (size 1) with eps / scale^2 underflowed
                target = np.where(var > 0, var / (var + eps), 0.0)
            assert_close(y.mean(axis=1), np.zeros(len(y)), dtype=subject.dtype, what=f"{component}: group means",
                         n=n, cond=cond)
            got = ((y - y.mean(axis=1, keepdims=True)) ** 2).mean(axis=1)
        else:
            ms = mean ** 2 + var
            with np.errstate(invalid="ignore"):
                target = np.where(ms > 0, ms / (ms + eps), 0.0)
            got = (y ** 2).mean(axis=1)
        # the variance of y is a sum of squares of values each off by tol * cond: twice the relative error
        assert_close(got, target, dtype=subject.dtype, what=f"{component}: {what} of each group", n=n,
                     cond=2 * cond)


# --- invariance to x -> a x + b (a > 0), with eps -> a^2 eps -----------------------------------------------
@strategies.composite
def rescaled_inputs(draw, dtype, component):
    case = draw(norm_inputs(dtype, component, regimes=MODERATE,
                            **({"training": True} if component == "batch_norm" else {})))
    case["a"] = draw(strategies.sampled_from([2.0, 0.25, 8.0, 0.5]), label="a")  # powers of two: a x and a^2 eps exact
    case["b"] = 0.0 if component == "rms_norm" else draw(strategies.sampled_from([0.0, 1.0, -3.0, 100.0, 1e4]),
                                                         label="b")
    return case


def _register_invariance(component, module):
    shift = component != "rms_norm"

    @prop_in(module, component, "affine_invariant" if shift else "scale_invariant",
              inputs=lambda d: rescaled_inputs(d, component),
              statement=f"{component}(a x{' + b' if shift else ''}, eps = a^2 eps) == {component}(x, eps) for a > 0 "
                        f"(a a power of two{', b a constant' if shift else ''}): normalisation forgets the "
                        f"{'location and ' if shift else ''}scale of its input; eps scales with the variance. The "
                        "rounding of the transformed input is accounted for in the condition number.")
    def invariant(subject, case):
        x, a, b, eps = case["x"], case["a"], case["b"], eps_of(component, case)
        x2 = strategies.cast(x.astype(np.float64) * a + b, subject.dtype)
        y = output(subject, component, case)
        y2 = output(subject, component, case, x=x2, eps=eps * a * a)
        # x2 is off from a x + b by a rounding relative to |a x + b|: in units of the group's spread that is a
        # perturbation of cond(x2) ulps of the output, on top of each output's own error
        cond = condition(component, case) + condition(component, dict(case, eps=eps * a * a), x2)
        assert_close(y2, y.astype(np.float64), dtype=subject.dtype, n=group_size(component, case), cond=cond,
                     what=f"{component}(a x + b, a^2 eps) vs {component}(x, eps)", floor=affine_floor(case))


# --- weight and bias: a per-feature affine map after normalisation ------------------------------------------
@strategies.composite
def affine_inputs(draw, dtype, component):
    case = draw(norm_inputs(dtype, component, regimes=MODERATE, affine=False))
    x = case["x"]
    fshape = tuple(x.shape[x.ndim - case["k"]:]) if "k" in case else (x.shape[1],)
    case["weight"] = strategies.normal(fshape, dtype, other_seed(draw(strategies.seeds, label="weight.seed"), 1),
                              scale=draw(strategies.sampled_from([1.0, 4.0, 0.25]), label="weight.scale"))
    if component != "rms_norm":
        case["bias"] = strategies.normal(fshape, dtype, other_seed(draw(strategies.seeds, label="bias.seed"), 2))
    return case


def _register_affine(component, module):
    @prop_in(module, component, "weight_bias_are_affine", inputs=lambda d: affine_inputs(d, component),
              statement=f"{component}(x, weight, bias) == {component}(x) * weight + bias with weight/bias broadcast "
                        "per feature (the normalised axes for layer/RMS norm, the channel otherwise): the affine map "
                        "comes after the normalisation and each feature gets its own parameters.")
    def affine(subject, case):
        plain = {"weight": None, "bias": None}
        y0 = output(subject, component, case, **plain).astype(np.float64)
        y1 = output(subject, component, case)
        fshape = feature_shape(component, case, case["x"].ndim)
        w = case["weight"].astype(np.float64).reshape(fshape)
        b = 0.0 if case.get("bias") is None else case["bias"].astype(np.float64).reshape(fshape)
        cond = _bn_eval_condition(case) if component == "batch_norm" and not case["training"] \
            else condition(component, case)
        assert_close(y1, _in_range(y0 * w + b, subject.dtype), dtype=subject.dtype, n=group_size(component, case),
                     cond=cond, floor=affine_floor(case), what=f"{component}(x, w, b) vs {component}(x) * w + b")


# --- half precision: large magnitudes stay finite -------------------------------------------------------------
@strategies.composite
def large_half_inputs(draw, dtype, component):
    case = draw(norm_inputs(dtype, component, regimes=("huge", "specials", "offset"), affine=False,
                            **({"training": True} if component == "batch_norm" else {})))
    if draw(strategies.booleans(), label="big_offset"):
        # a large common offset with a spread the dtype resolves: sums and squares of the group overflow
        # the dtype itself (16 x 1e4 > float16's max), so statistics must be accumulated wider
        rng = strategies.rng(draw(strategies.seeds, label="offset.seed"))
        center = draw(strategies.sampled_from([1e4, -3e4, MAX[dtype] / 4, MAX[dtype] / 64]), label="center")
        spread = draw(strategies.sampled_from([1e-2, 1e-1]), label="spread")
        x = center * (1.0 + spread * rng.standard_normal(case["x"].shape))
        case["x"] = strategies.cast(x, dtype)
    return case


def _register_finite(component, module):
    @prop_in(module, component, "finite_for_large_half_inputs", inputs=lambda d: large_half_inputs(d, component),
              dtypes=HALF,
              statement=f"For float16/bfloat16 inputs up to the dtype's max/4 (and offsets like 1e4 in float16, whose "
                        f"sums and squares overflow the dtype) {component} returns finite values, each at most "
                        "sqrt(group size) in magnitude (the bound for a standardised value).")
    def finite(subject, case):
        y = output(subject, component, case).astype(np.float64)  # expect(): finite
        n = group_size(component, case)
        bound = math.sqrt(n) * (1 + tolerance(subject.dtype, n=n))
        require(bool(np.all(np.abs(y) <= bound)),
                f"{component} output {np.max(np.abs(y)):.4g} exceeds sqrt(group size) = {math.sqrt(n):.4g}")


# --- gradients ------------------------------------------------------------------------------------------------
#: geometries small enough for finite differences: norm_inputs' shapes or layouts
TINY_FEATURE_LAYOUTS = (((3,), 1), ((2, 3), 1), ((2, 3), 2), ((2, 2, 5), 1))
GRADIENT_GEOMETRY = {"batch_norm": {"shapes": strategies.shapes(2, 3, hi=5)},
                     "instance_norm": {"shapes": strategies.shapes(3, 3, hi=5)},
                     "group_norm": {"layouts": (((2, 3), 1), ((1, 5), 5), ((2, 3), 3), ((2, 2, 5), 2),
                                                    ((2, 3, 4), 1))},
                     "layer_norm": {"layouts": TINY_FEATURE_LAYOUTS}, "rms_norm": {"layouts": TINY_FEATURE_LAYOUTS}}


def _fd_resolvable(component, case) -> bool:
    r = rows(component, case, case["x"])
    mean, var, eps, scale = moments(r, eps_of(component, case))
    if r.shape[1] == 1 and component != "rms_norm":
        return True  # a group of one element: y == 0 identically
    spread = var + mean ** 2 if component == "rms_norm" else var
    return bool(np.all(scale * np.sqrt(spread + eps) >= FD_MIN_SCALE))


@strategies.composite
def gradient_inputs(draw, dtype, component):
    case = draw(norm_inputs(dtype, component, regimes=("normal", "integers", "wide"),
                            **GRADIENT_GEOMETRY[component]).filter(lambda c: _fd_resolvable(component, c)))
    case["cotangent"] = strategies.normal(case["x"].shape, dtype, other_seed(draw(strategies.seeds,
                                                                                  label="cotangent.seed"), 4))
    return case


def _register_vjp(component, module):
    @prop_in(module, component, "vjp_matches_finite_differences", inputs=lambda d: gradient_inputs(d, component),
              needs=("vjp",), max_examples=10,
              statement=f"The VJP of {component} with respect to x (and weight, bias when given) agrees with central "
                        "finite differences of the float64 oracle (batch norm: of y, in both modes).")
    def vjp(subject, case):
        x = case["x"]
        assert x.size <= MAX_FD_ELEMENTS
        args = args_of(component, case)
        wrt = (0,) + tuple(i for i, a in enumerate(args) if i > 0 and isinstance(a, np.ndarray)
                           and not (component == "batch_norm" and i in (1, 2)))
        assert_vjp_matches(subject, component, args, kwargs_of(component, case), case["cotangent"], wrt=wrt,
                           output=0 if component == "batch_norm" else None, n=group_size(component, case),
                           cond=_bn_eval_condition(case) if component == "batch_norm" and not case["training"]
                           else condition(component, case))


@strategies.composite
def invariance_gradient_inputs(draw, dtype, component):
    case = draw(norm_inputs(dtype, component, regimes=("normal", "integers", "offset", "tiny", "wide"),
                            affine=False, **GRADIENT_GEOMETRY[component],
                            **({"training": True} if component == "batch_norm" else {})))
    case["cotangent"] = strategies.normal(case["x"].shape, dtype, other_seed(draw(strategies.seeds,
                                                                                  label="cotangent.seed"), 4))
    return case


def _register_gradient_invariance(component, module):
    centred = component in CENTERING

    @prop_in(module, component, "vjp_orthogonal_to_invariances",
              inputs=lambda d: invariance_gradient_inputs(d, component), needs=("vjp",), max_examples=10,
              statement=(f"Through {component} (weight 1{', training mode' if component == 'batch_norm' else ''}) the "
                         "input gradient " + ("sums to zero over each normalised group and is orthogonal to x - mean "
                                              "(the output is invariant to shifting and, up to eps, scaling a group)"
                                              if centred else "is orthogonal to x (the output is invariant to "
                                              "scaling a group, up to eps)") +
                         "; the eps term leaves a remainder eps / (var + eps) of the scale direction."))
    def gradient_invariance(subject, case):
        x, cot = case["x"], case["cotangent"]
        args = args_of(component, case)
        (g,) = subject.vjp(component, args, cot, output=0 if component == "batch_norm" else None,
                        **kwargs_of(component, case))
        g = rows(component, case, subject.expect(np.asarray(g), shape=x.shape, what=f"vjp of {component}"))
        r = rows(component, case, x)
        n, cond = r.shape[1], condition(component, case)
        mean, var, seps, scale = moments(r, eps_of(component, case))
        d = r - (mean * scale)[:, None] if centred else r
        tol = gradient_tolerance(subject.dtype, n=n, cond=cond)
        # each gradient element is a sum of terms ~ |c| / sqrt(var + eps) (c the cotangent) that may cancel
        c = rows(component, case, cot)
        terms = float(np.max(np.abs(c).sum(axis=1) / (scale * np.sqrt(var + seps)), initial=0.0))
        if centred:
            assert_close(g.sum(axis=1), np.zeros(len(g)), dtype=subject.dtype, n=n, tol=tol, floor=terms + 1e-300,
                         what=f"sum over each group of the {component} input gradient")
        # d/dt f(x + t d) at t = 0 for d = x - mean (x for RMS): the output scales by sqrt(v / (v + eps)) with
        # v the group's variance (mean square), so <g, d> = <c, y> * eps / (v + eps), not exactly 0
        v = var if centred else var + mean ** 2
        y = rows(component, case, output(subject, component, case).astype(np.float64))
        want = (c * y).sum(axis=1) * seps / (v + seps)
        floor = float(np.max(np.abs(g * d).sum(axis=1) + np.abs(c * y).sum(axis=1), initial=0.0)) + 1e-300
        assert_close((g * d).sum(axis=1), want, dtype=subject.dtype, n=n, tol=tol, floor=floor,
                     what=f"<{component} input gradient, {'x - mean' if centred else 'x'}> per group")


# --- bad input ------------------------------------------------------------------------------------------------
def _bad_inputs(dtype):
    return st.just(None)


def _f32(shape, seed=0):
    return strategies.normal(shape, "float32", seed)
