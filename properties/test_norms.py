"""Properties of the normalization layers (docs/contract.md 3.1 and section 4, "Norms").

Every normalisation maps a *group* of values (the normalised axes of one sample, one channel, one block of
channels) to ``(x - mean) / sqrt(var + eps)``; the helpers below view any input of any of the five layers as
rows, one per group, so that statistics, condition numbers and checks are written once.

Conditioning. The input is already rounded, so its own rounding is relative to ``|mean|`` while the output is
measured in units of the spread: a normalisation's condition number is ``1 + |mean| / sqrt(var + eps)`` of the
group (docs/contract.md, tolerances.py). A constant group has ``x - mean == 0`` exactly in exact arithmetic, and a group
whose variance is below ``eps`` is well conditioned relative to ``sqrt(eps)``: both are covered by the ``+ eps``.
Statistics are computed here in float64 on each row divided by its largest magnitude, so that rows with values
up to the dtype's max/4 (even float64's) give finite figures.
"""
from __future__ import annotations

import math

import numpy as np
from hypothesis import strategies as st

from properties import strategies as S
from properties.assertions import assert_close, assert_equal, assert_rejects, require
from properties.gradients import FD_MIN_SCALE, MAX_FD_ELEMENTS, assert_vjp_matches
from properties.oracle import expected
from properties.plugin import test_property  # noqa: F401  (the one test, parametrised per check)
from properties.registry import FLOATS, prop
from properties.tolerances import MAX, TINY, gradient_tolerance, tolerance

NORMS = ("batch_norm", "layer_norm", "instance_norm", "group_norm", "rms_norm")
#: the layers that subtract the mean (invariant to x -> a x + b); RMS norm only divides
CENTERING = ("batch_norm", "layer_norm", "instance_norm", "group_norm")
#: docs/contract.md 3.1 defaults (an omitted ``eps`` must mean these)
DEFAULT_EPS = {"batch_norm": 1e-5, "layer_norm": 1e-5, "instance_norm": 1e-5, "group_norm": 1e-5, "rms_norm": 1e-6}
#: eps values drawn; None omits the argument (the default applies). 1e-1 makes eps dominate ordinary groups.
EPS_CHOICES = (None, 1e-5, 1e-3, 1e-1)
HALF = ("float16", "bfloat16")
#: input regimes without overflow-sized values (for identities that transform x or need FD gradients)
MODERATE = ("normal", "integers", "offset", "tiny", "constant", "near_constant", "wide")


# --- the groups of each layer ------------------------------------------------------------------------------
def rows(component: str, case: dict, a: np.ndarray) -> np.ndarray:
    """``a`` (shaped like x) as a 2-D array with one row per normalised group, in float64."""
    a = np.asarray(a, dtype=np.float64)
    if component in ("layer_norm", "rms_norm"):
        return a.reshape(-1, math.prod(a.shape[a.ndim - case["k"]:]))
    if component == "instance_norm":
        return a.reshape(a.shape[0] * a.shape[1], -1)
    if component == "group_norm":
        return a.reshape(a.shape[0] * case["groups"], -1)  # channels of a group are contiguous
    return np.moveaxis(a, 1, 0).reshape(a.shape[1], -1)  # batch_norm: one row per channel


def const_axes(component: str, case: dict, ndim: int) -> tuple:
    """The axes along which the ``constant`` regimes repeat values (every group constant)."""
    if component in ("layer_norm", "rms_norm"):
        return tuple(range(ndim - case["k"], ndim))
    if component == "instance_norm":
        return tuple(range(2, ndim))
    if component == "group_norm":
        return tuple(range(1, ndim))
    return (0,) + tuple(range(2, ndim))


def feature_shape(component: str, case: dict, ndim: int) -> tuple:
    """How a per-feature weight/bias broadcasts against x."""
    if component in ("layer_norm", "rms_norm"):
        return tuple(case["x"].shape[ndim - case["k"]:])
    return (1, case["x"].shape[1]) + (1,) * (ndim - 2)


def eps_of(component: str, case: dict) -> float:
    return DEFAULT_EPS[component] if case.get("eps") is None else case["eps"]


def moments(r: np.ndarray, eps: float):
    """Per row (float64): ``(mean, var, eps_scaled, scale)`` of ``r / scale`` with ``scale`` the row's largest
    magnitude, so ``|mean| / sqrt(var + eps_scaled)`` is the row's ``|mean| / sqrt(var + eps)`` without
    overflow."""
    scale = np.max(np.abs(r), axis=1, initial=0.0)
    scale = np.where(scale > 0, scale, 1.0)
    rs = r / scale[:, None]
    mean = rs.mean(axis=1)
    var = ((rs - mean[:, None]) ** 2).mean(axis=1)
    with np.errstate(over="ignore", divide="ignore"):  # eps / scale^2 = inf: eps dominates (values ~ TINY)
        return mean, var, eps / scale / scale, scale


def condition(component: str, case: dict, x=None) -> float:
    """The largest ``1 + |mean| / sqrt(var + eps)`` over the groups of ``x`` (RMS norm: 1, it only scales)."""
    if component == "rms_norm":
        return 1.0
    mean, var, eps, _ = moments(rows(component, case, case["x"] if x is None else x), eps_of(component, case))
    with np.errstate(divide="ignore"):  # a constant group without eps: an unbounded condition, inf
        return float(np.max(1.0 + np.abs(mean) / np.sqrt(var + eps), initial=1.0))


def group_size(component: str, case: dict) -> int:
    return rows(component, case, case["x"]).shape[1]


def affine_floor(case: dict) -> float:
    """The scale of an affine output: an error in the standardised value is multiplied by |weight|."""
    w, b = case.get("weight"), case.get("bias")
    scale = 1.0 if w is None else float(np.max(np.abs(w.astype(np.float64)), initial=0.0))
    shift = 0.0 if b is None else float(np.max(np.abs(b.astype(np.float64)), initial=0.0))
    return max(scale + shift, 1e-30)


def call(impl, component: str, case: dict, **override):
    """Call ``component`` with the case's arguments (``override`` replaces some: x, weight, bias, eps, ...)."""
    c = dict(case, **override)
    kw = {} if c.get("eps") is None else {"eps": c["eps"]}
    w, b = c.get("weight"), c.get("bias")
    if component == "batch_norm":
        kw["training"] = c["training"]
        if c.get("momentum") is not None:
            kw["momentum"] = c["momentum"]
        return impl.batch_norm(c["x"], c["running_mean"], c["running_var"], w, b, **kw)
    if component == "layer_norm":
        return impl.layer_norm(c["x"], c["k"], w, b, **kw)
    if component == "instance_norm":
        return impl.instance_norm(c["x"], w, b, **kw)
    if component == "group_norm":
        return impl.group_norm(c["x"], c["groups"], w, b, **kw)
    return impl.rms_norm(c["x"], c["k"], w, **kw)


def args_of(component: str, case: dict) -> tuple:
    """Positional arguments (for the oracle and the VJP): x first, weight/bias where the signature has them."""
    w, b = case.get("weight"), case.get("bias")
    if component == "batch_norm":
        return (case["x"], case["running_mean"], case["running_var"], w, b)
    if component in ("layer_norm", "rms_norm"):
        return (case["x"], case["k"], w) + ((b,) if component == "layer_norm" else ())
    if component == "group_norm":
        return (case["x"], case["groups"], w, b)
    return (case["x"], w, b)


def kwargs_of(component: str, case: dict) -> dict:
    kw = {} if case.get("eps") is None else {"eps": case["eps"]}
    if component == "batch_norm":
        kw["training"] = case["training"]
        if case.get("momentum") is not None:
            kw["momentum"] = case["momentum"]
    return kw


def output(impl, component: str, case: dict, **override) -> np.ndarray:
    """The normalised output y (batch norm: the first of its three results), checked for shape and dtype."""
    out = call(impl, component, case, **override)
    y = out[0] if component == "batch_norm" else out
    x = override.get("x", case["x"])
    return impl.expect(y, shape=x.shape, what=f"{component} output")


# --- strategies ----------------------------------------------------------------------------------------------
def other_seed(seed: int, salt: int) -> int:
    """A seed for a secondary array (weight, cotangent, ...) that differs from x's even when both shrink to 0,
    so that the cotangent is never x itself (a gradient along an invariance, where everything cancels)."""
    return (seed * 0x9E3779B1 + salt * 0x85EBCA6B + salt) % 2 ** 32


#: (shape, normalized_ndim) of layer_norm and rms_norm drawn together, first = what shrinking aims for: JAX
#: compiles once per (rows, features) and dtype, so the properties share these instead of paying one per example.
#: Ranks 1 to 4, one feature, one row, several axes normalised, sizes that are not powers of two.
FEATURE_LAYOUTS = (((1,), 1), ((3,), 1), ((2, 3), 1), ((4, 8), 2), ((3, 16), 1), ((2, 3, 4), 2), ((1, 4, 8), 1),
                   ((2, 2, 5), 3), ((2, 3, 2, 4), 2), ((1, 2, 3, 8), 3))
#: (shape, num_groups) of group_norm: one group (layer norm), C groups (instance norm), groups of a single value
#: and between, ranks 2 to 4. First (every check's first example): single values in a batch of one, the input
#: ``F.group_norm`` rejects (a declared deviation, then seen by every property it breaks)
GROUP_LAYOUTS = (((1, 5), 5), ((2, 3), 1), ((1, 4, 8), 2), ((2, 3, 4), 3), ((4, 8), 8), ((2, 2, 5), 1),
                 ((1, 2, 3, 8), 2), ((3, 16), 8), ((2, 3, 2, 4), 1))
#: the components whose geometry is a layout: a shape and an option drawn together
LAYOUTS = {"layer_norm": FEATURE_LAYOUTS, "rms_norm": FEATURE_LAYOUTS, "group_norm": GROUP_LAYOUTS}


@S.composite
def norm_inputs(draw, dtype, component, *, regimes=S.REGIMES, shapes=None, layouts=None, affine=True,
                training=None):
    """One call's arguments: x from ``regimes`` (constant regimes constant per group), the layer's options,
    and optionally per-feature weight/bias (normal, in ``dtype``). Layer, RMS and group norm draw ``(shape,
    option)`` from ``layouts`` (default :data:`LAYOUTS`), batch and instance norm a shape from ``shapes``."""
    case = {}
    if component == "batch_norm":
        case["training"] = draw(S.booleans(), label="training") if training is None else training
        base = S.shapes(2, 4) if shapes is None else shapes
        if case["training"]:  # training needs more than one value per channel (unbiased variance)
            base = base.filter(lambda s: s[0] * math.prod(s[2:]) > 1)
        shape = draw(base, label="shape")
    elif component in ("instance_norm",):
        shape = draw(S.shapes(3, 4) if shapes is None else shapes, label="shape")
    else:
        option = "num_groups" if component == "group_norm" else "normalized_ndim"
        shape, value = draw(S.sampled_from(LAYOUTS[component] if layouts is None else layouts),
                            label=f"(shape, {option})")
        case["groups" if component == "group_norm" else "k"] = value
    case["x"] = np.zeros(shape)  # placeholder for const_axes/feature_shape
    case["x"] = draw(S.arrays(shape, dtype, regimes=regimes, const_axes=const_axes(component, case, len(shape))))
    case["eps"] = draw(S.sampled_from(EPS_CHOICES), label="eps")
    if affine:
        fshape = tuple(shape[len(shape) - case["k"]:]) if "k" in case else (shape[1],)
        if draw(S.booleans(), label="has_weight"):
            case["weight"] = S.normal(fshape, dtype, other_seed(draw(S.seeds, label="weight.seed"), 1))
        if component != "rms_norm" and draw(S.booleans(), label="has_bias"):
            case["bias"] = S.normal(fshape, dtype, other_seed(draw(S.seeds, label="bias.seed"), 2))
    if component == "batch_norm":
        c = shape[1]
        seed = draw(S.seeds, label="running.seed")
        rng = S.rng(other_seed(seed, 3))
        mean_scale = draw(S.sampled_from([1.0, 0.0, 10.0, 1e3]), label="running_mean.scale")
        case["running_mean"] = S.cast(mean_scale * rng.standard_normal(c), dtype)
        case["running_var"] = S.cast(np.exp(2.0 * rng.standard_normal(c)) *
                                     draw(S.sampled_from([1.0, 1e-6, 1e3]), label="running_var.scale"), dtype)
        case["momentum"] = draw(S.sampled_from([None, 0.1, 0.0, 1.0, 0.5, 0.01]), label="momentum")
    return case


def inputs_for(component, **options):
    return lambda dtype: norm_inputs(dtype, component, **options)


# --- helpers for checks ---------------------------------------------------------------------------------------
def _in_range(want: np.ndarray, dtype: str) -> np.ndarray:
    """Exact results beyond the dtype's range round to +-inf (a correct implementation returns inf there)."""
    big = np.abs(want) > MAX[dtype]
    return np.where(big, np.copysign(np.inf, want), want)


def _bn_stats(case: dict):
    """Per channel, in float64: batch mean, biased variance (batch norm's rows)."""
    r = rows("batch_norm", case, case["x"])
    mean, var, _, scale = moments(r, 0.0)
    with np.errstate(over="ignore"):  # a variance beyond float64's range is inf
        return mean * scale, var * scale * scale


def _bn_eval_condition(case: dict) -> float:
    """Eval-mode batch norm subtracts the running mean from x: ``1 + max (|x| + |running_mean|) / sqrt(var+eps)``."""
    r = rows("batch_norm", case, case["x"])
    rm = np.abs(case["running_mean"].astype(np.float64))
    sd = np.sqrt(case["running_var"].astype(np.float64) + eps_of("batch_norm", case))
    peak = np.max(np.abs(r), axis=1, initial=0.0)
    with np.errstate(over="ignore"):  # beyond float64's range: inf
        return float(np.max(1.0 + (peak + rm) / sd, initial=1.0))


def _eval_standardised(case: dict) -> np.ndarray:
    """Eval-mode ``(x - running_mean) / sqrt(running_var + eps)`` in float64 (before weight and bias)."""
    x = case["x"]
    fshape = feature_shape("batch_norm", case, x.ndim)
    rm = case["running_mean"].astype(np.float64).reshape(fshape)
    sd = np.sqrt(case["running_var"].astype(np.float64).reshape(fshape) + eps_of("batch_norm", case))
    with np.errstate(over="ignore"):  # beyond float64's range: inf, as the implementation must give
        return (x.astype(np.float64) - rm) / sd


def _check_batch_norm(impl, case: dict, got, want, what: str):
    """Compare batch norm's three results with ``want`` (the float64 formula or oracle)."""
    dtype, x = impl.dtype, case["x"]
    c = x.shape[1]
    y, rm, rv = (impl.expect(g, shape=s, finite=False, what=f"{what}[{i}]")
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


# --- every norm: the float64 oracle -------------------------------------------------------------------------
def _register_oracle(component):
    @prop(component, "matches_oracle", inputs=inputs_for(component), dtypes=FLOATS,
          statement=f"{component} equals the float64 NumPy oracle within the dtype's tolerance scaled by the "
                    "condition number 1 + |mean| / sqrt(var + eps) of each normalised group, for any finite input "
                    "(large offsets with small spread, constant and near-constant groups, variance below eps, "
                    "magnitudes up to the dtype's max/4), with and without weight/bias.")
    def matches_oracle(impl, case):
        got = call(impl, component, case)
        want = expected(component, *args_of(component, case), **kwargs_of(component, case))
        if component == "batch_norm":
            require(isinstance(got, tuple) and len(got) == 3, "batch_norm must return (y, running_mean, running_var)")
            _check_batch_norm(impl, case, got, want, "batch_norm vs float64 oracle")
            return
        y = impl.expect(got, shape=case["x"].shape, what=f"{component} output")
        assert_close(y, want, dtype=impl.dtype, what=f"{component} vs float64 oracle",
                     n=group_size(component, case), cond=condition(component, case), floor=affine_floor(case))


for _c in NORMS:
    _register_oracle(_c)


# --- standardisation: zero mean, (eps-aware) unit variance ---------------------------------------------------
NONCONSTANT = ("normal", "integers", "offset", "tiny", "near_constant", "wide", "huge", "specials")


@S.composite
def standard_inputs(draw, dtype, component):
    case = draw(norm_inputs(dtype, component, regimes=NONCONSTANT, affine=False,
                            **({"training": True} if component == "batch_norm" else {})))
    case["explicit_identity"] = draw(S.booleans(), label="explicit_identity")
    return case


def _register_standardises(component):
    centred = component in CENTERING
    what = "zero mean and biased variance" if centred else "mean square"

    @prop(component, "zero_mean_unit_variance", inputs=lambda d: standard_inputs(d, component),
          statement=(f"With no weight/bias (or weight 1, bias 0) {component} gives every normalised group "
                     + ("mean 0 and biased variance var / (var + eps)" if centred else
                        "mean square ms / (ms + eps)")
                     + " (1 when eps is negligible), where var is the group's biased input variance"
                     + (" (batch norm: in training mode, per channel)." if component == "batch_norm" else ".")))
    def standardises(impl, case):
        x = case["x"]
        ones = {}
        if case["explicit_identity"]:  # weight 1 / bias 0 passed explicitly
            fshape = tuple(x.shape[x.ndim - case["k"]:]) if "k" in case else (x.shape[1],)
            ones = {"weight": S.cast(np.ones(fshape), impl.dtype)}
            if component != "rms_norm":
                ones["bias"] = S.cast(np.zeros(fshape), impl.dtype)
        y = rows(component, case, output(impl, component, case, **ones))
        mean, var, eps, _ = moments(rows(component, case, x), eps_of(component, case))
        n, cond = y.shape[1], condition(component, case)
        if centred:
            with np.errstate(invalid="ignore"):  # a constant group (size 1) with eps / scale^2 underflowed
                target = np.where(var > 0, var / (var + eps), 0.0)
            assert_close(y.mean(axis=1), np.zeros(len(y)), dtype=impl.dtype, what=f"{component}: group means",
                         n=n, cond=cond)
            got = ((y - y.mean(axis=1, keepdims=True)) ** 2).mean(axis=1)
        else:
            ms = mean ** 2 + var
            with np.errstate(invalid="ignore"):
                target = np.where(ms > 0, ms / (ms + eps), 0.0)
            got = (y ** 2).mean(axis=1)
        # the variance of y is a sum of squares of values each off by tol * cond: twice the relative error
        assert_close(got, target, dtype=impl.dtype, what=f"{component}: {what} of each group", n=n,
                     cond=2 * cond)


for _c in NORMS:
    _register_standardises(_c)


# --- invariance to x -> a x + b (a > 0), with eps -> a^2 eps -----------------------------------------------
@S.composite
def rescaled_inputs(draw, dtype, component):
    case = draw(norm_inputs(dtype, component, regimes=MODERATE,
                            **({"training": True} if component == "batch_norm" else {})))
    case["a"] = draw(S.sampled_from([2.0, 0.25, 8.0, 0.5]), label="a")  # powers of two: a x and a^2 eps exact
    case["b"] = 0.0 if component == "rms_norm" else draw(S.sampled_from([0.0, 1.0, -3.0, 100.0, 1e4]), label="b")
    return case


def _register_invariance(component):
    shift = component != "rms_norm"

    @prop(component, "affine_invariant" if shift else "scale_invariant",
          inputs=lambda d: rescaled_inputs(d, component),
          statement=f"{component}(a x{' + b' if shift else ''}, eps = a^2 eps) == {component}(x, eps) for a > 0 "
                    f"(a a power of two{', b a constant' if shift else ''}): normalisation forgets the "
                    f"{'location and ' if shift else ''}scale of its input; eps scales with the variance. The "
                    "rounding of the transformed input is accounted for in the condition number.")
    def invariant(impl, case):
        x, a, b, eps = case["x"], case["a"], case["b"], eps_of(component, case)
        x2 = S.cast(x.astype(np.float64) * a + b, impl.dtype)
        y = output(impl, component, case)
        y2 = output(impl, component, case, x=x2, eps=eps * a * a)
        # x2 is off from a x + b by a rounding relative to |a x + b|: in units of the group's spread that is a
        # perturbation of cond(x2) ulps of the output, on top of each output's own error
        cond = condition(component, case) + condition(component, dict(case, eps=eps * a * a), x2)
        assert_close(y2, y.astype(np.float64), dtype=impl.dtype, n=group_size(component, case), cond=cond,
                     what=f"{component}(a x + b, a^2 eps) vs {component}(x, eps)", floor=affine_floor(case))


for _c in NORMS:
    _register_invariance(_c)


# --- weight and bias: a per-feature affine map after normalisation ------------------------------------------
@S.composite
def affine_inputs(draw, dtype, component):
    case = draw(norm_inputs(dtype, component, regimes=MODERATE, affine=False))
    x = case["x"]
    fshape = tuple(x.shape[x.ndim - case["k"]:]) if "k" in case else (x.shape[1],)
    case["weight"] = S.normal(fshape, dtype, other_seed(draw(S.seeds, label="weight.seed"), 1),
                              scale=draw(S.sampled_from([1.0, 4.0, 0.25]), label="weight.scale"))
    if component != "rms_norm":
        case["bias"] = S.normal(fshape, dtype, other_seed(draw(S.seeds, label="bias.seed"), 2))
    return case


def _register_affine(component):
    @prop(component, "weight_bias_are_affine", inputs=lambda d: affine_inputs(d, component),
          statement=f"{component}(x, weight, bias) == {component}(x) * weight + bias with weight/bias broadcast "
                    "per feature (the normalised axes for layer/RMS norm, the channel otherwise): the affine map "
                    "comes after the normalisation and each feature gets its own parameters.")
    def affine(impl, case):
        plain = {"weight": None, "bias": None}
        y0 = output(impl, component, case, **plain).astype(np.float64)
        y1 = output(impl, component, case)
        fshape = feature_shape(component, case, case["x"].ndim)
        w = case["weight"].astype(np.float64).reshape(fshape)
        b = 0.0 if case.get("bias") is None else case["bias"].astype(np.float64).reshape(fshape)
        cond = _bn_eval_condition(case) if component == "batch_norm" and not case["training"] \
            else condition(component, case)
        assert_close(y1, _in_range(y0 * w + b, impl.dtype), dtype=impl.dtype, n=group_size(component, case),
                     cond=cond, floor=affine_floor(case), what=f"{component}(x, w, b) vs {component}(x) * w + b")


for _c in NORMS:
    _register_affine(_c)


# --- group norm: its two extremes ------------------------------------------------------------------------------
@S.composite
def extreme_groups(draw, dtype):
    case = draw(norm_inputs(dtype, "group_norm", regimes=MODERATE,
                            layouts=tuple(lay for lay in GROUP_LAYOUTS if len(lay[0]) >= 3)))
    case["groups"] = draw(S.sampled_from([1, case["x"].shape[1]]), label="num_groups")
    return case


@prop("group_norm", "extremes_are_layer_and_instance_norm", inputs=extreme_groups,
      needs=("layer_norm", "instance_norm"),
      statement="group_norm with 1 group equals layer_norm over (C, *spatial) followed by the per-channel affine "
                "map; with C groups it equals instance_norm (same eps, weight, bias).")
def group_norm_extremes(impl, case):
    x, eps = case["x"], case.get("eps")
    y = output(impl, "group_norm", case)
    kw = {} if eps is None else {"eps": eps}
    if case["groups"] == 1:
        ref = impl.expect(impl.layer_norm(x, x.ndim - 1, **kw), shape=x.shape).astype(np.float64)
        fshape = feature_shape("group_norm", case, x.ndim)
        if case.get("weight") is not None:
            ref = ref * case["weight"].astype(np.float64).reshape(fshape)
        if case.get("bias") is not None:
            ref = ref + case["bias"].astype(np.float64).reshape(fshape)
        what = "group_norm(x, 1) vs layer_norm over (C, *spatial)"
    else:
        ref = impl.expect(impl.instance_norm(x, case.get("weight"), case.get("bias"), **kw),
                          shape=x.shape).astype(np.float64)
        what = "group_norm(x, C) vs instance_norm(x)"
    assert_close(y, ref, dtype=impl.dtype, what=what, n=group_size("group_norm", case),
                 cond=2 * condition("group_norm", case), floor=affine_floor(case))


# --- RMS norm is layer norm on zero-mean input ---------------------------------------------------------------
@prop("rms_norm", "equals_layer_norm_on_zero_mean", inputs=inputs_for("rms_norm", regimes=MODERATE),
      needs=("layer_norm",),
      statement="On input whose groups have mean 0 (x - mean(x) in float64, rounded to the dtype) rms_norm equals "
                "layer_norm without bias (same eps and weight). The rounding leaves each group a tiny mean m; the "
                "first-order difference it makes, m / sqrt(var + eps) * weight, is added to layer_norm's output.")
def rms_equals_layer(impl, case):
    x, k = case["x"], case["k"]
    eps = eps_of("rms_norm", case)
    axes = tuple(range(x.ndim - k, x.ndim))
    x64 = x.astype(np.float64)
    z = S.cast(x64 - x64.mean(axis=axes, keepdims=True), impl.dtype)
    r = rows("rms_norm", case, z)
    mean, var, seps, scale = moments(r, eps)
    # rms(z) - layer_norm(z) = m / sqrt(v + eps) + O(m^2): the residual mean of the rounded z, in float64
    residual = (mean / np.sqrt(var + seps)).reshape(x.shape[:x.ndim - k] + (1,) * k)
    if case.get("weight") is not None:
        residual = residual * case["weight"].astype(np.float64)
    y = impl.expect(impl.rms_norm(z, k, case.get("weight"), eps=eps), shape=x.shape)
    ref = impl.expect(impl.layer_norm(z, k, case.get("weight"), eps=eps), shape=x.shape)
    cond = float(np.max(1.0 + np.abs(mean) / np.sqrt(var + seps), initial=1.0))
    assert_close(y, ref.astype(np.float64) + residual, dtype=impl.dtype, n=r.shape[1], cond=2 * cond,
                 floor=affine_floor(case), what="rms_norm vs layer_norm on zero-mean input")


# --- batch norm: eval mode and the running statistics -------------------------------------------------------
@S.composite
def eval_inputs(draw, dtype):
    case = draw(norm_inputs(dtype, "batch_norm", training=False, shapes=S.shapes(2, 4, lo=2)))
    case["other"] = draw(S.arrays(case["x"].shape, dtype, regimes=S.REGIMES, label="other"))
    return case


@prop("batch_norm", "eval_is_per_channel_affine", inputs=eval_inputs,
      statement="In eval mode batch_norm is the per-channel affine map y = (x - running_mean) / sqrt(running_var "
                "+ eps) * weight + bias: it uses the running statistics (not the batch's), the output for one "
                "sample does not change when the other samples change, and the running statistics come back "
                "unchanged (bit for bit).")
def batch_norm_eval(impl, case):
    x = case["x"]
    fshape = feature_shape("batch_norm", case, x.ndim)
    want = _eval_standardised(case)
    with np.errstate(over="ignore"):  # beyond float64's range: inf
        if case.get("weight") is not None:
            want = want * case["weight"].astype(np.float64).reshape(fshape)
        if case.get("bias") is not None:
            want = want + case["bias"].astype(np.float64).reshape(fshape)
    got = call(impl, "batch_norm", case)
    require(isinstance(got, tuple) and len(got) == 3, "batch_norm must return (y, running_mean, running_var)")
    _check_batch_norm(impl, case, got, (want, case["running_mean"], case["running_var"]),
                      "batch_norm eval vs (x - running_mean) / sqrt(running_var + eps) * w + b")
    x2 = x.copy()
    x2[1:] = case["other"][1:]
    y2 = impl.expect(call(impl, "batch_norm", case, x=x2)[0], shape=x.shape, finite=False)
    assert_close(y2[0], np.asarray(got[0], dtype=np.float64)[0], dtype=impl.dtype, floor=affine_floor(case),
                 what="eval-mode output for sample 0 after changing the other samples")


@prop("batch_norm", "running_stats_update", inputs=inputs_for("batch_norm", training=True, affine=False),
      dtypes=FLOATS,
      statement="In training mode the new running statistics are (1 - momentum) * old + momentum * stat, with the "
                "batch mean and the UNBIASED batch variance (count / (count - 1) times the biased one) per channel "
                "(momentum 0 keeps the old ones, 1 takes the batch's); values beyond the dtype's range are inf.")
def batch_norm_running_stats(impl, case):
    m = 0.1 if case.get("momentum") is None else case["momentum"]
    mean, var = _bn_stats(case)
    n = case["x"].size // case["x"].shape[1]
    old_m, old_v = case["running_mean"].astype(np.float64), case["running_var"].astype(np.float64)
    got = call(impl, "batch_norm", case)
    require(isinstance(got, tuple) and len(got) == 3, "batch_norm must return (y, running_mean, running_var)")
    # y is checked against the oracle by matches_oracle; here the formula for the running statistics
    want_y = expected("batch_norm", *args_of("batch_norm", case), **kwargs_of("batch_norm", case))[0]
    # a batch variance beyond float64's range is inf, and with momentum 0 the formula's 0 * inf is NaN (PyTorch's too)
    with np.errstate(over="ignore", invalid="ignore"):
        want = (want_y, (1 - m) * old_m + m * mean, (1 - m) * old_v + m * var * n / (n - 1))
    _check_batch_norm(impl, case, got, want,
                      "batch_norm running statistics vs (1 - momentum) * old + momentum * batch stat")


# --- half precision: large magnitudes stay finite -------------------------------------------------------------
@S.composite
def large_half_inputs(draw, dtype, component):
    case = draw(norm_inputs(dtype, component, regimes=("huge", "specials", "offset"), affine=False,
                            **({"training": True} if component == "batch_norm" else {})))
    if draw(S.booleans(), label="big_offset"):
        # a large common offset with a spread the dtype resolves: sums and squares of the group overflow
        # the dtype itself (16 x 1e4 > float16's max), so statistics must be accumulated wider
        rng = S.rng(draw(S.seeds, label="offset.seed"))
        center = draw(S.sampled_from([1e4, -3e4, MAX[dtype] / 4, MAX[dtype] / 64]), label="center")
        spread = draw(S.sampled_from([1e-2, 1e-1]), label="spread")
        x = center * (1.0 + spread * rng.standard_normal(case["x"].shape))
        case["x"] = S.cast(x, dtype)
    return case


def _register_finite(component):
    @prop(component, "finite_for_large_half_inputs", inputs=lambda d: large_half_inputs(d, component),
          dtypes=HALF,
          statement=f"For float16/bfloat16 inputs up to the dtype's max/4 (and offsets like 1e4 in float16, whose "
                    f"sums and squares overflow the dtype) {component} returns finite values, each at most "
                    "sqrt(group size) in magnitude (the bound for a standardised value).")
    def finite(impl, case):
        y = output(impl, component, case).astype(np.float64)  # expect(): finite
        n = group_size(component, case)
        bound = math.sqrt(n) * (1 + tolerance(impl.dtype, n=n))
        require(bool(np.all(np.abs(y) <= bound)),
                f"{component} output {np.max(np.abs(y)):.4g} exceeds sqrt(group size) = {math.sqrt(n):.4g}")


for _c in NORMS:
    _register_finite(_c)


# --- gradients ------------------------------------------------------------------------------------------------
#: geometries small enough for finite differences: norm_inputs' shapes or layouts
TINY_FEATURE_LAYOUTS = (((3,), 1), ((2, 3), 1), ((2, 3), 2), ((2, 2, 5), 1))
GRADIENT_GEOMETRY = {"batch_norm": {"shapes": S.shapes(2, 3, hi=5)}, "instance_norm": {"shapes": S.shapes(3, 3, hi=5)},
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


@S.composite
def gradient_inputs(draw, dtype, component):
    case = draw(norm_inputs(dtype, component, regimes=("normal", "integers", "wide"),
                            **GRADIENT_GEOMETRY[component]).filter(lambda c: _fd_resolvable(component, c)))
    case["cotangent"] = S.normal(case["x"].shape, dtype, other_seed(draw(S.seeds, label="cotangent.seed"), 4))
    return case


def _register_vjp(component):
    @prop(component, "vjp_matches_finite_differences", inputs=lambda d: gradient_inputs(d, component),
          needs=("vjp",), max_examples=10,
          statement=f"The VJP of {component} with respect to x (and weight, bias when given) agrees with central "
                    "finite differences of the float64 oracle (batch norm: of y, in both modes).")
    def vjp(impl, case):
        x = case["x"]
        assert x.size <= MAX_FD_ELEMENTS
        args = args_of(component, case)
        wrt = (0,) + tuple(i for i, a in enumerate(args) if i > 0 and isinstance(a, np.ndarray)
                           and not (component == "batch_norm" and i in (1, 2)))
        assert_vjp_matches(impl, component, args, kwargs_of(component, case), case["cotangent"], wrt=wrt,
                           output=0 if component == "batch_norm" else None, n=group_size(component, case),
                           cond=_bn_eval_condition(case) if component == "batch_norm" and not case["training"]
                           else condition(component, case))


for _c in NORMS:
    _register_vjp(_c)


@S.composite
def invariance_gradient_inputs(draw, dtype, component):
    case = draw(norm_inputs(dtype, component, regimes=("normal", "integers", "offset", "tiny", "wide"),
                            affine=False, **GRADIENT_GEOMETRY[component],
                            **({"training": True} if component == "batch_norm" else {})))
    case["cotangent"] = S.normal(case["x"].shape, dtype, other_seed(draw(S.seeds, label="cotangent.seed"), 4))
    return case


def _register_gradient_invariance(component):
    centred = component in CENTERING

    @prop(component, "vjp_orthogonal_to_invariances", inputs=lambda d: invariance_gradient_inputs(d, component),
          needs=("vjp",), max_examples=10,
          statement=(f"Through {component} (weight 1{', training mode' if component == 'batch_norm' else ''}) the "
                     "input gradient " + ("sums to zero over each normalised group and is orthogonal to x - mean "
                                          "(the output is invariant to shifting and, up to eps, scaling a group)"
                                          if centred else "is orthogonal to x (the output is invariant to "
                                          "scaling a group, up to eps)") +
                     "; the eps term leaves a remainder eps / (var + eps) of the scale direction."))
    def gradient_invariance(impl, case):
        x, cot = case["x"], case["cotangent"]
        args = args_of(component, case)
        (g,) = impl.vjp(component, args, cot, output=0 if component == "batch_norm" else None,
                        **kwargs_of(component, case))
        g = rows(component, case, impl.expect(np.asarray(g), shape=x.shape, what=f"vjp of {component}"))
        r = rows(component, case, x)
        n, cond = r.shape[1], condition(component, case)
        mean, var, seps, scale = moments(r, eps_of(component, case))
        d = r - (mean * scale)[:, None] if centred else r
        tol = gradient_tolerance(impl.dtype, n=n, cond=cond)
        # each gradient element is a sum of terms ~ |c| / sqrt(var + eps) (c the cotangent) that may cancel
        c = rows(component, case, cot)
        terms = float(np.max(np.abs(c).sum(axis=1) / (scale * np.sqrt(var + seps)), initial=0.0))
        if centred:
            assert_close(g.sum(axis=1), np.zeros(len(g)), dtype=impl.dtype, n=n, tol=tol, floor=terms + 1e-300,
                         what=f"sum over each group of the {component} input gradient")
        # d/dt f(x + t d) at t = 0 for d = x - mean (x for RMS): the output scales by sqrt(v / (v + eps)) with
        # v the group's variance (mean square), so <g, d> = <c, y> * eps / (v + eps), not exactly 0
        v = var if centred else var + mean ** 2
        y = rows(component, case, output(impl, component, case).astype(np.float64))
        want = (c * y).sum(axis=1) * seps / (v + seps)
        floor = float(np.max(np.abs(g * d).sum(axis=1) + np.abs(c * y).sum(axis=1), initial=0.0)) + 1e-300
        assert_close((g * d).sum(axis=1), want, dtype=impl.dtype, n=n, tol=tol, floor=floor,
                     what=f"<{component} input gradient, {'x - mean' if centred else 'x'}> per group")


for _c in NORMS:
    _register_gradient_invariance(_c)


# --- bad input ------------------------------------------------------------------------------------------------
def _bad_inputs(dtype):
    return st.just(None)


def _f32(shape, seed=0):
    return S.normal(shape, "float32", seed)


@prop("batch_norm", "rejects_bad_input", inputs=_bad_inputs, dtypes=("float32",), max_examples=1,
      statement="batch_norm raises ValueError/TypeError for x of rank < 2, running statistics or weight/bias "
                "whose shape is not (C,), and training with a single value per channel.")
def batch_norm_rejects(impl, case):
    x, c = _f32((2, 3, 4)), _f32((3,))
    v = np.abs(c) + 1
    assert_rejects(impl, "batch_norm", _f32((3,)), c, v, training=True, why="x of rank 1")
    assert_rejects(impl, "batch_norm", x, _f32((4,)), v, training=True, why="running_mean of shape (4,) for C=3")
    assert_rejects(impl, "batch_norm", x, c, np.abs(_f32((1,))) + 1, training=False,
                   why="running_var of shape (1,) for C=3")
    assert_rejects(impl, "batch_norm", x, c, v, _f32((4,)), training=True, why="weight of shape (4,) for C=3")
    assert_rejects(impl, "batch_norm", x, c, v, None, _f32((3, 1)), training=True, why="bias of shape (3, 1)")
    assert_rejects(impl, "batch_norm", _f32((1, 3)), c, v, training=True,
                   why="training with one value per channel (x of shape (1, 3))")


@prop("layer_norm", "rejects_bad_input", inputs=_bad_inputs, dtypes=("float32",), max_examples=1,
      statement="layer_norm raises ValueError/TypeError for normalized_ndim 0 or > x.ndim and weight/bias whose "
                "shape is not that of the normalised axes.")
def layer_norm_rejects(impl, case):
    x = _f32((2, 3, 4))
    assert_rejects(impl, "layer_norm", x, 0, why="normalized_ndim 0")
    assert_rejects(impl, "layer_norm", x, 4, why="normalized_ndim 4 > x.ndim 3")
    assert_rejects(impl, "layer_norm", x, 2, _f32((4, 3)), why="weight of shape (4, 3) for normalised axes (3, 4)")
    assert_rejects(impl, "layer_norm", x, 1, _f32((1,)), why="weight of shape (1,) for a normalised axis of 4")
    assert_rejects(impl, "layer_norm", x, 1, None, _f32((5,)), why="bias of shape (5,) for a normalised axis of 4")


@prop("instance_norm", "rejects_bad_input", inputs=_bad_inputs, dtypes=("float32",), max_examples=1,
      statement="instance_norm raises ValueError/TypeError for x without a spatial axis (rank < 3) and weight/bias "
                "whose shape is not (C,).")
def instance_norm_rejects(impl, case):
    x = _f32((2, 3, 4))
    assert_rejects(impl, "instance_norm", _f32((2, 3)), why="x of shape (2, 3) (no spatial axis)")
    assert_rejects(impl, "instance_norm", x, _f32((4,)), why="weight of shape (4,) for C=3")
    assert_rejects(impl, "instance_norm", x, None, _f32((1,)), why="bias of shape (1,) for C=3")


@prop("group_norm", "rejects_bad_input", inputs=_bad_inputs, dtypes=("float32",), max_examples=1,
      statement="group_norm raises ValueError/TypeError when C % num_groups != 0, num_groups < 1, x has rank < 2, "
                "or weight/bias do not have shape (C,).")
def group_norm_rejects(impl, case):
    x = _f32((2, 6, 4))
    assert_rejects(impl, "group_norm", x, 4, why="C=6 not divisible by num_groups=4")
    assert_rejects(impl, "group_norm", x, 0, why="num_groups 0")
    assert_rejects(impl, "group_norm", _f32((6,)), 2, why="x of rank 1")
    assert_rejects(impl, "group_norm", x, 3, _f32((3,)), why="weight of shape (3,) (one per group) for C=6")
    assert_rejects(impl, "group_norm", x, 3, None, _f32((7,)), why="bias of shape (7,) for C=6")


@prop("rms_norm", "rejects_bad_input", inputs=_bad_inputs, dtypes=("float32",), max_examples=1,
      statement="rms_norm raises ValueError/TypeError for normalized_ndim 0 or > x.ndim and a weight whose shape "
                "is not that of the normalised axes.")
def rms_norm_rejects(impl, case):
    x = _f32((2, 3, 4))
    assert_rejects(impl, "rms_norm", x, 0, why="normalized_ndim 0")
    assert_rejects(impl, "rms_norm", x, 4, why="normalized_ndim 4 > x.ndim 3")
    assert_rejects(impl, "rms_norm", x, 1, _f32((3,)), why="weight of shape (3,) for a normalised axis of 4")
    assert_rejects(impl, "rms_norm", x, 2, _f32((12,)), why="weight of shape (12,) for normalised axes (3, 4)")
