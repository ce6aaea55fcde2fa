"""Shared groups, strategies, check helpers and property registrations of the normalization layers' property
modules (``properties/test_batch_norm.py``, ``test_layer_norm.py``, ``test_rms_norm.py``, ``test_group_norm.py``,
``test_instance_norm.py``; docs/contract.md 3.1 and section 4, "Norms"). Not a ``test_`` module: it registers no
property itself (its ``_register_*`` helpers register one in the module that calls them).

Every normalisation maps a *group* of values (the normalised axes of one sample, one channel, one block of
channels) to ``(x - mean) / sqrt(var + eps)``; the helpers below view any input of any of the five layers as
rows, one per group, so that statistics, condition numbers and checks are written once.

Conditioning. The input is already rounded, so its own rounding is relative to ``|mean|`` while the output is
measured in units of the spread: a normalisation's condition number is ``1 + |mean| / sqrt(var + eps)`` of the
group (docs/contract.md, tolerances.py). A constant group has ``x - mean == 0`` exactly in exact arithmetic, and a group
whose variance is below ``eps`` is well conditioned relative to ``sqrt(eps)``: both are covered by the ``+ eps``.
Statistics are computed here in float64 on each row divided by its largest magnitude, so that rows with values
up to the dtype's max/4 (even float64's) give finite figures. The family has no tolerance budget of its own: the
checks use :mod:`properties.tolerances` with these condition numbers. Batch norm's own helpers (its running
statistics and eval mode) are in ``test_batch_norm.py``.
"""
from __future__ import annotations

import math

import numpy as np
from hypothesis import strategies as st

from properties import strategies as S
from properties.assertions import assert_close, require
from properties.gradients import FD_MIN_SCALE, MAX_FD_ELEMENTS, assert_vjp_matches
from properties.oracle import expected
from properties.registry import FLOATS, prop
from properties.tolerances import MAX, gradient_tolerance, tolerance

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


def _bn_eval_condition(case: dict) -> float:
    """Eval-mode batch norm subtracts the running mean from x: ``1 + max (|x| + |running_mean|) / sqrt(var+eps)``."""
    r = rows("batch_norm", case, case["x"])
    rm = np.abs(case["running_mean"].astype(np.float64))
    sd = np.sqrt(case["running_var"].astype(np.float64) + eps_of("batch_norm", case))
    peak = np.max(np.abs(r), axis=1, initial=0.0)
    with np.errstate(over="ignore"):  # beyond float64's range: inf
        return float(np.max(1.0 + (peak + rm) / sd, initial=1.0))


# --- registering a shared property in a component's module -------------------------------------------------
def _prop_in(module: str, component: str, name: str, **options):
    """:func:`properties.registry.prop`, filing the property under ``module``: the registry files a property under
    its function's ``__module__``, so the component's module passes its ``__name__``."""
    def register(fn):
        fn.__module__ = module
        return prop(component, name, **options)(fn)
    return register


# --- every norm: the float64 oracle -------------------------------------------------------------------------
def _register_oracle(component, module, compare=None):
    """``compare(impl, case, got, want)``, if given, judges a call whose result is more than one array (batch
    norm's three)."""
    @_prop_in(module, component, "matches_oracle", inputs=inputs_for(component), dtypes=FLOATS,
              statement=f"{component} equals the float64 NumPy oracle within the dtype's tolerance scaled by the "
                        "condition number 1 + |mean| / sqrt(var + eps) of each normalised group, for any finite input "
                        "(large offsets with small spread, constant and near-constant groups, variance below eps, "
                        "magnitudes up to the dtype's max/4), with and without weight/bias.")
    def matches_oracle(impl, case):
        got = call(impl, component, case)
        want = expected(component, *args_of(component, case), **kwargs_of(component, case))
        if compare is not None:
            compare(impl, case, got, want)
            return
        y = impl.expect(got, shape=case["x"].shape, what=f"{component} output")
        assert_close(y, want, dtype=impl.dtype, what=f"{component} vs float64 oracle",
                     n=group_size(component, case), cond=condition(component, case), floor=affine_floor(case))


# --- standardisation: zero mean, (eps-aware) unit variance ---------------------------------------------------
NONCONSTANT = ("normal", "integers", "offset", "tiny", "near_constant", "wide", "huge", "specials")


@S.composite
def standard_inputs(draw, dtype, component):
    case = draw(norm_inputs(dtype, component, regimes=NONCONSTANT, affine=False,
                            **({"training": True} if component == "batch_norm" else {})))
    case["explicit_identity"] = draw(S.booleans(), label="explicit_identity")
    return case


def _register_standardises(component, module):
    centred = component in CENTERING
    what = "zero mean and biased variance" if centred else "mean square"

    @_prop_in(module, component, "zero_mean_unit_variance", inputs=lambda d: standard_inputs(d, component),
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


# --- invariance to x -> a x + b (a > 0), with eps -> a^2 eps -----------------------------------------------
@S.composite
def rescaled_inputs(draw, dtype, component):
    case = draw(norm_inputs(dtype, component, regimes=MODERATE,
                            **({"training": True} if component == "batch_norm" else {})))
    case["a"] = draw(S.sampled_from([2.0, 0.25, 8.0, 0.5]), label="a")  # powers of two: a x and a^2 eps exact
    case["b"] = 0.0 if component == "rms_norm" else draw(S.sampled_from([0.0, 1.0, -3.0, 100.0, 1e4]), label="b")
    return case


def _register_invariance(component, module):
    shift = component != "rms_norm"

    @_prop_in(module, component, "affine_invariant" if shift else "scale_invariant",
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


def _register_affine(component, module):
    @_prop_in(module, component, "weight_bias_are_affine", inputs=lambda d: affine_inputs(d, component),
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


def _register_finite(component, module):
    @_prop_in(module, component, "finite_for_large_half_inputs", inputs=lambda d: large_half_inputs(d, component),
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


def _register_vjp(component, module):
    @_prop_in(module, component, "vjp_matches_finite_differences", inputs=lambda d: gradient_inputs(d, component),
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


@S.composite
def invariance_gradient_inputs(draw, dtype, component):
    case = draw(norm_inputs(dtype, component, regimes=("normal", "integers", "offset", "tiny", "wide"),
                            affine=False, **GRADIENT_GEOMETRY[component],
                            **({"training": True} if component == "batch_norm" else {})))
    case["cotangent"] = S.normal(case["x"].shape, dtype, other_seed(draw(S.seeds, label="cotangent.seed"), 4))
    return case


def _register_gradient_invariance(component, module):
    centred = component in CENTERING

    @_prop_in(module, component, "vjp_orthogonal_to_invariances",
              inputs=lambda d: invariance_gradient_inputs(d, component), needs=("vjp",), max_examples=10,
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


# --- bad input ------------------------------------------------------------------------------------------------
def _bad_inputs(dtype):
    return st.just(None)


def _f32(shape, seed=0):
    return S.normal(shape, "float32", seed)
