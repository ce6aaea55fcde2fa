"""Shared groups, strategies and check helpers of the normalization layers' property
modules (``properties/test_batch_norm.py``, ``test_layer_norm.py``, ``test_rms_norm.py``, ``test_group_norm.py``,
``test_instance_norm.py``; docs/contract.md 3.1 and section 4, "Norms"). Not a ``test_`` module: it registers no
property itself; the properties every norm shares are registered per component by :mod:`properties.norms_properties`.

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

from properties import strategies
from properties.tolerances import MAX

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


def call(subject, component: str, case: dict, **override):
    """Call ``component`` with the case's arguments (``override`` replaces some: x, weight, bias, eps, ...)."""
    c = dict(case, **override)
    kw = {} if c.get("eps") is None else {"eps": c["eps"]}
    w, b = c.get("weight"), c.get("bias")
    if component == "batch_norm":
        kw["training"] = c["training"]
        if c.get("momentum") is not None:
            kw["momentum"] = c["momentum"]
        return subject.batch_norm(c["x"], c["running_mean"], c["running_var"], w, b, **kw)
    if component == "layer_norm":
        return subject.layer_norm(c["x"], c["k"], w, b, **kw)
    if component == "instance_norm":
        return subject.instance_norm(c["x"], w, b, **kw)
    if component == "group_norm":
        return subject.group_norm(c["x"], c["groups"], w, b, **kw)
    return subject.rms_norm(c["x"], c["k"], w, **kw)


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


def output(subject, component: str, case: dict, **override) -> np.ndarray:
    """The normalised output y (batch norm: the first of its three results), checked for shape and dtype."""
    out = call(subject, component, case, **override)
    y = out[0] if component == "batch_norm" else out
    x = override.get("x", case["x"])
    return subject.expect(y, shape=x.shape, what=f"{component} output")


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


@strategies.composite
def norm_inputs(draw, dtype, component, *, regimes=strategies.REGIMES, shapes=None, layouts=None, affine=True,
                training=None):
    """One call's arguments: x from ``regimes`` (constant regimes constant per group), the layer's options,
    and optionally per-feature weight/bias (normal, in ``dtype``). Layer, RMS and group norm draw ``(shape,
    option)`` from ``layouts`` (default :data:`LAYOUTS`), batch and instance norm a shape from ``shapes``."""
    case = {}
    if component == "batch_norm":
        case["training"] = draw(strategies.booleans(), label="training") if training is None else training
        base = strategies.shapes(2, 4) if shapes is None else shapes
        if case["training"]:  # training needs more than one value per channel (unbiased variance)
            base = base.filter(lambda s: s[0] * math.prod(s[2:]) > 1)
        shape = draw(base, label="shape")
    elif component in ("instance_norm",):
        shape = draw(strategies.shapes(3, 4) if shapes is None else shapes, label="shape")
    else:
        option = "num_groups" if component == "group_norm" else "normalized_ndim"
        shape, value = draw(strategies.sampled_from(LAYOUTS[component] if layouts is None else layouts),
                            label=f"(shape, {option})")
        case["groups" if component == "group_norm" else "k"] = value
    case["x"] = np.zeros(shape)  # placeholder for const_axes/feature_shape
    case["x"] = draw(strategies.arrays(shape, dtype, regimes=regimes, const_axes=const_axes(component, case,
                                                                                            len(shape))))
    case["eps"] = draw(strategies.sampled_from(EPS_CHOICES), label="eps")
    if affine:
        fshape = tuple(shape[len(shape) - case["k"]:]) if "k" in case else (shape[1],)
        if draw(strategies.booleans(), label="has_weight"):
            case["weight"] = strategies.normal(fshape, dtype, other_seed(draw(strategies.seeds, label="weight.seed"),
                                                                         1))
        if component != "rms_norm" and draw(strategies.booleans(), label="has_bias"):
            case["bias"] = strategies.normal(fshape, dtype, other_seed(draw(strategies.seeds, label="bias.seed"), 2))
    if component == "batch_norm":
        c = shape[1]
        seed = draw(strategies.seeds, label="running.seed")
        rng = strategies.rng(other_seed(seed, 3))
        mean_scale = draw(strategies.sampled_from([1.0, 0.0, 10.0, 1e3]), label="running_mean.scale")
        case["running_mean"] = strategies.cast(mean_scale * rng.standard_normal(c), dtype)
        case["running_var"] = strategies.cast(np.exp(2.0 * rng.standard_normal(c)) *
                                     draw(strategies.sampled_from([1.0, 1e-6, 1e3]), label="running_var.scale"), dtype)
        case["momentum"] = draw(strategies.sampled_from([None, 0.1, 0.0, 1.0, 0.5, 0.01]), label="momentum")
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
